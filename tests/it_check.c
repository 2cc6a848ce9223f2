/*
 * `peekl check` end to end: the real binary against a real redis-server and
 * the project's loopback test servers. Time between runs is simulated the
 * way it happens in production: by what Redis remembers (last_check is moved
 * back), never by sleeping.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* Most tests: a Redis, a loopback web server, a temp dir for the config,
 * the URL of one path on the server and a config checking it as "web". */
struct env {
	struct h_redis	*rd;
	struct h_srv	*web;
	struct h_dir	*d;
	char		*url;	/* NULL unless the test sets it */
	char		*cfg;
};

static void
env_start(struct env *e)
{
	e->rd = h_redis_start();
	e->web = h_srv_start((const char *[]){ NULL });
	e->d = h_dir_new();
	e->url = NULL;
	e->cfg = NULL;
}

/* env_start, and the config of one site "web" at path (timeout 2 s, no
 * time series) plus extra YAML lines for it. */
static void
env_site(struct env *e, const char *path, const char *extra)
{
	env_start(e);
	e->url = h_srv_url(e->web, path);
	e->cfg = h_configf(e->d,
	    "redis:\n  port: %d\n  timeseries: off\n"
	    "websites:\n"
	    "  - url: %s\n    name: web\n    timeout: 2\n%s",
	    h_redis_port(e->rd), e->url, extra ? extra : "");
}

/* Frees what env_start and env_site made; a test that stopped a server
 * early sets its pointer to NULL. */
static void
env_stop(struct env *e)
{
	free(e->cfg);
	free(e->url);
	h_dir_free(e->d);
	h_srv_stop(e->web);
	h_redis_stop(e->rd);
}

/* Returns a malloc'd HGET of the site hash, NULL when absent. */
static char *
hget(const struct h_redis *rd, const char *site, const char *field)
{
	return h_redis_str(rd, "HGET peekl:site:%s %s", site, field);
}

static long long
hget_ll(const struct h_redis *rd, const char *site, const char *field)
{
	char		*v = hget(rd, site, field);
	long long	 n;

	cr_assert_not_null(v, "field %s of %s is absent", field, site);
	n = strtoll(v, NULL, 10);
	free(v);
	return n;
}

/* Moves the site's last HTTP check back by ms, as if that time had passed. */
static void
age_site(const struct h_redis *rd, const char *site, long long ms)
{
	long long	 last = hget_ll(rd, site, "last_check");

	freeReplyObject(h_redis_cmd(rd, "HSET peekl:site:%s last_check %lld",
	    site, last - ms));
}

/* Runs `peekl -c cfg check [extra]`; returns the exit status. */
static int
check(struct h_run *r, const char *cfg, const char *extra)
{
	if (extra == NULL)
		return h_run(r, (const char *[]){ "-c", cfg, "check", NULL }, NULL);
	return h_run(r, (const char *[]){ "-c", cfg, "check", extra, NULL },
	    NULL);
}

Test(check, healthy_site_ok_recorded_and_exit_0)
{
	struct env	 e;
	struct h_run	 r;
	char		*state;

	env_site(&e, "", NULL);
	cr_assert_eq(check(&r, e.cfg, NULL), 0, "stderr: %s", r.err);
	cr_assert(strstr(r.out, "OK") == r.out, "line: %s", r.out);
	cr_assert_not_null(strstr(r.out, "web"));
	cr_assert_not_null(strstr(r.out, "HTTP 200 in"));
	state = hget(e.rd, "web", "state");
	cr_assert_str_eq(state, "up");
	cr_assert_eq(hget_ll(e.rd, "web", "failures"), 0);
	cr_assert_eq(hget_ll(e.rd, "web", "http_code"), 200);
	cr_assert_eq(h_redis_int(e.rd, "XLEN peekl:history:%s", "web"), 1);
	free(state);
	h_run_free(&r);
	env_stop(&e);
}

