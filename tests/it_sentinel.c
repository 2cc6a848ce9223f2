/*
 * Redis Sentinel end to end, with real redis-server and redis-sentinel
 * processes on loopback: peekl finds the master through the sentinels,
 * follows a failover between runs without losing or repeating a queued
 * alert, and skips every sentinel that cannot lead it to a master.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"

#define TOKEN	"T000/B000/SeCrEtToKeN"
#define MASTER	"mymaster"

/* Returns the port of a loopback socket that accepts connections (the
 * kernel completes them) but never answers: a hung sentinel. */
static int
silent_listener(int *fd)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(*fd, 0);
	cr_assert_eq(bind(*fd, (struct sockaddr *)&sa, len), 0);
	cr_assert_eq(listen(*fd, 8), 0);
	cr_assert_eq(getsockname(*fd, (struct sockaddr *)&sa, &len), 0);
	return ntohs(sa.sin_port);
}

/* Returns a loopback port nothing listens on (a sentinel that is down). */
static int
dead_port(void)
{
	struct h_redis	*rd = h_redis_start();
	int		 port = h_redis_port(rd);

	h_redis_stop(rd);
	return port;
}

/* Writes a config with the sentinels list (YAML flow list text), the site
 * web at path of e's web server, and Slack on e's receiver. */
static char *
config(struct h_env *e, const char *sentinels, const char *path,
    const char *extra)
{
	return h_configf(e->d, "redis:\n  sentinels: [%s]\n  master: " MASTER
	    "\n%s"
	    "websites:\n  - url: http://127.0.0.1:%d/%s\n    name: web\n"
	    "    retry: 0\n    timeout: 2\n"
	    "alertmanagers:\n  slack:\n"
	    "    webhook: http://127.0.0.1:%d/services/" TOKEN "\n"
	    "    timeout: 2\n", sentinels, extra ? extra : "",
	    h_srv_port(e->web), path, h_srv_port(e->hook));
}

/* Runs peekl -c cfg args... and asserts no secret reached its output. */
static int
run(struct h_run *r, const char *cfg, const char *cmd)
{
	h_run(r, (const char *[]){ "-c", cfg, cmd, NULL }, NULL);
	cr_assert_null(strstr(r->err, "SeCrEt"), "secret in stderr: %s", r->err);
	cr_assert_null(strstr(r->out, "SeCrEt"), "secret in stdout: %s", r->out);
	return r->status;
}

static void
assert_has(const char *text, const char *want)
{
	cr_assert_not_null(strstr(text, want), "no \"%s\" in:\n%s", want, text);
}

/* Polls until the replica holds n queued Slack alerts (replication is
 * asynchronous); 10 s. */
static void
wait_queue(const struct h_redis *rd, long long n)
{
	double	deadline = h_now_ms() + 10000;

	while (h_redis_int(rd, "LLEN peekl:alerts:slack") != n) {
		cr_assert_lt(h_now_ms(), deadline, "queue never reached %lld",
		    n);
		usleep(20000);
	}
}

