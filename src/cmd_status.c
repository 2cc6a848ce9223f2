/* The `status` command: every site's state as Redis holds it. No checks. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "jsonstr.h"
#include "log.h"
#include "output.h"
#include "quiet.h"
#include "silence.h"
#include "state.h"
#include "window.h"
#include "store.h"
#include "util.h"

/* Unix ms as seconds with the milliseconds as fraction, or null for 0. */
static json_t *
json_time(int64_t ms)
{
	return ms > 0 ? json_real((double)ms / 1000.0) : json_null();
}

static json_t *
status_json(const struct site *site, const struct site_state *st)
{
	char	 url[1024], date[32];
	int	 http = st->last_check > 0, cert = st->cert_last_check > 0;
	int	 only = site_cert_only(site);	/* no HTTP check at all */
	json_t	*o;

	format_iso8601(st->cert_not_after, date, sizeof(date));
	if (only)
		http = 0;
	o = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
	    "s:o, s:o}",
	    "site", json_text(site->name, 0),
	    "url", json_text(redact_site_url(site->url, url, sizeof(url)), 0),
	    "state", only ? json_null() : json_string(http_state_name(st->state)),
	    "failures", http ? json_integer(st->failures) : json_null(),
	    "last_check", json_time(st->last_check),
	    "since", json_time(st->since),
	    "http_code", http && st->http_code ? json_integer(st->http_code) :
	    json_null(),
	    "response_ms", http ? json_ms(st->response_ms) : json_null(),
	    "error", http ? json_text_or_null(st->error) : json_null(),
	    "cert_state", cert ? json_string(cert_state_name(st->cert_state)) :
	    json_null(),
	    "cert_days_left", cert && st->have_cert ?
	    json_integer(st->cert_days_left) : json_null(),
	    "cert_not_after", cert && st->have_cert ? json_string(date) :
	    json_null());
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "cert_chain_days_left", cert && st->have_cert &&
	    st->have_chain_days ? json_integer(st->cert_chain_days_left) :
	    json_null());
	json_object_set_new(o, "cert_issuer", cert && st->have_cert ?
	    json_text_or_null(st->cert_issuer) : json_null());
	json_object_set_new(o, "cert_tls_version", cert && st->have_cert ?
	    json_text_or_null(st->cert_tls_version) : json_null());
	return o;
}

/* "12s ago" style age of a unix-ms time, "-" for never. */
static void
age(int64_t then, int64_t now, char *out, size_t outsz)
{
	char	d[32];

	if (then <= 0) {
		snprintf(out, outsz, "-");
		return;
	}
	format_duration(now - then, d, sizeof(d));
	snprintf(out, outsz, "%s ago", d);
}

static void
status_line(const struct site *site, const struct site_state *st,
    int64_t now, int namew, const char *quiet)
{
	char		 last[48], since[48], code[16] = "-", resp[32] = "-";
	char		 cert[64] = "-";
	const char	*state = http_state_name(st->state);

	age(st->last_check, now, last, sizeof(last));
	age(st->since, now, since, sizeof(since));
	/* A TLS endpoint has no HTTP check: its HTTP columns stay empty. */
	if (site_cert_only(site)) {
		state = "";
		last[0] = since[0] = code[0] = resp[0] = '\0';
	} else if (st->last_check > 0) {
		if (st->http_code)
			snprintf(code, sizeof(code), "%d", st->http_code);
		snprintf(resp, sizeof(resp), "%.0f ms", st->response_ms);
	}
	if (st->cert_last_check > 0 && st->have_cert)
		snprintf(cert, sizeof(cert), "%s (%ld days)",
		    cert_state_name(st->cert_state), st->cert_days_left);
	else if (st->cert_last_check > 0)
		snprintf(cert, sizeof(cert), "%s", cert_state_name(st->cert_state));
	printf("%-*s  %-8s  %-12s  %-12s  %-4s  %-8s  %s%s%s%s%s\n", namew,
	    site->name, state, since, last, code, resp,
	    cert, st->error[0] ? "  " : "", st->error,
	    quiet[0] ? "  " : "", quiet);
}

/* Writes "silenced until HH:MM (reason)" for site i into out ("" when it
 * is not silenced) and returns when the silence ends, 0 for none. */
static int64_t
status_silenced(const struct quiet_now *q, size_t i, char *out,
    size_t outsz, char *why, size_t whysz)
{
	char	until[32];
	int64_t	end = quiet_now_until(q, i, why, whysz);

	out[0] = '\0';
	if (end == 0)
		return 0;
	silence_format_until(end, q->v.now_s, until, sizeof(until));
	snprintf(out, outsz, "silenced until %s%s%s%s", until,
	    why[0] ? " (" : "", why, why[0] ? ")" : "");
	return end;
}

