/*
 * Incidents, reports and long retention as a user meets them: Redis is
 * seeded by real `peekl check` runs against the loopback servers, each at
 * an instant pinned by PEEKL_TEST_NOW_MS, so an outage of an hour takes no
 * hour and the reports come out the same on every run.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"

/* 2026-06-01T00:00:00Z: every seeded run is at T0 plus some minutes. */
#define T0	1780272000000LL
#define MIN	(60LL * 1000)

struct seed {
	struct h_redis	*rd;
	struct h_srv	*web;	/* plain HTTP: the site "shop" */
	struct h_srv	*tls;	/* HTTPS: the site "tls", certificate checks */
	struct h_dir	*d;
	char		*cfg;
};

/* Writes the config with shop's path set to path (e.g. "ok", "status/503").
 * Only a run against /slow/ sets `slow`, so a check slowed by a loaded
 * machine (sanitizers, valgrind) never makes the others degraded. */
static void
seed_config(struct seed *s, const char *path, const char *extra)
{
	char	*shop = h_srv_url(s->web, path);
	char	*tls = h_srv_url(s->tls, "ok");
	char	*ca = h_srv_file(s->tls, "ca.pem");

	free(s->cfg);
	s->cfg = h_configf(s->d, "redis:\n  port: %d\n%s"
	    "websites:\n"
	    "  - url: %s\n    name: shop\n    retry: 0\n%s"
	    "    interval: 60\n"
	    "  - url: %s\n    name: tls\n    ca_file: %s\n    interval: 60\n"
	    "    certificate_monitoring: true\n"
	    "    certificate_monitoring_interval: 60\n    cert_warning: 36500\n",
	    h_redis_port(s->rd), extra ? extra : "", shop,
	    strncmp(path, "slow/", 5) == 0 ? "    slow: 100ms\n" : "", tls, ca);
	free(shop);
	free(tls);
	free(ca);
}

/* Runs peekl with argv at T0 + at_ms; returns the exit status. */
static int
run_at(struct seed *s, struct h_run *r, long long at_ms,
    const char *const argv[])
{
	char		 now[64];
	const char	*args[16];
	size_t		 i = 0;

	snprintf(now, sizeof(now), "PEEKL_TEST_NOW_MS=%lld", T0 + at_ms);
	args[i++] = "-c";
	args[i++] = s->cfg;
	for (; *argv != NULL && i < 15; argv++)
		args[i++] = *argv;
	args[i] = NULL;
	return h_run(r, args, (const char *[]){ "PEEKL_CONFIG", now, NULL });
}

/* One `check` at T0 + min minutes with shop at path. */
static void
check_at(struct seed *s, long long min, const char *path, const char *extra)
{
	struct h_run	r;

	seed_config(s, path, extra);
	run_at(s, &r, min * MIN, (const char *[]){ "check", NULL });
	cr_assert(r.status >= 0 && r.status <= 2, "check at +%lldm: %d: %s",
	    min, r.status, r.err);
	h_run_free(&r);
}

/*
 * The story every test reads: shop comes up at T0, is down (HTTP 503)
 * from +10m to +20m, degraded (slow) from +60m to +90m, down (HTTP 500)
 * again from +120m on; tls's certificate is in warning from T0 (its
 * threshold is 100 years).
 */
static void
seed_start_rd(struct seed *s, struct h_redis *rd, const char *extra)
{
	memset(s, 0, sizeof(*s));
	s->rd = rd;
	s->web = h_srv_start((const char *[]){ NULL });
	s->tls = h_srv_start((const char *[]){ "--tls", "--days-left", "3650",
	    "--not-before-days", "-3650", NULL });
	s->d = h_dir_new();
	check_at(s, 0, "ok", extra);
	check_at(s, 10, "status/503", extra);
	check_at(s, 14, "status/503", extra);
	check_at(s, 20, "ok", extra);
	check_at(s, 60, "slow/300", extra);
	check_at(s, 90, "ok", extra);
	check_at(s, 120, "status/500", extra);
}

static void
seed_start(struct seed *s, const char *extra)
{
	seed_start_rd(s, h_redis_start(), extra);
}

static void
seed_stop(struct seed *s)
{
	free(s->cfg);
	h_dir_free(s->d);
	h_srv_stop(s->tls);
	h_srv_stop(s->web);
	h_redis_stop(s->rd);
}