Test(check, original_readme_config_form_runs)
{
	struct env	 e;
	struct h_run	 r;
	char		*name;

	env_start(&e);
	e.cfg = h_configf(e.d, "---\n\nredis:\n  host: 127.0.0.1\n"
	    "  port: %d\n  db: 0\n\nwebsites:\n  - url: http://127.0.0.1:%d/\n"
	    "    port: %d\n", h_redis_port(e.rd), h_srv_port(e.web),
	    h_srv_port(e.web));
	/* The original CLI: peekl -c PATH, no command. */
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", e.cfg, NULL }, NULL), 0,
	    "stderr: %s", r.err);
	cr_assert_not_null(strstr(r.out, "127.0.0.1:"), "out: %s", r.out);
	/* The default name: the URL without scheme and trailing "/". */
	name = h_strf("127.0.0.1:%d", h_srv_port(e.web));
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:site:%s", name), 1);
	free(name);
	h_run_free(&r);
	env_stop(&e);
}

Test(check, retry_threshold_over_successive_runs)
{
	struct env	 e;
	struct h_run	 r;
	char		*s;

	env_site(&e, "status/503",
	    "    retry: 2\n    interval: 60\n    retry_interval: 10\n");
	/* Failures 1 and 2 are tolerated (state stays unknown), the third
	 * turns the site down; each run is CRITICAL all the same. */
	for (int i = 1; i <= 3; i++) {
		cr_assert_eq(check(&r, e.cfg, NULL), 2, "run %d: %s", i, r.err);
		cr_assert_not_null(strstr(r.out, "HTTP 503"), "run %d: %s", i, r.out);
		cr_assert_eq(hget_ll(e.rd, "web", "failures"), i);
		s = hget(e.rd, "web", "state");
		cr_assert_str_eq(s, i < 3 ? "unknown" : "down", "run %d", i);
		free(s);
		h_run_free(&r);
		/* Not due yet: retry_interval is 10 s. */
		if (i < 3) {
			cr_assert_eq(check(&r, e.cfg, NULL), 0);
			cr_assert_str_eq(r.out, "");
			h_run_free(&r);
			/* 10 s - tolerance */
			age_site(e.rd, "web", 9500);
		}
	}
	/* Down: the next check waits for the full interval, not retry_interval. */
	age_site(e.rd, "web", 10000);
	cr_assert_eq(check(&r, e.cfg, NULL), 0);
	cr_assert_str_eq(r.out, "", "checked too early: %s", r.out);
	h_run_free(&r);
	age_site(e.rd, "web", 50000);
	cr_assert_eq(check(&r, e.cfg, NULL), 2);
	cr_assert_eq(hget_ll(e.rd, "web", "failures"), 4);
	h_run_free(&r);
	env_stop(&e);
}

Test(check, not_due_then_due_and_site_forces)
{
	struct env	 e;
	struct h_run	 r;

	env_site(&e, "ok", "    interval: 30\n");
	cr_assert_eq(check(&r, e.cfg, NULL), 0);
	h_run_free(&r);
	cr_assert_eq(h_srv_hits(e.web, "/ok"), 1);
	cr_assert_eq(check(&r, e.cfg, NULL), 0);
	h_run_free(&r);
	cr_assert_eq(h_srv_hits(e.web, "/ok"), 1, "checked again before due");
	/* --site forces a check, by name, URL or host. */
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", e.cfg, "check", "--site",
	    "web", NULL }, NULL), 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_srv_hits(e.web, "/ok"), 2);
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", e.cfg, "check", "--site",
	    "127.0.0.1", NULL }, NULL), 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_srv_hits(e.web, "/ok"), 3);
	/* 29 s later (one second of tolerance) it is due by itself. */
	age_site(e.rd, "web", 29000);
	cr_assert_eq(check(&r, e.cfg, NULL), 0);
	h_run_free(&r);
	cr_assert_eq(h_srv_hits(e.web, "/ok"), 4);
	/* An unknown --site is exit 3 naming the candidates. */
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", e.cfg, "check", "--site",
	    "nope", NULL }, NULL), 3);
	cr_assert_not_null(strstr(r.err, "web"), "%s", r.err);
	h_run_free(&r);
	env_stop(&e);
}

