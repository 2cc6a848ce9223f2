/*
 * heartbeat_url end to end: after each check run, the loopback receiver
 * (testsrv's webhook mode, standing in for healthchecks.io) gets one GET
 * of the URL, or of URL/fail after a run that exits 3; the ping never
 * changes the exit status and the URL never appears in the output.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

#define UUID "0f1e2d3c-SeCrEtUuId"

/* Returns how many GETs of exactly target the receiver logged. */
static int
gets(const struct h_srv *hb, const char *target)
{
	char	*path = h_srv_file(hb, "log"), *log = h_read_file(path);
	char	*want = h_strf("\tGET\t%s\t", target);
	int	 n = 0;

	for (char *p = log; p != NULL && (p = strstr(p, want)) != NULL; p++)
		n++;
	free(want);
	free(log);
	free(path);
	return n;
}

/* Writes a config checking the web server's path with heartbeat_url on
 * hb's /ping/UUID (plus suffix), against the Redis on redis_port. */
static char *
config(struct h_env *e, const struct h_srv *hb, int redis_port,
    const char *path, const char *suffix)
{
	return h_configf(e->d, "redis:\n  port: %d\n"
	    "heartbeat_url: http://127.0.0.1:%d/ping/" UUID "%s\n"
	    "websites:\n  - url: http://127.0.0.1:%d/%s\n    name: web\n"
	    "    retry: 0\n    timeout: 2\n",
	    redis_port, h_srv_port(hb), suffix, h_srv_port(e->web), path);
}

/* Runs peekl with args (debug logging on) and asserts the URL's secret
 * part never shows. */
static int
run(struct h_run *r, const char *const args[])
{
	h_run(r, args, NULL);
	cr_assert_null(strstr(r->err, "SeCrEt"), "secret in stderr: %s", r->err);
	cr_assert_null(strstr(r->out, "SeCrEt"), "secret in stdout: %s", r->out);
	return r->status;
}

Test(heartbeat, pinged_after_every_run_that_did_its_job)
{
	struct h_env	 e;
	struct h_srv	*hb;
	struct h_run	 r;
	char		*cfg;

	h_env_start(&e);
	hb = h_webhook_start();
	cfg = config(&e, hb, h_redis_port(e.rd), "ok", "");
	cr_assert_eq(run(&r, (const char *[]){ "-v", "-c", cfg, "check",
	    NULL }), 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(gets(hb, "/ping/" UUID), 1);
	/* A site that is down is the job done well: exit 2, still a ping. */
	free(cfg);
	cfg = config(&e, hb, h_redis_port(e.rd), "status/503", "");
	cr_assert_eq(run(&r, (const char *[]){ "-v", "-c", cfg, "check",
	    "--site", "web", NULL }), 2, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(gets(hb, "/ping/" UUID), 2);
	cr_assert_eq(gets(hb, "/ping/" UUID "/fail"), 0);
	/* Neither a dry run nor another command pings. */
	cr_assert_eq(run(&r, (const char *[]){ "-v", "-c", cfg, "check",
	    "--dry-run", "--site", "web", NULL }), 2, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(run(&r, (const char *[]){ "-v", "-c", cfg, "status",
	    NULL }), 2, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(hb, -1), 2, "a dry run or status pinged");
	free(cfg);
	h_srv_stop(hb);
	h_env_stop(&e);
}

Test(heartbeat, fail_after_a_run_that_could_not)
{
	struct h_env	 e;
	struct h_srv	*hb;
	struct h_run	 r;
	char		*cfg;
	int		 dead;

	h_env_start(&e);
	hb = h_webhook_start();
	/* Redis unreachable: the run exits 3 and says so to the service. */
	dead = h_redis_port(e.rd);
	h_redis_stop(e.rd);
	e.rd = NULL;
	cfg = config(&e, hb, dead, "ok", "");
	cr_assert_eq(run(&r, (const char *[]){ "-v", "-c", cfg, "check",
	    NULL }), 3, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(gets(hb, "/ping/" UUID "/fail"), 1);
	cr_assert_eq(gets(hb, "/ping/" UUID), 0);
	/* A URL ending in "/" gets no doubled slash. */
	free(cfg);
	cfg = config(&e, hb, dead, "ok", "/");
	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "check", NULL }), 3,
	    "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(gets(hb, "/ping/" UUID "/fail"), 2);
	/* A mistyped --site says nothing about the monitor. */
	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "check", "--site",
	    "nosuch", NULL }), 3, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(hb, -1), 2);
	free(cfg);
	h_srv_stop(hb);
	h_env_stop(&e);
}

Test(heartbeat, a_failed_ping_never_changes_the_exit_status)
{
	struct h_env	 e;
	struct h_srv	*hb;
	struct h_run	 r;
	char		*cfg, *want;

	h_env_start(&e);
	hb = h_webhook_start();
	cfg = config(&e, hb, h_redis_port(e.rd), "ok", "");
	h_webhook_respond(hb, "500");
	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "check", NULL }), 0,
	    "%s", r.err);
	want = h_strf("WARNING  | heartbeat: http://127.0.0.1:%d/ping/***: "
	    "HTTP 500", h_srv_port(hb));
	cr_assert_not_null(strstr(r.err, want), "%s", r.err);
	free(want);
	h_run_free(&r);
	/* A service that never answers costs its 5 s timeout, no more. */
	h_webhook_respond(hb, "hang");
	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "check", "--site",
	    "web", NULL }), 0, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "heartbeat: "), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "/ping/***: timeout"), "%s", r.err);
	cr_assert_geq(r.elapsed_ms, 4500, "%.0f ms", r.elapsed_ms);
	cr_assert_lt(r.elapsed_ms, 9000, "%.0f ms", r.elapsed_ms);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(hb, 0), 1);
	/* Nothing listening: the same. */
	h_srv_stop(hb);
	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "check", "--site",
	    "web", NULL }), 0, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "/ping/***: connection refused"), "%s",
	    r.err);
	h_run_free(&r);
	free(cfg);
	h_env_stop(&e);
}

Test(heartbeat, an_interrupted_run_pings_nothing)
{
	struct h_env	 e;
	struct h_srv	*hb;
	struct h_proc	*p;
	struct h_run	 r;
	char		*cfg;
	double		 deadline;

	h_env_start(&e);
	hb = h_webhook_start();
	cfg = config(&e, hb, h_redis_port(e.rd), "hang", "");
	p = h_spawn((const char *[]){ "-c", cfg, "check", NULL }, NULL);
	deadline = h_now_ms() + 10000;
	while (h_srv_hits(e.web, "/hang") == 0) {
		cr_assert_lt(h_now_ms(), deadline, "the check never started");
		usleep(20000);
	}
	kill(h_proc_pid(p), SIGTERM);
	cr_assert_eq(h_wait(p, &r), 3, "%s", r.err);
	cr_assert_null(strstr(r.err, "SeCrEt"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(hb, -1), 0, "an interrupted run pinged");
	free(cfg);
	h_srv_stop(hb);
	h_env_stop(&e);
}
