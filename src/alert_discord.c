/*
 * Discord webhooks: the one-line summary as "content", and one embed with
 * the colour of the severity and the same fields as Slack:
 *
 *   {"username":"Peekl","content":"DOWN api (https://...): HTTP 503, 2 failed checks",
 *    "allowed_mentions":{"parse":[]},
 *    "embeds":[{"title":"DOWN api","description":"HTTP 503, 2 failed checks",
 *      "color":14233637,"fields":[{"name":"Website","value":"https://...",
 *      "inline":false}, ...],"timestamp":"2026-11-25T13:20:04.048Z"}]}
 *
 * Discord refuses a message whose parts exceed its limits (2000 characters
 * of content, 256 of a title, 1024 of a field value) with a 400, which would
 * keep the alert queued forever, so every part is cut to fit. A grouped
 * alert's embed is titled "12 alerts" and lists one alert per line.
 */
#include <stdlib.h>

#include <jansson.h>

#include "alert.h"
#include "jsonstr.h"
#include "notify.h"
#include "util.h"

#define DISCORD_CONTENT_MAX	2000
#define DISCORD_TITLE_MAX	256
#define DISCORD_DESC_MAX	4096
#define DISCORD_VALUE_MAX	1024
#define DISCORD_USERNAME_MAX	80

static const json_int_t discord_colors[TONE__MAX] = {
	0xd93025,	/* danger: DOWN, CRITICAL */
	0xf9ab00,	/* warning */
	0x1e8e3e,	/* good: UP, OK */
};

/* Returns a field's value for Discord, cut to its limit (a longer one is
 * refused). */
static json_t *
discord_value(const char *value)
{
	return json_text(value, DISCORD_VALUE_MAX);
}

char *
discord_payload(const struct integration *in, const struct alert *a)
{
	char	*title;
	json_t	*root;

	if (a->event == ALERT_GROUP)
		title = xasprintf("%zu alerts", a->nmembers);
	else
		title = xasprintf("%s %s", a->word, a->site);
	root = json_pack("{s:o, s:o, s:{s:[]}, s:[{s:o, s:o, s:I, s:o, s:s}]}",
	    "username", json_text(in->username ? in->username :
	    "Peekl", DISCORD_USERNAME_MAX),
	    "content", json_text(a->text, DISCORD_CONTENT_MAX),
	    "allowed_mentions", "parse",
	    "embeds",
	    "title", json_text(title, DISCORD_TITLE_MAX),
	    "description", json_text(a->reason, DISCORD_DESC_MAX),
	    "color", discord_colors[a->tone],
	    "fields", notify_fields_json(a, "name", "value", "inline",
	    discord_value),
	    "timestamp", a->timestamp_iso);
	free(title);
	return json_dump_free(root);
}