Test(incidents, every_state_change_is_in_the_stream)
{
	struct seed	 s;
	redisReply	*r;
	static const char *const want[][5] = {
		{ "1780272000000-0", "http", "unknown", "up", "" },
		{ "1780272600000-0", "http", "up", "down", "HTTP 503" },
		{ "1780273200000-0", "http", "down", "up", "" },
		{ "1780275600000-0", "http", "up", "degraded", "slow" },
		{ "1780277400000-0", "http", "degraded", "up", "" },
		{ "1780279200000-0", "http", "up", "down", "HTTP 500" },
	};

	seed_start(&s, NULL);
	r = h_redis_cmd(s.rd, "XRANGE peekl:incidents:shop - +");
	cr_assert_eq(r->type, REDIS_REPLY_ARRAY);
	cr_assert_eq(r->elements, 6, "%zu entries", r->elements);
	for (size_t i = 0; i < r->elements; i++) {
		redisReply *e = r->element[i], *f = e->element[1];

		cr_assert_str_eq(e->element[0]->str, want[i][0]);
		cr_assert_eq(f->elements, 8);
		cr_assert_str_eq(f->element[0]->str, "kind");
		cr_assert_str_eq(f->element[1]->str, want[i][1]);
		cr_assert_str_eq(f->element[2]->str, "from");
		cr_assert_str_eq(f->element[3]->str, want[i][2]);
		cr_assert_str_eq(f->element[4]->str, "to");
		cr_assert_str_eq(f->element[5]->str, want[i][3]);
		cr_assert_str_eq(f->element[6]->str, "reason");
		cr_assert(strncmp(f->element[7]->str, want[i][4],
		    strlen(want[i][4])) == 0, "%s", f->element[7]->str);
	}
	freeReplyObject(r);
	/* The certificate's change is in its site's stream. */
	r = h_redis_cmd(s.rd, "XRANGE peekl:incidents:tls - +");
	cr_assert_eq(r->type, REDIS_REPLY_ARRAY);
	cr_assert_eq(r->elements, 2, "%zu entries", r->elements);
	cr_assert_str_eq(r->element[0]->element[0]->str, "1780272000000-0");
	cr_assert_str_eq(r->element[1]->element[0]->str, "1780272000000-1",
	    "http and cert changes of one run share the millisecond");
	freeReplyObject(r);
	seed_stop(&s);
}

/* Replaces every match of the ERE re in s (malloc'd) by with; returns the
 * new malloc'd string and frees s. */
static char *
replace_all(char *s, const char *re, const char *with)
{
	regex_t		 rx;
	regmatch_t	 m;
	size_t		 cap = strlen(s) * 2 + 64, len = 0;
	char		*out = malloc(cap), *p = s;

	cr_assert_not_null(out);
	cr_assert_eq(regcomp(&rx, re, REG_EXTENDED), 0, "%s", re);
	while (regexec(&rx, p, 1, &m, p == s ? 0 : REG_NOTBOL) == 0 &&
	    m.rm_eo > 0) {
		cr_assert_lt(len + (size_t)m.rm_so + strlen(with), cap - 1);
		memcpy(out + len, p, (size_t)m.rm_so);
		len += (size_t)m.rm_so;
		memcpy(out + len, with, strlen(with));
		len += strlen(with);
		p += m.rm_eo;
	}
	cr_assert_lt(len + strlen(p), cap);
	strcpy(out + len, p);
	regfree(&rx);
	free(s);
	return out;
}

/* Measured times differ from run to run: they become N. */
static char *
normalise(char *s)
{
	s = replace_all(s, "slow: [0-9]+ ms", "slow: N ms");
	/* The test certificate's days depend on today's date. */
	s = replace_all(s, "expires in [0-9]+ days", "expires in N days");
	s = replace_all(s, "\"p50_ms\":[0-9.]+", "\"p50_ms\":N");
	s = replace_all(s, "\"p95_ms\":[0-9.]+", "\"p95_ms\":N");
	s = replace_all(s, ",[0-9]+\\.[0-9],[0-9]+\\.[0-9],", ",N,N,");
	/* The table pads them to a width of their own. */
	s = replace_all(s, " +[0-9]+ ms", " N ms");
	return s;
}

/* Runs peekl argv at T0 + 180 minutes, expects exit 0 and compares its
 * normalised output with the golden file. */