Test(check, dry_run_writes_nothing)
{
	struct env	 e;
	struct h_run	 r;

	env_site(&e, "status/500", "    retry: 0\n");
	cr_assert_eq(check(&r, e.cfg, "--dry-run"), 2, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "HTTP 500"), "%s", r.out);
	cr_assert_not_null(strstr(r.err, "would alert"), "%s", r.err);
	cr_assert_eq(h_redis_int(e.rd, "DBSIZE"), 0, "dry run wrote to Redis");
	h_run_free(&r);
	env_stop(&e);
}

Test(check, redis_down_is_exit_3_quickly_and_checks_nothing)
{
	struct env	 e;
	struct h_run	 r;
	int		 port;

	env_start(&e);
	port = h_redis_port(e.rd);
	e.url = h_srv_url(e.web, "ok");
	h_redis_stop(e.rd);
	e.rd = NULL;
	e.cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n  - url: %s\n",
	    port, e.url);
	cr_assert_eq(check(&r, e.cfg, NULL), 3);
	cr_assert_lt(r.elapsed_ms, 10000);
	cr_assert_not_null(strstr(r.err, "redis"), "%s", r.err);
	cr_assert_eq(h_srv_hits(e.web, NULL), 0, "checked without Redis");
	h_run_free(&r);
	env_stop(&e);
}

Test(check, one_hanging_site_does_not_add_up, .timeout = 60)
{
	struct env	 e;
	struct h_run	 r;
	char		*yaml;

	env_start(&e);
	yaml = h_strf("redis:\n  port: %d\n"
	    "websites:\n  - url: http://127.0.0.1:%d/hang\n    name: hang\n"
	    "    timeout: 2\n", h_redis_port(e.rd), h_srv_port(e.web));
	for (int i = 0; i < 10; i++) {
		char *more = h_strf("%s  - url: http://127.0.0.1:%d/slow/100\n"
		    "    name: fast%d\n", yaml, h_srv_port(e.web), i);
		free(yaml);
		yaml = more;
	}
	e.cfg = h_config(e.d, yaml);
	cr_assert_eq(check(&r, e.cfg, NULL), 2, "%s", r.err);
	cr_assert_gt(r.elapsed_ms, 1900);
	cr_assert_lt(r.elapsed_ms, 4500, "took %.0f ms", r.elapsed_ms);
	cr_assert_not_null(strstr(r.out, "timeout"), "%s", r.out);
	h_run_free(&r);
	free(yaml);
	env_stop(&e);
}

Test(check, concurrent_runs_check_a_slow_site_once, .timeout = 60)
{
	struct env	 e;
	struct h_proc	*p[3];
	struct h_run	 r;
	int		 checked = 0;

	env_site(&e, "slow/1500", "    retry: 0\n");
	for (int i = 0; i < 3; i++)
		p[i] = h_spawn((const char *[]){ "-c", e.cfg, "check", NULL },
		    NULL);
	for (int i = 0; i < 3; i++) {
		h_wait(p[i], &r);
		cr_assert_eq(r.status, 0, "%s", r.err);
		checked += strstr(r.out, "HTTP 200") != NULL;
		h_run_free(&r);
	}
	cr_assert_eq(checked, 1, "site checked %d times", checked);
	cr_assert_eq(h_srv_hits(e.web, "/slow"), 1);
	cr_assert_eq(h_redis_int(e.rd, "XLEN peekl:history:%s", "web"), 1);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:lease:%s", "web:http"), 0,
	    "lease left behind");
	env_stop(&e);
}

