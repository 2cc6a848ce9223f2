/*
 * The Prometheus exposition of the current state. Each family is written
 * whole (HELP, TYPE, then one sample per site) because the text format
 * wants a family's samples together; a sample peekl knows nothing about
 * (a site never checked) is left out rather than written as 0, so an
 * alert rule never mistakes "not yet checked" for "down".
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "metrics.h"

/* Appends ms as seconds with up to three decimals, trailing zeros cut. */
static void
put_seconds_ms(struct buf *b, int64_t ms)
{
	char	s[48];
	size_t	n;

	n = (size_t)snprintf(s, sizeof(s), "%s%" PRId64 ".%03" PRId64,
	    ms < 0 ? "-" : "", (ms < 0 ? -ms : ms) / 1000,
	    (ms < 0 ? -ms : ms) % 1000);
	while (n > 0 && s[n - 1] == '0')
		s[--n] = '\0';
	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
	buf_puts(b, s);
}

/* Appends a response time in ms as seconds, to the microsecond. */
static void
put_seconds_double(struct buf *b, double ms)
{
	char	s[48];
	size_t	n;
	long long us;

	if (!isfinite(ms) || ms < 0)
		ms = 0;
	us = llround(ms * 1000.0);
	n = (size_t)snprintf(s, sizeof(s), "%lld.%06lld", us / 1000000,
	    us % 1000000);
	while (n > 0 && s[n - 1] == '0')
		s[--n] = '\0';
	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
	buf_puts(b, s);
}

static void
family(struct buf *b, const char *name, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* Appends `name{site="SITE"`, with a location `,location="LOC"`, and,
 * when key is not NULL, `,key="val"`; the caller closes the braces with
 * the value. */
static void
sample_start(const struct metrics_in *in, struct buf *b, const char *name,
    const char *site, const char *key, const char *val)
{
	buf_printf(b, "%s{site=\"", name);
	esc_prom_label(b, site);
	buf_puts(b, "\"");
	if (in->location != NULL) {
		buf_puts(b, ",location=\"");
		esc_prom_label(b, in->location);
		buf_puts(b, "\"");
	}
	if (key != NULL) {
		buf_printf(b, ",%s=\"", key);
		esc_prom_label(b, val);
		buf_puts(b, "\"");
	}
	buf_puts(b, "} ");
}

/* 1 when the site has an HTTP check that has run. */
static int
http_known(const struct site *site, const struct site_state *st)
{
	return !site_cert_only(site) && st->last_check > 0;
}

/* The states of peekl_http_state, in the spec's order. */
static const enum http_state http_order[] = {
	HTTP_UP, HTTP_DEGRADED, HTTP_DOWN, HTTP_UNKNOWN,
};

static int
cert_known(const struct site *site, const struct site_state *st)
{
	(void)site;
	return st->cert_last_check > 0 && st->have_cert;
}

static void
put_response(struct buf *b, const struct site_state *st)
{
	put_seconds_double(b, st->response_ms);
	buf_puts(b, "\n");
}

static void
put_code(struct buf *b, const struct site_state *st)
{
	buf_printf(b, "%d\n", st->http_code);
}

static void
put_failures(struct buf *b, const struct site_state *st)
{
	buf_printf(b, "%d\n", st->failures);
}

static void
put_days_left(struct buf *b, const struct site_state *st)
{
	buf_printf(b, "%ld\n", st->cert_days_left);
}

static void
put_not_after(struct buf *b, const struct site_state *st)
{
	buf_printf(b, "%" PRId64 "\n", st->cert_not_after);
}

/* A gauge with one unlabelled sample per site that has a value. */
struct gauge {
	const char	*name;
	const char	*help;
	int		(*known)(const struct site *, const struct site_state *);
	void		(*put)(struct buf *, const struct site_state *);
};

static const struct gauge http_gauges[] = {
	{ "peekl_response_seconds", "Response time of the site's last HTTP "
	    "check.", http_known, put_response },
	{ "peekl_http_status_code", "Status code of the site's last HTTP "
	    "check, 0 when no response came.", http_known, put_code },
	{ "peekl_failures", "Consecutive failed HTTP checks of the site.",
	    http_known, put_failures },
};

static const struct gauge cert_gauges[] = {
	{ "peekl_cert_days_left", "Days until the site's leaf certificate "
	    "expires, negative once it has.", cert_known, put_days_left },
	{ "peekl_cert_not_after_timestamp_seconds", "The site's leaf "
	    "certificate's notAfter, in unix seconds.", cert_known,
	    put_not_after },
};

/* Writes the n gauges, each a family of one sample per known site. */
static void
render_gauges(const struct metrics_in *in, struct buf *b,
    const struct gauge *g, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		family(b, g[k].name, g[k].help);
		for (size_t i = 0; i < in->cfg->nsites; i++) {
			if (!g[k].known(&in->cfg->sites[i], &in->states[i]))
				continue;
			sample_start(in, b, g[k].name, in->cfg->sites[i].name,
			    NULL, NULL);
			g[k].put(b, &in->states[i]);
		}
	}
}

