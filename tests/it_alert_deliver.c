/*
 * Alert delivery against a real redis-server and the testsrv webhook
 * receiver: order, at-least-once, Retry-After, timeouts, several
 * integrations at once, two runs racing for one queue, and no secret in
 * the log.
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "alert.h"
#include "harness.h"
#include "net.h"
#include "notify.h"
#include "store.h"
#include "util.h"

/* The part of every webhook path that must never be logged. */
#define SECRET		"SECRETTOKEN42"
#define BEARER		"Bearer hushhush99"

struct fixture {
	struct h_redis		*rd;
	struct h_srv		*hook[2];
	struct config		 cfg;
	struct integration	 in[2];
	struct header		 auth;
	struct store		*st;
	char			*urls[2];
};

static volatile sig_atomic_t	no_stop;

/* Runs alert_deliver_all on a fresh engine; returns what it returned. */
static int
deliver_all(struct store *st, const struct config *cfg,
    const volatile sig_atomic_t *stop)
{
	struct net	*net;
	int		 rc;

	if (net_open(&net) == -1)
		return -2;
	rc = alert_deliver_all(st, cfg, net, stop);
	net_close(net);
	return rc;
}

/* Starts redis and one receiver per kind in kinds (at most two), and opens
 * a store; timeout_ms applies to every integration. */
static void
fx_start(struct fixture *fx, const enum integration_type *kinds, size_t n,
    int64_t timeout_ms)
{
	size_t	i;

	memset(fx, 0, sizeof(*fx));
	fx->rd = h_redis_start();
	fx->cfg.redis.host = xstrdup("127.0.0.1");
	fx->cfg.redis.port = h_redis_port(fx->rd);
	fx->cfg.redis.prefix = xstrdup("peekl");
	fx->cfg.redis.timeseries = TS_OFF;
	fx->cfg.redis.retention_ms = 86400000;
	fx->auth.name = xstrdup("Authorization");
	fx->auth.value = xstrdup(BEARER);
	for (i = 0; i < n; i++) {
		fx->hook[i] = h_webhook_start();
		fx->urls[i] = h_srv_url(fx->hook[i],
		    "services/T0/B0/" SECRET);
		fx->in[i].type = kinds[i];
		fx->in[i].url = fx->urls[i];
		fx->in[i].timeout_ms = timeout_ms;
		if (kinds[i] == ITYPE_WEBHOOK) {
			fx->in[i].headers = &fx->auth;
			fx->in[i].nheaders = 1;
		}
	}
	fx->cfg.integrations = fx->in;
	fx->cfg.nintegrations = n;
	cr_assert_eq(store_open(&fx->cfg.redis, &fx->st), 0);
}

static void
fx_stop(struct fixture *fx)
{
	size_t	i;

	store_close(fx->st);
	for (i = 0; i < 2; i++) {
		h_srv_stop(fx->hook[i]);
		free(fx->urls[i]);
	}
	h_redis_stop(fx->rd);
	free(fx->cfg.redis.host);
	free(fx->cfg.redis.prefix);
	free(fx->auth.name);
	free(fx->auth.value);
}

/* Returns the queue form (malloc'd) of the DOWN alert of site sN. */
static char *
down_json(int n)
{
	struct alert	 a = { 0 };
	char		 site[16], *json;

	snprintf(site, sizeof(site), "s%d", n);
	a.kind = KIND_HTTP;
	a.site = site;
	a.url = (char []){ "https://example.com/" };
	a.event = ALERT_DOWN;
	a.previous.http = HTTP_UP;
	a.http_code = 503;
	a.error = (char []){ "HTTP 503" };
	a.response_ms = 12.5;
	a.failures = 2;
	a.timestamp_ms = 1795597200048LL + n - 1;
	cr_assert_not_null(json = alert_encode(&a));
	return json;
}

/* Queues n DOWN alerts for sites s1..sN on integration ik, through the
 * same store_write a run uses. */
static void
queue_alerts(struct fixture *fx, enum integration_type ik, int n)
{
	struct queued_alert	q[16];
	char			*json[16];
	int			 i;

	cr_assert_leq(n, 16);
	for (i = 0; i < n; i++) {
		json[i] = down_json(i + 1);
		q[i].integration = integration_type_name(ik);
		q[i].json = json[i];
	}
	cr_assert_eq(store_write(fx->st, NULL, 0, q, (size_t)n), 0);
	for (i = 0; i < n; i++)
		free(json[i]);
}

