/* Alerts end to end: peekl runs, state changes, the local webhook receiver
 * sees exactly what an operator's Slack would. */
#include <sys/socket.h>

#include <netinet/in.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>

#include "harness.h"

#define TOKEN "T000/B000/SeCrEtToKeN"

/* Writes a config (one file per site path) with the site at path; returns
 * its malloc'd path. */
static char *
config(struct h_env *e, const char *path, const char *extra)
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
queue_len(struct h_env *e)
{
	return h_redis_int(e->rd, "LLEN peekl:alerts:slack");
}

/* Returns the milliseconds left on the hold of the Slack queue. */
static long long
hold_ms(struct h_env *e)
{
	return h_redis_int(e->rd, "PTTL peekl:alerts:slack:hold");
}

/* Returns the "text" of the n-th delivered Slack payload (malloc'd). */
static char *
slack_text(struct h_env *e, int n)
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
	struct h_env	 e;
	struct h_run	 r;
	char		*down, *up, *text;

	h_env_start(&e);
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
	h_env_stop(&e);
}

Test(run_alerts, refused_delivery_stays_queued_then_goes_once_in_order)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*down, *up, *t0, *t1;

	h_env_start(&e);
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
	h_env_stop(&e);
}

Test(run_alerts, hanging_webhook_costs_at_most_its_timeout, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*down;
	double		 base;

	h_env_start(&e);
	/* What a run costs with nothing to deliver: the process, the check
	 * and Redis (seconds under valgrind, milliseconds without). */
	down = config(&e, "ok", NULL);
	cr_assert_eq(run(down, &r), 0);
	base = r.elapsed_ms;
	h_run_free(&r);
	free(down);
	down = config(&e, "status/503", NULL);
	h_webhook_respond(e.hook, "hang");
	cr_assert_eq(run(down, &r), 2);
	/* The webhook's timeout is 2 s; 3 s more is slack for a loaded
	 * machine, far below a run that waited for the hang to end. */
	cr_assert_lt(r.elapsed_ms, base + 2000 + 3000,
	    "run took %.0f ms (%.0f ms without a delivery)", r.elapsed_ms,
	    base);
	h_run_free(&r);
	cr_assert_eq(queue_len(&e), 1);
	free(down);
	h_env_stop(&e);
}

Test(run_alerts, retry_after_holds_the_queue)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*down, *up;
	long long	 hold;

	h_env_start(&e);
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
	h_env_stop(&e);
}

Test(run_alerts, concurrent_runs_deliver_once, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	struct h_proc	*p[4];
	char		*down, *up;

	h_env_start(&e);
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
	h_env_stop(&e);
}

/* A 503 that says when to come back is honoured like a 429. */
Test(run_alerts, retry_after_on_503_holds_the_queue)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*down;
	long long	 hold;

	h_env_start(&e);
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
	h_env_stop(&e);
}

/* Wall-clock unix time in ms. */
static long long
wall_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A `since` a day in the future (another host's clock ahead of ours) used
 * to give a recovery no queue could deliver; the UP alert arrives. */
Test(run_alerts, skewed_since_recovery_is_delivered, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*up, *text;

	h_env_start(&e);
	up = config(&e, "ok", NULL);
	freeReplyObject(h_redis_cmd(e.rd, "HSET peekl:site:web state down "
	    "failures 1 since %lld last_check %lld", wall_ms() + 86400000LL,
	    wall_ms() - 60000LL));
	cr_assert_eq(run(up, &r), 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	cr_assert_eq(h_webhook_count(e.hook, -1), 1);
	text = slack_text(&e, 0);
	cr_assert(strncmp(text, "UP web (", 8) == 0, "%s", text);
	cr_assert_eq(queue_len(&e), 0);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:slack:dead"), 0);
	free(text);
	free(up);
	h_env_stop(&e);
}

/* A poison entry ahead of a run's own alert: peekl logs one ERROR naming
 * the integration and the size, delivers the alert in the same run, and
 * `status` says what was set aside and where. */
Test(run_alerts, poison_entry_set_aside_and_shown_by_status, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	redisContext	*c;
	redisReply	*rep;
	json_t		*doc;
	char		*down, *text;

	h_env_start(&e);
	down = config(&e, "status/503", NULL);
	c = h_redis_conn(e.rd);
	rep = redisCommand(c, "RPUSH peekl:alerts:slack %b", "not json\0tail",
	    (size_t)13);
	cr_assert(rep != NULL && rep->type == REDIS_REPLY_INTEGER);
	freeReplyObject(rep);
	redisFree(c);
	cr_assert_eq(run(down, &r), 2, "%s", r.err);
	cr_assert_lt(r.elapsed_ms, 10000);
	cr_assert_not_null(strstr(r.err, "ERROR    | slack: set aside a queued "
	    "entry of 13 bytes"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, -1), 1);
	text = slack_text(&e, 0);
	cr_assert(strncmp(text, "DOWN web (", 10) == 0, "%s", text);
	cr_assert_eq(queue_len(&e), 0);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:slack:dead"), 1);

	h_run(&r, (const char *[]){ "-c", down, "status", NULL }, NULL);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "\nslack: 1 alert set aside in "
	    "peekl:alerts:slack:dead (see README)\n"), "%s", r.out);
	h_run_free(&r);
	h_run(&r, (const char *[]){ "-c", down, "status", "--json", NULL },
	    NULL);
	cr_assert_eq(r.status, 2, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	cr_assert(json_is_array(json_object_get(doc, "sites")), "%s", r.out);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(doc,
	    "set_aside"), "slack")), 1, "%s", r.out);
	json_decref(doc);
	h_run_free(&r);
	free(text);
	free(down);
	h_env_stop(&e);
}

