/* Alerts end to end: peekl runs, state changes, the local webhook receiver
 * sees exactly what an operator's Slack would. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define TOKEN "T000/B000/SeCrEtToKeN"

struct env {
	struct h_redis	*rd;
	struct h_srv	*web;
	struct h_srv	*hook;
	struct h_dir	*d;
};

static void
env_start(struct env *e)
{
	e->rd = h_redis_start();
	e->web = h_srv_start((const char *[]){ NULL });
	e->hook = h_webhook_start();
	e->d = h_dir_new();
}

static void
env_stop(struct env *e)
{
	h_dir_free(e->d);
	h_srv_stop(e->hook);
	h_srv_stop(e->web);
	h_redis_stop(e->rd);
}

/* Writes a config (one file per site path) with the site at path; returns
 * its malloc'd path. */
static char *
config(struct env *e, const char *path, const char *extra)
{
	char	*name = h_strf("%s.yaml", strchr(path, '/') ? "down" : path);
	char	*yaml = h_strf("redis:\n  port: %d\n"
	    "websites:\n  - url: http://127.0.0.1:%d/%s\n    name: web\n"
	    "    retry: 0\n    timeout: 2\n%s"
	    "alertmanagers:\n  slack:\n"
	    "    webhook: http://127.0.0.1:%d/services/" TOKEN "\n    timeout: 2\n",
	    h_redis_port(e->rd), h_srv_port(e->web), path, extra ? extra : "",
	    h_srv_port(e->hook));
	char	*file;

	h_write_file(e->d, name, yaml);
	file = h_path(e->d, name);
	free(yaml);
	free(name);
	return file;
}

/* Runs `peekl check --site web` (due or not) and asserts no secret leaked. */
static int
run(const char *cfg, struct h_run *r)
{
	h_run(r, (const char *[]){ "-c", cfg, "check", "--site", "web", NULL },
	    NULL);
	cr_assert_null(strstr(r->err, "SeCrEtToKeN"), "secret in stderr: %s", r->err);
	cr_assert_null(strstr(r->out, "SeCrEtToKeN"), "secret in stdout");
	return r->status;
}

static long long
queue_len(struct env *e)
{
	return h_redis_int(e->rd, "LLEN peekl:alerts:slack");
}

/* Returns the milliseconds left on the hold of the Slack queue. */
static long long
hold_ms(struct env *e)
{
	return h_redis_int(e->rd, "PTTL peekl:alerts:slack:hold");
}

/* Returns the "text" of the n-th delivered Slack payload (malloc'd). */
static char *
slack_text(struct env *e, int n)
{
	char		*body = h_webhook_body(e->hook, n);
	json_t		*doc;
	char		*text;

	cr_assert_not_null(body, "no delivery %d", n);
	doc = json_loads(body, 0, NULL);
	cr_assert_not_null(doc, "payload is not JSON: %s", body);
	cr_assert(json_is_array(json_object_get(doc, "attachments")));
	text = strdup(json_string_value(json_object_get(doc, "text")));
	json_decref(doc);
	free(body);
	return text;
}

Test(run_alerts, one_alert_per_transition_none_while_state_holds)
{
	struct env	 e;
	struct h_run	 r;
	char		*down, *up, *text;

	env_start(&e);
	down = config(&e, "status/503", NULL);
	up = config(&e, "ok", NULL);
	/* A new healthy site says nothing. */
	cr_assert_eq(run(up, &r), 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, -1), 0);
	/* retry: 0 -> DOWN on the first failure, once. */
	cr_assert_eq(run(down, &r), 2, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	text = slack_text(&e, 0);
	cr_assert(strncmp(text, "DOWN web (http://127.0.0.1:", 27) == 0, "%s", text);
	cr_assert_not_null(strstr(text, "HTTP 503"), "%s", text);
	free(text);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(run(down, &r), 2);
		h_run_free(&r);
	}
	cr_assert_eq(h_webhook_count(e.hook, -1), 1, "re-alerted while down");
	/* Recovery: one UP saying how long it was down. */
	cr_assert_eq(run(up, &r), 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, 200), 2);
	text = slack_text(&e, 1);
	cr_assert(strncmp(text, "UP web (", 8) == 0, "%s", text);
	cr_assert_not_null(strstr(text, "back after"), "%s", text);
	free(text);
	cr_assert_eq(queue_len(&e), 0);
	free(down);
	free(up);
	env_stop(&e);
}

