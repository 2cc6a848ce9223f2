/* The quiet stage; see quiet.h. The rules are quiet_rule.c's, the window
 * arithmetic window.c's; this file gathers what they need and acts. */
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "log.h"
#include "quiet.h"
#include "quiet_rule.h"
#include "silence.h"
#include "store.h"
#include "util.h"
#include "window.h"

/* The state alerts are about: the site's own, or with locations the
 * quorum verdict (spec/locations.md), which is what alerts announce. */
static struct site_state *
told_of(const struct check *c)
{
	return c->verdict != NULL ? c->verdict : c->state;
}

/* Returns the state of c's kind: current, or of the last alert queued. */
static int
current_of(const struct check *c)
{
	return c->kind == KIND_HTTP ? (int)told_of(c)->state :
	    (int)told_of(c)->cert_state;
}

static int
alerted_of(const struct check *c)
{
	return c->kind == KIND_HTTP ? (int)told_of(c)->alerted :
	    (int)told_of(c)->cert_alerted;
}

/* Notes that the site's last alert queued for c's kind says state s. */
static void
set_alerted(struct check *c, int s)
{
	if (c->kind == KIND_HTTP)
		told_of(c)->alerted = (enum http_state)s;
	else
		told_of(c)->cert_alerted = (enum cert_state)s;
}

/* Gives c the alert for its current state, the end of a quiet time;
 * with a location, the one agree prepared in the verdict's words.
 * Returns 0 when a verdict has none (no quorum carries it now: a later
 * run tells it). */
static int
release(struct check *c, int64_t now_ms)
{
	struct transition	tr;

	if (c->verdict != NULL && c->release == NULL)
		return 0;
	/* The next reminder counts from this alert. */
	if (c->kind == KIND_HTTP)
		told_of(c)->reminded_at = now_ms;
	else
		told_of(c)->cert_reminded_at = now_ms;
	if (c->verdict != NULL) {
		c->alert = c->release;
		c->release = NULL;
		return 1;
	}
	memset(&tr, 0, sizeof(tr));
	tr.kind = c->kind;
	tr.from = alerted_of(c);
	tr.to = current_of(c);
	tr.event = quiet_state_event(c->kind, tr.to);
	/* How long the state has held is unknown to the alert's readers:
	 * the change happened while they were not told. */
	tr.duration_ms = 0;
	/* c->tr stays what judge found (no change): the incidents stream
	 * records changes, and telling one late is not another. */
	c->alert = xcalloc(1, sizeof(*c->alert));
	if (c->kind == KIND_HTTP)
		alert_from_http(c->alert, c->site, &tr, &c->http, told_of(c),
		    now_ms);
	else
		alert_from_cert(c->alert, c->site, &tr, &c->cert, now_ms);
	return 1;
}

static void
drop(struct check *c)
{
	alert_clear(c->alert);
	free(c->alert);
	c->alert = NULL;
}

/* Acts on the decision for one judged check of site i. */
static void
quiet_check(const struct quiet_view *v, size_t i, struct check *c,
    int64_t now_ms)
{
	char			 why[sizeof(c->suppressed)];
	int			 quiet, has = c->alert != NULL;
	enum quiet_action	 act;

	quiet = quiet_site(v, i, why, sizeof(why));
	/* With a location the alert is the verdict's: its change, or its
	 * reminder when the verdict did not change. */
	act = quiet_decide(c->kind, quiet, alerted_of(c), current_of(c), has,
	    has && (c->verdict != NULL ? c->verdict_changed :
	    c->tr.from != c->tr.to));
	switch (act) {
	case QUIET_SEND:
		set_alerted(c, current_of(c));
		break;
	case QUIET_DROP:
		log_info("%s: %s alert suppressed (%s)", c->site->name,
		    alert_event_word(c->alert->event), why);
		strlcpy_trunc(c->suppressed, why, sizeof(c->suppressed));
		drop(c);
		break;
	case QUIET_HOLD:
		log_debug("%s: %s state not alerted yet (%s)", c->site->name,
		    check_kind_name(c->kind), why);
		strlcpy_trunc(c->suppressed, why, sizeof(c->suppressed));
		break;
	case QUIET_STALE:
		log_info("%s: %s alert not sent: the last alert queued for the "
		    "site already said so", c->site->name,
		    alert_event_word(c->alert->event));
		drop(c);
		break;
	case QUIET_RELEASE:
		if (c->alert != NULL)
			drop(c);	/* a reminder, which gives way */
		if (!release(c, now_ms))
			break;
		log_info("%s: no longer quiet: %s alert for its current state",
		    c->site->name, alert_event_word(c->alert->event));
		set_alerted(c, current_of(c));
		break;
	case QUIET_NONE:
		break;
	}
}

