#include <stdio.h>
#include <string.h>

#include "state.h"
#include "util.h"

static const char *const http_names[HTTP__MAX] = {
	"unknown", "up", "down", "degraded",
};
static const char *const cert_names[CERT__MAX] = {
	"unknown", "ok", "warning", "critical",
};

const char *
http_state_name(enum http_state s)
{
	return (unsigned)s < HTTP__MAX ? http_names[s] : "unknown";
}

const char *
cert_state_name(enum cert_state s)
{
	return (unsigned)s < CERT__MAX ? cert_names[s] : "unknown";
}

enum http_state
http_state_parse(const char *s)
{
	for (int i = 0; s != NULL && i < HTTP__MAX; i++)
		if (strcmp(s, http_names[i]) == 0)
			return (enum http_state)i;
	return HTTP_UNKNOWN;
}

enum cert_state
cert_state_parse(const char *s)
{
	for (int i = 0; s != NULL && i < CERT__MAX; i++)
		if (strcmp(s, cert_names[i]) == 0)
			return (enum cert_state)i;
	return CERT_UNKNOWN;
}

/* Returns the event a change of certificate state to `to` is. */
static enum alert_event
cert_event(enum cert_state to)
{
	switch (to) {
	case CERT_WARNING:
		return ALERT_WARNING;
	case CERT_CRITICAL:
		return ALERT_CRITICAL;
	default:
		return ALERT_OK;
	}
}

/*
 * A check is due when now >= last_check + interval - min(1 s, interval / 2):
 * the tolerance lets a timer that fires every `interval` seconds check every
 * time even when this run started a few milliseconds early.
 */
int
state_due(int64_t last_check, int64_t interval_ms, int64_t now)
{
	int64_t	slack = interval_ms / 2 < 1000 ? interval_ms / 2 : 1000;

	if (last_check <= 0)
		return 1;
	/* A last_check in the future (a clock step back) must not silence
	 * the site until the clock catches up. */
	if (last_check > now + interval_ms)
		return 1;
	return now >= last_check + interval_ms - slack;
}

int
state_http_due(const struct site_state *st, const struct site *site,
    int64_t now)
{
	int64_t	interval = site->interval_ms;

	/* Failures being confirmed (1..retry) are re-checked sooner. */
	if (st->failures > 0 && st->failures <= site->retry)
		interval = site->retry_interval_ms;
	return state_due(st->last_check, interval, now);
}

int
state_cert_due(const struct site_state *st, const struct site *site,
    int64_t now)
{
	return state_due(st->cert_last_check, site->cert_interval_ms, now);
}

int
http_judge_speed(struct http_result *r, const struct site *site)
{
	r->slow = 0;
	if (!r->ok || site->slow_ms <= 0 || !(r->response_ms > site->slow_ms))
		return 0;
	r->slow = 1;
	snprintf(r->error, sizeof(r->error), "slow: %.0f ms > %lld ms",
	    r->response_ms, (long long)site->slow_ms);
	return 1;
}

/*
 * The state a result leads to, updating the counters (spec/checks.md's
 * table): a failure counts towards down, a slow answer towards degraded,
 * and either kind of answer ends an outage.
 */
static enum http_state
http_next(struct site_state *st, const struct site *site,
    const struct http_result *r)
{
	enum http_state	 from = st->state;

	if (!r->ok) {
		if (st->failures < 1000000)
			st->failures++;
		st->slow = 0;
		return st->failures >= site->retry + 1 ? HTTP_DOWN : from;
	}
	st->failures = 0;
	if (!r->slow) {
		st->slow = 0;
		return HTTP_UP;
	}
	if (st->slow < 1000000)
		st->slow++;
	/* A site back from an outage is up first: recovering is the news,
	 * and its slowness starts counting from here. */
	if (from == HTTP_DOWN) {
		st->slow = 1;
		return HTTP_UP;
	}
	if (from == HTTP_DEGRADED || st->slow >= site->retry + 1)
		return HTTP_DEGRADED;
	return HTTP_UP;
}

/* Returns the event of a change of HTTP state from `from` to `to`. */
static enum alert_event
http_event(enum http_state to)
{
	switch (to) {
	case HTTP_DOWN:
		return ALERT_DOWN;
	case HTTP_DEGRADED:
		return ALERT_DEGRADED;
	default:
		return ALERT_UP;
	}
}

