/*
 * The `report` command: per site over a window, uptime from the time spent
 * down (the incidents), outages, MTTR, the longest outage, time degraded,
 * response-time percentiles and the number of checks (the recorded points,
 * or the hourly or daily history when they no longer reach back), then all
 * sites together. A table, JSON, or CSV (RFC 4180).
 */
#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "incidents.h"
#include "jsonstr.h"
#include "output.h"
#include "state.h"
#include "store.h"
#include "util.h"

/* A response time and how many checks it stands for. */
struct sample {
	double	ms;
	double	weight;
};

struct samples {
	struct sample	*v;
	size_t		 n, cap;
};

/* One line of the report. */
struct line {
	const char	*name;		/* NULL for all sites together */
	struct downtime	 dt;		/* from the incidents */
	struct samples	 rt;		/* response times */
	double		 checks;	/* HTTP checks recorded */
	int		 checks_known;	/* 0: only compactions, which keep no
					 * count */
};

static void
samples_add(struct samples *s, double ms, double weight)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n].ms = ms;
	s->v[s->n++].weight = weight;
}

static int
sample_cmp(const void *a, const void *b)
{
	const struct sample	*p = a, *q = b;

	return p->ms < q->ms ? -1 : p->ms > q->ms;
}

/* Returns the nearest-rank p-th percentile (0 < p <= 1) of s, weighted by
 * the checks each value stands for; -1 when s is empty. Sorts s. */
static double
percentile(struct samples *s, double p)
{
	double	total = 0, acc = 0;

	if (s->n == 0)
		return -1;
	qsort(s->v, s->n, sizeof(*s->v), sample_cmp);
	for (size_t i = 0; i < s->n; i++)
		total += s->v[i].weight;
	for (size_t i = 0; i < s->n; i++) {
		acc += s->v[i].weight;
		if (acc >= p * total - 1e-9)
			return s->v[i].ms;
	}
	return s->v[s->n - 1].ms;
}

int
parse_month(const char *s, int64_t *from, int64_t *to)
{
	struct tm	tm;
	int		y, m;

	if (s == NULL || strlen(s) != 7 || s[4] != '-')
		return -1;
	for (int i = 0; i < 7; i++)
		if (i != 4 && !isdigit((unsigned char)s[i]))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	if (y < 1970 || m < 1 || m > 12)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = 1;
	*from = (int64_t)timegm(&tm) * 1000;
	tm.tm_year += m == 12;
	tm.tm_mon = m % 12;
	*to = (int64_t)timegm(&tm) * 1000;
	return 0;
}

/* Reads the response times and check count of one site over [since,
 * until) at the finest resolution covering it; *first gets the earliest
 * point's time (0 when none). 0, or -1 (logged). */
static int
read_times(struct store *store, const struct config *cfg,
    const struct site *site, int64_t since, int64_t until, int64_t at,
    struct line *l, int64_t *first)
{
	int	res = store_resolution(store, since, at);

	*first = 0;
	l->checks_known = 1;
	if (res == -1) {
		struct point	*pts;
		size_t		 n;

		if (store_read_history(store, cfg, site, since, at, &pts,
		    &n) == -1)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (pts[i].kind != KIND_HTTP || pts[i].t >= until)
				continue;
			if (*first == 0)
				*first = pts[i].t;
			samples_add(&l->rt, pts[i].response_ms, 1);
			l->checks++;
		}
		free(pts);
	} else {
		struct rollup	*b;
		size_t		 n;

		if (store_read_rollups(store, site->name, (enum resolution)res,
		    since, until, &b, &n) == -1)
			return -1;
		for (size_t i = 0; i < n; i++) {
			if (b[i].t >= until || b[i].checks <= 0)
				continue;
			if (*first == 0)
				*first = b[i].t;
			samples_add(&l->rt, b[i].sum_ms / b[i].checks,
			    b[i].checks);
			l->checks += b[i].checks;
			if (!b[i].counted)
				l->checks_known = 0;
		}
		free(b);
	}
	return 0;
}

/* Fills l for one site. 0, or -1 (logged). */
static int
site_line(struct store *store, const struct config *cfg,
    const struct site *site, const struct site_state *st,
    const struct view_opts *o, struct line *l)
{
	struct incident	*v = NULL;
	size_t		 n = 0;
	int64_t		 first, first_point;

	l->name = site->name;
	if (store_read_incidents(store, site->name, o->since_ms, o->until_ms,
	    &v, &n) == -1 || read_times(store, cfg, site, o->since_ms,
	    o->until_ms, o->at_ms, l, &first_point) == -1) {
		free(v);
		return -1;
	}
	/* Without a change out of "unknown" in reach, the first point; for
	 * a site never checked, or no change up to the window's end and no
	 * point in it (a month before the first check), no window at all. */
	first = incidents_first_check(v, n);
	if (first == 0 && n == 0)
		first = st->last_check == 0 || first_point == 0 ? INT64_MAX :
		    first_point;
	incidents_downtime(v, n, o->since_ms, o->until_ms, first, st->state,
	    &l->dt);
	free(v);
	return 0;
}

