/* The renderers, one file each (alert_slack.c, alert_discord.c,
 * alert_webhook.c), that alert_payload finds in notify.c's table. Each
 * reads a finished struct alert and calls nothing in alert.c, so the
 * model never depends on how an integration shows it. */
#ifndef PEEKL_NOTIFY_H
#define PEEKL_NOTIFY_H

#include <jansson.h>

#include "alert.h"
#include "config.h"

/* The type table (notify.c). The name of a type ("slack"; "unknown" when
 * out of range); its value for a name (0, or -1 for none); whether alerts
 * for it may be grouped in a storm. */
const char	*integration_type_name(enum integration_type t);
int		 integration_type_parse(const char *name,
		    enum integration_type *t);
int		 integration_type_groupable(enum integration_type t);

/* The request body of a for integration in (malloc'd), NULL on error. */
char	*slack_payload(const struct integration *in, const struct alert *a);
char	*discord_payload(const struct integration *in, const struct alert *a);
char	*webhook_payload(const struct integration *in, const struct alert *a);
/* spec/notifiers.md: JSON bodies, but ntfy's is text and email's is the
 * whole RFC 5322 message. */
char	*email_payload(const struct integration *in, const struct alert *a);
char	*pagerduty_payload(const struct integration *in, const struct alert *a);
char	*opsgenie_payload(const struct integration *in, const struct alert *a);
char	*teams_payload(const struct integration *in, const struct alert *a);
char	*telegram_payload(const struct integration *in, const struct alert *a);
char	*ntfy_payload(const struct integration *in, const struct alert *a);

#define NOTIFY_HEADERS_MAX	6

/* One alert's request to its service: where, what, with which headers. */
struct notify_req {
	char	*url;		/* malloc'd; secret (a token may be in it) */
	char	*body;		/* malloc'd */
	char	*headers[NOTIFY_HEADERS_MAX]; /* malloc'd "Name: value"; secret */
	size_t	 nheaders;
};

/* Fills rq for a to in (free with notify_req_clear); returns 0, or -1 when
 * it cannot be rendered. */
int	notify_request(const struct integration *in, const struct alert *a,
	    struct notify_req *rq);
void	notify_req_clear(struct notify_req *rq);

/* Sets rq's url and headers when a type needs more than a JSON POST to its
 * URL; rq->body is already set. Return 0, or -1. */
int	opsgenie_request(const struct integration *in, const struct alert *a,
	    struct notify_req *rq);
int	telegram_request(const struct integration *in, const struct alert *a,
	    struct notify_req *rq);
int	ntfy_request(const struct integration *in, const struct alert *a,
	    struct notify_req *rq);

/* What the service's answer means for the alert. */
enum notify_verdict {
	NOTIFY_DELIVERED,	/* remove it from the queue */
	NOTIFY_FAILED,		/* keep it; try again next run */
	NOTIFY_HOLD		/* keep it; hold the queue (*retry_after s) */
};

/* Judges an HTTP answer (code, and up to len bytes of its body) for in.
 * *retry_after holds the Retry-After header's seconds (-1: none) and may
 * be set from the body (Telegram's parameters.retry_after). */
enum notify_verdict notify_judge(const struct integration *in, long code,
	    const char *body, size_t len, long *retry_after);
enum notify_verdict telegram_judge(long code, const char *body, size_t len,
	    long *retry_after);

/* Adds "Name: value" (formatted) to rq's headers; -1 when they are full. */
int	notify_req_header(struct notify_req *rq, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Returns a's fields as "Title: value" lines, each ending in eol
 * (malloc'd, "" when none). */
char	*notify_fields_text(const struct alert *a, const char *eol);
/* Returns what follows the summary in a text body, lines ending in eol
 * (the last one too): a's "Title: value" fields, or for a grouped alert
 * one line per member alert. malloc'd. */
char	*notify_body_lines(const struct alert *a, const char *eol);
/* Returns a's fields as one JSON object {title: value}, or NULL. */
json_t	*notify_fields_object(const struct alert *a);
/* Writes "peekl/SITE/KIND", the key a failure and its recovery share
 * (PagerDuty dedup_key, Opsgenie alias). malloc'd. */
char	*notify_dedup_key(const struct alert *a);

/* Returns a's fields as a JSON array of objects keyed title_key, value_key
 * and short_key (left out when NULL), each value made by text() (a
 * renderer's escaping and length limit); NULL on error. Slack, Discord and
 * Teams differ only in these. */
json_t	*notify_fields_json(const struct alert *a, const char *title_key,
	    const char *value_key, const char *short_key,
	    json_t *(*text)(const char *value));

#endif
