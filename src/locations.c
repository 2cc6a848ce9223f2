/*
 * The location steps of a run: who watches the watchers (heartbeats and
 * DOWN/UP location alerts), and the quorum verdict of every site checked.
 * Every decision that alerts is taken again behind a lease, on what Redis
 * holds then, and written with its alert in the run's one transaction, so
 * each change alerts exactly once across every host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "incidents.h"
#include "locations.h"
#include "log.h"
#include "quiet_rule.h"
#include "quorum.h"
#include "reminder.h"
#include "state.h"
#include "store.h"
#include "util.h"

#ifndef PEEKL_VERSION
#define PEEKL_VERSION "dev"
#endif

/* A lease outlives the few round trips between deciding and writing by
 * far; a crashed run blocks the decision no longer than this. */
#define LOC_LEASE_MS		30000
/* How long a run waits for other runs' verdict leases. */
#define VERDICT_WAIT_MS		15000

const char *
locations_self(const struct config *cfg)
{
	return cfg->location != NULL ? cfg->location : "default";
}

static void
add_alert(struct loc_run *lr, struct alert *a)
{
	lr->alerts = xrealloc(lr->alerts, (lr->nalerts + 1) *
	    sizeof(*lr->alerts));
	lr->alerts[lr->nalerts++] = a;
}

/* --- heartbeats --- */

/* Decides one location's change behind its lease; adds the alert and
 * stages the flag. Returns 0, or -1 on a Redis error. */
static int
watch_one(struct loc_run *lr, struct store *st, struct beat *b, int self,
    int64_t timeout, int64_t now)
{
	struct alert	*a;
	enum loc_change	 ch;
	int		 g;

	if ((g = store_beat_lease(st, b, LOC_LEASE_MS)) != 1)
		return g;	/* another run decides it */
	lr->beat_leases = xrealloc(lr->beat_leases, (lr->nbeat_leases + 1) *
	    sizeof(*lr->beat_leases));
	lr->beat_leases[lr->nbeat_leases++] = b->name;
	ch = location_change(self ? now : b->last_run, b->silent_since,
	    timeout, now);
	if (ch == LOC_SAME)
		return 0;
	a = xcalloc(1, sizeof(*a));
	if (ch == LOC_DOWN) {
		alert_from_location(a, b->name, 0, now - b->last_run, now);
		store_stage_silent(st, b->name, b->last_run);
	} else {
		alert_from_location(a, b->name, 1, (self ? now : b->last_run) -
		    b->silent_since, now);
		store_stage_silent(st, b->name, 0);
	}
	log_info("%s", a->text);
	add_alert(lr, a);
	return 0;
}

int
locations_watch(struct loc_run *lr, struct store *st,
    const struct config *cfg, int64_t now, int dry_run)
{
	const char	*me = locations_self(cfg);
	int64_t		 timeout = location_timeout(cfg);
	char		 host[256];

	if (store_read_beats(st, &lr->beats, &lr->nbeats) == -1)
		return -1;
	for (size_t i = 0; i < lr->nbeats; i++) {
		struct beat	*b = &lr->beats[i];
		int		 self = strcmp(b->name, me) == 0;

		if (location_change(self ? now : b->last_run, b->silent_since,
		    timeout, now) == LOC_SAME)
			continue;
		if (dry_run) {
			log_info("dry run: location %s %s", b->name,
			    b->silent_since > 0 ? "is running again" :
			    "stopped running");
			continue;
		}
		if (watch_one(lr, st, b, self, timeout, now) == -1)
			return -1;
	}
	if (dry_run)
		return 0;
	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	store_stage_heartbeat(st, me, now, host, PEEKL_VERSION);
	return 0;
}

/* --- verdicts --- */

/* The locations a verdict counts: every known one and this one, in name
 * order (lr->beats is sorted), at most LOCATIONS_MAX with this one always
 * among them. Returns the count and sets *self to this one's index. */
static size_t
verdict_locations(const struct loc_run *lr, const char *me,
    const char **locs, size_t *self)
{
	size_t	n = 0;
	int	placed = 0;

	for (size_t i = 0; i <= lr->nbeats; i++) {
		const char *name = i < lr->nbeats ? lr->beats[i].name : NULL;
		int c = name != NULL ? strcmp(name, me) : 1;

		if (!placed && c >= 0) {
			if (n == LOCATIONS_MAX)
				n--;
			*self = n;
			locs[n++] = me;
			placed = 1;
			if (c == 0)
				continue;
		}
		if (name != NULL && n < LOCATIONS_MAX)
			locs[n++] = name;
	}
	return n;
}