Test(check, json_output_matches_spec)
{
	struct env	 e;
	struct h_run	 r;
	json_error_t	 jerr;
	json_t		*doc, *res;

	env_site(&e, "status/503", NULL);
	cr_assert_eq(check(&r, e.cfg, "--json"), 2, "%s", r.err);
	doc = json_loads(r.out, 0, &jerr);
	cr_assert_not_null(doc, "not JSON: %s (%s)", r.out, jerr.text);
	res = json_array_get(json_object_get(doc, "results"), 0);
	cr_assert_not_null(res);
	cr_assert_str_eq(json_string_value(json_object_get(res, "site")), "web");
	cr_assert_str_eq(json_string_value(json_object_get(res, "url")), e.url);
	cr_assert_str_eq(json_string_value(json_object_get(res, "kind")), "http");
	cr_assert_str_eq(json_string_value(json_object_get(res, "status")),
	    "critical");
	cr_assert_eq(json_integer_value(json_object_get(res, "http_code")), 503);
	cr_assert(json_is_number(json_object_get(res, "response_ms")));
	cr_assert_str_eq(json_string_value(json_object_get(res, "error")),
	    "HTTP 503");
	cr_assert_eq(json_integer_value(json_object_get(res, "failures")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(res, "state")),
	    "unknown");
	json_decref(doc);
	h_run_free(&r);
	env_stop(&e);
}

Test(check, refused_connection_has_null_http_code)
{
	struct env	 e;
	struct h_run	 r;
	json_t		*doc, *res;

	env_site(&e, "", NULL);
	h_srv_stop(e.web);	/* nothing listens there now */
	e.web = NULL;
	cr_assert_eq(check(&r, e.cfg, "--json"), 2, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	res = json_array_get(json_object_get(doc, "results"), 0);
	cr_assert(json_is_null(json_object_get(res, "http_code")));
	cr_assert_str_eq(json_string_value(json_object_get(res, "error")),
	    "connection refused");
	json_decref(doc);
	h_run_free(&r);
	env_stop(&e);
}

Test(check, stream_fallback_contents)
{
	struct env	 e;
	struct h_run	 r;
	redisReply	*x, *f;
	int		 seen = 0;

	env_start(&e);
	e.url = h_srv_url(e.web, "status/404");
	e.cfg = h_configf(e.d, "redis:\n  port: %d\n"
	    "websites:\n  - url: %s\n    name: web\n", h_redis_port(e.rd),
	    e.url);
	/* timeseries: auto on a plain Redis falls back with a notice. */
	cr_assert_eq(check(&r, e.cfg, NULL), 2, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "stream"), "%s", r.err);
	h_run_free(&r);
	x = h_redis_cmd(e.rd, "XRANGE peekl:history:web - +");
	cr_assert_eq(x->type, REDIS_REPLY_ARRAY);
	cr_assert_eq(x->elements, 1);
	f = x->element[0]->element[1];
	for (size_t i = 0; i + 1 < f->elements; i += 2) {
		const char *k = f->element[i]->str, *v = f->element[i + 1]->str;

		if (strcmp(k, "kind") == 0)
			seen += strcmp(v, "http") == 0;
		else if (strcmp(k, "up") == 0)
			seen += strcmp(v, "0") == 0;
		else if (strcmp(k, "http_code") == 0)
			seen += strcmp(v, "404") == 0;
		else if (strcmp(k, "response_ms") == 0)
			seen += strtod(v, NULL) > 0;
	}
	cr_assert_eq(seen, 4, "stream entry fields wrong");
	freeReplyObject(x);
	env_stop(&e);
}