/* The common case: one Slack receiver with n alerts queued for it. */
static void
fx_slack(struct fixture *fx, int n, int64_t timeout_ms)
{
	const enum integration_type	k[] = { ITYPE_SLACK };

	fx_start(fx, k, 1, timeout_ms);
	queue_alerts(fx, ITYPE_SLACK, n);
}

/* Runs alert_deliver_all with stderr captured; returns the log (malloc'd)
 * and sets *rc and *ms. */
static char *
deliver(struct fixture *fx, int *rc, double *ms)
{
	FILE	*tmp = tmpfile();
	int	 saved;
	long	 len;
	char	*log;
	double	 t0;

	cr_assert_not_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	cr_assert_neq(dup2(fileno(tmp), STDERR_FILENO), -1);
	t0 = h_now_ms();
	*rc = deliver_all(fx->st, &fx->cfg, &no_stop);
	if (ms != NULL)
		*ms = h_now_ms() - t0;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fseek(tmp, 0, SEEK_END);
	len = ftell(tmp);
	rewind(tmp);
	log = xcalloc(1, (size_t)len + 1);
	cr_assert_eq(fread(log, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	/* Whatever happened, the webhook's secret path and the header's
	 * value never reach the log. */
	cr_assert_null(strstr(log, SECRET), "secret in the log:\n%s", log);
	cr_assert_null(strstr(log, "hushhush"), "secret in the log:\n%s", log);
	return log;
}

/* Asserts the receiver's 2xx bodies are s1..sN, in order, exactly. */
static void
assert_received(const struct h_srv *hook, int n)
{
	char	*body, want[32];
	json_t	*j;
	int	 i;

	cr_assert_eq(h_webhook_count(hook, 200), n);
	for (i = 0; i < n; i++) {
		body = h_webhook_body(hook, i);
		cr_assert_not_null(body);
		j = json_loads(body, 0, NULL);
		cr_assert_not_null(j, "not JSON: %s", body);
		snprintf(want, sizeof(want), "DOWN s%d ", i + 1);
		cr_assert_eq(strncmp(json_string_value(json_object_get(j,
		    "text")), want, strlen(want)), 0, "alert %d is %s", i, body);
		json_decref(j);
		free(body);
	}
}

static long
qlen(struct fixture *fx, enum integration_type ik)
{
	return store_queue_len(fx->st, integration_type_name(ik));
}

Test(alert_deliver, delivers_in_order, .timeout = 60)
{
	struct fixture		 fx;
	char			*log, *hdrs;
	int			 rc;

	fx_slack(&fx, 3, 10000);
	log = deliver(&fx, &rc, NULL);
	cr_assert_eq(rc, 0, "%s", log);
	assert_received(fx.hook[0], 3);
	cr_assert_eq(qlen(&fx, ITYPE_SLACK), 0);
	cr_assert_not_null(strstr(log, "slack: delivered DOWN s1"), "%s", log);
	hdrs = h_webhook_headers(fx.hook[0], 0);
	cr_assert_not_null(hdrs);
	cr_assert_not_null(strstr(hdrs, "Content-Type: application/json"),
	    "%s", hdrs);
	cr_assert_not_null(strstr(hdrs, "User-Agent: peekl/"), "%s", hdrs);
	free(hdrs);
	free(log);
	fx_stop(&fx);
}

Test(alert_deliver, failure_keeps_order, .timeout = 60)
{
	struct fixture		 fx;
	char			*log;
	int			 rc;

	fx_slack(&fx, 3, 10000);
	h_webhook_respond(fx.hook[0], "500");
	log = deliver(&fx, &rc, NULL);
	cr_assert_eq(rc, 0, "a refused post is not a run error: %s", log);
	/* The first failure stops the queue: nothing skipped, nothing lost. */
	cr_assert_eq(h_webhook_count(fx.hook[0], -1), 1);
	cr_assert_eq(qlen(&fx, ITYPE_SLACK), 3);
	cr_assert_not_null(strstr(log, "slack: delivery to http://127.0.0.1:"),
	    "%s", log);
	cr_assert_not_null(strstr(log, "/services/*** failed: HTTP 500; "
	    "3 alerts stay queued"), "%s", log);
	free(log);

	h_webhook_respond(fx.hook[0], "");
	log = deliver(&fx, &rc, NULL);
	cr_assert_eq(rc, 0, "%s", log);
	assert_received(fx.hook[0], 3);
	cr_assert_eq(h_webhook_count(fx.hook[0], -1), 4);
	cr_assert_eq(qlen(&fx, ITYPE_SLACK), 0);
	free(log);
	fx_stop(&fx);
}

Test(alert_deliver, gone_webhook_is_an_error, .timeout = 60)
{
	enum integration_type	 k[] = { ITYPE_DISCORD };
	struct fixture		 fx;
	char			*log;
	int			 rc;

	fx_start(&fx, k, 1, 10000);
	queue_alerts(&fx, ITYPE_DISCORD, 2);
	h_webhook_respond(fx.hook[0], "404");
	log = deliver(&fx, &rc, NULL);
	cr_assert_eq(rc, 0);
	cr_assert_eq(qlen(&fx, ITYPE_DISCORD), 2);
	cr_assert_not_null(strstr(log, "| ERROR    | discord: delivery to "),
	    "%s", log);
	cr_assert_not_null(strstr(log, "failed: HTTP 404; 2 alerts stay "
	    "queued"), "%s", log);
	free(log);
	fx_stop(&fx);
}

Test(alert_deliver, retry_after_holds_the_queue, .timeout = 60)
{
	struct fixture		 fx;
	long long		 hold;
	char			*log;
	int			 rc;

	fx_slack(&fx, 3, 10000);
	h_webhook_respond(fx.hook[0], "429 120");
	log = deliver(&fx, &rc, NULL);
	cr_assert_eq(rc, 0, "%s", log);
	free(log);
	cr_assert_eq(h_webhook_count(fx.hook[0], -1), 1);
	cr_assert_eq(qlen(&fx, ITYPE_SLACK), 3);
	hold = h_redis_int(fx.rd, "PTTL peekl:alerts:slack:hold");
	cr_assert(hold > 110000 && hold <= 120000, "hold PTTL %lld", hold);

	/* Held: the next run sends nothing, even to a healed webhook. */
	h_webhook_respond(fx.hook[0], "");
	log = deliver(&fx, &rc, NULL);
	cr_assert_eq(rc, 0);
	cr_assert_eq(h_webhook_count(fx.hook[0], -1), 1);
	cr_assert_not_null(strstr(log, "slack: delivery held for 120 s "
	    "(Retry-After)"), "%s", log);
	free(log);
	fx_stop(&fx);
}

Test(alert_deliver, hanging_webhook_is_bounded, .timeout = 60)
{
	struct fixture		 fx;
	char			*log;
	double			 ms;
	int			 rc;

	fx_slack(&fx, 3, 1000);
	h_webhook_respond(fx.hook[0], "hang");
	log = deliver(&fx, &rc, &ms);
	cr_assert_eq(rc, 0, "%s", log);
	cr_assert(ms >= 900 && ms < 3000, "took %.0f ms", ms);
	cr_assert_eq(qlen(&fx, ITYPE_SLACK), 3);
	cr_assert_eq(h_webhook_count(fx.hook[0], 0), 1);
	cr_assert_not_null(strstr(log, "failed: timeout"), "%s", log);
	free(log);
	fx_stop(&fx);
}

Test(alert_deliver, one_broken_integration_does_not_delay_another,
    .timeout = 60)
{
	enum integration_type	 k[] = { ITYPE_SLACK, ITYPE_WEBHOOK };
	struct fixture		 fx;
	char			*log, *hdrs;
	double			 ms;
	int			 rc;

	fx_start(&fx, k, 2, 1000);
	queue_alerts(&fx, ITYPE_SLACK, 3);
	queue_alerts(&fx, ITYPE_WEBHOOK, 3);
	h_webhook_respond(fx.hook[0], "hang");
	log = deliver(&fx, &rc, &ms);
	cr_assert_eq(rc, 0, "%s", log);
	cr_assert(ms < 3000, "took %.0f ms", ms);
	cr_assert_eq(qlen(&fx, ITYPE_SLACK), 3);
	cr_assert_eq(qlen(&fx, ITYPE_WEBHOOK), 0);
	assert_received(fx.hook[1], 3);
	hdrs = h_webhook_headers(fx.hook[1], 0);
	cr_assert_not_null(hdrs);
	cr_assert_not_null(strstr(hdrs, "Authorization: " BEARER), "%s", hdrs);
	free(hdrs);
	free(log);
	fx_stop(&fx);
}

Test(alert_deliver, undecodable_entry_does_not_wedge, .timeout = 60)
{
	enum integration_type	 k[] = { ITYPE_SLACK };
	struct fixture		 fx;
	char			*log;
	int			 rc;

	fx_start(&fx, k, 1, 10000);
	freeReplyObject(h_redis_cmd(fx.rd, "RPUSH peekl:alerts:slack %s",
	    "{\"not\":\"an alert\""));
	queue_alerts(&fx, ITYPE_SLACK, 2);
	log = deliver(&fx, &rc, NULL);
	cr_assert_eq(rc, 0, "%s", log);
	cr_assert_not_null(strstr(log, "ERROR    | slack: set aside a queued "
	    "entry of 17 bytes"), "%s", log);
	assert_received(fx.hook[0], 2);
	cr_assert_eq(qlen(&fx, ITYPE_SLACK), 0);
	cr_assert_eq(store_queue_dead_len(fx.st, "slack"), 1);
	free(log);
	fx_stop(&fx);
}

/* Appends len raw bytes to the Slack queue (hiredis %b: NULs and all). */
static void
push_bytes(struct fixture *fx, const char *key, const char *bytes,
    size_t len)
{
	redisContext	*c = h_redis_conn(fx->rd);
	redisReply	*r = redisCommand(c, "RPUSH %s %b", key, bytes, len);

	cr_assert(r != NULL && r->type == REDIS_REPLY_INTEGER);
	freeReplyObject(r);
	redisFree(c);
}

/* Asserts that the list key holds exactly the n entries want (lens[i]
 * bytes each), in order. */
static void
assert_list(struct fixture *fx, const char *key, const char *const want[],
    const size_t lens[], size_t n)
{
	redisContext	*c = h_redis_conn(fx->rd);
	redisReply	*r = redisCommand(c, "LRANGE %s 0 -1", key);

	cr_assert(r != NULL && r->type == REDIS_REPLY_ARRAY);
	cr_assert_eq(r->elements, n, "%s holds %zu entries, not %zu", key,
	    r->elements, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(r->element[i]->len, lens[i], "entry %zu", i);
		cr_assert_eq(memcmp(r->element[i]->str, want[i], lens[i]), 0,
		    "entry %zu", i);
	}
	freeReplyObject(r);
	redisFree(c);
}

/* The NUL entry: a valid alert followed by "\0x". It used to be
 * read up to the NUL, posted, and never popped (the pop compared the
 * shorter text), so it was posted again and again. Now it is not an
 * alert: never posted, set aside whole, and the alerts behind it go out
 * in the same run. */
Test(alert_deliver, entry_with_nul_is_set_aside_not_reposted, .timeout = 60)
{
	enum integration_type	 k[] = { ITYPE_SLACK };
	struct fixture		 fx;
	char			*valid = down_json(9), *poison, *log, *want;
	size_t			 len = strlen(valid) + 2;
	int			 rc;

	fx_start(&fx, k, 1, 10000);
	poison = xcalloc(1, len + 1);
	memcpy(poison, valid, len - 2);
	memcpy(poison + len - 2, "\0x", 2);
	push_bytes(&fx, "peekl:alerts:slack", poison, len);
	queue_alerts(&fx, ITYPE_SLACK, 2);
	log = deliver(&fx, &rc, NULL);
	cr_assert_eq(rc, 0, "%s", log);
	cr_assert_leq(h_webhook_count(fx.hook[0], -1), 2, "%s", log);
	assert_received(fx.hook[0], 2);
	cr_assert_eq(qlen(&fx, ITYPE_SLACK), 0);
	assert_list(&fx, "peekl:alerts:slack:dead",
	    (const char *const []){ poison }, (const size_t []){ len }, 1);
	want = h_strf("ERROR    | slack: set aside a queued entry of %zu bytes",
	    len);
	cr_assert_not_null(strstr(log, want), "%s", log);
	free(want);
	/* Nothing is left to post: a second run sends nothing. */
	free(log);
	log = deliver(&fx, &rc, NULL);
	cr_assert_eq(h_webhook_count(fx.hook[0], -1), 2, "%s", log);
	free(log);
	free(poison);
	free(valid);
	fx_stop(&fx);
}

/* Every kind of poison entry, many of them, before and between valid
 * alerts: the run ends quickly, the set-aside list holds exactly the poison
 * entries in order, and every valid alert is delivered in the same run. */
Test(alert_deliver, poison_entries_set_aside_exactly_and_run_bounded,
    .timeout = 60)
{
	enum integration_type	 k[] = { ITYPE_WEBHOOK };
	struct fixture		 fx;
	json_t			*doc;
	char			*s1 = down_json(1), *s2 = down_json(2), *huge,
				*log;
	const char		*want[42];
	size_t			 lens[42], n = 0;
	double			 ms;
	int			 rc;

	fx_start(&fx, k, 1, 10000);
	/* response_ms of 1e308: the decoder refuses what no producer
	 * writes. */
	doc = json_loads(s1, 0, NULL);
	cr_assert_not_null(doc);
	json_object_set_new(doc, "response_ms", json_real(1e308));
	huge = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	for (int i = 0; i < 40; i++) {
		want[n] = "not json\0tail";
		lens[n++] = 13;
	}
	want[n] = huge;
	lens[n++] = strlen(huge);
	want[n] = "";
	lens[n++] = 0;
	for (size_t i = 0; i < 40; i++)
		push_bytes(&fx, "peekl:alerts:webhook", want[i], lens[i]);
	push_bytes(&fx, "peekl:alerts:webhook", s1, strlen(s1));
	push_bytes(&fx, "peekl:alerts:webhook", want[40], lens[40]);
	push_bytes(&fx, "peekl:alerts:webhook", want[41], lens[41]);
	push_bytes(&fx, "peekl:alerts:webhook", s2, strlen(s2));
	log = deliver(&fx, &rc, &ms);
	cr_assert_eq(rc, 0, "%s", log);
	cr_assert_lt(ms, 5000, "delivery took %.0f ms", ms);
	assert_received(fx.hook[0], 2);
	cr_assert_eq(h_webhook_count(fx.hook[0], -1), 2);
	cr_assert_eq(qlen(&fx, ITYPE_WEBHOOK), 0);
	assert_list(&fx, "peekl:alerts:webhook:dead", want, lens, n);
	cr_assert_eq(store_queue_dead_len(fx.st, "webhook"), 42);
	free(log);
	free(huge);
	free(s1);
	free(s2);
	fx_stop(&fx);
}

Test(alert_deliver, stop_sends_nothing, .timeout = 60)
{
	static volatile sig_atomic_t stopped = 1;
	struct fixture		 fx;

	fx_slack(&fx, 2, 10000);
	cr_assert_eq(deliver_all(fx.st, &fx.cfg, &stopped), 0);
	cr_assert_eq(h_webhook_count(fx.hook[0], -1), 0);
	cr_assert_eq(qlen(&fx, ITYPE_SLACK), 2);
	fx_stop(&fx);
}

/* In a child: opens its own store and delivers; exits 0 on success. */
static void
child_deliver(struct fixture *fx)
{
	struct store	*st;
	int		 rc;

	if (store_open(&fx->cfg.redis, &st) != 0)
		_exit(2);
	rc = deliver_all(st, &fx->cfg, &no_stop);
	store_close(st);
	_exit(rc == 0 ? 0 : 1);
}

Test(alert_deliver, concurrent_runs_deliver_once, .timeout = 60)
{
	struct fixture		 fx;
	pid_t			 pid[2];
	int			 i, status;

	fx_slack(&fx, 8, 10000);
	fflush(NULL);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		cr_assert_neq(pid[i], -1);
		if (pid[i] == 0)
			child_deliver(&fx);
	}
	for (i = 0; i < 2; i++) {
		cr_assert_eq(waitpid(pid[i], &status, 0), pid[i]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "child %d: status %d", i, status);
	}
	cr_assert_eq(h_webhook_count(fx.hook[0], -1), 8);
	assert_received(fx.hook[0], 8);
	cr_assert_eq(qlen(&fx, ITYPE_SLACK), 0);
	fx_stop(&fx);
}
