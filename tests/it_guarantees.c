/*
 * The README's "What peekl guarantees", shown where no other test does:
 * what a SIGKILL leaves behind, and what a Redis that lost its data (no
 * persistence, a restart) costs in alerts.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>

#include "harness.h"

/* Writes NAME.yaml: the site "web" at path on web, alerts to hook. */
static char *
config(struct h_dir *d, const char *name, struct h_redis *rd,
    struct h_srv *web, struct h_srv *hook, const char *path)
{
	char	*yaml, *file, *fname = h_strf("%s.yaml", name);

	yaml = h_strf("redis:\n  port: %d\n  timeseries: off\n"
	    "websites:\n  - url: http://127.0.0.1:%d/%s\n    name: web\n"
	    "    retry: 0\n    timeout: 5\n"
	    "alertmanagers:\n  webhook:\n    url: http://127.0.0.1:%d/hook\n"
	    "    timeout: 2\n", h_redis_port(rd), h_srv_port(web), path,
	    h_srv_port(hook));
	h_write_file(d, fname, yaml);
	file = h_path(d, fname);
	free(yaml);
	free(fname);
	return file;
}

/*
 * A run killed with SIGKILL mid-check records nothing and leaves its lease,
 * which expires by itself (timeout + 5 s); until then no other run checks
 * that site, so the check is neither doubled nor half-recorded.
 */
Test(guarantees, sigkill_leaves_only_an_expiring_lease, .timeout = 60)
{
	struct h_redis	*rd = h_redis_start();
	struct h_srv	*web = h_srv_start((const char *[]){ NULL });
	struct h_srv	*hook = h_webhook_start();
	struct h_dir	*d = h_dir_new();
	struct h_proc	*p;
	struct h_run	 r;
	char		*cfg = config(d, "slow", rd, web, hook, "slow/20000");
	long long	 pttl;
	int		 i;

	p = h_spawn((const char *[]){ "-q", "-c", cfg, "check", NULL }, NULL);
	for (i = 0; i < 200 && h_srv_hits(web, "/slow") == 0; i++)
		usleep(50 * 1000);
	cr_assert_eq(h_srv_hits(web, "/slow"), 1, "the check never started");
	kill(h_proc_pid(p), SIGKILL);
	h_wait(p, &r);
	cr_assert_eq(r.status, 128 + SIGKILL);
	h_run_free(&r);

	cr_assert_eq(h_redis_int(rd, "EXISTS peekl:site:web"), 0,
	    "a killed run recorded a result");
	pttl = h_redis_int(rd, "PTTL peekl:lease:web:http");
	cr_assert(pttl > 0 && pttl <= 10000, "lease PTTL %lld, expected "
	    "0 < PTTL <= timeout + 5 s", pttl);

	/* The next run, even naming the site, leaves it to the lease. */
	h_run(&r, (const char *[]){ "-q", "-c", cfg, "check", "--site", "web",
	    NULL }, NULL);
	cr_assert_eq(h_srv_hits(web, "/slow"), 1, "checked twice under a lease");
	cr_assert_eq(h_redis_int(rd, "EXISTS peekl:site:web"), 0);
	h_run_free(&r);
	free(cfg);
	h_dir_free(d);
	h_srv_stop(hook);
	h_srv_stop(web);
	h_redis_stop(rd);
}

/*
 * Redis without persistence loses everything on a restart: every site is
 * new again. A site still down alerts DOWN a second time (a duplicate the
 * README admits); a site that recovered while the state was lost comes up
 * as a new healthy site, which sends nothing (its UP is lost).
 */
Test(guarantees, redis_data_loss_repeats_down_and_loses_up, .timeout = 60)
{
	struct h_redis	*rd = h_redis_start();
	struct h_srv	*web = h_srv_start((const char *[]){ NULL });
	struct h_srv	*hook = h_webhook_start();
	struct h_dir	*d = h_dir_new();
	struct h_run	 r;
	char		*down = config(d, "down", rd, web, hook, "status/503");
	char		*up = config(d, "up", rd, web, hook, "ok");

	h_run(&r, (const char *[]){ "-q", "-c", down, "check", NULL }, NULL);
	cr_assert_eq(r.status, 2, "stderr: %s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(hook, 200), 1, "no DOWN alert");

	freeReplyObject(h_redis_cmd(rd, "FLUSHALL"));
	h_run(&r, (const char *[]){ "-q", "-c", down, "check", NULL }, NULL);
	cr_assert_eq(r.status, 2, "stderr: %s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(hook, 200), 2,
	    "a lost state should make the DOWN alert again");

	freeReplyObject(h_redis_cmd(rd, "FLUSHALL"));
	h_run(&r, (const char *[]){ "-q", "-c", up, "check", NULL }, NULL);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(hook, 200), 2,
	    "a new healthy site sends nothing, even after an outage");
	free(down);
	free(up);
	h_dir_free(d);
	h_srv_stop(hook);
	h_srv_stop(web);
	h_redis_stop(rd);
}
