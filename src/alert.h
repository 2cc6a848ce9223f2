/* Alerts: what a transition says, how it is queued (JSON in Redis), how it
 * is rendered for each integration, and delivery from the queues. */
#ifndef PEEKL_ALERT_H
#define PEEKL_ALERT_H

#include <signal.h>
#include <stdint.h>

#include "check.h"
#include "config.h"
#include "state.h"

struct store;
struct net;

struct alert {
	enum check_kind	 kind;
	char		*site;		/* site name */
	char		*url;		/* site URL (password redacted) */
	char		*state;		/* "DOWN", "UP", "WARNING", "CRITICAL", "OK" */
	char		*previous;	/* previous state name: "up", "unknown", "ok", ... */
	char		*error;		/* NULL or the check's error */
	int		 http_code;	/* 0 when none */
	double		 response_ms;	/* < 0 when not applicable */
	int		 failures;	/* consecutive failures (http) */
	int		 have_cert;	/* days_left/not_after are meaningful */
	long		 days_left;
	int64_t		 not_after;	/* unix seconds */
	int64_t		 duration_ms;	/* time in the previous state (outage for UP) */
	int64_t		 timestamp_ms;	/* when the transition happened */
};

/* Builds the alert for a transition of site after result (http or cert).
 * Free with alert_clear. */
void	alert_from_http(struct alert *a, const struct site *site,
	    const struct transition *tr, const struct http_result *r,
	    const struct site_state *st, int64_t now);
void	alert_from_cert(struct alert *a, const struct site *site,
	    const struct transition *tr, const struct cert_result *r,
	    int64_t now);
void	alert_clear(struct alert *a);

/* Returns the queue form (malloc'd JSON), or NULL on error. */
char	*alert_encode(const struct alert *a);
/* Parses the queue form; -1 if it is not a valid alert. */
int	alert_decode(const char *json, struct alert *a);

/* The one-line summary: "DOWN api (https://...): HTTP 503, 2 failed checks".
 * malloc'd. */
char	*alert_text(const struct alert *a);

/* The request body for one integration (malloc'd JSON). */
char	*alert_payload(const struct integration *in, const struct alert *a);

/*
 * Delivers every queue, oldest first, integrations in parallel, each within
 * its own timeout. An alert leaves its queue only after a complete 2xx; on a
 * 429 with Retry-After the queue is held that long. Returns 0, or -1 on a
 * Redis error (delivery failures are logged and are not errors: they retry
 * next run).
 */
int	alert_deliver_all(struct store *st, const struct config *cfg,
	    struct net *net, const volatile sig_atomic_t *stop);

#endif