Test(run_alerts, refused_delivery_stays_queued_then_goes_once_in_order)
{
	struct env	 e;
	struct h_run	 r;
	char		*down, *up, *t0, *t1;

	env_start(&e);
	down = config(&e, "status/500", NULL);
	up = config(&e, "ok", NULL);
	h_webhook_respond(e.hook, "500");
	cr_assert_eq(run(up, &r), 0);
	h_run_free(&r);
	cr_assert_eq(run(down, &r), 2);
	cr_assert_not_null(strstr(r.err, "services/***"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(queue_len(&e), 1, "a refused alert left the queue");
	cr_assert_eq(run(up, &r), 0);
	h_run_free(&r);
	/* DOWN and UP are both waiting, and each run tried once. */
	cr_assert_eq(queue_len(&e), 2);
	cr_assert_eq(h_webhook_count(e.hook, 500), 2);

	h_webhook_respond(e.hook, "");
	cr_assert_eq(run(up, &r), 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(queue_len(&e), 0);
	cr_assert_eq(h_webhook_count(e.hook, 200), 2);
	t0 = slack_text(&e, 0);
	t1 = slack_text(&e, 1);
	cr_assert(strncmp(t0, "DOWN", 4) == 0, "order: %s", t0);
	cr_assert(strncmp(t1, "UP", 2) == 0, "order: %s", t1);
	/* Delivered alerts are never sent again. */
	cr_assert_eq(run(up, &r), 0);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, 200), 2);
	free(t0);
	free(t1);
	free(down);
	free(up);
	env_stop(&e);
}

Test(run_alerts, hanging_webhook_costs_at_most_its_timeout, .timeout = 60)
{
	struct env	 e;
	struct h_run	 r;
	char		*down;

	env_start(&e);
	down = config(&e, "status/503", NULL);
	h_webhook_respond(e.hook, "hang");
	cr_assert_eq(run(down, &r), 2);
	cr_assert_lt(r.elapsed_ms, 6000, "run took %.0f ms", r.elapsed_ms);
	h_run_free(&r);
	cr_assert_eq(queue_len(&e), 1);
	free(down);
	env_stop(&e);
}

Test(run_alerts, retry_after_holds_the_queue)
{
	struct env	 e;
	struct h_run	 r;
	char		*down, *up;
	long long	 hold;

	env_start(&e);
	down = config(&e, "status/503", NULL);
	up = config(&e, "ok", NULL);
	h_webhook_respond(e.hook, "429 120");
	cr_assert_eq(run(up, &r), 0);
	h_run_free(&r);
	cr_assert_eq(run(down, &r), 2);
	h_run_free(&r);
	hold = hold_ms(&e);
	cr_assert_gt(hold, 100000);
	cr_assert_leq(hold, 120000);
	h_webhook_respond(e.hook, "");
	cr_assert_eq(run(up, &r), 0);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, -1), 1, "held queue was sent");
	cr_assert_eq(queue_len(&e), 2);
	free(down);
	free(up);
	env_stop(&e);
}

Test(run_alerts, concurrent_runs_deliver_once, .timeout = 60)
{
	struct env	 e;
	struct h_run	 r;
	struct h_proc	*p[4];
	char		*down, *up;

	env_start(&e);
	down = config(&e, "status/503", NULL);
	up = config(&e, "ok", NULL);
	h_webhook_respond(e.hook, "500");
	cr_assert_eq(run(up, &r), 0);
	h_run_free(&r);
	cr_assert_eq(run(down, &r), 2);
	h_run_free(&r);
	cr_assert_eq(queue_len(&e), 1);
	h_webhook_respond(e.hook, "");
	/* Four runs with nothing due, all flushing the same queue. */
	{
		char *idle = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
		    "  - url: http://127.0.0.1:%d/ok\n    name: web\n"
		    "    interval: 1h\nalertmanagers:\n  slack:\n"
		    "    webhook: http://127.0.0.1:%d/services/" TOKEN "\n",
		    h_redis_port(e.rd), h_srv_port(e.web), h_srv_port(e.hook));

		for (int i = 0; i < 4; i++)
			p[i] = h_spawn((const char *[]){ "-c", idle, "check", NULL },
			    NULL);
		for (int i = 0; i < 4; i++) {
			h_wait(p[i], &r);
			cr_assert_eq(r.status, 0, "%s", r.err);
			h_run_free(&r);
		}
		free(idle);
	}
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	cr_assert_eq(queue_len(&e), 0);
	free(down);
	free(up);
	env_stop(&e);
}

/* A 503 that says when to come back is honoured like a 429. */
Test(run_alerts, retry_after_on_503_holds_the_queue)
{
	struct env	 e;
	struct h_run	 r;
	char		*down;
	long long	 hold;

	env_start(&e);
	down = config(&e, "status/503", NULL);
	h_webhook_respond(e.hook, "503 30");
	cr_assert_eq(run(down, &r), 2);
	cr_assert_not_null(strstr(r.err, "held for 30 s"), "%s", r.err);
	h_run_free(&r);
	hold = hold_ms(&e);
	cr_assert_gt(hold, 20000);
	cr_assert_leq(hold, 30000);
	cr_assert_eq(queue_len(&e), 1);
	free(down);
	env_stop(&e);
}
