/*
 * Integration tests of the Redis store against a real redis-server started
 * by the harness: connection and AUTH errors, state round trips, leases,
 * the MULTI/EXEC write, streams and their trimming, alert queues, history,
 * and RedisTimeSeries when $PEEKL_TEST_TS_MODULE names the module.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "state.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define DAY_MS	(86400LL * 1000)

/* Site names that need care in keys and commands: ':' '/' and a space. */
static const char *const names[] = { "api", "shop:8443/health", "with space" };

/* A config as config_load would build it, for nsites sites on rd. */
static struct config *
mkcfg(const struct h_redis *rd, size_t nsites)
{
	struct config	*cfg = xcalloc(1, sizeof(*cfg));

	cfg->redis.host = xstrdup("127.0.0.1");
	cfg->redis.port = rd != NULL ? h_redis_port(rd) : 6379;
	cfg->redis.prefix = xstrdup("peekl");
	cfg->redis.timeseries = TS_OFF;
	cfg->redis.retention_ms = 30 * DAY_MS;
	cfg->max_concurrency = 100;
	cfg->sites = xcalloc(nsites, sizeof(*cfg->sites));
	cfg->nsites = nsites;
	for (size_t i = 0; i < nsites; i++) {
		struct site	*s = &cfg->sites[i];

		s->name = i < ARRAY_LEN(names) ? xstrdup(names[i]) :
		    xasprintf("site-%zu", i);
		s->url = xasprintf("https://example.test/%zu", i);
		s->host = xstrdup("example.test");
		s->url_port = s->port = 443;
		s->is_https = 1;
		s->interval_ms = s->retry_interval_ms = 30000;
		s->retry = 1;
		s->timeout_ms = 10000;
		s->cert_interval_ms = 30000;
		s->cert_warning = 30;
		s->cert_critical = 5;
		s->method = xstrdup("GET");
		s->follow_redirects = 1;
	}
	return cfg;
}

/* A check of site i of cfg as the judge stage leaves it: finished and
 * applied, with s as the site's state after it. */
static struct check
judged(const struct config *cfg, size_t i, enum check_kind kind,
    struct site_state *s, const struct http_result *hr,
    const struct cert_result *cr)
{
	struct check	c = { .site = &cfg->sites[i], .kind = kind,
	    .state = s, .judged = 1 };

	if (hr != NULL)
		c.http = *hr;
	if (cr != NULL)
		c.cert = *cr;
	return c;
}

/* A due check of site i of cfg whose lease lives ttl_ms, with s as the
 * state its lease re-reads into. */
static struct check
due(const struct config *cfg, size_t i, enum check_kind kind,
    struct site_state *s, int64_t ttl_ms)
{
	return (struct check){ .site = &cfg->sites[i], .kind = kind,
	    .state = s, .due = 1, .lease_ttl_ms = ttl_ms };
}

static void
freecfg(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nsites; i++) {
		free(cfg->sites[i].name);
		free(cfg->sites[i].url);
		free(cfg->sites[i].host);
		free(cfg->sites[i].method);
	}
	free(cfg->sites);
	free(cfg->redis.host);
	free(cfg->redis.prefix);
	free(cfg->redis.password);
	free(cfg->redis.username);
	free(cfg->redis.socket);
	free(cfg);
}

/* Opens a store on cfg, which must succeed. */
static struct store *
open_ok(const struct config *cfg)
{
	struct store	*st = NULL;

	cr_assert_eq(store_open(&cfg->redis, &st), 0);
	cr_assert_not_null(st);
	return st;
}

/* stderr capture into a temp file: the log lines a user would read. */
static int	saved_fd = -1;
static FILE	*capture_file;

static void
capture_begin(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	cr_assert_not_null(capture_file);
	saved_fd = dup(STDERR_FILENO);
	dup2(fileno(capture_file), STDERR_FILENO);
}

/* Returns what was written to stderr since capture_begin (malloc'd). */
static char *
capture_end(void)
{
	struct buf	b = { 0 };
	char		chunk[4096];
	size_t		n;

	fflush(stderr);
	dup2(saved_fd, STDERR_FILENO);
	close(saved_fd);
	rewind(capture_file);
	while ((n = fread(chunk, 1, sizeof(chunk), capture_file)) > 0)
		buf_append(&b, chunk, n);
	fclose(capture_file);
	buf_puts(&b, "");
	return b.data;
}

/* Opens a store on cfg, which must fail; returns what it logged
 * (malloc'd). */
static char *
open_fails(const struct config *cfg)
{
	struct store	*st = NULL;
	char		*err;
	int		 rc;

	capture_begin();
	rc = store_open(&cfg->redis, &st);
	err = capture_end();
	cr_assert_eq(rc, -1);
	cr_assert_null(st);
	return err;
}

/* Most tests: a Redis, a config of nsites sites on it and a store open. */
struct env {
	struct h_redis	*rd;
	struct config	*cfg;
	struct store	*st;	/* NULL until opened */
};

/* Fills e for rd (may be NULL) without opening the store, so a test can
 * change the config first. */
static void
env_init(struct env *e, struct h_redis *rd, size_t nsites)
{
	e->rd = rd;
	e->cfg = mkcfg(rd, nsites);
	e->st = NULL;
}

/* A fresh Redis, nsites sites and the store open on them. */
static void
env_start(struct env *e, size_t nsites)
{
	env_init(e, h_redis_start(), nsites);
	e->st = open_ok(e->cfg);
}