/* The sites of the judged checks, each once; returns their count. */
static size_t
judged_sites(const struct check *checks, size_t n, const char **sites,
    size_t *site_of)
{
	size_t	ns = 0, j;

	for (size_t i = 0; i < n; i++) {
		if (!checks[i].judged)
			continue;
		for (j = 0; j < ns; j++)
			if (strcmp(sites[j], checks[i].site->name) == 0)
				break;
		if (j == ns)
			sites[ns++] = checks[i].site->name;
		site_of[i] = j;
	}
	return ns;
}

/* Waits a little, differently in every run, so that runs that refused
 * each other's leases do not meet again. */
static void
backoff(void)
{
	struct timespec	ts = { 0, (20 + (long)(mono_ms() * 7919 % 60)) *
			    1000000L };

	nanosleep(&ts, NULL);
}

/* Takes every verdict lease; 1 when granted, 0 when given up, -1 on a
 * Redis error. */
static int
take_verdict_leases(struct loc_run *lr, struct store *st, const char **sites,
    size_t ns, const volatile sig_atomic_t *stop)
{
	int64_t	deadline = mono_ms() + VERDICT_WAIT_MS;
	int	g;

	while ((g = store_verdict_leases(st, sites, ns, LOC_LEASE_MS)) == 0) {
		if (mono_ms() > deadline || *stop)
			return 0;
		backoff();
	}
	if (g == 1) {
		lr->verdict_leases = xcalloc(ns, sizeof(*lr->verdict_leases));
		memcpy(lr->verdict_leases, sites, ns * sizeof(*sites));
		lr->nverdict_leases = ns;
	}
	return g;
}

/* Writes the error the verdict's alert tells, from the state st of a
 * location that carried it, as a single host's incident says it: the
 * error, or for a certificate the days alone decide, its days. */
static void
verdict_reason(const struct check *c, const struct site_state *st, int to,
    char *out, size_t outsz)
{
	if (c->kind == KIND_HTTP)
		strlcpy_trunc(out, st->error, outsz);
	else if (st->cert_error[0] != '\0' || !st->have_cert || to == CERT_OK)
		strlcpy_trunc(out, st->cert_error, outsz);
	else
		incident_days_reason(st->cert_days_left, out, outsz);
}

/* The alert of transition tr of c's verdict v, naming the locations that
 * carry it; the first of them speaks for it (its error, its code). */
static struct alert *
verdict_alert(const struct check *c, const struct transition *tr,
    const struct verdict *v, const char **locs, size_t self,
    const struct site_state *mine, const struct site_state *views,
    int64_t now)
{
	struct alert	*a = xcalloc(1, sizeof(*a));
	struct buf	 names = { 0 };

	for (size_t k = 0; k < v->nagree; k++)
		buf_printf(&names, "%s%s", k ? ", " : "", locs[v->agree[k]]);
	alert_from_verdict(a, c->site, tr, v->agree[0] == self ? mine :
	    &views[v->agree[0]], names.data, (int)v->nagree, v->total, now);
	buf_free(&names);
	return a;
}

/* Decides one check's verdict from the views (this location's replaced by
 * its fresh state) and sets its verdict and alert: the verdict's change,
 * or its reminder while it stays down/degraded (warning/critical); or,
 * when the verdict differs from the last alert told, the alert for the end
 * of a quiet time (c->release, quiet.c's to send). */
