/*
 * ntfy: a POST of plain text to the topic URL, the summary then the fields,
 * and what a phone shows in headers:
 *
 *   Title: DOWN api
 *   Priority: 5                 (5 DOWN/CRITICAL, 4 DEGRADED/WARNING, 3 recoveries)
 *   Tags: rotating_light        (warning, white_check_mark)
 *   Authorization: Bearer TOKEN (when a token is set)
 *
 * A grouped alert's title is "DOWN 12 alerts", its body one line per
 * member alert. A title that is not ASCII is sent as RFC 2047 encoded words, which ntfy
 * documents and decodes, since HTTP header values are not UTF-8. Success
 * is any 2xx.
 */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "mime.h"
#include "notify.h"
#include "util.h"

#define NTFY_TITLE_MAX	250	/* characters, before encoding */
#define NTFY_BODY_MAX	4096	/* bytes */

static const char *const ntfy_priority[TONE__MAX] = { "5", "4", "3" };
static const char *const ntfy_tags[TONE__MAX] = {
	"rotating_light", "warning", "white_check_mark"
};

char *
ntfy_payload(const struct integration *in, const struct alert *a)
{
	char	*fields = notify_body_lines(a, "\n"), *body, *cut;
	size_t	 len;

	(void)in;
	body = xasprintf("%s\n\n%s", a->text, fields);
	if (body[strlen(body) - 1] == '\n')
		body[strlen(body) - 1] = '\0';
	free(fields);
	/* ntfy takes a longer message only as an attachment. */
	len = strlen(body) + 1;
	cut = xcalloc(1, len < NTFY_BODY_MAX + 1 ? len : NTFY_BODY_MAX + 1);
	strlcpy_trunc(cut, body, len < NTFY_BODY_MAX + 1 ? len :
	    NTFY_BODY_MAX + 1);
	free(body);
	return cut;
}

int
ntfy_request(const struct integration *in, const struct alert *a,
    struct notify_req *rq)
{
	char	*title, *cut, *value;
	int	 r;

	/* A grouped alert has no site: "DOWN 12 alerts". */
	if (a->event == ALERT_GROUP)
		title = xasprintf("%s %zu alerts", a->word, a->nmembers);
	else
		title = xasprintf("%s %s", a->word, a->site);
	cut = mime_utf8_prefix(title, NTFY_TITLE_MAX);
	value = mime_header_value(cut, " ");
	rq->url = xstrdup(in->url);
	r = notify_req_header(rq, "Content-Type: text/plain; charset=utf-8") |
	    notify_req_header(rq, "Title: %s", value) |
	    notify_req_header(rq, "Priority: %s", ntfy_priority[a->tone]) |
	    notify_req_header(rq, "Tags: %s", ntfy_tags[a->tone]);
	if (r == 0 && in->secret != NULL)
		r = notify_req_header(rq, "Authorization: Bearer %s",
		    in->secret);
	free(title);
	free(cut);
	free(value);
	return r;
}
