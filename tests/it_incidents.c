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

/* Writes the config with shop's path set to path (e.g. "ok", "status/503"). */
static void
seed_config(struct seed *s, const char *path, const char *extra)
{
	char	*shop = h_srv_url(s->web, path);
	char	*tls = h_srv_url(s->tls, "ok");
	char	*ca = h_srv_file(s->tls, "ca.pem");

	free(s->cfg);
	s->cfg = h_configf(s->d, "redis:\n  port: %d\n%s"
	    "websites:\n"
	    "  - url: %s\n    name: shop\n    retry: 0\n    slow: 150ms\n"
	    "    interval: 60\n"
	    "  - url: %s\n    name: tls\n    ca_file: %s\n    interval: 60\n"
	    "    certificate_monitoring: true\n"
	    "    certificate_monitoring_interval: 60\n    cert_warning: 36500\n",
	    h_redis_port(s->rd), extra ? extra : "", shop, tls, ca);
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
seed_start(struct seed *s, const char *extra)
{
	memset(s, 0, sizeof(*s));
	s->rd = h_redis_start();
	s->web = h_srv_start((const char *[]){ NULL });
	s->tls = h_srv_start((const char *[]){ "--tls", "--days-left", "3650",
	    "--not-before-days", "-3650", NULL });
	s->d = h_dir_new();
	check_at(s, 0, "ok", extra);
	check_at(s, 10, "status/503", extra);
	check_at(s, 14, "status/503", extra);
	check_at(s, 20, "ok", extra);
	check_at(s, 60, "slow/400", extra);
	check_at(s, 90, "ok", extra);
	check_at(s, 120, "status/500", extra);
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
