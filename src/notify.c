/*
 * The integration types: one row each, with the name that `type:` (or an
 * instance named after it) selects, the renderer that makes its request
 * body, and its rules. Adding a type is a row here, its renderer file
 * (reading struct alert only), its keys in config_alerting.c and, when it
 * is not a JSON POST to its URL, its delivery rule in alert_deliver.c.
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
 * A row: the type's name, its renderer, whether an alert storm may become
 * one alert for it; then, for spec/notifiers.md's types, what the request
 * needs beyond a JSON POST of that body to the URL (request), and how the
 * answer is judged: judge, else exactly the status success, else any 2xx.
 * PagerDuty and Opsgenie track one incident per site: never grouped.
 */
static const struct integ_type {
	const char	*name;		/* "slack": type: value, implied name */
	char		*(*payload)(const struct integration *,
			    const struct alert *);
	int		 groupable;	/* an alert storm may become one alert */
	int		(*request)(const struct integration *,
			    const struct alert *, struct notify_req *);
	enum notify_verdict (*judge)(long, const char *, size_t, long *);
	long		 success;	/* the one success status; 0: any 2xx */
} integ_types[ITYPE__MAX] = {
	[ITYPE_SLACK] = { .name = "slack", .payload = slack_payload,
	    .groupable = 1 },
	[ITYPE_DISCORD] = { .name = "discord", .payload = discord_payload,
	    .groupable = 1 },
	[ITYPE_WEBHOOK] = { .name = "webhook", .payload = webhook_payload,
	    .groupable = 1 },
	[ITYPE_EMAIL] = { .name = "email", .payload = email_payload,
	    .groupable = 1 },
	[ITYPE_PAGERDUTY] = { .name = "pagerduty", .payload =
	    pagerduty_payload, .success = 202 },
	[ITYPE_OPSGENIE] = { .name = "opsgenie", .payload = opsgenie_payload,
	    .request = opsgenie_request, .success = 202 },
	[ITYPE_TEAMS] = { .name = "teams", .payload = teams_payload,
	    .groupable = 1 },
	[ITYPE_TELEGRAM] = { .name = "telegram", .payload = telegram_payload,
	    .groupable = 1, .request = telegram_request,
	    .judge = telegram_judge },
	[ITYPE_NTFY] = { .name = "ntfy", .payload = ntfy_payload,
	    .groupable = 1, .request = ntfy_request },
};

/* Returns the row of in's type, or NULL (logged) when it has none. */
static const struct integ_type *
notifier_of(const struct integration *in)
{
	if ((unsigned)in->type < ITYPE__MAX &&
	    integ_types[in->type].payload != NULL)
		return &integ_types[in->type];
	log_error("alert: %s: integration type %d has no renderer",
	    integration_name(in), (int)in->type);
	return NULL;
}

const char *
integration_type_name(enum integration_type t)
{
	if ((unsigned)t >= ITYPE__MAX || integ_types[t].name == NULL)
		return "unknown";
	return integ_types[t].name;
}

int
integration_type_parse(const char *name, enum integration_type *t)
{
	for (size_t i = 0; name != NULL && i < ITYPE__MAX; i++)
		if (integ_types[i].name != NULL &&
		    strcmp(integ_types[i].name, name) == 0) {
			*t = (enum integration_type)i;
			return 0;
		}
	return -1;
}

int
integration_type_groupable(enum integration_type t)
{
	return (unsigned)t < ITYPE__MAX && integ_types[t].groupable;
}

const char *
integration_name(const struct integration *in)
{
	return in->name != NULL ? in->name : integration_type_name(in->type);
}

char *
alert_payload(const struct integration *in, const struct alert *a)
{
	const struct integ_type	*n = notifier_of(in);

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
	const struct integ_type	*n = notifier_of(in);

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
	if (in->type != ITYPE_EMAIL)
		notify_req_header(rq, "Content-Type: application/json");
	return 0;
}

enum notify_verdict
notify_judge(const struct integration *in, long code, const char *body,
    size_t len, long *retry_after)
{
	const struct integ_type	*n = notifier_of(in);

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

char *
notify_body_lines(const struct alert *a, const char *eol)
{
	struct buf	b = { 0 };
	size_t		i;

	if (a->event != ALERT_GROUP)
		return notify_fields_text(a, eol);
	buf_puts(&b, "");
	for (i = 0; i < a->nmembers; i++)
		buf_printf(&b, "%s%s", a->members[i].text, eol);
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
