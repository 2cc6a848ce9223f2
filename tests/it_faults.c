/*
 * A run that could not do its job says so: exit 3 (UNKNOWN), never 0, with
 * nothing half-written and nothing lost. libcurl is made to fail by
 * tests/faultshim.c (LD_PRELOAD, $PEEKL_FAULTSHIM); Redis by killing
 * peekl's connection while a check is in flight.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

struct env {
	struct h_redis	*rd;
	struct h_srv	*web;
	struct h_srv	*hook;
	struct h_dir	*d;
	char		*cfg;
	char		*preload;	/* "LD_PRELOAD=..." */
	char		*asan;		/* "ASAN_OPTIONS=..." */
};

/* A Redis, a web server, a webhook receiver and the config of one site
 * "web" at path that alerts on its first failure. */
static void
env_start(struct env *e, const char *path)
{
	const char	*shim = getenv("PEEKL_FAULTSHIM");
	const char	*asan = getenv("ASAN_OPTIONS");

	cr_assert_not_null(shim, "PEEKL_FAULTSHIM is not set (make sets it)");
	e->rd = h_redis_start();
	e->web = h_srv_start((const char *[]){ NULL });
	e->hook = h_webhook_start();
	e->d = h_dir_new();
	e->cfg = h_configf(e->d, "redis:\n  port: %d\n  timeseries: off\n"
	    "websites:\n  - url: http://127.0.0.1:%d/%s\n    name: web\n"
	    "    retry: 0\n    timeout: 10\n"
	    "alertmanagers:\n  webhook:\n    url: http://127.0.0.1:%d/hook\n"
	    "    timeout: 2\n",
	    h_redis_port(e->rd), h_srv_port(e->web), path,
	    h_srv_port(e->hook));
	e->preload = h_strf("LD_PRELOAD=%s", shim);
	/* An ASan build wants its runtime first; the shim comes before it. */
	e->asan = h_strf("ASAN_OPTIONS=%s%sverify_asan_link_order=0",
	    asan ? asan : "", asan ? ":" : "");
}

static void
env_stop(struct env *e)
{
	free(e->asan);
	free(e->preload);
	free(e->cfg);
	h_dir_free(e->d);
	h_srv_stop(e->hook);
	h_srv_stop(e->web);
	h_redis_stop(e->rd);
}

/* Runs `peekl check` with PEEKL_FAULT=fault (NULL: none); returns the exit
 * status. */
static int
run_with_fault(struct env *e, const char *fault, struct h_run *r)
{
	char	*f = h_strf("PEEKL_FAULT=%s", fault ? fault : "");
	int	 status;

	status = h_run(r, (const char *[]){ "-c", e->cfg, "check", NULL },
	    (const char *[]){ e->preload, e->asan, f, NULL });
	free(f);
	return status;
}

/* Asserts that no lease of the site is left behind. */
static void
assert_no_leases(struct env *e)
{
	cr_assert_eq(h_redis_int(e->rd, "EXISTS peekl:lease:web:http"), 0,
	    "lease left behind");
}

/* With the engine unable to start, a down site exits 3, not 0: nothing
 * was measured, so nothing is recorded and nothing is sent. The same run
 * without the fault finds the site down (exit 2), so the fault is what
 * made the difference. */
Test(faults, engine_start_failure_exits_3, .timeout = 60)
{
	struct env	e;
	struct h_run	r;

	env_start(&e, "status/503");
	cr_assert_eq(run_with_fault(&e, "curl_multi_init", &r), 3,
	    "exit %d, stderr: %s", r.status, r.err);
	cr_assert_neq(strstr(r.err, "ERROR"), NULL, "no error logged: %s",
	    r.err);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:site:web"), 0,
	    "a result was recorded without a check");
	assert_no_leases(&e);
	cr_assert_eq(h_webhook_count(e.hook, -1), 0);
	h_run_free(&r);

	cr_assert_eq(run_with_fault(&e, NULL, &r), 2, "%s", r.err);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	h_run_free(&r);
	env_stop(&e);
}

/* Returns 1 once key exists, 0 after timeout_ms. */
static int
wait_key(struct env *e, const char *key, double timeout_ms)
{
	struct timespec	ts = { 0, 20 * 1000000L };
	double		deadline = h_now_ms() + timeout_ms;

	while (h_now_ms() < deadline) {
		if (h_redis_int(e->rd, "EXISTS %s", key) == 1)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* Redis drops peekl's connection while a check is in flight: the results
 * cannot be written, so the run exits 3 and nothing is half-written. */
Test(faults, lost_redis_connection_mid_run_exits_3, .timeout = 60)
{
	struct env	 e;
	struct h_proc	*p;
	struct h_run	 r;

	env_start(&e, "slow/2000");
	p = h_spawn((const char *[]){ "-c", e.cfg, "check", NULL }, NULL);
	cr_assert(wait_key(&e, "peekl:lease:web:http", 10000),
	    "the check never took its lease");
	/* SKIPME yes (the default) spares the connection asking. */
	cr_assert_geq(h_redis_int(e.rd, "CLIENT KILL TYPE normal"), 1);
	cr_assert_eq(h_wait(p, &r), 3, "exit %d, stderr: %s", r.status,
	    r.err);
	cr_assert_neq(strstr(r.err, "redis"), NULL, "%s", r.err);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:site:web"), 0,
	    "results half-written");
	h_run_free(&r);
	env_stop(&e);
}

/* An option libcurl refuses abandons that check, names the site and the
 * option, and makes the run exit 3 with nothing recorded for the check and
 * its lease released. */
Test(faults, refused_option_exits_3, .timeout = 60)
{
	struct env	e;
	struct h_run	r;

	env_start(&e, "ok");
	/* 10018 is CURLOPT_USERAGENT, which every HTTP check sets. */
	cr_assert_eq(run_with_fault(&e, "setopt:10018", &r), 3,
	    "exit %d, stderr: %s", r.status, r.err);
	cr_assert_neq(strstr(r.err, "web: libcurl refused CURLOPT_USERAGENT"),
	    NULL, "%s", r.err);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:site:web"), 0,
	    "a result was recorded without a check");
	assert_no_leases(&e);
	h_run_free(&r);
	env_stop(&e);
}

/* A delivery that cannot be set up (10015 is CURLOPT_POSTFIELDS, which
 * every delivery sets) keeps its alert queued and exits 3;
 * the next run without the fault delivers it, once. */
Test(faults, failed_delivery_setopt_keeps_the_alert, .timeout = 60)
{
	struct env	e;
	struct h_run	r;

	env_start(&e, "status/503");
	cr_assert_eq(run_with_fault(&e, "setopt:10015", &r), 3,
	    "exit %d, stderr: %s", r.status, r.err);
	cr_assert_eq(h_webhook_count(e.hook, -1), 0);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:webhook"), 1,
	    "the alert was not kept");
	h_run_free(&r);

	h_run(&r, (const char *[]){ "-c", e.cfg, "check", NULL }, NULL);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1, "%s", r.err);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:webhook"), 0);
	h_run_free(&r);
	env_stop(&e);
}