Test(sentinel, failover_between_runs_delivers_the_queued_alert_once,
    .timeout = 90)
{
	struct h_env	 e;
	struct h_redis	*replica, *s[3];
	struct h_run	 r;
	redisReply	*rep;
	char		*cfg, *list, *t0, *t1, *body;
	double		 deadline;

	h_env_start(&e);
	replica = h_redis_start_replica(e.rd);
	for (int i = 0; i < 3; i++)
		s[i] = h_sentinel_start(e.rd, MASTER, 2, NULL);
	for (int i = 0; i < 3; i++)
		h_sentinel_wait(s[i], MASTER, 1, 2);
	list = h_strf("\"127.0.0.1:%d\", \"127.0.0.1:%d\", \"127.0.0.1:%d\"",
	    h_redis_port(s[0]), h_redis_port(s[1]), h_redis_port(s[2]));
	cfg = config(&e, list, "status/503", NULL);

	/* The receiver refuses: the DOWN alert stays queued on the master. */
	h_webhook_respond(e.hook, "500");
	cr_assert_eq(run(&r, cfg, "check"), 2, "%s", r.err);
	cr_assert_null(strstr(r.err, "skipped"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:slack"), 1);
	cr_assert_eq(h_webhook_count(e.hook, 200), 0);
	wait_queue(replica, 1);
	t0 = h_redis_str(replica, "HGET peekl:site:web last_check");
	cr_assert_not_null(t0);

	rep = h_redis_cmd(s[0], "SENTINEL FAILOVER " MASTER);
	cr_assert_eq(rep->type, REDIS_REPLY_STATUS, "%s", rep->str);
	freeReplyObject(rep);
	deadline = h_now_ms() + 30000;
	while (h_sentinel_master_port(s[0], MASTER) != h_redis_port(replica) ||
	    !h_redis_is_master(replica)) {
		cr_assert_lt(h_now_ms(), deadline, "no failover in 30 s");
		usleep(50000);
	}

	/* The next run writes to the new master and delivers the alert the
	 * old one had queued, once. */
	h_webhook_respond(e.hook, "");
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--site", "web",
	    NULL }, NULL);
	cr_assert_eq(r.status, 2, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	body = h_webhook_body(e.hook, 0);
	cr_assert_not_null(body);
	assert_has(body, "DOWN web (http://127.0.0.1:");
	free(body);
	cr_assert_eq(h_redis_int(replica, "LLEN peekl:alerts:slack"), 0);
	t1 = h_redis_str(replica, "HGET peekl:site:web last_check");
	cr_assert_not_null(t1);
	cr_assert_gt(atoll(t1), atoll(t0), "no write on the new master");
	/* Still down: nothing more to say, nothing sent twice. */
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--site", "web",
	    NULL }, NULL);
	cr_assert_eq(r.status, 2, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, -1), 2);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);

	free(t0);
	free(t1);
	free(list);
	free(cfg);
	for (int i = 0; i < 3; i++)
		h_redis_stop(s[i]);
	h_redis_stop(replica);
	h_env_stop(&e);
}

Test(sentinel, down_hung_and_stale_sentinels_are_skipped, .timeout = 60)
{
	struct h_env	 e;
	struct h_redis	*replica, *good, *stale;
	struct h_run	 r;
	char		*cfg, *list, *want, *state;
	int		 dead = dead_port(), quiet_fd, quiet;

	h_env_start(&e);
	quiet = silent_listener(&quiet_fd);
	replica = h_redis_start_replica(e.rd);
	good = h_sentinel_start(e.rd, MASTER, 1, NULL);
	/* A sentinel that missed a failover: it still names the replica.
	 * Slow to judge and alone below its quorum, it changes nothing. */
	stale = h_sentinel_start(replica, MASTER, 2, (const char *[]){
	    "sentinel down-after-milliseconds " MASTER " 600000", NULL });
	list = h_strf("\"127.0.0.1:%d\", \"127.0.0.1:%d\", \"127.0.0.1:%d\", "
	    "\"127.0.0.1:%d\"", dead, quiet, h_redis_port(stale),
	    h_redis_port(good));
	cfg = config(&e, list, "ok", NULL);

	cr_assert_eq(run(&r, cfg, "check"), 0, "%s", r.err);
	want = h_strf("WARNING  | redis: sentinel 127.0.0.1:%d: cannot "
	    "connect: Connection refused; skipped", dead);
	assert_has(r.err, want);
	free(want);
	want = h_strf("WARNING  | redis: sentinel 127.0.0.1:%d: no answer "
	    "within 2 s; skipped", quiet);
	assert_has(r.err, want);
	free(want);
	want = h_strf("WARNING  | redis: sentinel 127.0.0.1:%d names "
	    "127.0.0.1:%d as master \"" MASTER "\", but it is a replica; "
	    "skipped", h_redis_port(stale), h_redis_port(replica));
	assert_has(r.err, want);
	free(want);
	cr_assert_null(strstr(r.err, "ERROR"), "%s", r.err);
	cr_assert_lt(r.elapsed_ms, 8000, "%.0f ms", r.elapsed_ms);
	h_run_free(&r);
	state = h_redis_str(e.rd, "HGET peekl:site:web state");
	cr_assert_not_null(state, "nothing written on the master");
	cr_assert_str_eq(state, "up");
	free(state);

	/* Every command that reads Redis finds it the same way. */
	cr_assert_eq(run(&r, cfg, "status"), 0, "%s", r.err);
	assert_has(r.out, "web");
	assert_has(r.err, "but it is a replica; skipped");
	h_run_free(&r);

	close(quiet_fd);
	free(list);
	free(cfg);
	h_redis_stop(stale);
	h_redis_stop(good);
	h_redis_stop(replica);
	h_env_stop(&e);
}

