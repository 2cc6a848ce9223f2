/*
 * The `check` command: decide what is due, take leases, run the HTTP and
 * certificate checks concurrently, apply the state machine, record the
 * results and queue alerts in one Redis transaction, print, deliver.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "commands.h"
#include "log.h"
#include "net.h"
#include "output.h"
#include "probe.h"
#include "state.h"
#include "store.h"
#include "util.h"

/* Leases outlive a check by this much, so a run that is slow to write its
 * results still holds the site; a crashed run blocks it no longer. */
#define LEASE_MARGIN_MS 5000

volatile sig_atomic_t peekl_stop;

struct run {
	const struct config	*cfg;
	const struct check_opts	*opts;
	struct store		*store;		/* NULL in a dry run without Redis */
	int64_t			 now;
	struct site_state	*states;	/* one per site */
	unsigned char		*forced;	/* one per site: named by --site */
	unsigned char		*due[KIND__MAX]; /* one per site */
	struct lease		*leases;
	size_t			 nleases;
	struct check		*checks;	/* every due check */
	size_t			 nchecks;
	struct record		*recs;
	size_t			 nrecs;
	struct alert		*alerts;
	size_t			 nalerts;
	enum severity		 worst;
};

static void
run_free(struct run *r)
{
	for (size_t i = 0; i < r->nalerts; i++)
		alert_clear(&r->alerts[i]);
	free(r->alerts);
	free(r->recs);
	free(r->checks);
	free(r->leases);
	for (int k = 0; k < KIND__MAX; k++)
		free(r->due[k]);
	free(r->forced);
	free(r->states);
	store_close(r->store);
}

/* Marks the sites named by --site; returns -1 if one names none. */
static int
select_forced(struct run *r)
{
	for (size_t i = 0; i < r->opts->nsites; i++) {
		long idx = site_find(r->cfg, r->opts->sites[i]);

		if (idx < 0)
			return -1;
		r->forced[idx] = 1;
	}
	return 0;
}

/* Returns 1 when this run should check kind of site i now. */
static int
wanted(const struct run *r, size_t i, enum check_kind kind)
{
	const struct site	*site = &r->cfg->sites[i];

	if (kind == KIND_CERT && !site->cert_monitoring)
		return 0;
	if (r->states[i].unreadable)
		return 0;
	if (r->opts->nsites > 0)
		return r->forced[i];
	return kind == KIND_HTTP ?
	    state_http_due(&r->states[i], site, r->now) :
	    state_cert_due(&r->states[i], site, r->now);
}

static void
worsen(struct run *r, enum severity sev)
{
	if (sev > r->worst)
		r->worst = sev;
}

/* Marks what is due; a site whose state cannot be read makes the run
 * UNKNOWN, since peekl could not do its job for it. */
static void
plan_due(struct run *r)
{
	for (size_t i = 0; i < r->cfg->nsites; i++) {
		if (r->states[i].unreadable)
			worsen(r, SEV_UNKNOWN);
		for (int k = 0; k < KIND__MAX; k++)
			r->due[k][i] = (unsigned char)wanted(r, i, (enum check_kind)k);
	}
}

/*
 * Returns how long the leases must live: with more due checks than may run
 * at once, the last wave starts only after earlier ones end, so each wave
 * may take the longest timeout among them.
 */
static int64_t
lease_ttl(const struct run *r, size_t ndue)
{
	int64_t	longest = 0;
	size_t	maxc = r->cfg->max_concurrency < 1 ? 1 :
		    (size_t)r->cfg->max_concurrency;
	size_t	waves = (ndue + maxc - 1) / maxc;

	for (size_t i = 0; i < r->cfg->nsites; i++)
		for (int k = 0; k < KIND__MAX; k++)
			if (r->due[k][i] && r->cfg->sites[i].timeout_ms > longest)
				longest = r->cfg->sites[i].timeout_ms;
	return longest * (int64_t)(waves ? waves : 1) + LEASE_MARGIN_MS;
}

/*
 * Takes a lease for every due check. A check whose lease another run holds
 * is skipped; so is one whose re-read state shows that another run checked
 * it meanwhile (unless --site forced it). Returns -1 on a Redis error.
 */