static void
golden_run(struct seed *s, const char *name, const char *const argv[])
{
	struct h_run	 r;
	char		*out;

	run_at(s, &r, 180 * MIN, argv);
	cr_assert_eq(r.status, 0, "%s: %d: %s", name, r.status, r.err);
	out = normalise(strdup(r.out));
	h_golden(name, out);
	free(out);
	h_run_free(&r);
}

/* One seeding for both commands' golden files: it is the slow part. */
Test(incidents, golden_incidents_and_report)
{
	struct seed	 s;
	struct h_run	 r;
	json_t		*doc, *site;

	seed_start(&s, NULL);
	golden_run(&s, "incidents.txt", (const char *[]){ "incidents", NULL });
	golden_run(&s, "incidents.json", (const char *[]){ "incidents",
	    "--json", NULL });
	golden_run(&s, "incidents_shop_since_1h.txt", (const char *[]){
	    "incidents", "--site", "shop", "--since", "1h", NULL });
	golden_run(&s, "report.txt", (const char *[]){ "report", NULL });
	golden_run(&s, "report.json", (const char *[]){ "report", "--json",
	    NULL });
	golden_run(&s, "report.csv", (const char *[]){ "report", "--csv",
	    NULL });
	golden_run(&s, "report_month.json", (const char *[]){ "report",
	    "--month", "2026-06", "--site", "shop", "--json", NULL });
	/* The percentiles, which the golden files leave out: one check in
	 * seven took 300 ms. */
	run_at(&s, &r, 180 * MIN, (const char *[]){ "report", "--site", "shop",
	    "--json", NULL });
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	site = json_array_get(json_object_get(doc, "sites"), 0);
	cr_assert_geq(json_real_value(json_object_get(site, "p95_ms")), 300.0);
	cr_assert_leq(json_real_value(json_object_get(site, "p50_ms")),
	    json_real_value(json_object_get(site, "p95_ms")));
	cr_assert_gt(json_real_value(json_object_get(site, "p50_ms")), 0.0);
	json_decref(doc);
	h_run_free(&r);
	seed_stop(&s);
}

#define MAPPING "  retention: {raw: 30d, hourly: 400d, daily: 5y}\n"

/* Sums the field of every entry of the stream key: the field's values
 * added, and *n the entries. */
static double
stream_sum(struct h_redis *rd, const char *key, const char *field,
    size_t *n, double *max)
{
	redisReply	*r = h_redis_cmd(rd, "XRANGE %s - +", key);
	double		 sum = 0;

	cr_assert_eq(r->type, REDIS_REPLY_ARRAY, "%s", key);
	*n = r->elements;
	if (max != NULL)
		*max = 0;
	for (size_t i = 0; i < r->elements; i++) {
		redisReply *f = r->element[i]->element[1];

		for (size_t j = 0; j + 1 < f->elements; j += 2) {
			double	v = strtod(f->element[j + 1]->str, NULL);

			if (strcmp(f->element[j]->str, field) != 0)
				continue;
			sum += v;
			if (max != NULL && v > *max)
				*max = v;
		}
	}
	freeReplyObject(r);
	return sum;
}