static void
env_stop(struct env *e)
{
	store_close(e->st);
	freecfg(e->cfg);
	h_redis_stop(e->rd);
}

/* A loopback port nothing listens on. */
static int
closed_port(void)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		len = sizeof(sin);
	int			fd, port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* ---- connecting */

Test(store, connect_refused_fails_fast_with_address)
{
	struct config	*cfg = mkcfg(NULL, 1);
	char		*err, want[128];
	double		 t0;

	cfg->redis.port = closed_port();
	t0 = h_now_ms();
	err = open_fails(cfg);
	cr_assert_lt(h_now_ms() - t0, 5000);
	snprintf(want, sizeof(want), "redis: cannot connect to 127.0.0.1:%d: "
	    "Connection refused", cfg->redis.port);
	cr_assert(strstr(err, want) != NULL, "stderr: %s", err);
	free(err);
	freecfg(cfg);
}

Test(store, hung_redis_fails_within_seconds)
{
	struct h_srv	*silent = h_srv_start((const char *[]){ "--mode",
	    "silent", NULL });
	struct config	*cfg = mkcfg(NULL, 1);
	char		*err;
	double		 t0;

	cfg->redis.port = h_srv_port(silent);
	t0 = h_now_ms();
	err = open_fails(cfg);
	cr_assert_lt(h_now_ms() - t0, 9000);
	cr_assert(strstr(err, "no answer within") != NULL, "stderr: %s", err);
	free(err);
	freecfg(cfg);
	h_srv_stop(silent);
}

Test(store, auth_refused_never_shows_password)
{
	struct env	 e;
	char		*err;

	env_init(&e, h_redis_start_opts((const char *[]){ "--requirepass",
	    "s3cret", NULL }), 1);
	e.cfg->redis.password = xstrdup("wr0ngpassw0rd");
	err = open_fails(e.cfg);
	cr_assert(strstr(err, "authentication failed") != NULL, "%s", err);
	cr_assert(strstr(err, "wr0ngpassw0rd") == NULL, "%s", err);
	cr_assert(strstr(err, "s3cret") == NULL, "%s", err);
	free(err);

	free(e.cfg->redis.password);
	e.cfg->redis.password = NULL;
	err = open_fails(e.cfg);
	cr_assert(strstr(err, "requires authentication") != NULL, "%s", err);
	free(err);

	e.cfg->redis.password = xstrdup("s3cret");
	e.st = open_ok(e.cfg);
	env_stop(&e);
}

Test(store, acl_user_and_password)
{
	struct env	 e;
	char		*err;

	env_init(&e, h_redis_start_opts((const char *[]){ "--user", "peekl",
	    "on", ">pw-of-peekl", "~*", "&*", "+@all", NULL }), 1);
	e.cfg->redis.username = xstrdup("peekl");
	e.cfg->redis.password = xstrdup("pw-of-peekl");
	store_close(open_ok(e.cfg));

	free(e.cfg->redis.password);
	e.cfg->redis.password = xstrdup("not-the-pw");
	err = open_fails(e.cfg);
	cr_assert(strstr(err, "authentication failed") != NULL, "%s", err);
	cr_assert(strstr(err, "not-the-pw") == NULL, "%s", err);
	free(err);
	env_stop(&e);
}

/* A certificate valid until 9999 has about 2.9 million days left: what
 * the store writes for it, it reads back. */
Test(store, far_future_days_left_read_back)
{
	struct env	 e;
	struct site_state s = { .cert_state = CERT_CRITICAL,
	    .cert_last_check = 1000, .have_cert = 1,
	    .cert_days_left = 2932000, .cert_not_after = 253402300799LL };
	struct cert_result cr = { .done = 1, .have_cert = 1,
	    .days_left = 2932000, .not_after = 253402300799LL,
	    .started_ms = 1000 };
	struct site_state out[1];
	struct check	 rec;

	env_start(&e, 1);
	rec = judged(e.cfg, 0, KIND_CERT, &s, NULL, &cr);
	cr_assert_eq(store_write(e.st, &rec, 1, NULL, 0), 0);
	cr_assert_eq(store_read_states(e.st, e.cfg, out), 0);
	cr_assert_eq(out[0].have_cert, 1);
	cr_assert_eq(out[0].cert_days_left, 2932000);
	cr_assert_eq(out[0].cert_not_after, 253402300799LL);
	env_stop(&e);
}

Test(store, unix_socket_and_db)
{
	struct env	 e;
	struct site_state s = { .state = HTTP_UP, .failures = 0,
	    .last_check = 1000 };
	struct http_result res = { .done = 1, .ok = 1, .http_code = 200,
	    .started_ms = 1000 };
	struct check	 rec;
	redisContext	*c;
	redisReply	*r;

	env_init(&e, h_redis_start(), 1);
	e.cfg->redis.socket = xstrdup(h_redis_socket(e.rd));
	e.cfg->redis.port = 1;	/* ignored with a socket */
	e.cfg->redis.db = 3;
	e.st = open_ok(e.cfg);
	rec = judged(e.cfg, 0, KIND_HTTP, &s, &res, NULL);
	cr_assert_eq(store_write(e.st, &rec, 1, NULL, 0), 0);
	store_close(e.st);
	e.st = NULL;
	/* The write went to db 3, not db 0. */
	cr_assert_eq(h_redis_int(e.rd, "EXISTS %s", "peekl:site:api"), 0);
	c = h_redis_conn(e.rd);
	freeReplyObject(redisCommand(c, "SELECT 3"));
	r = redisCommand(c, "HGET peekl:site:api state");
	cr_assert_eq(r->type, REDIS_REPLY_STRING);
	cr_assert_str_eq(r->str, "up");
	freeReplyObject(r);
	redisFree(c);
	env_stop(&e);
}

