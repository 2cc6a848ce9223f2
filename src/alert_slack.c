/*
 * Slack incoming webhooks: a top-level "text" (what a phone notification
 * shows) and one attachment coloured by severity with labelled fields:
 *
 *   {"text":"DOWN api (https://api.example.com/health): HTTP 503, 2 failed checks",
 *    "attachments":[{"color":"#d93025","fallback":"DOWN api (...): ...",
 *      "fields":[{"title":"Website","value":"https://...","short":false},
 *                {"title":"Status code","value":"503","short":true}, ...],
 *      "ts":1764077404}]}
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alert.h"
#include "jsonstr.h"
#include "notify.h"
#include "util.h"

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


char *
slack_payload(const struct integration *in, const struct alert *a)
{
	json_t	*root;

	(void)in;
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
