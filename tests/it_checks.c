/* HTTP checks that say what users mean (spec/checks.md), end to end:
 * peekl runs against the loopback server, Redis and a webhook receiver. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

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

/* Writes file (one per variant) with the site "web" at path and the extra
 * site keys; returns its malloc'd path. */
static char *
config(struct env *e, const char *file, const char *path, const char *extra)
{
	char	*yaml = h_strf("redis:\n  port: %d\n"
	    "websites:\n  - url: http://127.0.0.1:%d/%s\n    name: web\n"
	    "    timeout: 5\n%s"
	    "alertmanagers:\n  slack:\n"
	    "    webhook: http://127.0.0.1:%d/services/T0/B0/x\n    timeout: 2\n",
	    h_redis_port(e->rd), h_srv_port(e->web), path, extra ? extra : "",
	    h_srv_port(e->hook));
	char	*p;

	h_write_file(e->d, file, yaml);
	p = h_path(e->d, file);
	free(yaml);
	return p;
}

/* Runs `peekl -c cfg check --site web [--json]`; returns its status. */
static int
run(const char *cfg, int json, struct h_run *r)
{
	if (json)
		h_run(r, (const char *[]){ "-c", cfg, "check", "--site", "web",
		    "--json", NULL }, NULL);
	else
		h_run(r, (const char *[]){ "-c", cfg, "check", "--site", "web",
		    NULL }, NULL);
	return r->status;
}

/* Returns the "text" of the n-th delivered Slack payload, and its colour
 * in *color (both malloc'd). */
static char *
slack_text(struct env *e, int n, char **color)
{
	char	*body = h_webhook_body(e->hook, n), *text;
	json_t	*doc, *att;

	cr_assert_not_null(body, "no delivery %d", n);
	doc = json_loads(body, 0, NULL);
	cr_assert_not_null(doc, "payload is not JSON: %s", body);
	text = strdup(json_string_value(json_object_get(doc, "text")));
	att = json_array_get(json_object_get(doc, "attachments"), 0);
	if (color != NULL)
		*color = strdup(json_string_value(json_object_get(att,
		    "color")));
	json_decref(doc);
	free(body);
	return text;
}

/* Returns the first result of a check --json document (a new ref). */
static json_t *
first_result(const char *out)
{
	json_t	*doc = json_loads(out, 0, NULL), *res;

	cr_assert_not_null(doc, "not JSON: %s", out);
	res = json_array_get(json_object_get(doc, "results"), 0);
	cr_assert_not_null(res, "%s", out);
	json_incref(res);
	json_decref(doc);
	return res;
}

Test(checks, slow_then_degraded_then_fast_again, .timeout = 60)
{
	struct env	 e;
	struct h_run	 r;
	char		*slow, *fast, *text, *color, *v, *dcolor;
	json_t		*res;

	env_start(&e);
	slow = config(&e, "slow.yaml", "slow/400", "    retry: 1\n"
	    "    slow: 200ms\n");
	fast = config(&e, "fast.yaml", "ok", "    retry: 1\n    slow: 0.2s\n");
	cr_assert_eq(run(fast, 0, &r), 0, "%s", r.err);
	h_run_free(&r);
	/* The first slow check: a warning, still up, nothing sent. */
	cr_assert_eq(run(slow, 1, &r), 1, "%s", r.err);
	res = first_result(r.out);
	cr_assert_str_eq(json_string_value(json_object_get(res, "status")),
	    "warning");
	cr_assert_str_eq(json_string_value(json_object_get(res, "state")), "up");
	v = (char *)json_string_value(json_object_get(res, "error"));
	cr_assert_not_null(v);
	cr_assert(strncmp(v, "slow: ", 6) == 0 && strstr(v, " ms > 200 ms") !=
	    NULL, "%s", v);
	json_decref(res);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, -1), 0);
	/* The second: degraded, one DEGRADED alert, coloured as a warning. */
	cr_assert_eq(run(slow, 0, &r), 1, "%s", r.err);
	cr_assert(strncmp(r.out, "WARNING", 7) == 0, "%s", r.out);
	h_run_free(&r);
	v = h_redis_str(e.rd, "HGET peekl:site:web state");
	cr_assert_str_eq(v, "degraded");
	free(v);
	v = h_redis_str(e.rd, "HGET peekl:site:web slow");
	cr_assert_str_eq(v, "2");
	free(v);
	/* The site answered: the up series says so. */
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:history:web") +
	    h_redis_int(e.rd, "EXISTS peekl:ts:web:up"), 1);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	text = slack_text(&e, 0, &color);
	cr_assert(strncmp(text, "DEGRADED web (http://127.0.0.1:", 31) == 0,
	    "%s", text);
	/* Slack escapes its three control characters. */
	cr_assert_not_null(strstr(text, " ms &gt; 200 ms, 2 slow checks"), "%s",
	    text);
	free(text);
	/* status shows it, and exits as a warning. */
	h_run(&r, (const char *[]){ "-c", slow, "status", "--json", NULL },
	    NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "\"state\":\"degraded\""), "%s", r.out);
	h_run_free(&r);
	h_run(&r, (const char *[]){ "-c", slow, "status", NULL }, NULL);
	cr_assert_not_null(strstr(r.out, "degraded"), "%s", r.out);
	h_run_free(&r);
	/* Still slow: no new alert. */
	cr_assert_eq(run(slow, 0, &r), 1, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, -1), 1);
	/* Fast again. */
	cr_assert_eq(run(fast, 0, &r), 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, 200), 2);
	text = slack_text(&e, 1, &dcolor);
	cr_assert(strncmp(text, "UP web (", 8) == 0, "%s", text);
	cr_assert_not_null(strstr(text, "): fast again after "), "%s", text);
	cr_assert_str_neq(color, dcolor, "DEGRADED coloured like UP");
	v = h_redis_str(e.rd, "HGET peekl:site:web slow");
	cr_assert_str_eq(v, "0");
	free(v);
	free(text);
	free(color);
	free(dcolor);
	free(slow);
	free(fast);
	env_stop(&e);
}
