/*
 * The `check` command: one run is one array of checks, one per (site,
 * kind), carried through these stages in this order:
 *
 *   plan    what is due (or forced by --site), the leases, a re-read
 *   probe   all network work, concurrently
 *   judge   the pure state machine: new states, transitions, alerts
 *   agree   with locations: heartbeats and the quorum verdicts, under
 *           their leases (the verdict's alert replaces the location's)
 *   quiet   silences, maintenance windows, dependencies: alerts held back
 *           or, once a quiet time ends, one for the current state
 *   record  results and queued alerts in one Redis transaction
 *   report  the human lines or the JSON document on stdout
 *   notify  deliver the queues (this run's alerts are already in them)
 *   publish the metrics file and the status page, read back from Redis
 *           (when --metrics or --page asks for them)
 *
 * and, whatever became of them, the heartbeat (heartbeat_url) says
 * whether the run did its job.
 *
 * Each stage fills its part of every check (see struct check in check.h).
 * A stage that cannot do its job makes the run exit 3, after the leases
 * are released; alerts already queued stay queued.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "commands.h"
#include "heartbeat.h"
#include "locations.h"
#include "log.h"
#include "metrics.h"
#include "net.h"
#include "output.h"
#include "page.h"
#include "probe.h"
#include "quiet.h"
#include "reminder.h"
#include "revoke.h"
#include "route.h"
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
	struct net		*net;		/* every transfer of the run */
	struct cert_cas		*cas;		/* CA bundles, each parsed once */
	int64_t			 now;
	struct site_state	*states;	/* one per site */
	unsigned char		*forced;	/* per site: named by --site */
	struct check		*checks;	/* one per due (site, kind): every
						 * HTTP check, then every cert check */
	size_t			 nchecks;
	enum severity		 worst;
	int			 failed;	/* a stage could not do its job */
	int			 misused;	/* --site named no site: no heartbeat */
	struct loc_run		 loc;		/* heartbeats, verdict leases and
						 * location alerts (locations.c) */
};

static void
run_free(struct run *r)
{
	for (size_t i = 0; i < r->nchecks; i++) {
		alert_clear(r->checks[i].alert);
		free(r->checks[i].alert);
		alert_clear(r->checks[i].release);
		free(r->checks[i].release);
		free(r->checks[i].verdict);
		cert_result_clear(&r->checks[i].cert);
	}
	free(r->checks);
	free(r->forced);
	free(r->states);
	locations_done(&r->loc, r->store);
	store_close(r->store);
	cert_cas_free(r->cas);
	net_close(r->net);
}

static void
worsen(struct run *r, enum severity sev)
{
	if (sev > r->worst)
		r->worst = sev;
}

/* --- plan ------------------------------------------------------------ */

/* Marks the sites named by --site; returns -1 if one names none
 * (site_find printed why). */
static int
plan_forced(struct run *r)
{
	r->forced = xcalloc(r->cfg->nsites, 1);
	for (size_t i = 0; i < r->opts->nsites; i++) {
		long idx = site_find(r->cfg, r->opts->sites[i]);

		if (idx < 0)
			return -1;
		r->forced[idx] = 1;
	}
	return 0;
}

/* Opens Redis and reads every site's state; a dry run goes on without. */
static int
plan_read_states(struct run *r)
{
	if (store_open(&r->cfg->redis, &r->store) == -1) {
		if (!r->opts->dry_run)
			return -1;
		log_warn("dry run: Redis unavailable, treating every site as new");
		r->store = NULL;
		return 0;
	}
	/* A location checks on its own: its own leases, state and series. */
	if (r->cfg->location != NULL)
		store_set_location(r->store, r->cfg->location);
	/* Once per run, so an operator expecting Grafana series learns why
	 * there are none. */
	if (!r->opts->dry_run && r->cfg->redis.timeseries == TS_AUTO)
		store_note_backend(r->store);
	return store_read_states(r->store, r->cfg, r->states);
}