Test(check, sigterm_ends_the_run_quickly, .timeout = 60)
{
	struct env	 e;
	struct h_proc	*p;
	struct h_run	 r;
	double		 t0;

	env_start(&e);
	e.url = h_srv_url(e.web, "hang");
	e.cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: %s\n    name: web\n    timeout: 60\n", h_redis_port(e.rd),
	    e.url);
	p = h_spawn((const char *[]){ "-c", e.cfg, "check", NULL }, NULL);
	/* Wait until the check is in flight: the server saw the request. */
	t0 = h_now_ms();
	while (h_srv_hits(e.web, "/hang") == 0 && h_now_ms() - t0 < 10000)
		usleep(20000);
	cr_assert_eq(h_srv_hits(e.web, "/hang"), 1);
	t0 = h_now_ms();
	kill(h_proc_pid(p), SIGTERM);
	h_wait(p, &r);
	cr_assert_lt(h_now_ms() - t0, 5000);
	cr_assert_eq(r.status, 3, "%s", r.err);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:lease:%s", "web:http"), 0,
	    "lease not released");
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:site:%s", "web"), 0,
	    "abandoned check was recorded");
	h_run_free(&r);
	env_stop(&e);
}

/* With RedisTimeSeries: series with retention, LAST duplicates and labels
 * that TS.MRANGE finds; history reads them back. */
Test(check, timeseries_series_labels_retention_points)
{
	struct h_redis	*rd = h_redis_start_ts();
	struct h_srv	*web;
	struct h_dir	*d;
	char		*url, *cfg;
	struct h_run	 r;
	redisReply	*x;
	int		 found = 0;

	if (rd == NULL)
		cr_skip_test("skipped: set PEEKL_TEST_TS_MODULE to a built "
		    "redistimeseries.so to test the RedisTimeSeries path");
	web = h_srv_start((const char *[]){ NULL });
	d = h_dir_new();
	url = h_srv_url(web, "ok");
	cfg = h_configf(d, "redis:\n  port: %d\n  timeseries: on\n"
	    "  retention: 2d\nwebsites:\n  - url: %s\n    name: api\n",
	    h_redis_port(rd), url);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "check",
		    "--site", "api", NULL }, NULL), 0, "%s", r.err);
		cr_assert_null(strstr(r.err, "stream"), "fell back: %s", r.err);
		h_run_free(&r);
	}
	x = h_redis_cmd(rd, "TS.INFO peekl:ts:api:response_ms");
	cr_assert_eq(x->type, REDIS_REPLY_ARRAY, "no series");
	for (size_t i = 0; i + 1 < x->elements; i += 2) {
		const char	*k = x->element[i]->str;
		redisReply	*v = x->element[i + 1];

		if (strcmp(k, "retentionTime") == 0) {
			cr_assert_eq(v->integer, 2LL * 86400 * 1000);
			found++;
		} else if (strcmp(k, "duplicatePolicy") == 0) {
			cr_assert_str_eq(v->str, "last");
			found++;
		} else if (strcmp(k, "totalSamples") == 0) {
			cr_assert_eq(v->integer, 2);
			found++;
		}
	}
	cr_assert_eq(found, 3);
	freeReplyObject(x);
	x = h_redis_cmd(rd, "TS.MRANGE - + FILTER peekl=1 site=api");
	cr_assert_eq(x->type, REDIS_REPLY_ARRAY);
	cr_assert_eq(x->elements, 3, "response_ms, http_code, up");
	freeReplyObject(x);
	x = h_redis_cmd(rd, "TS.RANGE peekl:ts:api:http_code - +");
	cr_assert_eq(x->elements, 2);
	cr_assert_str_eq(x->element[0]->element[1]->str, "200");
	freeReplyObject(x);
	cr_assert_eq(h_redis_int(rd, "EXISTS peekl:history:api"), 0,
	    "wrote the stream too");
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "history", "--site",
	    "api", "--json", NULL }, NULL), 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "\"uptime_pct\":100"), "%s", r.out);
	h_run_free(&r);
	free(cfg);
	free(url);
	h_dir_free(d);
	h_srv_stop(web);
	h_redis_stop(rd);
}