static int
take_leases(struct run *r)
{
	const struct config	*cfg = r->cfg;
	size_t			 ndue = 0;
	int64_t			 ttl;

	for (size_t i = 0; i < cfg->nsites; i++)
		for (int k = 0; k < KIND__MAX; k++)
			ndue += r->due[k][i];
	ttl = lease_ttl(r, ndue);

	r->leases = xcalloc(cfg->nsites * KIND__MAX, sizeof(*r->leases));
	for (size_t i = 0; i < cfg->nsites; i++)
		for (int k = 0; k < KIND__MAX; k++) {
			struct lease *l;

			if (!r->due[k][i])
				continue;
			l = &r->leases[r->nleases++];
			l->site = i;
			l->kind = (enum check_kind)k;
			l->ttl_ms = ttl;
		}
	if (r->nleases == 0)
		return 0;
	if (store_take_leases(r->store, cfg, r->leases, r->nleases,
	    r->states) == -1)
		return -1;
	for (size_t j = 0; j < r->nleases; j++) {
		struct lease	*l = &r->leases[j];
		const char	*name = cfg->sites[l->site].name;

		if (!l->granted) {
			log_info("%s: %s check is running in another peekl run; "
			    "skipped", name, check_kind_name(l->kind));
			r->due[l->kind][l->site] = 0;
		} else if (!r->forced[l->site] &&
		    !wanted(r, l->site, l->kind)) {
			log_debug("%s: %s check was just done by another run; "
			    "skipped", name, check_kind_name(l->kind));
			r->due[l->kind][l->site] = 0;
		}
	}
	return 0;
}

/* Lists every due check, in site order. */
static void
build_checks(struct run *r)
{
	size_t	n = r->cfg->nsites;

	r->checks = xcalloc(n * KIND__MAX, sizeof(*r->checks));
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < KIND__MAX; k++) {
			struct check	*c;

			if (!r->due[k][i])
				continue;
			c = &r->checks[r->nchecks++];
			c->site = &r->cfg->sites[i];
			c->site_idx = i;
			c->kind = (enum check_kind)k;
			c->due = 1;
		}
}

/* Applies the state machine to every finished check, collecting the records
 * to write and the alerts to queue. */
static void
apply_results(struct run *r)
{
	struct transition	 tr;
	size_t			 i, s;

	r->recs = xcalloc(r->nchecks, sizeof(*r->recs));
	r->alerts = xcalloc(r->nchecks, sizeof(*r->alerts));
	for (i = 0; i < r->nchecks; i++) {
		const struct check	*c = &r->checks[i];

		if (!check_done(c))
			continue;
		s = c->site_idx;
		if (c->kind == KIND_HTTP) {
			if (state_apply_http(&r->states[s], c->site, &c->http,
			    r->now, &tr))
				alert_from_http(&r->alerts[r->nalerts++],
				    c->site, &tr, &c->http, &r->states[s],
				    r->now);
			r->recs[r->nrecs++] = (struct record){ .site = s,
			    .kind = KIND_HTTP, .http = &c->http,
			    .state = &r->states[s] };
			worsen(r, http_severity(&c->http));
		} else {
			if (state_apply_cert(&r->states[s], c->site, &c->cert,
			    r->now, &tr))
				alert_from_cert(&r->alerts[r->nalerts++],
				    c->site, &tr, &c->cert, r->now);
			r->recs[r->nrecs++] = (struct record){ .site = s,
			    .kind = KIND_CERT, .cert = &c->cert,
			    .state = &r->states[s] };
			worsen(r, cert_severity(r->states[s].cert_state));
		}
	}
}

/* Returns the widest site name among the records, for aligned lines. */
static int
name_width(const struct run *r)
{
	size_t	w = 1;

	for (size_t i = 0; i < r->nrecs; i++) {
		size_t len = strlen(r->cfg->sites[r->recs[i].site].name);

		if (len > w)
			w = len;
	}
	return w > 40 ? 40 : (int)w;
}

static void
print_results(const struct run *r)
{
	json_t	*arr = NULL;
	int	 w = name_width(r);

	if (r->opts->json)
		arr = json_array();
	for (size_t i = 0; i < r->nrecs; i++) {
		const struct record	*rec = &r->recs[i];
		const struct site	*site = &r->cfg->sites[rec->site];

		if (arr != NULL)
			json_array_append_new(arr, rec->kind == KIND_HTTP ?
			    output_http_json(site, rec->http, rec->state) :
			    output_cert_json(site, rec->cert, rec->state));
		else if (rec->kind == KIND_HTTP)
			output_http_line(stdout, site, rec->http, rec->state, w);
		else
			output_cert_line(stdout, site, rec->cert, rec->state, w);
	}
	if (arr != NULL)
		output_json_doc(json_pack("{s:o}", "results", arr));
	fflush(stdout);
}

