/*
 * Telegram Bot API sendMessage: plain text (no parse_mode, so nothing in an
 * error can turn into markup), the summary, a blank line, the fields:
 *
 *   POST API_URL/botTOKEN/sendMessage
 *   {"chat_id":"-1001234567890","text":"DOWN api (...): ...\n\nWebsite: ...",
 *    "disable_web_page_preview":true}
 *
 * Success is 200 with "ok": true. A 429 says in parameters.retry_after how
 * long to wait; that holds the queue. A grouped alert's lines are its
 * member alerts. The token is a path segment, which
 * log.c's redaction writes as /bot***.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alert.h"
#include "jsonstr.h"
#include "mime.h"
#include "notify.h"
#include "util.h"

#define TG_TEXT_MAX	4096	/* characters */
#define TG_RETRY_MAX	86400

char *
telegram_payload(const struct integration *in, const struct alert *a)
{
	char	*fields = notify_body_lines(a, "\n"), *text, *cut;
	json_t	*root;

	text = xasprintf("%s\n\n%s", a->text, fields);
	/* No trailing newline after the last field. */
	if (text[strlen(text) - 1] == '\n')
		text[strlen(text) - 1] = '\0';
	cut = mime_utf8_prefix(text, TG_TEXT_MAX);
	root = json_pack("{s:o, s:o, s:b}",
	    "chat_id", json_text(in->chat_id, 0),
	    "text", json_text(cut, 0),
	    "disable_web_page_preview", 1);
	free(fields);
	free(text);
	free(cut);
	return json_dump_free(root);
}

int
telegram_request(const struct integration *in, const struct alert *a,
    struct notify_req *rq)
{
	const char	*base = in->url;
	size_t		 len = strlen(base);

	(void)a;
	if (len > 0 && base[len - 1] == '/')
		len--;
	rq->url = xasprintf("%.*s/bot%s/sendMessage", (int)len, base,
	    in->secret);
	return notify_req_header(rq, "Content-Type: application/json");
}

enum notify_verdict
telegram_judge(long code, const char *body, size_t len, long *retry_after)
{
	json_t		*root, *ok, *ra;
	json_int_t	 secs;
	enum notify_verdict v = NOTIFY_FAILED;

	root = body != NULL ? json_loadb(body, len, 0, NULL) : NULL;
	if (code == 200) {
		ok = json_object_get(root, "ok");
		v = json_is_true(ok) ? NOTIFY_DELIVERED : NOTIFY_FAILED;
	} else if (code == 429 || (code == 503 && *retry_after >= 0)) {
		/* Telegram's own hint wins over the header. */
		ra = json_object_get(json_object_get(root, "parameters"),
		    "retry_after");
		if (json_is_integer(ra) && (secs = json_integer_value(ra)) >= 0)
			*retry_after = secs > TG_RETRY_MAX ? TG_RETRY_MAX :
			    (long)secs;
		v = NOTIFY_HOLD;
	}
	json_decref(root);
	return v;
}