/* timeseries: on against a Redis without the module is exit 3. */
Test(check, timeseries_on_without_module_is_exit_3)
{
	struct h_redis	*rd = h_redis_start();
	struct h_dir	*d = h_dir_new();
	char		*cfg = h_configf(d, "redis:\n  port: %d\n  timeseries: on\n"
	    "websites:\n  - url: http://127.0.0.1:1/\n", h_redis_port(rd));
	struct h_run	 r;

	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "check", NULL },
	    NULL), 3);
	cr_assert_not_null(strstr(r.err, "RedisTimeSeries"), "%s", r.err);
	h_run_free(&r);
	free(cfg);
	h_dir_free(d);
	h_redis_stop(rd);
}

/* Returns Redis' count of read events: one per batch of commands a client
 * sends, so it counts round trips, not commands. */
static long long
redis_reads(const struct h_redis *rd)
{
	char		*info = h_redis_str(rd, "INFO stats");
	const char	*p;
	long long	 n = -1;

	cr_assert_not_null(info);
	if ((p = strstr(info, "total_reads_processed:")) != NULL)
		n = strtoll(p + strlen("total_reads_processed:"), NULL, 10);
	free(info);
	cr_assert_geq(n, 0);
	return n;
}

/* Redis work is pipelined: a run over 300 sites costs a handful of round
 * trips, as one over 3 does, not one per site. */
Test(check, redis_round_trips_do_not_grow_with_sites, .timeout = 60)
{
	struct env	 e;
	long long	 trips[2];
	const int	 sizes[2] = { 3, 300 };
	struct h_run	 r;

	env_start(&e);
	for (int k = 0; k < 2; k++) {
		char		*yaml = h_strf("redis:\n  port: %d\n  prefix: p%d\n"
		    "websites:\n", h_redis_port(e.rd), k);
		char		*cfg;
		long long	 before;

		for (int i = 0; i < sizes[k]; i++) {
			char *more = h_strf("%s  - url: http://127.0.0.1:%d/ok\n"
			    "    name: \"s %d\"\n", yaml, h_srv_port(e.web), i);
			free(yaml);
			yaml = more;
		}
		cfg = h_config(e.d, yaml);
		before = redis_reads(e.rd);
		cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "check", NULL },
		    NULL), 0, "%s", r.err);
		/* The INFO call that reads the count is one read itself. */
		trips[k] = redis_reads(e.rd) - before - 1;
		cr_assert_eq((long long)(strchr(r.out, '\n') ? 1 : 0), 1);
		h_run_free(&r);
		free(cfg);
		free(yaml);
	}
	cr_log_info("round trips: %lld for 3 sites, %lld for 300", trips[0], trips[1]);
	/* Redis reads at most 16 KiB per read event, so a large pipeline
	 * counts a few times (the write of 300 results is ~75 KiB); one
	 * round trip per site would count over 1200. */
	cr_assert_lt(trips[1], trips[0] + 40, "3 sites: %lld round trips, "
	    "300 sites: %lld", trips[0], trips[1]);
	env_stop(&e);
}

/* A site key of the wrong type (someone's SET on peekl:site:NAME): that
 * site is skipped with an error and exit 3; the others are checked and
 * recorded, and no alert is queued again and again for it. */
Test(check, wrong_type_key_skips_that_site_only)
{
	struct env	 e;
	struct h_srv	*hook = h_webhook_start();
	struct h_run	 r;

	env_start(&e);
	e.cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: http://127.0.0.1:%d/ok\n    name: good\n"
	    "  - url: http://127.0.0.1:%d/status/503\n    name: broken\n"
	    "    retry: 0\nalertmanagers:\n  webhook:\n"
	    "    url: http://127.0.0.1:%d/hook\n", h_redis_port(e.rd),
	    h_srv_port(e.web), h_srv_port(e.web), h_srv_port(hook));
	freeReplyObject(h_redis_cmd(e.rd, "SET peekl:site:broken garbage"));
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(h_run(&r, (const char *[]){ "-c", e.cfg, "check",
		    "--site", "good", "--site", "broken", NULL }, NULL), 3);
		cr_assert_not_null(strstr(r.err, "peekl:site:broken is not a hash"),
		    "%s", r.err);
		cr_assert_not_null(strstr(r.out, "good"), "%s", r.out);
		cr_assert_null(strstr(r.out, "broken"), "%s", r.out);
		h_run_free(&r);
	}
	cr_assert_eq(hget_ll(e.rd, "good", "http_code"), 200);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:%s", "webhook"), 0);
	cr_assert_eq(h_webhook_count(hook, -1), 0);
	h_srv_stop(hook);
	env_stop(&e);
}