/*
 * Queues every alert for every integration together with the results, in
 * one transaction: an alert can never be lost between "state changed" and
 * "alert queued". Returns -1 on a Redis error.
 */
static int
record_results(struct run *r)
{
	const struct config	*cfg = r->cfg;
	struct queued_alert	*q;
	char			**enc;
	size_t			 nq = 0, i, j;
	int			 rc = -1;

	enc = xcalloc(r->nalerts, sizeof(*enc));
	q = xcalloc(r->nalerts * cfg->nintegrations, sizeof(*q));
	for (i = 0; i < r->nalerts; i++) {
		if ((enc[i] = alert_encode(&r->alerts[i])) == NULL)
			goto out;
		for (j = 0; j < cfg->nintegrations; j++) {
			q[nq].integration = cfg->integrations[j].kind;
			q[nq++].json = enc[i];
		}
	}
	rc = store_write(r->store, cfg, r->recs, r->nrecs, q, nq);
out:
	for (i = 0; i < r->nalerts; i++)
		free(enc[i]);
	free(enc);
	free(q);
	return rc;
}

/* Releases every lease this run was granted. */
static void
release_leases(struct run *r)
{
	if (r->store != NULL && r->nleases > 0)
		store_release_leases(r->store, r->cfg, r->leases, r->nleases);
}

/* In a dry run, shows what would have been sent. */
static void
print_would_send(const struct run *r)
{
	for (size_t i = 0; i < r->nalerts; i++) {
		char *text = alert_text(&r->alerts[i]);

		if (r->cfg->nintegrations == 0)
			log_info("dry run: would alert (no alertmanagers "
			    "configured): %s", text);
		else
			log_info("dry run: would alert: %s", text);
		free(text);
	}
}

/* Opens Redis and reads every site's state; a dry run goes on without. */
static int
load_state(struct run *r)
{
	if (store_open(&r->cfg->redis, &r->store) == -1) {
		if (!r->opts->dry_run)
			return -1;
		log_warn("dry run: Redis unavailable, treating every site as new");
		r->store = NULL;
		return 0;
	}
	/* Once per run, so an operator expecting Grafana series learns why
	 * there are none. */
	if (!r->opts->dry_run && r->cfg->redis.timeseries == TS_AUTO &&
	    !store_uses_timeseries(r->store))
		log_info("RedisTimeSeries not available, recording to streams "
		    "(%s:history:NAME)", r->cfg->redis.prefix);
	return store_read_states(r->store, r->cfg, r->states);
}

int
cmd_check(const struct config *cfg, const struct check_opts *o)
{
	struct run	 r;
	struct net	*net = NULL;
	int		 status = SEV_UNKNOWN, write_failed = 0, failed = 0;

	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.opts = o;
	r.now = now_ms();
	r.states = xcalloc(cfg->nsites, sizeof(*r.states));
	r.forced = xcalloc(cfg->nsites, 1);
	for (int k = 0; k < KIND__MAX; k++)
		r.due[k] = xcalloc(cfg->nsites, 1);

	if (net_open(&net) == -1 || select_forced(&r) == -1 ||
	    load_state(&r) == -1)
		goto out;
	plan_due(&r);
	if (!o->dry_run && take_leases(&r) == -1) {
		release_leases(&r);
		goto out;
	}
	build_checks(&r);
	if (r.nchecks == 0)
		log_debug("nothing is due");
	/* A check that could not be done makes the run UNKNOWN; the others
	 * are still recorded. */
	if (probe_run(net, r.checks, r.nchecks, cfg->max_concurrency,
	    &peekl_stop) == -1)
		failed = 1;
	apply_results(&r);
	print_results(&r);

	if (o->dry_run)
		print_would_send(&r);
	else if (r.nrecs > 0 && record_results(&r) == -1)
		write_failed = 1;
	release_leases(&r);
	if (peekl_stop) {
		log_warn("interrupted: unfinished checks abandoned, not recorded");
		goto out;
	}
	/*
	 * Older alerts go first: the queues are delivered in order, so this
	 * also flushes what earlier runs could not send, even when this run's
	 * results could not be written.
	 */
	if (!o->dry_run &&
	    alert_deliver_all(r.store, cfg, net, &peekl_stop) == -1)
		goto out;
	/* Interrupted while delivering: what was sent is recorded, the rest
	 * stays queued, and the run still says it did not finish. */
	if (!peekl_stop && !write_failed && !failed)
		status = r.worst;
out:
	run_free(&r);
	net_close(net);
	return status;
}