/* Returns 1 when this run should probe c now. */
static int
wanted(const struct run *r, const struct check *c)
{
	if (c->kind == KIND_CERT && !c->site->cert_monitoring)
		return 0;
	/* A TLS endpoint (tls://, smtp://, ...) has no HTTP check. */
	if (c->kind == KIND_HTTP && site_cert_only(c->site))
		return 0;
	if (c->state->unreadable)
		return 0;
	if (r->opts->nsites > 0)
		return c->forced;
	return c->kind == KIND_HTTP ?
	    state_http_due(c->state, c->site, r->now) :
	    state_cert_due(c->state, c->site, r->now);
}

/*
 * Lays out one check for every (site, kind) that is due, or forced by
 * --site: only those, so an idle run over many sites allocates nothing
 * per site. Checks are ordered kind first, then as the sites are written,
 * so lines, records and alerts keep one order run after run. A site whose
 * state cannot be read makes the run UNKNOWN, since peekl could not do its
 * job for it.
 */
static void
plan_checks(struct run *r)
{
	const struct config	*cfg = r->cfg;
	size_t			 n = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (int k = 0; k < KIND__MAX; k++)
			for (size_t i = 0; i < cfg->nsites; i++) {
				struct check c = { .site = &cfg->sites[i],
				    .kind = (enum check_kind)k,
				    .state = &r->states[i],
				    .forced = r->forced[i], .due = 1 };

				if (!wanted(r, &c))
					continue;
				if (pass == 1)
					r->checks[r->nchecks++] = c;
				else
					n++;
			}
		if (pass == 0 && n > 0)
			r->checks = xcalloc(n, sizeof(*r->checks));
		if (n == 0)
			break;
	}
	for (size_t i = 0; i < cfg->nsites; i++)
		if (r->states[i].unreadable)
			worsen(r, SEV_UNKNOWN);
}

/*
 * Sets how long each due check's lease must live. The probe runs every
 * due check from one queue, at most max_concurrency at once whatever their
 * kind: with more due checks than that, the last wave starts only after
 * earlier ones end, so each wave may take the longest timeout among them.
 */
static void
plan_lease_ttls(struct run *r)
{
	int64_t	longest = 0;
	size_t	ndue = 0, waves;
	size_t	maxc = r->cfg->max_concurrency < 1 ? 1 :
		    (size_t)r->cfg->max_concurrency;
	int	crls = 0;

	for (size_t i = 0; i < r->nchecks; i++) {
		const struct check *c = &r->checks[i];

		if (!c->due)
			continue;
		ndue++;
		if (c->site->timeout_ms > longest)
			longest = c->site->timeout_ms;
		if (c->kind == KIND_CERT && c->site->check_revocation)
			crls = 1;
	}
	waves = (ndue + maxc - 1) / maxc;
	/* CRLs are fetched after the handshakes, each within its check's
	 * timeout: one more wave. */
	if (crls)
		waves = (waves ? waves : 1) + 1;
	for (size_t i = 0; i < r->nchecks; i++)
		r->checks[i].lease_ttl_ms = longest *
		    (int64_t)(waves ? waves : 1) + LEASE_MARGIN_MS;
}

/*
 * Takes a lease for every due check. A check whose lease another run holds
 * is skipped; so is one whose re-read state shows that another run checked
 * it meanwhile (unless --site forced it). Returns -1 on a Redis error.
 */
static int
plan_leases(struct run *r)
{
	if (store_take_leases(r->store, r->checks, r->nchecks) == -1)
		return -1;
	for (size_t i = 0; i < r->nchecks; i++) {
		struct check *c = &r->checks[i];

		if (!c->due)
			continue;
		if (!c->leased) {
			log_info("%s: %s check is running in another peekl run; "
			    "skipped", c->site->name, check_kind_name(c->kind));
			c->due = 0;
		} else if (!c->forced && !wanted(r, c)) {
			log_debug("%s: %s check was just done by another run; "
			    "skipped", c->site->name, check_kind_name(c->kind));
			c->due = 0;
		}
	}
	return 0;
}