Test(incidents, rollups_add_up_to_the_raw_points)
{
	struct seed	s;
	size_t		n, nraw, nraw_ms;
	double		rawmax, max, sum;

	seed_start(&s, MAPPING);
	/* The raw stream: shop's seven checks (no certificate points). */
	sum = stream_sum(s.rd, "peekl:history:shop", "up", &nraw, NULL);
	cr_assert_eq(nraw, 7);
	cr_assert_float_eq(sum, 4.0, 1e-9);
	for (int res = 0; res < 2; res++) {
		const char *key = res ? "peekl:rollup:shop:1d" :
		    "peekl:rollup:shop:1h";

		cr_assert_float_eq(stream_sum(s.rd, key, "checks", &n, NULL),
		    7.0, 1e-9, "%s", key);
		cr_assert_eq(n, res ? 1 : 3, "%s: %zu buckets", key, n);
		cr_assert_float_eq(stream_sum(s.rd, key, "up", &n, NULL), 4.0,
		    1e-9, "%s", key);
		cr_assert_float_eq(stream_sum(s.rd, key, "sum_ms", &n, &max),
		    stream_sum(s.rd, "peekl:history:shop", "response_ms",
		    &nraw_ms, &rawmax), 0.01, "%s", key);
		stream_sum(s.rd, key, "max_ms", &n, &max);
		cr_assert_float_eq(max, rawmax, 0.001, "%s", key);
	}
	/* Buckets are keyed by their start: the first hour holds the
	 * checks at +0, +10, +14 and +20 minutes, two of them up. */
	{
		redisReply *r = h_redis_cmd(s.rd, "XRANGE peekl:rollup:shop:1h "
		    "- + COUNT 1");

		cr_assert_eq(r->elements, 1);
		cr_assert_str_eq(r->element[0]->element[0]->str,
		    "1780272000000-3", "rewritten three times");
		cr_assert_str_eq(r->element[0]->element[1]->element[1]->str,
		    "4");
		cr_assert_str_eq(r->element[0]->element[1]->element[3]->str,
		    "2");
		freeReplyObject(r);
	}
	/* A scalar retention keeps its old meaning: no rollups. */
	cr_assert_eq(h_redis_int(s.rd, "EXISTS peekl:rollup:tls:1h"), 1);
	seed_stop(&s);
	seed_start(&s, NULL);
	cr_assert_eq(h_redis_int(s.rd, "EXISTS peekl:rollup:shop:1h"), 0);
	seed_stop(&s);
}

Test(incidents, history_and_report_read_the_coarser_resolution)
{
	struct seed	 s;
	struct h_run	 r;
	json_t		*doc, *pts, *site;

	seed_start(&s, "  retention: {raw: 1h}\n");
	/* Two hours back is beyond the raw hour: hourly buckets, from the
	 * one that holds T0 + 60 minutes. */
	run_at(&s, &r, 180 * MIN, (const char *[]){ "history", "--site",
	    "shop", "--since", "2h", "--json", NULL });
	cr_assert_eq(r.status, 0, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	pts = json_object_get(doc, "points");
	cr_assert_eq(json_array_size(pts), 2, "%s", r.out);
	cr_assert_float_eq(json_real_value(json_object_get(json_array_get(pts,
	    0), "t")), (T0 + 60 * MIN) / 1000.0, 1e-6);
	cr_assert_float_eq(json_integer_value(json_object_get(json_array_get(pts,
	    0), "checks")), 2.0, 1e-9);
	cr_assert_float_eq(json_real_value(json_object_get(doc, "uptime_pct")),
	    66.67, 1e-9, "two of three checks up");
	json_decref(doc);
	h_run_free(&r);
	/* The terminal form lists the buckets with their checks. */
	run_at(&s, &r, 180 * MIN, (const char *[]){ "history", "--site",
	    "shop", "--since", "2h", NULL });
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "3 http checks"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "2026-06-01T01:00:00Z  http  100.0% "
	    "up  mean "), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "(2 checks)"), "%s", r.out);
	h_run_free(&r);
	/* Five hundred days is beyond the hourly 400: daily, one bucket of
	 * all seven checks. */
	run_at(&s, &r, 180 * MIN, (const char *[]){ "history", "--site",
	    "shop", "--since", "500d", "--json", NULL });
	cr_assert_eq(r.status, 0, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	pts = json_object_get(doc, "points");
	cr_assert_eq(json_array_size(pts), 1, "%s", r.out);
	cr_assert_float_eq(json_integer_value(json_object_get(json_array_get(pts,
	    0), "checks")), 7.0, 1e-9);
	json_decref(doc);
	h_run_free(&r);
	/* Within the raw hour: raw points, the one check at +120. */
	run_at(&s, &r, 180 * MIN, (const char *[]){ "history", "--site",
	    "shop", "--since", "60m", "--json", NULL });
	doc = json_loads(r.out, 0, NULL);
	pts = json_object_get(doc, "points");
	cr_assert_eq(json_array_size(pts), 1, "%s", r.out);
	cr_assert_null(json_object_get(json_array_get(pts, 0), "checks"));
	json_decref(doc);
	h_run_free(&r);
	/* The report counts the checks of the hourly buckets. */
	run_at(&s, &r, 180 * MIN, (const char *[]){ "report", "--site", "shop",
	    "--since", "2h", "--json", NULL });
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	site = json_array_get(json_object_get(doc, "sites"), 0);
	cr_assert_eq(json_integer_value(json_object_get(site, "checks")), 3,
	    "%s", r.out);
	cr_assert_eq(json_integer_value(json_object_get(site, "downtime_s")),
	    3600);
	json_decref(doc);
	h_run_free(&r);
	seed_stop(&s);
}