/* Adds line l into the total t. */
static void
total_add(struct line *t, const struct line *l)
{
	t->dt.window_ms += l->dt.window_ms;
	t->dt.down_ms += l->dt.down_ms;
	t->dt.degraded_ms += l->dt.degraded_ms;
	t->dt.downs += l->dt.downs;
	t->dt.recovered += l->dt.recovered;
	t->dt.recovered_ms += l->dt.recovered_ms;
	if (l->dt.longest_ms > t->dt.longest_ms)
		t->dt.longest_ms = l->dt.longest_ms;
	for (size_t i = 0; i < l->rt.n; i++)
		samples_add(&t->rt, l->rt.v[i].ms, l->rt.v[i].weight);
	t->checks += l->checks;
	if (!l->checks_known)
		t->checks_known = 0;
}

/* The computed values of a line, -1 where there is none. */
struct values {
	double	uptime;		/* rounded to two decimals */
	int64_t	mttr_s;
	double	p50, p95;	/* rounded to one decimal */
	double	checks;
};

static void
line_values(struct line *l, struct values *v)
{
	int64_t	mttr = downtime_mttr_ms(&l->dt);
	double	up = downtime_uptime_pct(&l->dt);

	v->uptime = up < 0 ? -1 : round(up * 100.0) / 100.0;
	v->mttr_s = mttr < 0 ? -1 : mttr / 1000;
	v->p50 = percentile(&l->rt, 0.50);
	v->p95 = percentile(&l->rt, 0.95);
	if (v->p50 >= 0)
		v->p50 = round(v->p50 * 10.0) / 10.0;
	if (v->p95 >= 0)
		v->p95 = round(v->p95 * 10.0) / 10.0;
	v->checks = l->checks_known ? l->checks : -1;
}

static json_t *
num_or_null(double x)
{
	return x < 0 ? json_null() : json_real(x);
}

static json_t *
line_json(struct line *l)
{
	struct values	 v;
	json_t		*o = json_object();

	line_values(l, &v);
	if (l->name != NULL)
		json_object_set_new(o, "site", json_text(l->name, 0));
	json_object_set_new(o, "uptime_pct", num_or_null(v.uptime));
	json_object_set_new(o, "downtime_s",
	    json_integer(l->dt.down_ms / 1000));
	json_object_set_new(o, "incidents", json_integer(l->dt.downs));
	json_object_set_new(o, "mttr_s", v.mttr_s < 0 ? json_null() :
	    json_integer(v.mttr_s));
	json_object_set_new(o, "longest_s",
	    json_integer(l->dt.longest_ms / 1000));
	json_object_set_new(o, "degraded_s",
	    json_integer(l->dt.degraded_ms / 1000));
	json_object_set_new(o, "p50_ms", num_or_null(v.p50));
	json_object_set_new(o, "p95_ms", num_or_null(v.p95));
	json_object_set_new(o, "checks", v.checks < 0 ? json_null() :
	    json_integer((json_int_t)v.checks));
	return o;
}

/* Writes field s as RFC 4180 wants it: quoted, inner quotes doubled, when
 * it holds a comma, a quote or a line break. */