Test(store, timeseries_on_without_module_fails)
{
	struct env	 e;
	char		*err;

	env_init(&e, h_redis_start(), 1);
	e.cfg->redis.timeseries = TS_ON;
	err = open_fails(e.cfg);
	cr_assert(strstr(err, "RedisTimeSeries") != NULL, "%s", err);
	free(err);
	env_stop(&e);
}

Test(store, timeseries_auto_without_module_uses_streams)
{
	struct env	 e;
	char		*err;

	env_init(&e, h_redis_start(), 1);
	e.cfg->redis.timeseries = TS_AUTO;
	/* The store says why at debug level; `check` tells the operator. */
	log_setup(LOG_DEBUG);
	capture_begin();
	e.st = open_ok(e.cfg);
	err = capture_end();
	log_setup(LOG_INFO);
	cr_assert_eq(store_uses_timeseries(e.st), 0);
	cr_assert(strstr(err, "RedisTimeSeries not available, recording to "
	    "streams (peekl:history:NAME)") != NULL, "%s", err);
	free(err);
	store_close(NULL);
	env_stop(&e);
}

/* ---- site states */

Test(store, read_states_of_empty_redis_are_unknown)
{
	struct env	 e;
	struct site_state out[3], zero;

	env_start(&e, 3);
	memset(out, 0x5a, sizeof(out));
	memset(&zero, 0, sizeof(zero));
	cr_assert_eq(store_read_states(e.st, e.cfg, out), 0);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(out[i].state, HTTP_UNKNOWN);
		cr_assert_eq(out[i].cert_state, CERT_UNKNOWN);
		cr_assert_eq(memcmp(&out[i], &zero, sizeof(zero)), 0);
	}
	env_stop(&e);
}

Test(store, write_then_read_round_trips_every_field)
{
	struct env	 e;
	struct site_state hs = { .state = HTTP_DOWN, .failures = 2,
	    .last_check = 1764077404048, .since = 1764077000000,
	    .http_code = 503, .response_ms = 38.25 };
	struct site_state cs = { .cert_state = CERT_WARNING,
	    .cert_last_check = 1764077404051, .cert_since = 1764000000000,
	    .have_cert = 1, .cert_days_left = 12,
	    .cert_not_after = 1802512800 };	/* 2027-02-13T10:00:00Z */
	struct http_result hr = { .done = 1, .ok = 0, .http_code = 503,
	    .response_ms = 38.25, .started_ms = 1764077404048 };
	struct cert_result cr = { .done = 1, .have_cert = 1, .days_left = 12,
	    .not_after = 1802512800, .started_ms = 1764077404051 };
	struct check	 recs[2];
	struct site_state out[3];
	redisReply	*r;

	env_start(&e, 3);
	snprintf(hs.error, sizeof(hs.error), "HTTP 503 \"quoted\" \n newline");
	snprintf(cr.error, sizeof(cr.error), "certificate expires soon");
	for (size_t i = 1; i < 3; i++) {
		recs[0] = judged(e.cfg, i, KIND_HTTP, &hs, &hr, NULL);
		recs[1] = judged(e.cfg, i, KIND_CERT, &cs, NULL, &cr);
		cr_assert_eq(store_write(e.st, recs, 2, NULL, 0), 0);
	}
	cr_assert_eq(store_read_states(e.st, e.cfg, out), 0);
	cr_assert_eq(out[0].state, HTTP_UNKNOWN);
	for (size_t i = 1; i < 3; i++) {
		struct site_state *o = &out[i];

		cr_assert_eq(o->state, HTTP_DOWN);
		cr_assert_eq(o->failures, 2);
		cr_assert_eq(o->last_check, 1764077404048);
		cr_assert_eq(o->since, 1764077000000);
		cr_assert_eq(o->http_code, 503);
		cr_assert_float_eq(o->response_ms, 38.25, 1e-9);
		cr_assert_str_eq(o->error, hs.error);
		cr_assert_eq(o->cert_state, CERT_WARNING);
		cr_assert_eq(o->cert_last_check, 1764077404051);
		cr_assert_eq(o->cert_since, 1764000000000);
		cr_assert_eq(o->have_cert, 1);
		cr_assert_eq(o->cert_days_left, 12);
		cr_assert_eq(o->cert_not_after, 1802512800);
	}
	/* The hash is readable by people and other tools, under the
	 * documented key and field names. */
	r = h_redis_cmd(e.rd, "HGET %s cert_not_after",
	    "peekl:site:with space");
	cr_assert_eq(r->type, REDIS_REPLY_STRING);
	cr_assert_str_eq(r->str, "2027-02-13T10:00:00Z");
	freeReplyObject(r);
	r = h_redis_cmd(e.rd, "HGET %s cert_error",
	    "peekl:site:shop:8443/health");
	cr_assert_eq(r->type, REDIS_REPLY_STRING);
	cr_assert_str_eq(r->str, "certificate expires soon");
	freeReplyObject(r);
	r = h_redis_cmd(e.rd, "HGET %s state", "peekl:site:shop:8443/health");
	cr_assert_str_eq(r->str, "down");
	freeReplyObject(r);

	/* A later cert check without a certificate forgets days_left. */
	cs.have_cert = 0;
	cs.cert_state = CERT_CRITICAL;
	cr.have_cert = 0;
	recs[0] = judged(e.cfg, 2, KIND_CERT, &cs, NULL, &cr);
	cr_assert_eq(store_write(e.st, recs, 1, NULL, 0), 0);
	cr_assert_eq(store_read_states(e.st, e.cfg, out), 0);
	cr_assert_eq(out[2].cert_state, CERT_CRITICAL);
	cr_assert_eq(out[2].have_cert, 0);
	cr_assert_eq(out[2].state, HTTP_DOWN);	/* http fields untouched */
	env_stop(&e);
}