/*
 * With a location, the parents of depends_on are judged by their quorum
 * verdicts, as the alerts about them were: this run's fresh verdict of a
 * parent checked now, else the verdict hash in Redis. Returns the states
 * (cfg->nsites, owned), NULL when no site depends on another, or sets
 * *failed on a Redis error (logged).
 */
static struct site_state *
parent_verdicts(struct store *st, const struct config *cfg,
    const struct check *checks, size_t n, int *failed)
{
	struct site_state	*vs;
	const char		**names;
	size_t			 i, deps = 0;

	for (i = 0; i < cfg->nsites; i++)
		deps += cfg->sites[i].ndepends;
	if (cfg->location == NULL || st == NULL || deps == 0)
		return NULL;
	vs = xcalloc(cfg->nsites, sizeof(*vs));
	names = xcalloc(cfg->nsites, sizeof(*names));
	for (i = 0; i < cfg->nsites; i++)
		names[i] = cfg->sites[i].name;
	if (store_read_verdicts(st, names, cfg->nsites, NULL, 0, vs,
	    NULL) == -1) {
		free(names);
		free(vs);
		*failed = 1;
		return NULL;
	}
	free(names);
	for (i = 0; i < n; i++)
		if (checks[i].verdict != NULL && checks[i].kind == KIND_HTTP)
			vs[checks[i].site - cfg->sites].state =
			    checks[i].verdict->state;
	return vs;
}

int
quiet_apply(struct store *st, const struct config *cfg,
    const struct site_state *states, struct check *checks, size_t n,
    int64_t now_ms)
{
	struct quiet_view	 v;
	struct silence		*sil = NULL, all;
	struct site_state	*parents;
	unsigned char		*want = NULL, *open = NULL;
	int64_t			 end;
	size_t			 i, judged = 0;
	int			 rc = 0, failed = 0;

	for (i = 0; i < n; i++)
		judged += checks[i].judged != 0;
	if (judged == 0)
		return 0;
	memset(&v, 0, sizeof(v));
	memset(&all, 0, sizeof(all));
	v.cfg = cfg;
	v.states = states;
	v.now_s = now_ms / 1000;
	if (st != NULL) {
		want = xcalloc(cfg->nsites, 1);
		sil = xcalloc(cfg->nsites, sizeof(*sil));
		for (i = 0; i < n; i++)
			if (checks[i].judged)
				want[checks[i].site - cfg->sites] = 1;
		if (store_read_silences(st, cfg, want, sil, &all) == -1) {
			log_error("silences unknown: alerts are not held back "
			    "by them in this run");
			rc = -1;
		} else {
			v.silences = sil;
			v.all = &all;
		}
	}
	if ((parents = parent_verdicts(st, cfg, checks, n, &failed)) != NULL)
		v.states = parents;
	else if (failed) {
		log_error("the parents' verdicts unknown: depends_on judged "
		    "by this location's own view in this run");
		rc = -1;
	}
	if (cfg->nmaint > 0) {
		open = xcalloc(cfg->nmaint, 1);
		for (i = 0; i < cfg->nmaint; i++)
			open[i] = (unsigned char)window_open(&cfg->maint[i],
			    v.now_s, &end);
		v.open = open;
	}
	/* With a location, a check whose verdict was not decided (its
	 * lease held elsewhere) has nothing to tell: its location's own
	 * state is not news. */
	for (i = 0; i < n; i++)
		if (checks[i].judged &&
		    (cfg->location == NULL || checks[i].verdict != NULL))
			quiet_check(&v, (size_t)(checks[i].site - cfg->sites),
			    &checks[i], now_ms);
	free(want);
	free(sil);
	free(open);
	free(parents);
	return rc;
}

/* --- quiet now, for status, metrics and the page ----------------------- */

int
quiet_now_read(struct store *store, const struct config *cfg,
    struct quiet_now *q)
{
	memset(q, 0, sizeof(*q));
	q->v.cfg = cfg;
	q->v.now_s = now_ms() / 1000;
	q->sil = xcalloc(cfg->nsites ? cfg->nsites : 1, sizeof(*q->sil));
	q->open = xcalloc(cfg->nmaint + 1, 1);
	q->ends = xcalloc(cfg->nmaint + 1, sizeof(*q->ends));
	for (size_t k = 0; k < cfg->nmaint; k++)
		q->open[k] = (unsigned char)window_open(&cfg->maint[k],
		    q->v.now_s, &q->ends[k]);
	q->v.silences = q->sil;
	q->v.all = &q->all;
	q->v.open = q->open;
	return store_read_silences(store, cfg, NULL, q->sil, &q->all);
}

int64_t
quiet_now_until(const struct quiet_now *q, size_t i, char *why, size_t whysz)
{
	return quiet_silenced_until(&q->v, q->ends, i, why, whysz);
}

void
quiet_now_free(struct quiet_now *q)
{
	free(q->sil);
	free(q->open);
	free(q->ends);
}