static void
decide(const struct config *cfg, struct check *c, const char **locs,
    size_t nlocs, size_t self, const struct site_state *vs,
    const struct site_state *views, int64_t now)
{
	struct loc_view		 lv[LOCATIONS_MAX];
	struct site_state	 mine = *c->state;
	struct verdict		 v;
	struct transition	 tr;
	int			 http = c->kind == KIND_HTTP, from, decided, told;
	int64_t			 since;

	if (!http)
		strlcpy_trunc(mine.cert_error, cert_result_reason(&c->cert),
		    sizeof(mine.cert_error));
	for (size_t j = 0; j < nlocs; j++) {
		const struct site_state *s = j == self ? &mine : &views[j];

		lv[j].name = locs[j];
		lv[j].state = http ? (int)s->state : (int)s->cert_state;
		lv[j].last_check = http ? s->last_check : s->cert_last_check;
	}
	quorum_decide(cfg, c->site, c->kind, lv, nlocs,
	    quorum_window(c->site, c->kind), now, &v);
	decided = v.state;
	from = http ? (int)vs->state : (int)vs->cert_state;
	since = http ? vs->since : vs->cert_since;
	c->verdict = xcalloc(1, sizeof(*c->verdict));
	*c->verdict = mine;
	/* What was last told is the verdict's, not this location's. */
	c->verdict->alerted = vs->alerted;
	c->verdict->cert_alerted = vs->cert_alerted;
	c->verdict->reminded_at = vs->reminded_at;
	c->verdict->cert_reminded_at = vs->cert_reminded_at;
	if (v.state != from && v.state != (http ? HTTP_UNKNOWN : CERT_UNKNOWN))
		since = now;
	else
		v.state = from;
	/* Every change of the verdict is an incident, alerted or not. */
	if (v.state != from) {
		c->verdict_changed = 1;
		c->verdict_tr.kind = c->kind;
		c->verdict_tr.from = from;
		c->verdict_tr.to = v.state;
		if (v.nagree > 0)
			verdict_reason(c, v.agree[0] == self ? &mine :
			    &views[v.agree[0]], v.state, c->verdict_reason,
			    sizeof(c->verdict_reason));
	}
	if (http) {
		c->verdict->state = (enum http_state)v.state;
		c->verdict->since = since;
	} else {
		c->verdict->cert_state = (enum cert_state)v.state;
		c->verdict->cert_since = since;
	}
	if (quorum_transition(c->kind, from, http ? vs->since : vs->cert_since,
	    &v, now, &tr)) {
		if (v.nagree > 0)
			c->alert = verdict_alert(c, &tr, &v, locs, self, &mine,
			    views, now);
		return;
	}
	/* Unchanged, and a quorum still carries it: when the last alert
	 * told another state (a quiet time held it back), the alert quiet.c
	 * sends once the quiet time is over, which a reminder gives way to;
	 * else its reminder when one is due (reminder.c's rule, on the
	 * verdict's since and reminded_at). */
	if (decided != from || v.nagree == 0)
		return;
	told = http ? (int)vs->alerted : (int)vs->cert_alerted;
	/* Never told anything reads as healthy (quiet_rule.c). */
	if (told != from && !(told == (http ? HTTP_UNKNOWN : CERT_UNKNOWN) &&
	    from == (http ? HTTP_UP : CERT_OK))) {
		memset(&tr, 0, sizeof(tr));
		tr.kind = c->kind;
		tr.from = told;
		tr.to = from;
		tr.event = quiet_state_event(c->kind, from);
		c->release = verdict_alert(c, &tr, &v, locs, self, &mine,
		    views, now);
		return;
	}
	if (http ? reminder_http(c->verdict, c->site, now, &tr) :
	    reminder_cert(c->verdict, c->site, now, &tr))
		c->alert = verdict_alert(c, &tr, &v, locs, self, &mine, views,
		    now);
}

int
locations_verdicts(struct loc_run *lr, struct store *st,
    const struct config *cfg, struct check *checks, size_t n, int64_t now,
    int dry_run, const volatile sig_atomic_t *stop)
{
	const char		*locs[LOCATIONS_MAX];
	const char		**sites;
	size_t			*site_of, ns, nlocs, self = 0;
	struct site_state	*verdicts = NULL, *views = NULL;
	int			 g, ret = -1;

	if (cfg->location == NULL || n == 0)
		return 0;
	sites = xcalloc(n, sizeof(*sites));
	site_of = xcalloc(n, sizeof(*site_of));
	if ((ns = judged_sites(checks, n, sites, site_of)) == 0) {
		ret = 0;
		goto out;
	}
	nlocs = verdict_locations(lr, cfg->location, locs, &self);
	if (!dry_run) {
		if ((g = take_verdict_leases(lr, st, sites, ns, stop)) == -1)
			goto out;
		if (g == 0) {
			if (!*stop)
				log_warn("verdict leases held by other runs for "
				    "%d s; the sites' verdicts are left to the "
				    "next run", VERDICT_WAIT_MS / 1000);
			ret = 0;
			goto out;
		}
	}
	verdicts = xcalloc(ns, sizeof(*verdicts));
	views = xcalloc(ns * nlocs, sizeof(*views));
	if (store_read_verdicts(st, sites, ns, locs, nlocs, verdicts,
	    views) == -1)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (checks[i].judged && !verdicts[site_of[i]].unreadable)
			decide(cfg, &checks[i], locs, nlocs, self,
			    &verdicts[site_of[i]], &views[site_of[i] * nlocs],
			    now);
	ret = 0;
out:
	free(verdicts);
	free(views);
	free(site_of);
	free(sites);
	return ret;
}

void
locations_done(struct loc_run *lr, struct store *st)
{
	if (st != NULL) {
		store_verdict_unlease(st, lr->verdict_leases,
		    lr->nverdict_leases);
		store_beat_unlease(st, lr->beat_leases, lr->nbeat_leases);
	}
	for (size_t i = 0; i < lr->nalerts; i++) {
		alert_clear(lr->alerts[i]);
		free(lr->alerts[i]);
	}
	free(lr->alerts);
	free(lr->verdict_leases);
	free(lr->beat_leases);
	store_beats_free(lr->beats, lr->nbeats);
	memset(lr, 0, sizeof(*lr));
}
