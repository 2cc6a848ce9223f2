/* Small helpers shared by every module: bounded parsing, growable buffers,
 * clocks. Nothing here does I/O. */
#ifndef PEEKL_UTIL_H
#define PEEKL_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Parses a whole decimal integer in [min, max]; 0 on success, -1 otherwise. */
int	parse_ll(const char *s, long long min, long long max, long long *out);

/* Parses a finite number (strtod's syntax, nothing after it); 0 on
 * success, -1 for NULL, "" or anything else. */
int	parse_double(const char *s, double *out);

/* Parses "30", "90s", "5m", "2h", "30d", "5y" (365 days) into
 * milliseconds; -1 if malformed or beyond ten years. */
int	parse_duration_ms(const char *s, int64_t *out);

/* Formats a duration like "4m 10s", "2h 3m", "3d 4h" into out. */
void	format_duration(int64_t ms, char *out, size_t outsz);

/* Wall-clock unix time in milliseconds (PEEKL_TEST_NOW_MS pins it, for
 * tests only). */
int64_t	now_ms(void);

/* Monotonic time in milliseconds, for deadlines. */
int64_t	mono_ms(void);

/* malloc/strdup that abort on exhaustion: a monitor that half-runs is worse
 * than one that stops with a message. */
void	*xcalloc(size_t n, size_t size);
void	*xrealloc(void *p, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);
/* Return a malloc'd formatted string; caller frees. */
char	*xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A growable, always NUL-terminated byte buffer. */
struct buf {
	char	*data;	/* NUL-terminated; NULL until first append */
	size_t	 len;	/* bytes used, excluding the NUL */
	size_t	 cap;	/* bytes allocated */
};
void	buf_append(struct buf *b, const char *data, size_t len);
void	buf_puts(struct buf *b, const char *s);
void	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_free(struct buf *b);

/*
 * Returns a new zeroed element at the end of a growable array, or NULL
 * once it holds max elements. arrayp points at the array's pointer (pass
 * &list->v), *n counts its elements, *cap its room; each is size bytes.
 */
void	*array_add(void *arrayp, size_t *n, size_t *cap, size_t size,
	    size_t max);

/* Writes unix seconds as "2026-12-07T10:00:00Z" (UTC) into out. */
void	format_iso8601(int64_t secs, char *out, size_t outsz);
/* Parses that form back; -1 if s is not exactly it. */
int	parse_iso8601(const char *s, int64_t *secs);

/* Copies src into dst of size dstsz, truncating on a UTF-8 character
 * boundary; returns 1 if truncated. */
int	strlcpy_trunc(char *dst, const char *src, size_t dstsz);

#endif