Test(store, garbage_in_redis_gives_defaults)
{
	struct env	 e;
	struct site_state out[3];

	env_start(&e, 3);
	freeReplyObject(h_redis_cmd(e.rd, "HSET peekl:site:api state sideways "
	    "failures -3 last_check 12abc since 99999999999999999999999 "
	    "http_code 7777 response_ms nan cert_days_left x "
	    "cert_not_after yesterday cert_state ok error %s",
	    "an error that is much longer than the field, so it must be "
	    "truncated rather than overflow the fixed buffer of the state "
	    "struct that holds it in memory, which holds an assertion's "
	    "error of up to two hundred bytes and then some room to spare "
	    "for the longest error a check can produce"));
	freeReplyObject(h_redis_cmd(e.rd, "SET %s oops",
	    "peekl:site:with space"));
	cr_assert_eq(store_read_states(e.st, e.cfg, out), 0);
	cr_assert_eq(out[0].state, HTTP_UNKNOWN);
	cr_assert_eq(out[0].failures, 0);
	cr_assert_eq(out[0].last_check, 0);
	cr_assert_eq(out[0].since, 0);
	cr_assert_eq(out[0].http_code, 0);
	cr_assert_eq(out[0].response_ms, 0);
	cr_assert_eq(out[0].have_cert, 0);
	cr_assert_eq(out[0].cert_not_after, 0);
	cr_assert_eq(out[0].cert_state, CERT_OK);
	cr_assert_eq(strlen(out[0].error), ERROR_LEN - 1);
	cr_assert_eq(out[2].state, HTTP_UNKNOWN);	/* wrong type: default */
	env_stop(&e);
}

Test(store, read_states_of_200_sites_is_one_pipeline)
{
	struct env	 e;
	struct site_state *out = xcalloc(200, sizeof(*out));
	struct site_state s = { .state = HTTP_UP, .last_check = 42 };
	struct check	 rec;
	redisReply	*r;
	double		 t0;

	env_start(&e, 200);
	rec = judged(e.cfg, 150, KIND_HTTP, &s, NULL, NULL);
	cr_assert_eq(store_write(e.st, &rec, 1, NULL, 0), 0);
	freeReplyObject(h_redis_cmd(e.rd, "CONFIG RESETSTAT"));
	t0 = h_now_ms();
	cr_assert_eq(store_read_states(e.st, e.cfg, out), 0);
	cr_assert_lt(h_now_ms() - t0, 1000);
	cr_assert_eq(out[150].state, HTTP_UP);
	cr_assert_eq(out[150].last_check, 42);
	cr_assert_eq(out[149].state, HTTP_UNKNOWN);
	r = h_redis_cmd(e.rd, "INFO commandstats");
	cr_assert(strstr(r->str, "cmdstat_hgetall:calls=200,") != NULL, "%s",
	    r->str);
	freeReplyObject(r);
	free(out);
	env_stop(&e);
}

/* ---- leases */

Test(store, leases_are_exclusive_and_released_by_owner_only)
{
	struct env	 e;
	struct store	*a, *b;
	struct site_state sa[3] = { 0 }, sb[3] = { 0 };
	struct check	 la[2], lb[2], rec;
	struct site_state s = { .state = HTTP_DOWN, .failures = 3,
	    .last_check = 777 };
	long long	 pttl;

	env_init(&e, h_redis_start(), 3);
	la[0] = due(e.cfg, 1, KIND_HTTP, &sa[1], 15000);
	la[1] = due(e.cfg, 2, KIND_CERT, &sa[2], 15000);
	lb[0] = due(e.cfg, 1, KIND_HTTP, &sb[1], 15000);
	lb[1] = due(e.cfg, 2, KIND_CERT, &sb[2], 15000);
	rec = judged(e.cfg, 1, KIND_HTTP, &s, NULL, NULL);
	a = open_ok(e.cfg);
	b = open_ok(e.cfg);
	cr_assert_eq(store_take_leases(a, la, 2), 0);
	cr_assert_eq(la[0].leased, 1);
	cr_assert_eq(la[1].leased, 1);
	pttl = h_redis_int(e.rd, "PTTL %s",
	    "peekl:lease:shop:8443/health:http");
	cr_assert(pttl > 0 && pttl <= 15000, "pttl %lld", pttl);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS %s",
	    "peekl:lease:with space:cert"), 1);

	/* Another run sees the leases taken, and the state a check made
	 * meanwhile is what a granted lease re-reads. */
	cr_assert_eq(store_write(a, &rec, 1, NULL, 0), 0);
	cr_assert_eq(store_take_leases(b, lb, 2), 0);
	cr_assert_eq(lb[0].leased, 0);
	cr_assert_eq(lb[1].leased, 0);
	cr_assert_eq(sb[1].state, HTTP_UNKNOWN, "not granted: not re-read");

	/* b releasing what it does not hold frees nothing. */
	lb[0].leased = lb[1].leased = 1;
	cr_assert_eq(store_release_leases(b, lb, 2), 0);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS %s",
	    "peekl:lease:shop:8443/health:http"), 1);

	cr_assert_eq(store_release_leases(a, la, 2), 0);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS %s",
	    "peekl:lease:shop:8443/health:http"), 0);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS %s",
	    "peekl:lease:with space:cert"), 0);

	cr_assert_eq(store_take_leases(b, lb, 2), 0);
	cr_assert_eq(lb[0].leased, 1);
	cr_assert_eq(sb[1].state, HTTP_DOWN);
	cr_assert_eq(sb[1].failures, 3);
	cr_assert_eq(sb[1].last_check, 777);
	cr_assert_eq(store_release_leases(b, lb, 2), 0);
	store_close(a);
	store_close(b);
	env_stop(&e);
}