static void
render_http(const struct metrics_in *in, struct buf *b)
{
	const struct config	*cfg = in->cfg;
	size_t			 i;
	int			 s;

	family(b, "peekl_up", "1 when the site is up or degraded, 0 when it "
	    "is down; absent while its state is unknown.");
	for (i = 0; i < cfg->nsites; i++) {
		enum http_state hs = in->states[i].state;

		if (site_cert_only(&cfg->sites[i]) || hs == HTTP_UNKNOWN)
			continue;
		sample_start(in, b, "peekl_up", cfg->sites[i].name, NULL, NULL);
		buf_printf(b, "%d\n", hs == HTTP_DOWN ? 0 : 1);
	}
	family(b, "peekl_http_state", "1 for the site's current HTTP state, "
	    "0 for the others.");
	for (i = 0; i < cfg->nsites; i++) {
		if (site_cert_only(&cfg->sites[i]))
			continue;
		for (s = 0; s < (int)ARRAY_LEN(http_order); s++) {
			sample_start(in, b, "peekl_http_state",
			    cfg->sites[i].name, "state",
			    http_state_name(http_order[s]));
			buf_printf(b, "%d\n", in->states[i].state ==
			    http_order[s]);
		}
	}
	render_gauges(in, b, http_gauges, ARRAY_LEN(http_gauges));
	family(b, "peekl_last_check_timestamp_seconds", "When the site's "
	    "last check of that kind started, in unix seconds.");
	for (i = 0; i < cfg->nsites; i++) {
		const struct site_state *st = &in->states[i];

		if (http_known(&cfg->sites[i], st)) {
			sample_start(in, b,
			    "peekl_last_check_timestamp_seconds",
			    cfg->sites[i].name, "kind", "http");
			put_seconds_ms(b, st->last_check);
			buf_puts(b, "\n");
		}
		if (st->cert_last_check > 0) {
			sample_start(in, b,
			    "peekl_last_check_timestamp_seconds",
			    cfg->sites[i].name, "kind", "cert");
			put_seconds_ms(b, st->cert_last_check);
			buf_puts(b, "\n");
		}
	}
}

static void
render_cert(const struct metrics_in *in, struct buf *b)
{
	const struct config	*cfg = in->cfg;
	size_t			 i;
	int			 s;

	render_gauges(in, b, cert_gauges, ARRAY_LEN(cert_gauges));
	family(b, "peekl_cert_state", "1 for the site's current certificate "
	    "state, 0 for the others.");
	for (i = 0; i < cfg->nsites; i++) {
		if (in->states[i].cert_last_check <= 0)
			continue;
		for (s = CERT_OK; s < CERT__MAX; s++) {
			sample_start(in, b, "peekl_cert_state",
			    cfg->sites[i].name, "state",
			    cert_state_name((enum cert_state)s));
			buf_printf(b, "%d\n", in->states[i].cert_state ==
			    (enum cert_state)s);
		}
	}
}

void
metrics_render(const struct metrics_in *in, struct buf *b)
{
	buf_puts(b, "");
	render_http(in, b);
	render_cert(in, b);
	family(b, "peekl_alerts_queued", "Alerts waiting for delivery in "
	    "each integration's queue.");
	for (size_t i = 0; i < in->nqueues; i++) {
		buf_puts(b, "peekl_alerts_queued{instance=\"");
		esc_prom_label(b, in->queues[i].instance);
		buf_printf(b, "\"} %ld\n", in->queues[i].len);
	}
	family(b, "peekl_silenced", "1 while the site is silenced or in a "
	    "maintenance window.");
	for (size_t i = 0; i < in->cfg->nsites; i++) {
		sample_start(in, b, "peekl_silenced", in->cfg->sites[i].name,
		    NULL, NULL);
		buf_printf(b, "%d\n", in->quiet[i] ? 1 : 0);
	}
}
