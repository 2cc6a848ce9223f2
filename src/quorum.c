/* The quorum verdict and the location heartbeat rules: what several
 * locations' states add up to, and when a location counts as gone. */
#include <string.h>

#include "quorum.h"

/* A location silent this long (and at least this) is reported as down. */
#define LOCATION_TIMEOUT_MIN_MS	90000
#define WINDOW_INTERVALS	3

int
quorum_for(const struct config *cfg, const struct site *site, int total)
{
	if (site != NULL && site->quorum > 0)
		return site->quorum;
	if (cfg != NULL && cfg->quorum > 0)
		return cfg->quorum;
	return total / 2 + 1;
}

int64_t
quorum_window(const struct site *site, enum check_kind kind)
{
	int64_t	iv = kind == KIND_CERT ? site->cert_interval_ms :
		    site->interval_ms;

	/* While a failure is confirmed the location checks sooner, never
	 * later, so the plain interval bounds how stale a report can be. */
	return WINDOW_INTERVALS * (iv > 0 ? iv : 1000);
}

/* How bad a state is, 0 (unknown) to 3, for either kind: up/ok 1,
 * degraded/warning 2, down/critical 3. */
static int
badness(enum check_kind kind, int state)
{
	if (kind == KIND_CERT)
		switch (state) {
		case CERT_OK:
			return 1;
		case CERT_WARNING:
			return 2;
		case CERT_CRITICAL:
			return 3;
		default:
			return 0;
		}
	switch (state) {
	case HTTP_UP:
		return 1;
	case HTTP_DEGRADED:
		return 2;
	case HTTP_DOWN:
		return 3;
	default:
		return 0;
	}
}

/* The state of a badness, back. */
static int
state_of(enum check_kind kind, int bad)
{
	static const int http[4] = { HTTP_UNKNOWN, HTTP_UP, HTTP_DEGRADED,
	    HTTP_DOWN };
	static const int cert[4] = { CERT_UNKNOWN, CERT_OK, CERT_WARNING,
	    CERT_CRITICAL };

	return kind == KIND_CERT ? cert[bad] : http[bad];
}

void
quorum_decide(const struct config *cfg, const struct site *site,
    enum check_kind kind, const struct loc_view *views, size_t n,
    int64_t window_ms, int64_t now, struct verdict *out)
{
	int	counted[LOCATIONS_MAX];
	int	atleast[4] = { 0 };	/* locations seeing a state this bad or worse */
	int	known = 0, bad;

	memset(out, 0, sizeof(*out));
	if (n > LOCATIONS_MAX)
		n = LOCATIONS_MAX;
	for (size_t i = 0; i < n; i++) {
		/* A location that stopped reporting counts neither way. */
		counted[i] = views[i].last_check > 0 &&
		    views[i].last_check >= now - window_ms;
		if (!counted[i])
			continue;
		out->total++;
		bad = badness(kind, views[i].state);
		for (int b = 1; b <= bad; b++)
			atleast[b]++;
		known += bad > 0;
	}
	out->quorum = quorum_for(cfg, site, out->total);
	if (known == 0) {
		out->state = state_of(kind, 0);
		return;
	}
	bad = atleast[3] >= out->quorum ? 3 : atleast[2] >= out->quorum ? 2 : 1;
	out->state = state_of(kind, bad);
	for (size_t i = 0; i < n; i++) {
		int b;

		if (!counted[i])
			continue;
		b = badness(kind, views[i].state);
		/* down: those seeing down; degraded: degraded or down; up:
		 * those seeing it up. */
		if (bad == 1 ? b == 1 : b >= bad)
			out->agree[out->nagree++] = i;
	}
}

/* The event a verdict that became `to` is announced with. */
static enum alert_event
verdict_event(enum check_kind kind, int to)
{
	if (kind == KIND_CERT)
		return to == CERT_CRITICAL ? ALERT_CRITICAL :
		    to == CERT_WARNING ? ALERT_WARNING : ALERT_OK;
	return to == HTTP_DOWN ? ALERT_DOWN :
	    to == HTTP_DEGRADED ? ALERT_DEGRADED : ALERT_UP;
}

int
quorum_transition(enum check_kind kind, int from, int64_t since_ms,
    const struct verdict *v, int64_t now, struct transition *tr)
{
	int	unknown = state_of(kind, 0), good = state_of(kind, 1);

	if (v->state == unknown || v->state == from)
		return 0;
	memset(tr, 0, sizeof(*tr));
	tr->kind = kind;
	tr->event = verdict_event(kind, v->state);
	tr->from = from;
	tr->to = v->state;
	tr->duration_ms = since_ms > 0 ? clamp_duration_ms(now - since_ms) : 0;
	/* A verdict that starts healthy is news to nobody. */
	return !(from == unknown && v->state == good);
}

int64_t
location_timeout(const struct config *cfg)
{
	int64_t	smallest = 0, t;

	if (cfg->location_timeout_ms > 0)
		return cfg->location_timeout_ms;
	for (size_t i = 0; i < cfg->nsites; i++) {
		const struct site *s = &cfg->sites[i];
		int64_t iv = site_cert_only(s) ? s->cert_interval_ms :
		    s->interval_ms;

		if (smallest == 0 || iv < smallest)
			smallest = iv;
	}
	t = WINDOW_INTERVALS * smallest;
	return t < LOCATION_TIMEOUT_MIN_MS ? LOCATION_TIMEOUT_MIN_MS : t;
}

enum loc_change
location_change(int64_t last_run, int64_t silent_since, int64_t timeout_ms,
    int64_t now)
{
	if (silent_since > 0)
		return last_run > silent_since ? LOC_UP : LOC_SAME;
	if (last_run > 0 && now - last_run > timeout_ms)
		return LOC_DOWN;
	return LOC_SAME;
}