/* max_concurrency bounds HTTP and certificate checks together: with 2,
 * two hanging HTTP checks and two silent TLS servers take two rounds of
 * the timeout, not one. */
Test(check, max_concurrency_bounds_both_kinds_together, .timeout = 60)
{
	struct env	 e;
	struct h_srv	*silent = h_srv_start((const char *[]){ "--mode",
	    "silent", NULL });
	struct h_run	 r;
	int		 web;

	env_start(&e);
	web = h_srv_port(e.web);
	e.cfg = h_configf(e.d, "redis:\n  port: %d\n"
	    "max_concurrency: 2\ndefaults:\n  timeout: 1\n  retry: 0\nwebsites:\n"
	    "  - url: http://127.0.0.1:%d/hang\n    name: h1\n"
	    "  - url: http://127.0.0.1:%d/hang?2\n    name: h2\n"
	    "  - url: http://127.0.0.1:%d/hang?3\n    name: c1\n"
	    "    certificate_monitoring: true\n    port: %d\n"
	    "  - url: http://127.0.0.1:%d/hang?4\n    name: c2\n"
	    "    certificate_monitoring: true\n    port: %d\n",
	    h_redis_port(e.rd), web, web, web, h_srv_port(silent), web,
	    h_srv_port(silent));
	/* 4 HTTP checks (1 s each) and 2 cert checks (1 s each) through 2
	 * slots: at least 3 rounds, whereas 2 slots per kind would take 2. */
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", e.cfg, "check", NULL },
	    NULL), 2, "%s", r.err);
	cr_assert_gt(r.elapsed_ms, 2900, "%.0f ms: more than 2 checks in flight",
	    r.elapsed_ms);
	h_run_free(&r);
	h_srv_stop(silent);
	env_stop(&e);
}

/* With more due checks than max_concurrency, the leases outlive the last
 * wave, so an overlapping run can never check the same site meanwhile. */
Test(check, leases_cover_every_wave, .timeout = 60)
{
	struct env	 e;
	struct h_proc	*p;
	struct h_run	 r;
	double		 t0;
	int		 web;

	env_start(&e);
	web = h_srv_port(e.web);
	e.cfg = h_configf(e.d, "redis:\n  port: %d\n"
	    "max_concurrency: 1\ndefaults:\n  timeout: 2\nwebsites:\n"
	    "  - url: http://127.0.0.1:%d/slow/600\n    name: s1\n"
	    "  - url: http://127.0.0.1:%d/slow/600?2\n    name: s2\n"
	    "  - url: http://127.0.0.1:%d/slow/600?3\n    name: s3\n",
	    h_redis_port(e.rd), web, web, web);
	t0 = h_now_ms();
	p = h_spawn((const char *[]){ "-c", e.cfg, "check", NULL }, NULL);
	while (h_srv_hits(e.web, "/slow") == 0 && h_now_ms() - t0 < 10000)
		usleep(10000);
	/* 3 waves of up to 2 s, plus the 5 s margin. */
	cr_assert_gt(h_redis_int(e.rd, "PTTL peekl:lease:%s", "s3:http"), 9000);
	h_wait(p, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	h_run_free(&r);
	env_stop(&e);
}