/* Returns the value of field name in a TS.INFO reply (owned by r). */
static redisReply *
info_get(redisReply *r, const char *name)
{
	cr_assert_eq(r->type, REDIS_REPLY_ARRAY);
	for (size_t i = 0; i + 1 < r->elements; i += 2)
		if (r->element[i]->str != NULL &&
		    strcmp(r->element[i]->str, name) == 0)
			return r->element[i + 1];
	cr_assert_fail("TS.INFO has no %s", name);
	return NULL;
}

/* Asserts that key's label name is value. */
static void
assert_label(redisReply *info, const char *name, const char *value)
{
	redisReply	*l = info_get(info, "labels");

	for (size_t i = 0; i < l->elements; i++)
		if (strcmp(l->element[i]->element[0]->str, name) == 0) {
			cr_assert_str_eq(l->element[i]->element[1]->str, value);
			return;
		}
	cr_assert_fail("no label %s", name);
}

Test(incidents, compaction_rules_with_redistimeseries)
{
	static const struct {
		const char	*site, *metric, *agg;
	} want[] = {
		{ "shop", "response_ms", "avg" }, { "shop", "up", "avg" },
		{ "shop", "http_code", "last" },
		{ "tls", "cert_days_left", "min" },
	};
	struct h_redis	*rd = h_redis_start_ts();
	struct seed	 s;
	redisReply	*info, *rules, *r;

	if (rd == NULL)
		cr_skip("RedisTimeSeries module not available (set "
		    "PEEKL_TEST_TS_MODULE)");
	seed_start_rd(&s, rd, MAPPING);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		info = h_redis_cmd(rd, "TS.INFO peekl:ts:%s:%s", want[i].site,
		    want[i].metric);
		cr_assert_eq(info_get(info, "retentionTime")->integer,
		    30LL * 86400 * 1000);
		rules = info_get(info, "rules");
		cr_assert_eq(rules->elements, 2, "%s", want[i].metric);
		for (size_t j = 0; j < 2; j++) {
			redisReply	*rule = rules->element[j];
			const char	*res = j ? "1d" : "1h";
			char		*key = h_strf("peekl:ts:%s:%s:%s",
			    want[i].site, want[i].metric, res);
			redisReply	*ci;

			cr_assert_str_eq(rule->element[0]->str, key);
			cr_assert_eq(rule->element[1]->integer,
			    j ? 86400000LL : 3600000LL);
			cr_assert(strcasecmp(rule->element[2]->str,
			    want[i].agg) == 0, "%s: %s", key,
			    rule->element[2]->str);
			ci = h_redis_cmd(rd, "TS.INFO %s", key);
			cr_assert_eq(info_get(ci, "retentionTime")->integer,
			    j ? 5 * 365LL * 86400 * 1000 :
			    400LL * 86400 * 1000, "%s", key);
			assert_label(ci, "resolution", res);
			assert_label(ci, "site", want[i].site);
			assert_label(ci, "metric", want[i].metric);
			assert_label(ci, "peekl", "1");
			freeReplyObject(ci);
			free(key);
		}
		freeReplyObject(info);
	}
	/* The first hour is closed: two of its four checks were up. */
	r = h_redis_cmd(rd, "TS.RANGE peekl:ts:shop:up:1h - +");
	cr_assert_eq(r->type, REDIS_REPLY_ARRAY);
	cr_assert_geq(r->elements, 2);
	cr_assert_eq(r->element[0]->element[0]->integer, T0);
	cr_assert_float_eq(strtod(r->element[0]->element[1]->str, NULL), 0.5,
	    1e-9);
	freeReplyObject(r);
	/* History five hundred days back reads the daily compaction, the
	 * open day included; the report over it counts no checks (the
	 * compactions keep averages, not counts). */
	{
		struct h_run	 hr;
		json_t		*doc, *pts, *site;

		run_at(&s, &hr, 180 * MIN, (const char *[]){ "history",
		    "--site", "shop", "--since", "500d", "--json", NULL });
		cr_assert_eq(hr.status, 0, "%s", hr.err);
		doc = json_loads(hr.out, 0, NULL);
		cr_assert_not_null(doc, "%s", hr.out);
		pts = json_object_get(doc, "points");
		cr_assert_eq(json_array_size(pts), 1, "%s", hr.out);
		cr_assert_float_eq(json_real_value(json_object_get(
		    json_array_get(pts, 0), "up")), 4.0 / 7.0, 0.001, "%s",
		    hr.out);
		json_decref(doc);
		h_run_free(&hr);
		run_at(&s, &hr, 180 * MIN, (const char *[]){ "report",
		    "--site", "shop", "--since", "500d", "--json", NULL });
		doc = json_loads(hr.out, 0, NULL);
		cr_assert_not_null(doc, "%s", hr.out);
		site = json_array_get(json_object_get(doc, "sites"), 0);
		cr_assert(json_is_null(json_object_get(site, "checks")), "%s",
		    hr.out);
		cr_assert_float_eq(json_real_value(json_object_get(site,
		    "uptime_pct")), 61.11, 1e-9, "%s", hr.out);
		json_decref(doc);
		h_run_free(&hr);
	}
	/* Without the mapping, no rules. */
	seed_stop(&s);
	if ((rd = h_redis_start_ts()) == NULL)
		return;
	seed_start_rd(&s, rd, NULL);
	info = h_redis_cmd(rd, "TS.INFO peekl:ts:shop:up");
	cr_assert_eq(info_get(info, "rules")->elements, 0);
	freeReplyObject(info);
	cr_assert_eq(h_redis_int(rd, "EXISTS peekl:ts:shop:up:1h"), 0);
	seed_stop(&s);
}