/* SIGTERM during delivery, with poison entries and a hanging webhook in a
 * long-timeout queue: the run ends within 5 s, exit 3, and the alert being
 * posted stays queued. */
Test(run_alerts, sigterm_ends_delivery_whatever_the_queue_holds,
    .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	struct h_proc	*p;
	redisContext	*c;
	redisReply	*rep;
	char		*down, *idle;
	double		 t0;

	h_env_start(&e);
	down = config(&e, "status/503", NULL);
	cr_assert_eq(run(down, &r), 2, "%s", r.err);
	h_run_free(&r);
	c = h_redis_conn(e.rd);
	for (int i = 0; i < 20; i++) {
		rep = redisCommand(c, "LPUSH peekl:alerts:slack %b",
		    "not json\0tail", (size_t)13);
		cr_assert(rep != NULL && rep->type == REDIS_REPLY_INTEGER);
		freeReplyObject(rep);
	}
	redisFree(c);
	cr_assert_eq(queue_len(&e), 20);
	idle = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: http://127.0.0.1:%d/ok\n    name: web\n"
	    "    interval: 1h\nalertmanagers:\n  slack:\n"
	    "    webhook: http://127.0.0.1:%d/services/" TOKEN "\n"
	    "    timeout: 60\n", h_redis_port(e.rd), h_srv_port(e.web),
	    h_srv_port(e.hook));
	/* A DOWN alert queued behind the poison, posted to a hanging hook. */
	freeReplyObject(h_redis_cmd(e.rd, "DEL peekl:site:web"));
	h_webhook_respond(e.hook, "500");
	cr_assert_eq(run(down, &r), 2, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(queue_len(&e), 1, "poison not set aside");
	h_webhook_respond(e.hook, "hang");
	p = h_spawn((const char *[]){ "-c", idle, "check", NULL }, NULL);
	t0 = h_now_ms();
	while (h_webhook_count(e.hook, -1) < 3 && h_now_ms() - t0 < 10000)
		usleep(20000);
	t0 = h_now_ms();
	kill(h_proc_pid(p), SIGTERM);
	h_wait(p, &r);
	cr_assert_lt(h_now_ms() - t0, 5000);
	cr_assert_eq(r.status, 3, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(queue_len(&e), 1);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:slack:dead"), 20);
	free(idle);
	free(down);
	h_env_stop(&e);
}

#define OPENSSL_BIN	"/usr/bin/openssl"

/* Returns a loopback port that was free a moment ago. */
static int
free_port(void)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		len = sizeof(sin);
	int			fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

/* A self-signed certificate valid until 9999-12-31, served by openssl
 * s_server: untrusted, so CRITICAL, with some 2.9 million days left. Its
 * alert used to be refused by the queue's decoder; it reaches the
 * receiver. */
Test(run_alerts, far_future_certificate_critical_is_delivered,
    .timeout = 120)
{
	struct h_redis	*rd;
	struct h_srv	*hook;
	struct h_dir	*d;
	struct h_proc	*srv;
	struct h_run	 r;
	char		*cert, *key, *accept, *days, *cfg, *body;
	json_t		*doc;
	int		 port;

	if (access(OPENSSL_BIN, X_OK) != 0)
		cr_skip_test(OPENSSL_BIN " is missing");
	d = h_dir_new();
	cert = h_path(d, "cert.pem");
	key = h_path(d, "key.pem");
	/* Days from now to 9999-12-31, so notAfter falls on that day. */
	days = h_strf("%lld", (253402300799LL - wall_ms() / 1000) / 86400);
	h_run_bin(&r, OPENSSL_BIN, (const char *[]){ "req", "-x509",
	    "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
	    "-days", days, "-subj", "/CN=localhost", "-keyout", key, "-out",
	    cert, NULL }, NULL);
	cr_assert_eq(r.status, 0, "openssl req: %s", r.err);
	h_run_free(&r);
	port = free_port();
	accept = h_strf("127.0.0.1:%d", port);
	srv = h_spawn_bin(OPENSSL_BIN, (const char *[]){ "s_server", "-www",
	    "-accept", accept, "-cert", cert, "-key", key, NULL }, NULL);
	cr_assert(h_wait_port(port, 10000), "openssl s_server is not listening");
	rd = h_redis_start();
	hook = h_webhook_start();
	cfg = h_configf(d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: https://localhost:%d/\n    name: far\n"
	    "    certificate_monitoring: true\n    timeout: 30\n"
	    "alertmanagers:\n  webhook:\n    url: http://127.0.0.1:%d/hook\n",
	    h_redis_port(rd), port, h_srv_port(hook));
	h_run(&r, (const char *[]){ "-c", cfg, NULL }, NULL);
	cr_assert_eq(r.status, 2, "%s", r.err);
	h_run_free(&r);
	body = h_webhook_body(hook, 0);
	cr_assert_not_null(body, "no CRITICAL alert delivered");
	doc = json_loads(body, 0, NULL);
	cr_assert_not_null(doc, "%s", body);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "cert");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "state")),
	    "CRITICAL");
	cr_assert_gt(json_integer_value(json_object_get(doc, "days_left")),
	    2900000, "%s", body);
	cr_assert_eq(strncmp(json_string_value(json_object_get(doc,
	    "not_after")), "9999-12-31", 10), 0, "%s", body);
	json_decref(doc);
	free(body);
	kill(h_proc_pid(srv), SIGTERM);
	h_wait(srv, &r);
	h_run_free(&r);
	h_srv_stop(hook);
	h_redis_stop(rd);
	free(cfg);
	free(accept);
	free(days);
	free(key);
	free(cert);
	h_dir_free(d);
}
