/*
 * Slack incoming webhooks: a top-level "text" (what a phone notification
 * shows) and one attachment coloured by severity with labelled fields:
 *
 *   {"text":"DOWN api (https://api.example.com/health): HTTP 503, 2 failed checks",
 *    "attachments":[{"color":"#d93025","fallback":"DOWN api (...): ...",
 *      "fields":[{"title":"Website","value":"https://...","short":false},
 *                {"title":"Status code","value":"503","short":true}, ...],
 *      "ts":1764077404}]}
 *
 * A grouped alert ("12 alerts: DOWN api, ...") has no fields: its
 * attachment's "text" holds one line per alert, coloured by the worst.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alert.h"
#include "jsonstr.h"
#include "notify.h"
#include "util.h"

/* Slack shows at most about 40,000 characters of a message; a storm's
 * lines are cut well before. */
#define SLACK_LINES_MAX	30000

static const char *const slack_colors[TONE__MAX] = {
	"#d93025",	/* danger: DOWN, CRITICAL */
	"#f9ab00",	/* warning: WARNING, DEGRADED */
	"#1e8e3e",	/* good: UP, OK */
};

/* Returns s with Slack's three control characters written as the entities
 * Slack asks for, so a "<" in an error can never become a link or an
 * @-mention; malloc'd. */
static char *
slack_escape(const char *s)
{
	struct buf	b = { 0 };

	buf_puts(&b, "");
	for (; *s != '\0'; s++) {
		if (*s == '&')
			buf_puts(&b, "&amp;");
		else if (*s == '<')
			buf_puts(&b, "&lt;");
		else if (*s == '>')
			buf_puts(&b, "&gt;");
		else
			buf_append(&b, s, 1);
	}
	return b.data;
}

/* Returns a JSON string of s escaped for Slack, or NULL on error. */
static json_t *
slack_string(const char *s)
{
	char	*esc = slack_escape(s);
	json_t	*j;

	j = json_text(esc, 0);
	free(esc);
	return j;
}


/* The body of a grouped alert: its summary, and its lines in one
 * attachment. */
static char *
slack_group_payload(const struct alert *a)
{
	char	*esc = slack_escape(a->reason);
	json_t	*root;

	root = json_pack("{s:o, s:[{s:s, s:o, s:o, s:I}]}",
	    "text", slack_string(a->text),
	    "attachments",
	    "color", slack_colors[a->tone],
	    "fallback", slack_string(a->text),
	    "text", json_text(esc, SLACK_LINES_MAX),
	    "ts", (json_int_t)(a->timestamp_ms / 1000));
	free(esc);
	return json_dump_free(root);
}

char *
slack_payload(const struct integration *in, const struct alert *a)
{
	json_t	*root;

	(void)in;
	if (a->event == ALERT_GROUP)
		return slack_group_payload(a);
	root = json_pack("{s:o, s:[{s:s, s:o, s:o, s:I}]}",
	    "text", slack_string(a->text),
	    "attachments",
	    "color", slack_colors[a->tone],
	    "fallback", slack_string(a->text),
	    "fields", notify_fields_json(a, "title", "value", "short",
	    slack_string),
	    "ts", (json_int_t)(a->timestamp_ms / 1000));
	return json_dump_free(root);
}