/* Releases every lease this run was granted. */
static void
release_leases(struct run *r)
{
	if (r->store != NULL)
		store_release_leases(r->store, r->checks, r->nchecks);
}

/* The plan stage; returns -1 when the run cannot go on (logged). */
static int
plan(struct run *r)
{
	if (plan_forced(r) == -1) {
		r->misused = 1;
		return -1;
	}
	if (plan_read_states(r) == -1)
		return -1;
	plan_checks(r);
	plan_lease_ttls(r);
	if (!r->opts->dry_run && plan_leases(r) == -1)
		return -1;
	return 0;
}

/* --- probe ----------------------------------------------------------- */

/*
 * Runs every due check, then holds the chains of check_revocation sites
 * against their CRLs, on the one engine and with one parse of each CA
 * bundle. Returns -1 when the network work could not be done or was
 * interrupted (logged): the checks that finished keep their results,
 * except the certificates whose CRLs were not consulted, which are not
 * judged at all.
 */
static int
probe(struct run *r)
{
	int	maxc = r->cfg->max_concurrency;

	if (r->nchecks == 0) {
		log_debug("nothing is due");
		return 0;
	}
	r->cas = cert_cas_new();
	if (probe_run(r->net, r->cas, r->checks, r->nchecks, maxc,
	    &peekl_stop) == -1 || revoke_run(r->net, r->store, r->cas,
	    r->checks, r->nchecks, maxc, r->opts->dry_run, &peekl_stop) == -1) {
		revoke_abandon(r->checks, r->nchecks);
		return -1;
	}
	return 0;
}

/* --- judge ----------------------------------------------------------- */

/* Applies the state machine to every finished check: its new state, its
 * severity, and the alert its transition deserves, or the reminder its
 * unchanged state is due (reminder.c). With a location, reminders are the
 * verdict's (agree). */
static void
judge(struct run *r)
{
	const char	*loc = r->cfg->location;

	for (size_t i = 0; i < r->nchecks; i++) {
		struct check	*c = &r->checks[i];
		int		 changed;

		if (!c->due || !check_done(c))
			continue;
		c->judged = 1;
		if (c->kind == KIND_HTTP) {
			http_judge_speed(&c->http, c->site);
			changed = state_apply_http(c->state, c->site, &c->http,
			    r->now, &c->tr) || (loc == NULL &&
			    reminder_http(c->state, c->site, r->now, &c->tr));
			c->severity = http_severity(&c->http);
		} else {
			cert_verdict(&c->cert, c->site, c->cert.reason,
			    sizeof(c->cert.reason));
			changed = state_apply_cert(c->state, c->site, &c->cert,
			    r->now, &c->tr) || (loc == NULL &&
			    reminder_cert(c->state, c->site, r->now, &c->tr));
			c->severity = cert_severity(c->state->cert_state);
		}
		/* A location's own change is not news: the quorum verdict
		 * decides in agree (locations.c). */
		if (changed && loc == NULL) {
			c->alert = xcalloc(1, sizeof(*c->alert));
			if (c->kind == KIND_HTTP)
				alert_from_http(c->alert, c->site, &c->tr,
				    &c->http, c->state, r->now);
			else
				alert_from_cert(c->alert, c->site, &c->tr,
				    &c->cert, r->now);
		}
		worsen(r, c->severity);
	}
}

/* --- agree ----------------------------------------------------------- */

/*
 * With several locations (spec/locations.md): who watches the watchers,
 * and the quorum verdicts, each decided under its lease, held until record
 * has written (the verdict's alert replaces the location's own). A dry
 * run reads them without leases. Returns -1 on a Redis error.
 */
static int
agree(struct run *r)
{
	int	dry = r->opts->dry_run;

	if (r->store == NULL)
		return 0;
	if (locations_watch(&r->loc, r->store, r->cfg, r->now, dry) == -1 ||
	    locations_verdicts(&r->loc, r->store, r->cfg, r->checks,
	    r->nchecks, r->now, dry, &peekl_stop) == -1) {
		if (!dry)
			return -1;
		log_warn("dry run: the locations' verdicts could not be read");
	}
	return 0;
}

