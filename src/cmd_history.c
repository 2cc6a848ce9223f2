/* The `history` command: one site's recorded points, uptime, sparkline. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "jsonstr.h"
#include "log.h"
#include "output.h"
#include "store.h"
#include "util.h"

#define SPARK_WIDTH	60	/* columns of the sparkline */
#define SHOW_LAST	20	/* points listed in the human output */

struct summary {
	size_t	 nhttp;		/* HTTP checks (a bucket holds many) */
	size_t	 npts;		/* HTTP points (raw checks or buckets) */
	size_t	 nup;		/* of which up */
	size_t	 ncert;
	double	 up_w, all_w;	/* checks up and all, for the uptime: a
				 * compaction's bucket is up by its ratio */
	double	 min, max, sum;	/* response times of HTTP points */
};

static void
summarize(const struct point *pts, size_t n, struct summary *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		if (pts[i].kind == KIND_CERT) {
			s->ncert++;
			continue;
		}
		if (s->nhttp == 0 || pts[i].response_ms < s->min)
			s->min = pts[i].response_ms;
		if (pts[i].response_ms > s->max)
			s->max = pts[i].response_ms;
		/* An hourly or daily bucket weighs the checks it holds. */
		s->npts++;
		if (pts[i].checks > 0) {
			s->sum += pts[i].response_ms * pts[i].checks;
			s->nhttp += (size_t)pts[i].checks;
			s->nup += (size_t)(pts[i].nup + 0.5);
			s->up_w += pts[i].nup;
			s->all_w += pts[i].checks;
			continue;
		}
		s->sum += pts[i].response_ms;
		s->nhttp++;
		s->nup += pts[i].up != 0;
		s->up_w += pts[i].up != 0;
		s->all_w++;
	}
}

/*
 * Prints response times as a sparkline of at most SPARK_WIDTH columns, each
 * the mean of its bucket, scaled between the minimum and the maximum.
 */
static void
sparkline(const struct point *pts, size_t n, const struct summary *s)
{
	static const char *const bars[] = {
		"\u2581", "\u2582", "\u2583", "\u2584",
		"\u2585", "\u2586", "\u2587", "\u2588",
	};
	size_t	cols = s->npts < SPARK_WIDTH ? s->npts : SPARK_WIDTH;
	size_t	seen = 0, col = 0;
	double	acc = 0, span = s->max - s->min;
	int	cnt = 0;

	for (size_t i = 0; i < n && cols > 0; i++) {
		if (pts[i].kind != KIND_HTTP)
			continue;
		acc += pts[i].response_ms;
		cnt++;
		seen++;
		/* Close the bucket when its share of the points is in. */
		if (seen * cols >= (col + 1) * s->npts) {
			double	mean = acc / cnt;
			int	lvl = span > 0 ? (int)((mean - s->min) / span * 7.0 +
			    0.5) : 0;

			fputs(bars[lvl < 0 ? 0 : lvl > 7 ? 7 : lvl], stdout);
			acc = 0;
			cnt = 0;
			col++;
		}
	}
	putchar('\n');
}

static void
print_point(const struct point *p)
{
	char	when[32];

	format_iso8601(p->t / 1000, when, sizeof(when));
	if (p->kind == KIND_CERT)
		printf("  %s  cert  %ld days left\n", when, p->days_left);
	else if (p->checks > 0)		/* an hourly or daily bucket */
		printf("  %s  http  %5.1f%% up  mean %.0f ms  (%.0f checks)\n",
		    when, 100.0 * p->nup / p->checks, p->response_ms,
		    p->checks);
	else
		printf("  %s  http  %-4s  %3d  %.0f ms\n", when,
		    p->up ? "up" : "down", p->http_code, p->response_ms);
}

static void
print_human(const struct site *site, const struct point *pts, size_t n,
    int64_t since_ms, const struct summary *s)
{
	char	url[1024], from[32], span[32];
	size_t	first = n > SHOW_LAST ? n - SHOW_LAST : 0;

	format_iso8601(since_ms / 1000, from, sizeof(from));
	format_duration(now_ms() - since_ms, span, sizeof(span));
	printf("%s  %s\nsince %s (%s): %zu http checks, %zu cert checks\n",
	    site->name, redact_site_url(site->url, url, sizeof(url)), from,
	    span, s->nhttp, s->ncert);
	if (s->nhttp > 0) {
		printf("uptime    %.2f%% (%zu of %zu up)\n",
		    100.0 * s->up_w / s->all_w, s->nup, s->nhttp);
		printf("response  min %.0f ms, mean %.0f ms, max %.0f ms\n          ",
		    s->min, s->sum / (double)s->nhttp, s->max);
		sparkline(pts, n, s);
	}
	if (n > 0)
		printf("last %zu points:\n", n - first);
	for (size_t i = first; i < n; i++)
		print_point(&pts[i]);
}

static json_t *
point_json(const struct point *p)
{
	if (p->kind == KIND_CERT)
		return json_pack("{s:f, s:s, s:i}", "t", (double)p->t / 1000.0,
		    "kind", "cert", "days_left", (json_int_t)p->days_left);
	/* An hourly or daily bucket: its share up and how many checks. */
	if (p->checks > 0)
		return json_pack("{s:f, s:s, s:f, s:n, s:o, s:I}", "t",
		    (double)p->t / 1000.0, "kind", "http",
		    "up", round(1000.0 * p->nup / p->checks) / 1000.0,
		    "http_code", "response_ms", json_ms(p->response_ms),
		    "checks", (json_int_t)p->checks);
	return json_pack("{s:f, s:s, s:i, s:o, s:o}", "t", (double)p->t / 1000.0,
	    "kind", "http", "up", p->up ? 1 : 0,
	    "http_code", p->http_code ? json_integer(p->http_code) : json_null(),
	    "response_ms", json_ms(p->response_ms));
}

static void
print_json(const struct site *site, const struct point *pts, size_t n,
    int64_t since_ms, const struct summary *s)
{
	char	 url[1024];
	json_t	*arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, point_json(&pts[i]));
	output_json_doc(json_pack("{s:o, s:o, s:f, s:o, s:o}",
	    "site", json_text(site->name, 0),
	    "url", json_text(redact_site_url(site->url, url, sizeof(url)), 0),
	    "since", (double)since_ms / 1000.0,
	    "uptime_pct", s->all_w > 0 ? json_real(
	    round(10000.0 * s->up_w / s->all_w) / 100.0) :
	    json_null(),
	    "points", arr));
}

int
cmd_history(const struct config *cfg, const char *name, int64_t span_ms,
    int json)
{
	struct store		*store = NULL;
	struct point		*pts = NULL;
	const struct site	*site = NULL;
	struct summary		 s;
	size_t			 n = 0;
	int64_t			 now = now_ms();
	int64_t			 since = now - span_ms;
	int			 rc = SEV_UNKNOWN;

	for (size_t i = 0; i < cfg->nsites; i++)
		if (strcmp(cfg->sites[i].name, name) == 0)
			site = &cfg->sites[i];
	if (site == NULL || store_open(&cfg->redis, &store) == -1)
		goto out;
	/* A location's history is what it measured (spec/locations.md). */
	if (cfg->location != NULL)
		store_set_location(store, cfg->location);
	if (store_read_history(store, cfg, site, since, now, &pts, &n) == -1)
		goto out;
	summarize(pts, n, &s);
	if (json)
		print_json(site, pts, n, since, &s);
	else
		print_human(site, pts, n, since, &s);
	rc = 0;
out:
	free(pts);
	store_close(store);
	return rc;
}