/* A bare environment: a Redis, a web server, one site called name. */
static void
bare_start(struct seed *s, const char *name, const char *extra)
{
	char	*url;

	memset(s, 0, sizeof(*s));
	s->rd = h_redis_start();
	s->web = h_srv_start((const char *[]){ NULL });
	s->d = h_dir_new();
	url = h_srv_url(s->web, "status/503");
	s->cfg = h_configf(s->d, "redis:\n  port: %d\n%swebsites:\n"
	    "  - url: %s\n    name: '%s'\n    retry: 0\n",
	    h_redis_port(s->rd), extra ? extra : "", url, name);
	free(url);
}

Test(incidents, retention_trims_and_a_clock_behind_loses_nothing)
{
	struct seed	s;
	struct h_run	r;

	bare_start(&s, "shop", "  incident_retention: 1h\n");
	/* unknown -> down at +0; then the site's config is unchanged, but a
	 * run whose clock is behind the stream still records its change. */
	cr_assert_eq(run_at(&s, &r, 0, (const char *[]){ "check", NULL }), 2,
	    "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_redis_int(s.rd, "XLEN peekl:incidents:shop"), 1);
	free(s.cfg);
	{
		char *url = h_srv_url(s.web, "ok");

		s.cfg = h_configf(s.d, "redis:\n  port: %d\n"
		    "  incident_retention: 1h\nwebsites:\n  - url: %s\n"
		    "    name: shop\n    retry: 0\n", h_redis_port(s.rd), url);
		free(url);
	}
	cr_assert_eq(run_at(&s, &r, -5 * MIN, (const char *[]){ "check",
	    "--site", "shop", NULL }), 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_redis_int(s.rd, "XLEN peekl:incidents:shop"), 2,
	    "the change from a clock 5 minutes behind is kept");
	/* Two hours on, a change trims what is older than an hour. */
	free(s.cfg);
	{
		char *url = h_srv_url(s.web, "status/500");

		s.cfg = h_configf(s.d, "redis:\n  port: %d\n"
		    "  incident_retention: 1h\nwebsites:\n  - url: %s\n"
		    "    name: shop\n    retry: 0\n", h_redis_port(s.rd), url);
		free(url);
	}
	cr_assert_eq(run_at(&s, &r, 120 * MIN, (const char *[]){ "check",
	    NULL }), 2, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_redis_int(s.rd, "XLEN peekl:incidents:shop"), 1);
	seed_stop(&s);
}

Test(incidents, names_are_quoted_and_bad_arguments_exit_3)
{
	struct seed	 s;
	struct h_run	 r;
	json_t		*doc;
	char		*want;

	bare_start(&s, "say \"hi\", ok", NULL);
	cr_assert_eq(run_at(&s, &r, 0, (const char *[]){ "check", NULL }), 2,
	    "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(run_at(&s, &r, 10 * MIN, (const char *[]){ "report",
	    "--csv", NULL }), 0, "%s", r.err);
	want = h_strf("site,uptime_pct,downtime_s,incidents,mttr_s,longest_s,"
	    "degraded_s,p50_ms,p95_ms,checks\r\n"
	    "\"say \"\"hi\"\", ok\",0.00,600,1,,600,0,");
	cr_assert(strncmp(r.out, want, strlen(want)) == 0, "%s", r.out);
	free(want);
	h_run_free(&r);
	cr_assert_eq(run_at(&s, &r, 10 * MIN, (const char *[]){ "incidents",
	    "--json", NULL }), 0, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(
	    json_object_get(doc, "incidents"), 0), "site")), "say \"hi\", ok");
	json_decref(doc);
	h_run_free(&r);
	cr_assert_eq(run_at(&s, &r, 0, (const char *[]){ "report", "--json",
	    "--csv", NULL }), 3);
	h_run_free(&r);
	cr_assert_eq(run_at(&s, &r, 0, (const char *[]){ "report", "--month",
	    "2026-13", NULL }), 3);
	cr_assert_not_null(strstr(r.err, "is not a month"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(run_at(&s, &r, 0, (const char *[]){ "report", "--month",
	    "2026-05", "--since", "1d", NULL }), 3);
	h_run_free(&r);
	cr_assert_eq(run_at(&s, &r, 0, (const char *[]){ "incidents", "--site",
	    "nope", NULL }), 3);
	cr_assert_not_null(strstr(r.err, "no site matches"), "%s", r.err);
	h_run_free(&r);
	/* A month before the first check: no window, no uptime. */
	cr_assert_eq(run_at(&s, &r, 0, (const char *[]){ "report", "--month",
	    "2026-05", "--json", NULL }), 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "\"uptime_pct\":null"), "%s", r.out);
	h_run_free(&r);
	/* Nor one that ended a month before it: no change, no point in
	 * reach, so no data rather than a clean month. */
	cr_assert_eq(run_at(&s, &r, 10 * MIN, (const char *[]){ "report",
	    "--month", "2026-04", "--json", NULL }), 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "\"uptime_pct\":null"), "%s", r.out);
	h_run_free(&r);
	seed_stop(&s);
}