/*
 * Counts the alerts set aside in each configured integration's dead list:
 * a line for each non-empty one, or, with json, an object of the counts
 * (0 included). Returns 0, or -1 on a Redis error (logged).
 */
static int
status_set_aside(struct store *store, const struct config *cfg,
    json_t *counts)
{
	const char	*ik;
	long		 n;
	char		*key;

	for (size_t i = 0; i < cfg->nintegrations; i++) {
		ik = integration_name(&cfg->integrations[i]);
		if ((n = store_queue_dead_len(store, ik)) == -1)
			return -1;
		if (counts != NULL) {
			json_object_set_new(counts, ik,
			    json_integer(n));
			continue;
		}
		if (n == 0)
			continue;
		key = store_queue_dead_name(store, ik);
		printf("%s: %ld alert%s set aside in %s (see README)\n",
		    ik, n, n == 1 ? "" : "s", key);
		free(key);
	}
	return 0;
}

/* The status exit code: the worst state a site is in now. */
static enum severity
site_severity(const struct site *site, const struct site_state *st)
{
	enum severity	sev = st->state == HTTP_DOWN ? SEV_CRITICAL :
	    st->state == HTTP_DEGRADED ? SEV_WARNING : SEV_OK;
	enum severity	cs = cert_severity(st->cert_state);

	/* A certificate no longer monitored keeps its last state in Redis;
	 * it must not keep the exit status up. */
	if (site->cert_monitoring && st->cert_state != CERT_UNKNOWN && cs > sev)
		sev = cs;
	return sev;
}

/* --- locations (spec/locations.md) --- */

/* Every location's state of every site: views[i * nlocs + j] is site i
 * seen from location j. Returns 0 (nlocs 0 when there are none), -1 on a
 * Redis error. */
static int
read_locations(struct store *store, const struct config *cfg,
    struct beat **beats, size_t *nlocs, struct site_state **views)
{
	const char		**sites = NULL, **locs = NULL;
	struct site_state	 *verdicts = NULL;
	int			  ret = -1;

	*views = NULL;
	if (store_read_beats(store, beats, nlocs) == -1)
		return -1;
	if (*nlocs == 0 || cfg->nsites == 0)
		return 0;
	sites = xcalloc(cfg->nsites, sizeof(*sites));
	locs = xcalloc(*nlocs, sizeof(*locs));
	for (size_t i = 0; i < cfg->nsites; i++)
		sites[i] = cfg->sites[i].name;
	for (size_t j = 0; j < *nlocs; j++)
		locs[j] = (*beats)[j].name;
	verdicts = xcalloc(cfg->nsites, sizeof(*verdicts));
	*views = xcalloc(cfg->nsites * *nlocs, sizeof(**views));
	ret = store_read_verdicts(store, sites, cfg->nsites, locs, *nlocs,
	    verdicts, *views);
	free(verdicts);
	free(sites);
	free(locs);
	return ret;
}

/* Returns 1 when a location ever checked the site. */
static int
loc_known(const struct site_state *v)
{
	return v->last_check > 0 || v->cert_last_check > 0;
}

/* The "locations" object of one site, or NULL when none checked it. */
static json_t *
locations_json(const struct beat *beats, size_t nlocs,
    const struct site_state *views)
{
	json_t	*o = NULL;

	for (size_t j = 0; j < nlocs; j++) {
		const struct site_state *v = &views[j];
		int http = v->last_check > 0;

		if (!loc_known(v))
			continue;
		if (o == NULL)
			o = json_object();
		json_object_set_new(o, beats[j].name, json_pack(
		    "{s:o, s:o, s:o, s:o, s:o, s:o}",
		    "state", http ? json_string(http_state_name(v->state)) :
		    json_null(),
		    "failures", http ? json_integer(v->failures) : json_null(),
		    "http_code", http && v->http_code ?
		    json_integer(v->http_code) : json_null(),
		    "response_ms", http ? json_ms(v->response_ms) : json_null(),
		    "last_check", json_time(v->last_check),
		    "cert_state", v->cert_last_check > 0 ?
		    json_string(cert_state_name(v->cert_state)) : json_null()));
	}
	return o;
}

/* Prints one line per location under its site's line. */
static void
locations_lines(const struct site *site, const struct beat *beats,
    size_t nlocs, const struct site_state *views, int64_t now, int namew)
{
	for (size_t j = 0; j < nlocs; j++) {
		struct site	 at = *site;
		char		 label[64];

		if (!loc_known(&views[j]))
			continue;
		snprintf(label, sizeof(label), "  @%s", beats[j].name);
		at.name = label;
		status_line(&at, &views[j], now, namew, "");
	}
}

/* What status shows besides each site's own hash: quiet times and, with
 * locations, what each location sees. */
struct status_extra {
	struct quiet_now	 q;
	struct beat		*beats;
	struct site_state	*views;	/* views[i * nlocs + j], NULL: none */
	size_t			 nlocs;
};