/* --- quiet ----------------------------------------------------------- */

/* Drops the alerts of quiet sites and releases those whose quiet time
 * ended; returns -1 when the silences could not be read (logged). */
static int
quiet(struct run *r)
{
	return quiet_apply(r->store, r->cfg, r->states, r->checks,
	    r->nchecks, r->now);
}

/* --- record ---------------------------------------------------------- */

/* This run's alerts, fanned out to the instances that take them. */
struct fanout {
	struct queued_alert	*q;		/* one per (instance, entry) */
	size_t			 nq;
	char			**enc;		/* the encoded entries (owned) */
	size_t			 nenc;
};

static void
fanout_free(struct fanout *f)
{
	for (size_t i = 0; i < f->nenc; i++)
		free(f->enc[i]);
	free(f->enc);
	free(f->q);
}

/* The run's alerts are the checks' (indexes below nchecks), then the
 * locations' own DOWN/UP (locations.c); these return the i-th and the
 * site it is about (NULL for a location's alert). */
static size_t
run_nalerts(const struct run *r)
{
	return r->nchecks + r->loc.nalerts;
}

static const struct alert *
run_alert(const struct run *r, size_t i, const struct site **site)
{
	if (i < r->nchecks) {
		*site = r->checks[i].site;
		return r->checks[i].alert;
	}
	*site = NULL;
	return r->loc.alerts[i - r->nchecks];
}

/* Returns how many of the run's alerts instance in takes (route.c), their
 * indexes in idx when idx is not NULL. */
static size_t
routed(const struct run *r, const struct integration *in, size_t *idx)
{
	const struct site	*site;
	const struct alert	*a;
	size_t			 n = 0;

	for (size_t i = 0; i < run_nalerts(r); i++) {
		a = run_alert(r, i, &site);
		if (a == NULL || !route_takes(in, site, a->event))
			continue;
		if (idx != NULL)
			idx[n] = i;
		n++;
	}
	return n;
}

/* Adds the group of the n alerts at idx, for instance in, to f; returns 0,
 * or -1 when it cannot be encoded (logged). */
static int
fan_out_group(const struct run *r, const struct integration *in,
    const size_t *idx, size_t n, struct fanout *f)
{
	const struct alert	**members = xcalloc(n, sizeof(*members));
	const struct site	 *site;
	char			 *enc;

	for (size_t k = 0; k < n; k++)
		members[k] = run_alert(r, idx[k], &site);
	enc = alert_group_encode(members, n, r->now);
	free(members);
	if (enc == NULL)
		return -1;
	log_info("%s: %zu alerts in this run, queued as one grouped alert "
	    "(alerting.group_threshold: %d)", integration_name(in), n,
	    r->cfg->group_threshold);
	f->enc[f->nenc++] = enc;
	f->q[f->nq].integration = integration_name(in);
	f->q[f->nq++].json = enc;
	return 0;
}

/*
 * Decides which instance takes which alert (route.c), and encodes each
 * alert once; an instance that takes more than alerting.group_threshold
 * alerts gets them as one grouped alert. Returns 0, or -1 when an alert
 * cannot be encoded (logged).
 */
