/* A silence (spec/alerting.md): until when a site's alerts are held back,
 * and why. Its stored form, JSON in PREFIX:silence:NAME, is read and
 * written here; pure, no I/O. */
#ifndef PEEKL_SILENCE_H
#define PEEKL_SILENCE_H

#include <stddef.h>
#include <stdint.h>

#define SILENCE_REASON_MAX	200	/* bytes of --reason */
#define SILENCE_MAX_MS		(366LL * 86400 * 1000)	/* --for at most */

struct silence {
	int64_t	 until;		/* unix s; 0: no silence */
	int64_t	 created;	/* unix s */
	char	 reason[SILENCE_REASON_MAX + 1]; /* "" when none was given */
};

/* Returns the stored form, {"until":..,"reason":..,"created":..}
 * (malloc'd, caller frees), or NULL when it cannot be built. */
char	*silence_encode(const struct silence *s);

/* Parses the stored form, len bytes at json; -1 when it is not one (s is
 * then zeroed: no silence). */
int	silence_decode(const char *json, size_t len, struct silence *s);

/* Returns 1 when s silences at now_s (unix seconds). */
int	silence_active(const struct silence *s, int64_t now_s);

/* Writes when a silence or window ends, as a person reads it on this
 * host: "14:30" today or within a day, else "2026-12-24 14:30". */
void	silence_format_until(int64_t until, int64_t now_s, char *out,
	    size_t outsz);

#endif