/*
 * A window of exactly the raw retention is the raw points' (on the real
 * clock: the reader's later clock readings must not push it past the raw
 * retention into the hourly buckets). The buckets are deleted, so only
 * the raw points can show the check.
 */
Test(incidents, a_window_of_the_raw_retention_reads_raw_points)
{
	struct h_redis	*rd = h_redis_start();
	struct h_srv	*web = h_srv_start((const char *[]){ NULL });
	struct h_dir	*d = h_dir_new();
	struct h_run	 r;
	json_t		*doc, *site, *pts;
	char		*url = h_srv_url(web, "ok");
	char		*cfg = h_configf(d, "redis:\n  port: %d\n"
			    "  retention: {raw: 30d}\nwebsites:\n"
			    "  - url: %s\n    name: shop\n", h_redis_port(rd),
			    url);
	const char	*env[] = { "PEEKL_CONFIG", "PEEKL_TEST_NOW_MS", NULL };

	h_run(&r, (const char *[]){ "-c", cfg, "check", NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_redis_int(rd, "DEL peekl:rollup:shop:1h "
	    "peekl:rollup:shop:1d"), 2);
	h_run(&r, (const char *[]){ "-c", cfg, "report", "--since", "30d",
	    "--json", NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(doc = json_loads(r.out, 0, NULL), "%s", r.out);
	site = json_array_get(json_object_get(doc, "sites"), 0);
	cr_assert_eq(json_integer_value(json_object_get(site, "checks")), 1,
	    "%s", r.out);
	json_decref(doc);
	h_run_free(&r);
	h_run(&r, (const char *[]){ "-c", cfg, "history", "--site", "shop",
	    "--since", "30d", "--json", NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(doc = json_loads(r.out, 0, NULL), "%s", r.out);
	pts = json_object_get(doc, "points");
	cr_assert_eq(json_array_size(pts), 1, "%s", r.out);
	json_decref(doc);
	h_run_free(&r);
	free(cfg);
	free(url);
	h_dir_free(d);
	h_srv_stop(web);
	h_redis_stop(rd);
}
