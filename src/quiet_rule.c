/* The decisions of quiet times; see quiet_rule.h. No I/O. */
#include <stdio.h>
#include <string.h>

#include "quiet_rule.h"
#include "util.h"

/* Returns 1 when window m covers site i. */
static int
window_covers(const struct maintenance *m, size_t i)
{
	size_t	lo = 0, hi = m->nsites;

	if (m->all)
		return 1;
	/* config_quiet.c keeps the list sorted. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->sites[mid] == i)
			return 1;
		if (m->sites[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void
silenced_why(const struct silence *s, char *why, size_t whysz)
{
	if (s->reason[0] != '\0')
		snprintf(why, whysz, "silenced: %s", s->reason);
	else
		snprintf(why, whysz, "silenced");
}

int
quiet_site(const struct quiet_view *v, size_t i, char *why, size_t whysz)
{
	const struct site	*s = &v->cfg->sites[i];

	if (v->silences != NULL && silence_active(&v->silences[i], v->now_s)) {
		silenced_why(&v->silences[i], why, whysz);
		return 1;
	}
	if (v->all != NULL && silence_active(v->all, v->now_s)) {
		silenced_why(v->all, why, whysz);
		return 1;
	}
	for (size_t k = 0; v->open != NULL && k < v->cfg->nmaint; k++)
		if (v->open[k] && window_covers(&v->cfg->maint[k], i)) {
			snprintf(why, whysz, "maintenance: %s",
			    v->cfg->maint[k].name);
			return 1;
		}
	for (size_t k = 0; k < s->ndepends; k++) {
		size_t p = s->depends_on[k].idx;

		if (p < v->cfg->nsites && v->states[p].state == HTTP_DOWN) {
			snprintf(why, whysz, "%s down", v->cfg->sites[p].name);
			return 1;
		}
	}
	return 0;
}

/* Returns s, with a state never alerted read as the healthy one. */
static int
said(enum check_kind kind, int s)
{
	if (kind == KIND_HTTP)
		return s == HTTP_UNKNOWN ? HTTP_UP : s;
	return s == CERT_UNKNOWN ? CERT_OK : s;
}

enum quiet_action
quiet_decide(enum check_kind kind, int quiet, int alerted, int current,
    int has_alert, int transition)
{
	int	differs = current != 0 && current != said(kind, alerted);

	if (quiet) {
		if (has_alert)
			return QUIET_DROP;
		return differs ? QUIET_HOLD : QUIET_NONE;
	}
	/* A reminder says the state goes on; when the last alert queued
	 * said another state (a quiet time just ended), the state's own
	 * alert is what is owed, and the reminder gives way to it. */
	if (has_alert && !transition)
		return differs ? QUIET_RELEASE : QUIET_SEND;
	if (has_alert)
		return differs ? QUIET_SEND : QUIET_STALE;
	return differs ? QUIET_RELEASE : QUIET_NONE;
}

enum alert_event
quiet_state_event(enum check_kind kind, int s)
{
	if (kind == KIND_HTTP)
		return s == HTTP_DOWN ? ALERT_DOWN : s == HTTP_DEGRADED ?
		    ALERT_DEGRADED : ALERT_UP;
	return s == CERT_CRITICAL ? ALERT_CRITICAL : s == CERT_WARNING ?
	    ALERT_WARNING : ALERT_OK;
}

int64_t
quiet_silenced_until(const struct quiet_view *v, const int64_t *ends,
    size_t i, char *why, size_t whysz)
{
	int64_t	until = 0;

	why[0] = '\0';
	if (v->silences != NULL && silence_active(&v->silences[i], v->now_s)) {
		until = v->silences[i].until;
		snprintf(why, whysz, "%s", v->silences[i].reason);
	}
	if (v->all != NULL && silence_active(v->all, v->now_s) &&
	    v->all->until > until) {
		until = v->all->until;
		snprintf(why, whysz, "%s", v->all->reason);
	}
	for (size_t k = 0; v->open != NULL && k < v->cfg->nmaint; k++)
		if (v->open[k] && window_covers(&v->cfg->maint[k], i) &&
		    ends[k] > until) {
			until = ends[k];
			snprintf(why, whysz, "maintenance: %s",
			    v->cfg->maint[k].name);
		}
	return until;
}