/* ---- streams and history */

/* Records one HTTP and one cert check of site i started at t. */
static void
write_checks(struct store *st, const struct config *cfg, size_t i, int64_t t,
    int ok, double ms, long days)
{
	struct site_state s = { .state = ok ? HTTP_UP : HTTP_DOWN,
	    .last_check = t, .cert_last_check = t + 1, .have_cert = 1,
	    .cert_days_left = days, .cert_state = CERT_OK };
	struct http_result hr = { .done = 1, .ok = ok,
	    .http_code = ok ? 200 : 0, .response_ms = ms, .started_ms = t };
	struct cert_result cr = { .done = 1, .have_cert = 1,
	    .days_left = days, .not_after = t / 1000 + days * 86400,
	    .started_ms = t + 1 };
	struct check	 recs[2] = {
		judged(cfg, i, KIND_HTTP, &s, &hr, NULL),
		judged(cfg, i, KIND_CERT, &s, NULL, &cr),
	};

	cr_assert_eq(store_write(st, recs, 2, NULL, 0), 0);
}

Test(store, streams_hold_one_entry_per_check)
{
	struct env	 e;
	int64_t		 t = now_ms();
	redisReply	*r, *f;

	env_start(&e, 3);
	write_checks(e.st, e.cfg, 2, t, 1, 38.5, 80);
	write_checks(e.st, e.cfg, 2, t + 1000, 0, 12.0, 80);
	r = h_redis_cmd(e.rd, "XRANGE %s - +", "peekl:history:with space");
	cr_assert_eq(r->type, REDIS_REPLY_ARRAY);
	cr_assert_eq(r->elements, 4);
	f = r->element[0]->element[1];
	cr_assert_eq(f->elements, 10);
	cr_assert_str_eq(f->element[0]->str, "kind");
	cr_assert_str_eq(f->element[1]->str, "http");
	cr_assert_str_eq(f->element[2]->str, "up");
	cr_assert_str_eq(f->element[3]->str, "1");
	cr_assert_str_eq(f->element[4]->str, "http_code");
	cr_assert_str_eq(f->element[5]->str, "200");
	cr_assert_str_eq(f->element[6]->str, "response_ms");
	cr_assert_float_eq(strtod(f->element[7]->str, NULL), 38.5, 1e-9);
	cr_assert_str_eq(f->element[8]->str, "t");
	cr_assert_eq(strtoll(f->element[9]->str, NULL, 10), t);
	f = r->element[1]->element[1];
	cr_assert_str_eq(f->element[1]->str, "cert");
	cr_assert_str_eq(f->element[2]->str, "days_left");
	cr_assert_str_eq(f->element[3]->str, "80");
	freeReplyObject(r);
	env_stop(&e);
}

Test(store, streams_are_trimmed_to_retention)
{
	struct env	 e;
	int64_t		 t = now_ms();
	redisReply	*r;

	env_init(&e, h_redis_start(), 1);
	e.cfg->redis.retention_ms = 60 * 1000;
	e.st = open_ok(e.cfg);
	/* An entry from an hour ago, as an older run would have left. */
	freeReplyObject(h_redis_cmd(e.rd,
	    "XADD peekl:history:api %lld-0 kind http "
	    "up 1 http_code 200 response_ms 1 t 1",
	    (long long)(t - 3600 * 1000)));
	cr_assert_eq(h_redis_int(e.rd, "XLEN %s", "peekl:history:api"), 1);
	write_checks(e.st, e.cfg, 0, t, 1, 5, 80);
	r = h_redis_cmd(e.rd, "XRANGE peekl:history:api - +");
	cr_assert_eq(r->elements, 2, "the hour-old entry is trimmed");
	freeReplyObject(r);
	env_stop(&e);
}