int
state_apply_http(struct site_state *st, const struct site *site,
    const struct http_result *r, int64_t now, struct transition *tr)
{
	enum http_state	 from = st->state, to;

	st->last_check = r->started_ms ? r->started_ms : now;
	st->http_code = r->http_code;
	st->response_ms = r->response_ms;
	strlcpy_trunc(st->error, r->ok && !r->slow ? "" : r->error,
	    sizeof(st->error));
	to = http_next(st, site, r);
	if (to == from)
		return 0;

	memset(tr, 0, sizeof(*tr));
	tr->kind = KIND_HTTP;
	tr->event = http_event(to);
	tr->from = from;
	tr->to = to;
	tr->duration_ms = st->since > 0 ?
	    clamp_duration_ms(now - st->since) : 0;
	st->state = to;
	st->since = now;
	/* A new site that comes up healthy is news to nobody. */
	return !(from == HTTP_UNKNOWN && to == HTTP_UP);
}

/* Returns the state days left mean under the site's thresholds. */
static enum cert_state
days_state(long days, const struct site *site)
{
	if (days < site->cert_critical)
		return CERT_CRITICAL;
	if (days < site->cert_warning)
		return CERT_WARNING;
	return CERT_OK;
}

/*
 * The certificate's state is the worst of three verdicts: a trust or
 * handshake problem (always critical), the earliest expiry among the leaf
 * and the certificates after it, and weak cryptography (at the level
 * weak_crypto says). The reason is the worst verdict's; on a tie the expiry
 * wins when it has a reason of its own (an intermediate), since it is the
 * one that ends in an outage.
 */
enum cert_state
cert_verdict(const struct cert_result *r, const struct site *site,
    char *reason, size_t reasonsz)
{
	const struct cert_details	*d = &r->d;
	enum cert_state			 exp, weak = CERT_OK;
	char				 why[ERROR_LEN] = "";

	if (r->error[0] != '\0' || !r->have_cert) {
		if (reason != NULL)
			strlcpy_trunc(reason, r->error, reasonsz);
		return CERT_CRITICAL;
	}
	exp = days_state(r->days_left, site);
	if (d->have_chain_days && d->chain_days_left < r->days_left &&
	    d->chain_min < d->nchain &&
	    (exp = days_state(d->chain_days_left, site)) != CERT_OK)
		cert_intermediate_reason(d->chain[d->chain_min].subject,
		    d->chain_days_left, why, sizeof(why));
	if (d->weak[0] != '\0' && site->weak_crypto != WEAK_IGNORE)
		weak = site->weak_crypto == WEAK_CRITICAL ? CERT_CRITICAL :
		    CERT_WARNING;
	if (weak > exp || (weak == exp && weak != CERT_OK && why[0] == '\0')) {
		if (reason != NULL)
			strlcpy_trunc(reason, d->weak, reasonsz);
		return weak;
	}
	if (reason != NULL)
		strlcpy_trunc(reason, why, reasonsz);
	return exp;
}

enum cert_state
cert_classify(const struct cert_result *r, const struct site *site)
{
	return cert_verdict(r, site, NULL, 0);
}

int
state_apply_cert(struct site_state *st, const struct site *site,
    const struct cert_result *r, int64_t now, struct transition *tr)
{
	enum cert_state	 from = st->cert_state;
	enum cert_state	 to = cert_classify(r, site);

	st->cert_last_check = r->started_ms ? r->started_ms : now;
	/* Keep the last known expiry when this check could not read one. */
	if (r->have_cert) {
		st->have_cert = 1;
		st->cert_days_left = r->days_left;
		st->cert_not_after = r->not_after;
		st->have_chain_days = r->d.have_chain_days;
		st->cert_chain_days_left = r->d.chain_days_left;
		strlcpy_trunc(st->cert_issuer, r->d.issuer != NULL ?
		    r->d.issuer : "", sizeof(st->cert_issuer));
		strlcpy_trunc(st->cert_tls_version, r->tls_version,
		    sizeof(st->cert_tls_version));
	}
	if (to == from)
		return 0;

	memset(tr, 0, sizeof(*tr));
	tr->kind = KIND_CERT;
	tr->event = cert_event(to);
	tr->from = from;
	tr->to = to;
	tr->duration_ms = st->cert_since > 0 ?
	    clamp_duration_ms(now - st->cert_since) : 0;
	st->cert_state = to;
	st->cert_since = now;
	/* A first check that finds all well says nothing. */
	return !(from == CERT_UNKNOWN && to == CERT_OK);
}

enum severity
http_severity(const struct http_result *r)
{
	if (!r->ok)
		return SEV_CRITICAL;
	return r->slow ? SEV_WARNING : SEV_OK;
}

enum severity
cert_severity(enum cert_state cs)
{
	switch (cs) {
	case CERT_OK:
		return SEV_OK;
	case CERT_WARNING:
		return SEV_WARNING;
	case CERT_CRITICAL:
		return SEV_CRITICAL;
	default:
		return SEV_UNKNOWN;
	}
}