static int
fan_out(const struct run *r, struct fanout *f)
{
	const struct config	*cfg = r->cfg;
	const struct site	*site;
	size_t			 na = run_nalerts(r), i, j, k, n, *idx;
	char			**enc;
	int			 rc = -1;

	memset(f, 0, sizeof(*f));
	/* At most one entry per alert, plus a group per instance. */
	f->enc = xcalloc(na + cfg->nintegrations + 1, sizeof(*f->enc));
	f->q = xcalloc(na * cfg->nintegrations + 1, sizeof(*f->q));
	/* enc[i] is alert i's entry, made when an instance first takes it. */
	enc = xcalloc(na + 1, sizeof(*enc));
	idx = xcalloc(na + 1, sizeof(*idx));
	for (j = 0; j < cfg->nintegrations; j++) {
		const struct integration *in = &cfg->integrations[j];

		n = routed(r, in, idx);
		if (route_groups(in, n, cfg->group_threshold)) {
			if (fan_out_group(r, in, idx, n, f) == -1)
				goto out;
			continue;
		}
		for (k = 0; k < n; k++) {
			i = idx[k];
			if (enc[i] == NULL) {
				if ((enc[i] = alert_encode(run_alert(r, i,
				    &site))) == NULL)
					goto out;
				f->enc[f->nenc++] = enc[i];
			}
			f->q[f->nq].integration = integration_name(in);
			f->q[f->nq++].json = enc[i];
		}
	}
	rc = 0;
out:
	free(idx);
	free(enc);
	return rc;
}

/*
 * Writes every judged check and queues every alert for the instances that
 * take it, in one transaction: an alert can never be lost between "state
 * changed" and "alert queued". Returns -1 on a Redis error.
 */
static int
record(struct run *r)
{
	struct fanout	f;
	int		rc = -1;

	if (fan_out(r, &f) == 0)
		rc = store_write(r->store, r->checks, r->nchecks, f.q, f.nq);
	fanout_free(&f);
	/* Written (or not): the next run may decide again. */
	locations_done(&r->loc, r->store);
	return rc;
}

/* In a dry run, says which instances would get their alerts grouped. */
static void
dry_run_groups(const struct run *r)
{
	for (size_t j = 0; j < r->cfg->nintegrations; j++) {
		const struct integration *in = &r->cfg->integrations[j];
		size_t	n = routed(r, in, NULL);

		if (route_groups(in, n, r->cfg->group_threshold))
			log_info("dry run: %s would get these %zu alerts as "
			    "one grouped alert", integration_name(in), n);
	}
}

/* In a dry run, shows what would have been sent, and to which instances. */
static void
record_dry_run(struct run *r)
{
	const struct site	*site;
	const struct alert	*a;

	for (size_t i = 0; i < run_nalerts(r); i++) {
		struct buf	to = { 0 };
		char		*text;

		if ((a = run_alert(r, i, &site)) == NULL)
			continue;
		text = alert_text(a);
		buf_puts(&to, "");
		for (size_t j = 0; j < r->cfg->nintegrations; j++) {
			const struct integration *in = &r->cfg->integrations[j];

			if (!route_takes(in, site, a->event))
				continue;
			buf_puts(&to, to.len > 0 ? ", " : "");
			buf_puts(&to, integration_name(in));
		}
		if (r->cfg->nintegrations == 0)
			log_info("dry run: would alert (no alertmanagers "
			    "configured): %s", text);
		else if (to.len == 0)
			log_info("dry run: would alert no instance (routing): "
			    "%s", text);
		else
			log_info("dry run: would alert %s: %s", to.data, text);
		free(to.data);
		free(text);
	}
	dry_run_groups(r);
}

/* --- report ---------------------------------------------------------- */

/* Returns the widest site name among the judged checks, for aligned
 * lines. */
static int
name_width(const struct run *r)
{
	size_t	w = 1;

	for (size_t i = 0; i < r->nchecks; i++) {
		size_t len = strlen(r->checks[i].site->name);

		if (r->checks[i].judged && len > w)
			w = len;
	}
	return w > 40 ? 40 : (int)w;
}

/* Prints one line per judged check, or the `check --json` document. */
static void
report(const struct run *r)
{
	json_t	*arr = NULL;
	int	 w = name_width(r);

	if (r->opts->json)
		arr = json_array();
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct check *c = &r->checks[i];

		if (!c->judged)
			continue;
		if (arr != NULL) {
			json_t *o = output_check_json(c);

			if (o != NULL && r->cfg->location != NULL)
				json_object_set_new(o, "location",
				    json_string(r->cfg->location));
			json_array_append_new(arr, o);
		} else
			output_check_line(stdout, c, w);
	}
	if (arr != NULL)
		output_json_doc(json_pack("{s:o}", "results", arr));
	fflush(stdout);
}