Test(store, history_from_streams_round_trips)
{
	struct env	 e;
	int64_t		 t = now_ms() - 10000;
	struct point	*p = NULL;
	size_t		 n = 99;

	env_start(&e, 3);
	cr_assert_eq(store_read_history(e.st, e.cfg, &e.cfg->sites[1], 0,
	    now_ms(), &p, &n), 0);
	cr_assert_eq(n, 0);
	free(p);
	write_checks(e.st, e.cfg, 1, t, 1, 38.5, 80);
	write_checks(e.st, e.cfg, 1, t + 2000, 0, 10001.25, 79);
	/* Another site. */
	write_checks(e.st, e.cfg, 0, t + 3000, 1, 1, 1);
	/* Garbage in the stream is skipped, not fatal. */
	freeReplyObject(h_redis_cmd(e.rd, "XADD %s * kind bogus t x",
	    "peekl:history:shop:8443/health"));
	cr_assert_eq(store_read_history(e.st, e.cfg, &e.cfg->sites[1], 0,
	    now_ms(), &p, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert_eq(p[0].t, t);
	cr_assert_eq(p[0].kind, KIND_HTTP);
	cr_assert_eq(p[0].up, 1);
	cr_assert_eq(p[0].http_code, 200);
	cr_assert_float_eq(p[0].response_ms, 38.5, 1e-9);
	cr_assert_eq(p[1].t, t + 1);
	cr_assert_eq(p[1].kind, KIND_CERT);
	cr_assert_eq(p[1].days_left, 80);
	cr_assert_eq(p[2].t, t + 2000);
	cr_assert_eq(p[2].up, 0);
	cr_assert_eq(p[2].http_code, 0);
	cr_assert_float_eq(p[2].response_ms, 10001.25, 1e-9);
	cr_assert_eq(p[3].days_left, 79);
	free(p);
	/* since_ms cuts the older points. */
	cr_assert_eq(store_read_history(e.st, e.cfg, &e.cfg->sites[1], t + 1500,
	    now_ms(), &p, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(p[0].t, t + 2000);
	free(p);
	env_stop(&e);
}

Test(store, history_reads_long_streams_in_batches)
{
	struct env	 e;
	redisContext	*c;
	struct point	*p = NULL;
	size_t		 n = 0;
	int64_t		 t = now_ms() - 3600 * 1000;

	env_start(&e, 1);
	c = h_redis_conn(e.rd);
	for (int i = 0; i < 25000; i++)
		redisAppendCommand(c, "XADD peekl:history:api * kind http up 1 "
		    "http_code 200 response_ms 1 t %lld", (long long)(t + i));
	for (int i = 0; i < 25000; i++) {
		void	*r;

		cr_assert_eq(redisGetReply(c, &r), REDIS_OK);
		freeReplyObject(r);
	}
	redisFree(c);
	cr_assert_eq(store_read_history(e.st, e.cfg, &e.cfg->sites[0], 0,
	    now_ms(), &p, &n), 0);
	cr_assert_eq(n, 25000);
	cr_assert_eq(p[0].t, t);
	cr_assert_eq(p[24999].t, t + 24999);
	free(p);
	env_stop(&e);
}

/* ---- alert queues */

Test(store, alert_queue_order_pop_and_cap)
{
	struct env	 e;
	struct queued_alert *qa = xcalloc(1005, sizeof(*qa));
	char		**json = xcalloc(1005, sizeof(*json));
	char		*head, *err;
	size_t		 len;
	int		 rc;

	env_start(&e, 1);
	for (size_t i = 0; i < 1005; i++) {
		json[i] = xasprintf("{\"n\": %zu, \"text\": \"a b\"}", i);
		qa[i].integration = "slack";
		qa[i].json = json[i];
	}
	cr_assert_eq(store_queue_len(e.st, "slack"), 0);
	cr_assert_eq(store_queue_head(e.st, "slack", &head, &len), 0);
	cr_assert_null(head);

	cr_assert_eq(store_write(e.st, NULL, 0, qa, 3), 0);
	cr_assert_eq(store_queue_len(e.st, "slack"), 3);
	cr_assert_eq(store_queue_len(e.st, "discord"), 0);
	cr_assert_eq(store_queue_head(e.st, "slack", &head, &len), 0);
	cr_assert_str_eq(head, json[0]);
	free(head);
	/* Popping anything but the head does nothing. */
	cr_assert_eq(store_queue_pop(e.st, "slack", json[1],
	    strlen(json[1])), 0);
	cr_assert_eq(store_queue_len(e.st, "slack"), 3);
	cr_assert_eq(store_queue_pop(e.st, "slack", json[0],
	    strlen(json[0])), 0);
	cr_assert_eq(store_queue_len(e.st, "slack"), 2);
	cr_assert_eq(store_queue_head(e.st, "slack", &head, &len), 0);
	cr_assert_str_eq(head, json[1]);
	free(head);
	freeReplyObject(h_redis_cmd(e.rd, "DEL peekl:alerts:slack"));

	/* 1005 alerts: the 5 oldest go, with a warning. */
	capture_begin();
	rc = store_write(e.st, NULL, 0, qa, 1005);
	err = capture_end();
	cr_assert_eq(rc, 0);
	cr_assert_eq(store_queue_len(e.st, "slack"), STORE_QUEUE_MAX);
	cr_assert_eq(store_queue_head(e.st, "slack", &head, &len), 0);
	cr_assert_str_eq(head, json[5]);
	free(head);
	cr_assert(strstr(err, "WARNING") != NULL && strstr(err, "slack") !=
	    NULL && strstr(err, "dropped the 5 oldest") != NULL, "%s", err);
	free(err);

	for (size_t i = 0; i < 1005; i++)
		free(json[i]);
	free(json);
	free(qa);
	env_stop(&e);
}

/* Pushes len raw bytes to the end of the list key. */
static void
rpush_bytes(const struct h_redis *rd, const char *key, const char *bytes,
    size_t len)
{
	redisContext	*c = h_redis_conn(rd);
	redisReply	*r = redisCommand(c, "RPUSH %s %b", key, bytes, len);

	cr_assert(r != NULL && r->type == REDIS_REPLY_INTEGER);
	freeReplyObject(r);
	redisFree(c);
}

/* Asserts that the webhook set-aside list starts with exactly len bytes. */
static void
dead_head_is(const struct h_redis *rd, const char *bytes, size_t len)
{
	redisContext	*c = h_redis_conn(rd);
	redisReply	*r = redisCommand(c, "LINDEX %s 0",
			    "peekl:alerts:webhook:dead");

	cr_assert(r != NULL && r->type == REDIS_REPLY_STRING);
	cr_assert_eq(r->len, len);
	cr_assert_eq(memcmp(r->str, bytes, len), 0);
	freeReplyObject(r);
	redisFree(c);
}

/* Entries are bytes with a length: one holding a NUL is read whole, and
 * only its exact bytes pop it or set it aside. */
Test(store, queue_entries_are_bytes_and_set_aside_is_exact_and_capped)
{
	struct env	 e;
	char		*head, *key;
	size_t		 len;

	env_start(&e, 1);
	rpush_bytes(e.rd, "peekl:alerts:webhook", "ab\0cd", 5);
	rpush_bytes(e.rd, "peekl:alerts:webhook", "next", 4);
	cr_assert_eq(store_queue_head(e.st, "webhook", &head, &len), 0);
	cr_assert_eq(len, 5);
	cr_assert_eq(memcmp(head, "ab\0cd", 6), 0);
	free(head);
	/* The text up to the NUL is another entry: nothing moves. */
	cr_assert_eq(store_queue_pop(e.st, "webhook", "ab", 2), 0);
	cr_assert_eq(store_queue_set_aside(e.st, "webhook", "ab", 2), 0);
	cr_assert_eq(store_queue_len(e.st, "webhook"), 2);
	cr_assert_eq(store_queue_dead_len(e.st, "webhook"), 0);
	cr_assert_eq(store_queue_set_aside(e.st, "webhook", "ab\0cd", 5),
	    0);
	cr_assert_eq(store_queue_len(e.st, "webhook"), 1);
	cr_assert_eq(store_queue_dead_len(e.st, "webhook"), 1);
	dead_head_is(e.rd, "ab\0cd", 5);
	cr_assert_eq(store_queue_pop(e.st, "webhook", "next", 4), 0);
	cr_assert_eq(store_queue_len(e.st, "webhook"), 0);
	key = store_queue_dead_name(e.st, "webhook");
	cr_assert_str_eq(key, "peekl:alerts:webhook:dead");
	free(key);

	/* The set-aside list keeps the newest STORE_DEAD_MAX. */
	for (int i = 0; i < STORE_DEAD_MAX + 2; i++) {
		char	buf[16];
		int	n = snprintf(buf, sizeof(buf), "e%d", i);

		rpush_bytes(e.rd, "peekl:alerts:webhook", buf, (size_t)n);
		cr_assert_eq(store_queue_set_aside(e.st, "webhook", buf,
		    (size_t)n), 0);
	}
	cr_assert_eq(store_queue_dead_len(e.st, "webhook"),
	    STORE_DEAD_MAX);
	head = h_redis_str(e.rd, "LINDEX peekl:alerts:webhook:dead 0");
	cr_assert_str_eq(head, "e2");
	free(head);
	env_stop(&e);
}

Test(store, queue_hold_and_lease)
{
	struct env	 e;
	struct store	*a, *b;
	int64_t		 held;

	env_init(&e, h_redis_start(), 1);
	a = open_ok(e.cfg);
	b = open_ok(e.cfg);
	cr_assert_eq(store_queue_held(a, "webhook"), 0);
	cr_assert_eq(store_queue_hold(a, "webhook", 60000), 0);
	held = store_queue_held(b, "webhook");
	cr_assert(held > 50000 && held <= 60000, "held %" PRId64, held);
	cr_assert_eq(store_queue_held(b, "slack"), 0);

	cr_assert_eq(store_queue_lease(a, "discord", 20000), 1);
	cr_assert_eq(store_queue_lease(b, "discord", 20000), 0);
	cr_assert_eq(store_queue_lease(b, "slack", 20000), 1);
	cr_assert_eq(store_queue_unlease(b, "discord"), 0);	/* not b's */
	cr_assert_eq(store_queue_lease(b, "discord", 20000), 0);
	cr_assert_eq(store_queue_unlease(a, "discord"), 0);
	cr_assert_eq(store_queue_lease(b, "discord", 20000), 1);
	cr_assert(h_redis_int(e.rd, "PTTL %s",
	    "peekl:alerts:discord:lease") > 0);
	store_close(a);
	store_close(b);
	env_stop(&e);
}

Test(store, write_error_names_the_key)
{
	struct env	 e;
	struct queued_alert qa = { "webhook", "{}" };
	char		*err;
	int		 rc;

	env_start(&e, 1);
	/* A key of the wrong type fails inside EXEC. */
	freeReplyObject(h_redis_cmd(e.rd, "SET peekl:alerts:webhook x"));
	capture_begin();
	rc = store_write(e.st, NULL, 0, &qa, 1);
	err = capture_end();
	cr_assert_eq(rc, -1);
	cr_assert(strstr(err, "peekl:alerts:webhook") != NULL &&
	    strstr(err, "WRONGTYPE") != NULL, "%s", err);
	free(err);
	env_stop(&e);
}

/* ---- RedisTimeSeries */

/* Starts a redis with the module, or skips the test. */
static struct h_redis *
ts_redis(void)
{
	struct h_redis	*rd = h_redis_start_ts();

	if (rd == NULL)
		cr_skip("RedisTimeSeries module not available (set "
		    "PEEKL_TEST_TS_MODULE)");
	return rd;
}

/* Returns the value of field name in a TS.INFO reply, or NULL. */
static const redisReply *
info_field(const redisReply *info, const char *name)
{
	for (size_t i = 0; i + 1 < info->elements; i += 2)
		if (info->element[i]->str != NULL &&
		    strcmp(info->element[i]->str, name) == 0)
			return info->element[i + 1];
	return NULL;
}

Test(store, timeseries_series_have_retention_labels_and_history)
{
	struct env	 e;
	int64_t		 t = now_ms() - 5000;
	const redisReply *v, *lab;
	redisReply	*r;
	struct point	*p = NULL;
	size_t		 n = 0;

	env_init(&e, ts_redis(), 3);
	e.cfg->redis.timeseries = TS_AUTO;
	e.cfg->redis.retention_ms = 7 * DAY_MS;
	e.st = open_ok(e.cfg);
	cr_assert_eq(store_uses_timeseries(e.st), 1);
	write_checks(e.st, e.cfg, 1, t, 1, 38.5, 80);
	write_checks(e.st, e.cfg, 1, t + 2000, 0, 12.25, 79);

	r = h_redis_cmd(e.rd, "TS.INFO %s",
	    "peekl:ts:shop:8443/health:response_ms");
	cr_assert_eq(r->type, REDIS_REPLY_ARRAY, "%s", r->str);
	v = info_field(r, "retentionTime");
	cr_assert_not_null(v);
	cr_assert_eq(v->integer, 7 * DAY_MS);
	v = info_field(r, "duplicatePolicy");
	cr_assert_not_null(v);
	cr_assert_str_eq(v->str, "last");
	lab = info_field(r, "labels");
	cr_assert_not_null(lab);
	cr_assert_eq(lab->elements, 3);
	cr_assert_str_eq(lab->element[0]->element[0]->str, "peekl");
	cr_assert_str_eq(lab->element[0]->element[1]->str, "1");
	cr_assert_str_eq(lab->element[1]->element[0]->str, "site");
	cr_assert_str_eq(lab->element[1]->element[1]->str, "shop:8443/health");
	cr_assert_str_eq(lab->element[2]->element[0]->str, "metric");
	cr_assert_str_eq(lab->element[2]->element[1]->str, "response_ms");
	freeReplyObject(r);

	r = h_redis_cmd(e.rd, "TS.MRANGE - + FILTER peekl=1 %s",
	    "site=shop:8443/health");
	cr_assert_eq(r->type, REDIS_REPLY_ARRAY);
	cr_assert_eq(r->elements, 4, "response_ms, http_code, up, days_left");
	freeReplyObject(r);

	cr_assert_eq(store_read_history(e.st, e.cfg, &e.cfg->sites[1], 0,
	    now_ms(), &p, &n), 0);
	cr_assert_eq(n, 4);
	cr_assert_eq(p[0].t, t);
	cr_assert_eq(p[0].kind, KIND_HTTP);
	cr_assert_eq(p[0].up, 1);
	cr_assert_eq(p[0].http_code, 200);
	cr_assert_float_eq(p[0].response_ms, 38.5, 1e-9);
	cr_assert_eq(p[1].kind, KIND_CERT);
	cr_assert_eq(p[1].days_left, 80);
	cr_assert_eq(p[2].up, 0);
	cr_assert_eq(p[2].http_code, 0);
	cr_assert_float_eq(p[2].response_ms, 12.25, 1e-9);
	cr_assert_eq(p[3].days_left, 79);
	free(p);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS %s",
	    "peekl:history:shop:8443/health"),
	    0);
	env_stop(&e);
}

Test(store, timeseries_off_records_streams_and_history_finds_them)
{
	struct env	 e;
	int64_t		 t = now_ms() - 5000;
	struct point	*p = NULL;
	size_t		 n = 0;

	env_init(&e, ts_redis(), 1);
	e.cfg->redis.timeseries = TS_OFF;
	e.st = open_ok(e.cfg);
	cr_assert_eq(store_uses_timeseries(e.st), 0);
	write_checks(e.st, e.cfg, 0, t, 1, 3, 50);
	store_close(e.st);
	e.st = NULL;
	cr_assert_eq(h_redis_int(e.rd, "XLEN %s", "peekl:history:api"), 2);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS %s", "peekl:ts:api:up"), 0);

	/* A later run with timeseries on still shows the stream's points. */
	e.cfg->redis.timeseries = TS_ON;
	e.st = open_ok(e.cfg);
	cr_assert_eq(store_uses_timeseries(e.st), 1);
	cr_assert_eq(store_read_history(e.st, e.cfg, &e.cfg->sites[0], 0,
	    now_ms(), &p, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(p[0].t, t);
	cr_assert_eq(p[1].days_left, 50);
	free(p);
	env_stop(&e);
}