static void
csv_field(const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void
csv_line(struct line *l)
{
	struct values	v;
	char		up[32] = "", mttr[32] = "", p50[32] = "", p95[32] = "";
	char		checks[32] = "";

	line_values(l, &v);
	if (v.uptime >= 0)
		snprintf(up, sizeof(up), "%.2f", v.uptime);
	if (v.mttr_s >= 0)
		snprintf(mttr, sizeof(mttr), "%" PRId64, v.mttr_s);
	if (v.p50 >= 0)
		snprintf(p50, sizeof(p50), "%.1f", v.p50);
	if (v.p95 >= 0)
		snprintf(p95, sizeof(p95), "%.1f", v.p95);
	if (v.checks >= 0)
		snprintf(checks, sizeof(checks), "%.0f", v.checks);
	csv_field(l->name);
	printf(",%s,%" PRId64 ",%ld,%s,%" PRId64 ",%" PRId64 ",%s,%s,%s\r\n",
	    up, l->dt.down_ms / 1000, l->dt.downs, mttr,
	    l->dt.longest_ms / 1000, l->dt.degraded_ms / 1000, p50, p95,
	    checks);
}

/* Formats a duration for the table: "-" for none. */
static void
dur(int64_t ms, char *out, size_t outsz)
{
	if (ms < 0)
		snprintf(out, outsz, "-");
	else
		format_duration(ms, out, outsz);
}

static void
table_line(struct line *l, int namew)
{
	struct values	v;
	char		up[16] = "-", down[32], mttr[32], longest[32];
	char		degr[32], p50[32] = "-", p95[32] = "-", checks[32] = "-";

	line_values(l, &v);
	if (v.uptime >= 0)
		snprintf(up, sizeof(up), "%.2f%%", v.uptime);
	dur(l->dt.down_ms, down, sizeof(down));
	dur(v.mttr_s < 0 ? -1 : v.mttr_s * 1000, mttr, sizeof(mttr));
	dur(l->dt.longest_ms, longest, sizeof(longest));
	dur(l->dt.degraded_ms, degr, sizeof(degr));
	if (v.p50 >= 0)
		snprintf(p50, sizeof(p50), "%.0f ms", v.p50);
	if (v.p95 >= 0)
		snprintf(p95, sizeof(p95), "%.0f ms", v.p95);
	if (v.checks >= 0)
		snprintf(checks, sizeof(checks), "%.0f", v.checks);
	printf("%-*s  %7s  %8s  %9ld  %8s  %8s  %8s  %8s  %8s  %s\n", namew,
	    l->name != NULL ? l->name : "all sites", up, down, l->dt.downs,
	    mttr, longest, degr, p50, p95, checks);
}

static void
print_table(struct line *lines, size_t n, struct line *total,
    const struct view_opts *o)
{
	char	from[32], to[32], span[32];
	int	namew = 9;	/* "all sites" */

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(lines[i].name) > namew)
			namew = (int)strlen(lines[i].name);
	if (namew > 40)
		namew = 40;
	format_iso8601(o->since_ms / 1000, from, sizeof(from));
	format_iso8601(o->until_ms / 1000, to, sizeof(to));
	format_duration(o->until_ms - o->since_ms, span, sizeof(span));
	printf("report %s to %s (%s)\n", from, to, span);
	printf("%-*s  %7s  %8s  %9s  %8s  %8s  %8s  %8s  %8s  %s\n", namew,
	    "SITE", "UPTIME", "DOWN", "INCIDENTS", "MTTR", "LONGEST",
	    "DEGRADED", "P50", "P95", "CHECKS");
	for (size_t i = 0; i < n; i++)
		table_line(&lines[i], namew);
	table_line(total, namew);
}

int
cmd_report(const struct config *cfg, const struct view_opts *o)
{
	struct store		*store = NULL;
	struct site_state	*states;
	struct line		*lines, total;
	unsigned char		*want;
	size_t			 n = 0, i;
	int			 rc = SEV_UNKNOWN;

	memset(&total, 0, sizeof(total));
	total.checks_known = 1;
	states = xcalloc(cfg->nsites, sizeof(*states));
	lines = xcalloc(cfg->nsites, sizeof(*lines));
	if ((want = view_sites(cfg, o)) == NULL ||
	    store_open(&cfg->redis, &store) == -1 ||
	    store_read_states(store, cfg, states) == -1)
		goto out;
	for (i = 0; i < cfg->nsites; i++) {
		if (!want[i] || site_cert_only(&cfg->sites[i]))
			continue;
		if (site_line(store, cfg, &cfg->sites[i], &states[i], o,
		    &lines[n]) == -1)
			goto out;
		total_add(&total, &lines[n++]);
	}
	if (o->json) {
		json_t	*arr = json_array();

		for (i = 0; i < n; i++)
			json_array_append_new(arr, line_json(&lines[i]));
		output_json_doc(json_pack("{s:f, s:f, s:o, s:o}",
		    "since", (double)o->since_ms / 1000.0,
		    "until", (double)o->until_ms / 1000.0,
		    "sites", arr, "total", line_json(&total)));
	} else if (o->csv) {
		printf("site,uptime_pct,downtime_s,incidents,mttr_s,longest_s,"
		    "degraded_s,p50_ms,p95_ms,checks\r\n");
		for (i = 0; i < n; i++)
			csv_line(&lines[i]);
	} else
		print_table(lines, n, &total, o);
	fflush(stdout);
	rc = 0;
out:
	for (i = 0; i < cfg->nsites; i++)
		free(lines[i].rt.v);
	free(lines);
	free(total.rt.v);
	free(states);
	free(want);
	store_close(store);
	return rc;
}