/* Reads x; returns 0, or -1 on a Redis error (logged). Free it with
 * status_extra_free either way. */
static int
status_extra_read(struct store *store, const struct config *cfg,
    struct status_extra *x)
{
	memset(x, 0, sizeof(*x));
	if (quiet_now_read(store, cfg, &x->q) == -1)
		return -1;
	return read_locations(store, cfg, &x->beats, &x->nlocs, &x->views);
}

static void
status_extra_free(struct status_extra *x)
{
	quiet_now_free(&x->q);
	store_beats_free(x->beats, x->nlocs);
	free(x->views);
}

/* One site's object of the status document: its hash, its quiet time and
 * its locations. */
static json_t *
status_site_json(const struct config *cfg, const struct site_state *states,
    const struct status_extra *x, size_t i)
{
	char	why[SILENCE_REASON_MAX + 1];
	int64_t	until = quiet_now_until(&x->q, i, why, sizeof(why));
	json_t	*o = status_json(&cfg->sites[i], &states[i]), *lo;

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "silenced_until", until ? json_integer(until) :
	    json_null());
	json_object_set_new(o, "silenced_reason", until ?
	    json_text_or_null(why) : json_null());
	lo = x->views == NULL ? NULL : locations_json(x->beats, x->nlocs,
	    &x->views[i * x->nlocs]);
	if (lo != NULL)
		json_object_set_new(o, "locations", lo);
	return o;
}

/* The `status --json` document; NULL on a Redis error (logged). */
static json_t *
status_doc(struct store *store, const struct config *cfg,
    const struct site_state *states, const struct status_extra *x)
{
	json_t	*arr = json_array(), *dead = json_object();

	for (size_t i = 0; i < cfg->nsites; i++)
		json_array_append_new(arr, status_site_json(cfg, states, x, i));
	if (status_set_aside(store, cfg, dead) == -1) {
		json_decref(arr);
		json_decref(dead);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "sites", arr, "set_aside", dead);
}

int
cmd_status(const struct config *cfg, int json)
{
	struct store		*store = NULL;
	struct site_state	*states;
	struct status_extra	 x;
	json_t			*doc;
	enum severity		 worst = SEV_OK;
	int64_t			 now = now_ms();
	int			 namew = 4, rc = SEV_UNKNOWN;

	states = xcalloc(cfg->nsites, sizeof(*states));
	memset(&x, 0, sizeof(x));
	if (store_open(&cfg->redis, &store) == -1 ||
	    store_read_states(store, cfg, states) == -1 ||
	    status_extra_read(store, cfg, &x) == -1)
		goto out;
	for (size_t i = 0; i < cfg->nsites; i++) {
		enum severity sev = site_severity(&cfg->sites[i], &states[i]);
		int len = (int)strlen(cfg->sites[i].name);

		namew = len > namew ? (len > 40 ? 40 : len) : namew;
		if (sev > worst)
			worst = sev;
	}
	/* The locations' lines are "  @NAME": only those that checked a
	 * site have one. */
	for (size_t i = 0; x.views != NULL && i < cfg->nsites; i++)
		for (size_t j = 0; j < x.nlocs; j++) {
			int len = 3 + (int)strlen(x.beats[j].name);

			if (loc_known(&x.views[i * x.nlocs + j]) && len > namew)
				namew = len > 40 ? 40 : len;
		}
	if (json) {
		if ((doc = status_doc(store, cfg, states, &x)) == NULL)
			goto out;
		output_json_doc(doc);
		rc = worst;
		goto out;
	}
	printf("%-*s  %-8s  %-12s  %-12s  %-4s  %-8s  %s\n", namew, "SITE",
	    "STATE", "SINCE", "LAST CHECK", "HTTP", "RESPONSE", "CERT");
	for (size_t i = 0; i < cfg->nsites; i++) {
		char	quiet[SILENCE_REASON_MAX + 64], why[SILENCE_REASON_MAX + 1];

		status_silenced(&x.q, i, quiet, sizeof(quiet), why, sizeof(why));
		status_line(&cfg->sites[i], &states[i], now, namew, quiet);
		if (x.views != NULL)
			locations_lines(&cfg->sites[i], x.beats, x.nlocs,
			    &x.views[i * x.nlocs], now, namew);
	}
	if (status_set_aside(store, cfg, NULL) == -1)
		goto out;
	rc = worst;
out:
	store_close(store);
	status_extra_free(&x);
	free(states);
	return rc;
}

json_t *
status_document(struct store *store, const struct config *cfg,
    const struct site_state *states)
{
	struct status_extra	 x;
	json_t			*doc = NULL;

	if (status_extra_read(store, cfg, &x) == 0)
		doc = status_doc(store, cfg, states, &x);
	status_extra_free(&x);
	return doc;
}