/* --- notify ---------------------------------------------------------- */

/*
 * Delivers the queues. Older alerts go first: the queues are delivered in
 * order, so this also flushes what earlier runs could not send, even when
 * this run's results could not be written. Returns -1 on a Redis error.
 */
static int
notify(struct run *r)
{
	return alert_deliver_all(r->store, r->cfg, r->net, &peekl_stop);
}

/* --- heartbeat ------------------------------------------------------ */

/*
 * Pings heartbeat_url: URL after a run that did its job (exit 0, 1, 2),
 * URL/fail after one that could not (exit 3). A dry run records nothing
 * and pings nothing; an interrupted run (SIGTERM, Ctrl-C) was stopped, not
 * broken, and must end quickly, so it pings nothing either; nor does a
 * mistyped --site, which says nothing about the monitor.
 */
static void
heartbeat(const struct run *r, int status)
{
	if (r->cfg->heartbeat_url == NULL || r->opts->dry_run || peekl_stop ||
	    r->misused)
		return;
	heartbeat_send(r->net, r->cfg->heartbeat_url, status != SEV_UNKNOWN,
	    &peekl_stop);
}

/* --- publish --------------------------------------------------------- */

/*
 * Writes the metrics file and the status page that --metrics and --page
 * asked for, from Redis as this run left it. A dry run changed nothing
 * there and writes neither. Returns -1 when one could not be written
 * (logged); the other is still written.
 */
static int
publish(struct run *r)
{
	int	rc = 0;

	if (r->opts->metrics_out == NULL && r->opts->page_dir == NULL)
		return 0;
	if (r->opts->dry_run) {
		log_info("dry run: --metrics and --page files not written");
		return 0;
	}
	if (r->opts->metrics_out != NULL &&
	    metrics_write(r->store, r->cfg, r->opts->metrics_out) == -1)
		rc = -1;
	/* The page is the sites' verdicts, as `peekl page` shows them on any
	 * host; the metrics above were this location's own view. */
	if (r->opts->page_dir != NULL)
		store_set_location(r->store, NULL);
	if (r->opts->page_dir != NULL && page_write(r->store, r->cfg,
	    r->opts->page_dir, r->opts->page_title) == -1)
		rc = -1;
	return rc;
}

/* --- the run --------------------------------------------------------- */

int
cmd_check(const struct config *cfg, const struct check_opts *o)
{
	struct run	r;
	int		status = SEV_UNKNOWN;

	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.opts = o;
	r.now = now_ms();
	r.states = xcalloc(cfg->nsites, sizeof(*r.states));

	/* Without the engine nothing can be measured: fail before any lease
	 * is taken. */
	if (net_open(&r.net) == -1)
		goto out;
	if (plan(&r) == -1) {
		release_leases(&r);
		goto out;
	}
	if (probe(&r) == -1)
		r.failed = 1;
	judge(&r);
	if (agree(&r) == -1)
		r.failed = 1;
	else {
		if (quiet(&r) == -1)
			r.failed = 1;
		if (o->dry_run)
			record_dry_run(&r);
		else if (record(&r) == -1)
			r.failed = 1;
	}
	report(&r);
	release_leases(&r);
	if (peekl_stop) {
		log_warn("interrupted: unfinished checks abandoned, not recorded");
		goto out;
	}
	if (!o->dry_run && notify(&r) == -1)
		goto out;
	if (!peekl_stop && publish(&r) == -1)
		r.failed = 1;
	/* Interrupted while delivering: what was sent is recorded, the rest
	 * stays queued, and the run still says it did not finish. */
	if (!peekl_stop && !r.failed)
		status = r.worst;
out:
	heartbeat(&r, status);
	run_free(&r);
	return status;
}
