/* `status` and `history` as a user meets them, and Redis connection errors
 * they share with every command. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static int
run(struct h_run *r, const char *const argv[])
{
	return h_run(r, argv, (const char *[]){ "PEEKL_CONFIG", NULL });
}

/* Each test: a Redis (started by the test, maybe with options), a temp
 * dir, its config and, for checks, a web server. */
struct env {
	struct h_redis	*rd;
	struct h_srv	*web;	/* NULL unless the test starts one */
	struct h_dir	*d;
	char		*cfg;
};

/* Takes rd and makes a fresh dir; the test writes the config. */
static void
env_start(struct env *e, struct h_redis *rd)
{
	e->rd = rd;
	e->web = NULL;
	e->d = h_dir_new();
	e->cfg = NULL;
}

static void
env_stop(struct env *e)
{
	free(e->cfg);
	h_dir_free(e->d);
	h_srv_stop(e->web);
	h_redis_stop(e->rd);
}

Test(status, status_of_never_checked_site_is_unknown_with_nulls)
{
	struct env	 e;
	struct h_run	 r;
	json_t		*doc, *s;

	env_start(&e, h_redis_start());
	e.cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: https://api.example.com/health\n    name: api\n",
	    h_redis_port(e.rd));
	cr_assert_eq(run(&r, (const char *[]){ "-c", e.cfg, "status", "--json",
	    NULL }), 0, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	s = json_array_get(json_object_get(doc, "sites"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(s, "site")), "api");
	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "unknown");
	cr_assert(json_is_null(json_object_get(s, "last_check")));
	cr_assert(json_is_null(json_object_get(s, "http_code")));
	cr_assert(json_is_null(json_object_get(s, "cert_state")));
	json_decref(doc);
	h_run_free(&r);
	env_stop(&e);
}

Test(status, status_and_history_after_checks)
{
	struct env	 e;
	struct h_run	 r;
	json_t		*doc, *s, *pts;
	char		*url;

	env_start(&e, h_redis_start());
	e.web = h_srv_start((const char *[]){ NULL });
	url = h_srv_url(e.web, "ok");
	e.cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: %s\n    name: api\n", h_redis_port(e.rd), url);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(run(&r, (const char *[]){ "-c", e.cfg, "check",
		    "--site", "api", NULL }), 0, "%s", r.err);
		h_run_free(&r);
	}
	cr_assert_eq(run(&r, (const char *[]){ "-c", e.cfg, "status", "--json",
	    NULL }), 0, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	s = json_array_get(json_object_get(doc, "sites"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(s, "state")), "up");
	cr_assert_eq(json_integer_value(json_object_get(s, "http_code")), 200);
	cr_assert(json_real_value(json_object_get(s, "last_check")) > 1.7e9);
	json_decref(doc);
	h_run_free(&r);

	cr_assert_eq(run(&r, (const char *[]){ "-c", e.cfg, "status", NULL }), 0);
	cr_assert_not_null(strstr(r.out, "api"));
	cr_assert_not_null(strstr(r.out, "up"));
	h_run_free(&r);

	cr_assert_eq(run(&r, (const char *[]){ "-c", e.cfg, "history", "--site",
	    "api", "--json", NULL }), 0, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	pts = json_object_get(doc, "points");
	cr_assert_eq(json_array_size(pts), 3);
	cr_assert_eq(json_number_value(json_object_get(doc, "uptime_pct")), 100.0);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(pts, 0),
	    "http_code")), 200);
	json_decref(doc);
	h_run_free(&r);

	cr_assert_eq(run(&r, (const char *[]){ "-c", e.cfg, "history", "--site",
	    "api", NULL }), 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "uptime    100.00%"), "%s", r.out);
	h_run_free(&r);
	free(url);
	env_stop(&e);
}

Test(status, redis_auth_failure_never_prints_the_password)
{
	struct env	 e;
	struct h_run	 r;

	env_start(&e, h_redis_start_opts((const char *[]){ "--requirepass",
	    "right-pass", NULL }));
	e.cfg = h_configf(e.d, "redis:\n  port: %d\n"
	    "  password: wrong-pass-123\nwebsites:\n  - url: https://example.com\n",
	    h_redis_port(e.rd));
	cr_assert_eq(run(&r, (const char *[]){ "-c", e.cfg, "status", NULL }), 3);
	cr_assert_not_null(strstr(r.err, "authentication failed"), "%s", r.err);
	cr_assert_null(strstr(r.err, "wrong-pass-123"));
	cr_assert_null(strstr(r.out, "wrong-pass-123"));
	h_run_free(&r);
	env_stop(&e);
}