Test(sentinel, no_sentinel_leading_to_a_master_exits_3)
{
	struct h_env	 e;
	struct h_redis	*other;
	struct h_srv	*hb;
	struct h_run	 r;
	char		*cfg, *list, *extra, *want, *path, *log;
	int		 dead = dead_port();

	h_env_start(&e);
	hb = h_webhook_start();
	/* Up, but it monitors the master under another name. */
	other = h_sentinel_start(e.rd, "othermaster", 1, NULL);
	list = h_strf("\"127.0.0.1:%d\", \"127.0.0.1:%d\"", dead,
	    h_redis_port(other));
	extra = h_strf("heartbeat_url: http://127.0.0.1:%d/SeCrEtUuId\n",
	    h_srv_port(hb));
	cfg = config(&e, list, "ok", extra);
	cr_assert_eq(run(&r, cfg, "check"), 3, "%s", r.err);
	want = h_strf("redis: sentinel 127.0.0.1:%d does not know a master "
	    "named \"" MASTER "\"; skipped", h_redis_port(other));
	assert_has(r.err, want);
	free(want);
	assert_has(r.err, "ERROR    | redis: no sentinel leads to a master \""
	    MASTER "\" (2 asked)");
	h_run_free(&r);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:site:web"), 0);
	/* The dead man's switch hears about it. */
	cr_assert_eq(h_webhook_count(hb, 200), 1);
	path = h_srv_file(hb, "log");
	log = h_read_file(path);
	assert_has(log, "\tGET\t/SeCrEtUuId/fail\t");
	free(log);
	free(path);
	want = h_webhook_headers(hb, 0);
	cr_assert_not_null(want);
	assert_has(want, "User-Agent: peekl/");
	free(want);
	free(extra);
	free(list);
	free(cfg);
	h_redis_stop(other);
	h_srv_stop(hb);
	h_env_stop(&e);
}

Test(sentinel, sentinel_password_and_data_password)
{
	struct h_env	 e;
	struct h_redis	*master, *s;
	struct h_run	 r;
	char		*cfg, *list, *extra;

	h_env_start(&e);
	master = h_redis_start_opts((const char *[]){ "--requirepass",
	    "data-SeCrEt", NULL });
	s = h_sentinel_start(master, MASTER, 1, (const char *[]){
	    "requirepass sent-SeCrEt", NULL });
	list = h_strf("\"127.0.0.1:%d\"", h_redis_port(s));
	extra = h_strf("  sentinel_password: sent-SeCrEt\n"
	    "  password: data-SeCrEt\n");
	cfg = config(&e, list, "ok", extra);
	cr_assert_eq(run(&r, cfg, "check"), 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_redis_int(master, "EXISTS peekl:site:web"), 1);
	free(extra);
	free(cfg);
	/* A refused sentinel password skips the sentinel, and names no
	 * password. */
	extra = h_strf("  sentinel_password: wrong-SeCrEt\n"
	    "  password: data-SeCrEt\n");
	cfg = config(&e, list, "ok", extra);
	cr_assert_eq(run(&r, cfg, "check"), 3, "%s", r.err);
	assert_has(r.err, "authentication failed");
	assert_has(r.err, "; skipped");
	h_run_free(&r);
	free(extra);
	free(list);
	free(cfg);
	h_redis_stop(s);
	h_redis_stop(master);
	h_env_stop(&e);
}
