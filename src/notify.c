/*
 * The notifiers: which renderer makes the request body for each kind of
 * integration. Adding one is a renderer file that reads struct alert, its
 * prototype in notify.h and a line in the table below (and, being
 * configuration, its keys in config.c, which owns the integration names).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonstr.h"

#include "alert.h"
#include "config.h"
#include "log.h"
#include "notify.h"
#include "util.h"

/*
 * A row: the renderer; then, for spec/notifiers.md's types, what the
 * request needs beyond a JSON POST of that body to the URL (request), and
 * how the answer is judged: judge, else exactly the status success, else
 * any 2xx.
 */
static const struct notifier {
	enum integration_kind	 kind;
	char			*(*payload)(const struct integration *,
				    const struct alert *);
	int			(*request)(const struct integration *,
				    const struct alert *, struct notify_req *);
	enum notify_verdict	(*judge)(long, const char *, size_t, long *);
	long			 success;
} notifiers[] = {
	{ .kind = INTEG_SLACK, .payload = slack_payload },
	{ .kind = INTEG_DISCORD, .payload = discord_payload },
	{ .kind = INTEG_WEBHOOK, .payload = webhook_payload },
	{ .kind = INTEG_EMAIL, .payload = email_payload },
	{ .kind = INTEG_PAGERDUTY, .payload = pagerduty_payload,
	  .success = 202 },
	{ .kind = INTEG_OPSGENIE, .payload = opsgenie_payload,
	  .request = opsgenie_request, .success = 202 },
	{ .kind = INTEG_TEAMS, .payload = teams_payload },
	{ .kind = INTEG_TELEGRAM, .payload = telegram_payload,
	  .request = telegram_request, .judge = telegram_judge },
	{ .kind = INTEG_NTFY, .payload = ntfy_payload,
	  .request = ntfy_request },
};

static const struct notifier *
notifier_of(enum integration_kind kind)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(notifiers); i++)
		if (notifiers[i].kind == kind)
			return &notifiers[i];
	log_error("alert: integration %d has no renderer", (int)kind);
	return NULL;
}

char *
alert_payload(const struct integration *in, const struct alert *a)
{
	const struct notifier	*n = notifier_of(in->kind);

	return n == NULL ? NULL : n->payload(in, a);
}

json_t *
notify_fields_json(const struct alert *a, const char *title_key,
    const char *value_key, const char *short_key,
    json_t *(*text)(const char *value))
{
	json_t	*arr, *o;
	size_t	 i;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; i < a->nfields; i++) {
		if (short_key == NULL)
			o = json_pack("{s:s, s:o}", title_key,
			    a->fields[i].title, value_key,
			    text(a->fields[i].value));
		else
			o = json_pack("{s:s, s:o, s:b}", title_key,
			    a->fields[i].title, value_key,
			    text(a->fields[i].value), short_key,
			    a->fields[i].is_short);
		if (json_array_append_new(arr, o) == -1) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

void
notify_req_clear(struct notify_req *rq)
{
	size_t	i;

	if (rq == NULL)
		return;
	free(rq->url);
	free(rq->body);
	for (i = 0; i < rq->nheaders; i++)
		free(rq->headers[i]);
	memset(rq, 0, sizeof(*rq));
}

int
notify_req_header(struct notify_req *rq, const char *fmt, ...)
{
	va_list	ap;

	if (rq->nheaders == NOTIFY_HEADERS_MAX)
		return -1;
	va_start(ap, fmt);
	rq->headers[rq->nheaders++] = xvasprintf(fmt, ap);
	va_end(ap);
	return 0;
}

int
notify_request(const struct integration *in, const struct alert *a,
    struct notify_req *rq)
{
	const struct notifier	*n = notifier_of(in->kind);

	memset(rq, 0, sizeof(*rq));
	if (n == NULL || (rq->body = n->payload(in, a)) == NULL)
		return -1;
	if (n->request != NULL) {
		if (n->request(in, a, rq) == -1) {
			notify_req_clear(rq);
			return -1;
		}
		return 0;
	}
	rq->url = xstrdup(in->url);
	if (in->kind != INTEG_EMAIL)
		notify_req_header(rq, "Content-Type: application/json");
	return 0;
}

enum notify_verdict
notify_judge(const struct integration *in, long code, const char *body,
    size_t len, long *retry_after)
{
	const struct notifier	*n = notifier_of(in->kind);

	if (n != NULL && n->judge != NULL)
		return n->judge(code, body, len, retry_after);
	if (n != NULL && n->success != 0)
		return code == n->success ? NOTIFY_DELIVERED :
		    code == 429 || (code == 503 && *retry_after >= 0) ?
		    NOTIFY_HOLD : NOTIFY_FAILED;
	if (code >= 200 && code <= 299)
		return NOTIFY_DELIVERED;
	if (code == 429 || (code == 503 && *retry_after >= 0))
		return NOTIFY_HOLD;
	return NOTIFY_FAILED;
}

char *
notify_fields_text(const struct alert *a, const char *eol)
{
	struct buf	b = { 0 };
	size_t		i;

	buf_puts(&b, "");
	for (i = 0; i < a->nfields; i++)
		buf_printf(&b, "%s: %s%s", a->fields[i].title,
		    a->fields[i].value, eol);
	return b.data;
}

json_t *
notify_fields_object(const struct alert *a)
{
	json_t	*o;
	size_t	 i;

	if ((o = json_object()) == NULL)
		return NULL;
	for (i = 0; i < a->nfields; i++)
		if (json_object_set_new(o, a->fields[i].title,
		    json_text(a->fields[i].value, 0)) == -1) {
			json_decref(o);
			return NULL;
		}
	return o;
}

char *
notify_dedup_key(const struct alert *a)
{
	return xasprintf("peekl/%s/%s", a->site, check_kind_name(a->kind));
}
