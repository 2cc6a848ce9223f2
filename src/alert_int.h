/* Private to the alert modules: the renderer of each integration and the
 * pieces of an alert they all show the same way. */
#ifndef PEEKL_ALERT_INT_H
#define PEEKL_ALERT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "alert.h"
#include "jsonstr.h"

enum alert_tone {
	TONE_DANGER,	/* DOWN, CRITICAL */
	TONE_WARNING,	/* WARNING */
	TONE_GOOD,	/* UP, OK */
	TONE__MAX
};

/* One labelled value shown under the summary: a Slack attachment field or
 * a Discord embed field. */
struct alert_field {
	const char	*title;
	const char	*value;		/* points into the alert or into buf */
	int		 is_short;	/* fits beside another field */
	char		 buf[64];
};

#define ALERT_FIELDS_MAX 8

/* Fills f with the fields that apply to a; returns how many. */
size_t		 alert_fields(const struct alert *a, struct alert_field *f);

/* Returns a's fields as a JSON array of objects keyed title_key,
 * value_key and short_key, each value made by text(); NULL on error. */
json_t		*alert_fields_json(const struct alert *a, const char *title_key,
		    const char *value_key, const char *short_key,
		    json_t *(*text)(const char *value));

/* The colour family of a's state. */
enum alert_tone	 alert_tone(const struct alert *a);

/* The part of the summary after "STATE NAME (URL): "; malloc'd. */
char		*alert_reason(const struct alert *a);

/* Writes unix milliseconds as ISO 8601 UTC, "2026-11-25T13:20:04.048Z". */
void		 alert_iso_ms(int64_t ms, char *out, size_t outsz);

/* Dumps and frees root; returns the malloc'd compact text, NULL on error. */
char		*alert_dump(json_t *root);

/* The request body for each integration (malloc'd), NULL on error. */
char	*slack_payload(const struct integration *in, const struct alert *a);
char	*discord_payload(const struct integration *in, const struct alert *a);
char	*webhook_payload(const struct integration *in, const struct alert *a);

#endif
