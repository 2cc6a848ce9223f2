/* HTTP checks that say what users mean (spec/checks.md), end to end:
 * peekl runs against the loopback server, Redis and a webhook receiver. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Writes file (one per variant) with the site "web" at path and the extra
 * site keys; returns its malloc'd path. */
static char *
config(struct h_env *e, const char *file, const char *path, const char *extra)
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
slack_text(struct h_env *e, int n, char **color)
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
	struct h_env	 e;
	struct h_run	 r;
	char		*slow, *fast, *text, *color, *v, *dcolor;
	json_t		*res;

	h_env_start(&e);
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
	{
		redisReply	*rep = h_redis_cmd(e.rd, "XREVRANGE "
		    "peekl:history:web + - COUNT 1");
		redisReply	*f;
		int		 up = -1;

		cr_assert(rep != NULL && rep->type == REDIS_REPLY_ARRAY &&
		    rep->elements == 1);
		f = rep->element[0]->element[1];
		for (size_t i = 0; i + 1 < f->elements; i += 2)
			if (strcmp(f->element[i]->str, "up") == 0)
				up = strcmp(f->element[i + 1]->str, "1") == 0;
		cr_assert_eq(up, 1, "a slow check is recorded as up");
		freeReplyObject(rep);
	}
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
	h_env_stop(&e);
}

/* Returns s percent-encoded for a query (malloc'd). */
static char *
pct(const char *s)
{
	char	*out = calloc(1, strlen(s) * 3 + 1), *o = out;

	for (; *s != '\0'; s++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_.", *s) != NULL)
			*o++ = *s;
		else
			o += sprintf(o, "%%%02X", (unsigned char)*s);
	}
	return out;
}

/* Runs one check of the site at path with the extra keys; returns the
 * exit status and the result's error (malloc'd, NULL for null). */
static int
check_once(struct h_env *e, const char *path, const char *extra, char **error)
{
	struct h_run	 r;
	char		*cfg = config(e, "once.yaml", path, extra);
	json_t		*res;
	const char	*err;
	int		 st;

	st = run(cfg, 1, &r);
	cr_assert(r.out[0] != '\0', "no output (exit %d): %s", st, r.err);
	res = first_result(r.out);
	err = json_string_value(json_object_get(res, "error"));
	*error = err != NULL ? strdup(err) : NULL;
	json_decref(res);
	h_run_free(&r);
	free(cfg);
	return st;
}

/* The path of /json answering body (and the extra query, may be ""). */
static char *
json_path(const char *body, const char *query)
{
	char	*b = pct(body), *p = h_strf("json?body=%s%s", b, query);

	free(b);
	return p;
}

Test(checks, json_health_endpoint_down_with_200_is_down, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*path, *cfg, *err, *text;
	const char	*keys = "    retry: 0\n"
	    "    json:\n      - {path: status, equals: UP}\n"
	    "      - {path: db.latency_ms, below: 100}\n";

	h_env_start(&e);
	path = json_path("{\"status\":\"DOWN\",\"db\":{\"latency_ms\":140}}", "");
	cfg = config(&e, "down.yaml", path, keys);
	cr_assert_eq(run(cfg, 0, &r), 2, "%s", r.err);
	cr_assert(strncmp(r.out, "CRITICAL", 8) == 0, "%s", r.out);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	text = slack_text(&e, 0, NULL);
	cr_assert_not_null(strstr(text, ": json: status is \"DOWN\", expected "
	    "\"UP\", 1 failed check"), "%s", text);
	free(text);
	free(path);
	free(cfg);
	/* Up with a slow database: the second assertion is the error. */
	path = json_path("{\"status\":\"UP\",\"db\":{\"latency_ms\":140}}", "");
	cr_assert_eq(check_once(&e, path, keys, &err), 2);
	cr_assert_str_eq(err, "json: db.latency_ms is 140, expected below 100");
	free(err);
	free(path);
	path = json_path("{\"status\":\"UP\",\"db\":{\"latency_ms\":40}}", "");
	cr_assert_eq(check_once(&e, path, keys, &err), 0);
	cr_assert_null(err);
	free(path);
	/* Not JSON at all. */
	cr_assert_eq(check_once(&e, "keyword/UP", keys, &err), 2);
	cr_assert_str_eq(err, "body is not JSON");
	free(err);
	h_env_stop(&e);
}

Test(checks, every_json_operator_end_to_end, .timeout = 60)
{
	struct h_env	 e;
	char		*path, *err;
	const char	*body = "{\"status\":\"UP\",\"checks\":[{\"state\":\"ok\"}],"
	    "\"version\":\"2.1\",\"replicas\":3,\"items\":[1,2,3],"
	    "\"db\":{\"latency_ms\":12.5}}";
	static const struct {
		const char	*item;
		const char	*want;	/* NULL: passes */
	} cases[] = {
		{ "{path: status, equals: UP}", NULL },
		{ "{path: \"checks[0].state\", not_equals: failed}", NULL },
		{ "{path: db.latency_ms, below: 100}", NULL },
		{ "{path: version, matches: '^2\\.'}", NULL },
		{ "{path: replicas, above: 1}", NULL },
		{ "{path: items, length: 3}", NULL },
		{ "{path: maintenance, exists: false}", NULL },
		{ "{path: \"checks[0].state\", equals: failed}",
		  "json: checks[0].state is \"ok\", expected \"failed\"" },
		{ "{path: replicas, above: 5}",
		  "json: replicas is 3, expected above 5" },
		{ "{path: items, length: 2}",
		  "json: items has length 3, expected 2" },
		{ "{path: status, exists: false}",
		  "json: status is \"UP\", expected missing" },
		{ "{path: \"checks[1].state\", equals: ok}",
		  "json: checks[1].state missing" },
	};

	h_env_start(&e);
	path = json_path(body, "");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char	*keys = h_strf("    json:\n      - %s\n", cases[i].item);

		cr_assert_eq(check_once(&e, path, keys, &err), cases[i].want ?
		    2 : 0, "%s", cases[i].item);
		if (cases[i].want == NULL)
			cr_assert_null(err, "%s: %s", cases[i].item, err);
		else
			cr_assert_str_eq(err, cases[i].want);
		free(err);
		free(keys);
	}
	free(path);
	h_env_stop(&e);
}

Test(checks, headers_status_keyword_absent_and_regex, .timeout = 60)
{
	struct h_env	 e;
	char		*path, *err;

	h_env_start(&e);
	path = json_path("{}", "&header=X-Backend%3A%20b1");
	cr_assert_eq(check_once(&e, path, "    headers_expect:\n"
	    "      content-type: '^application/json'\n      X-Backend: ''\n",
	    &err), 0, "%s", err);
	free(path);
	path = json_path("<p>hi</p>", "&ctype=text/html");
	cr_assert_eq(check_once(&e, path, "    headers_expect:\n"
	    "      Content-Type: '^application/json'\n", &err), 2);
	cr_assert_str_eq(err, "header Content-Type: \"text/html\" does not match "
	    "'^application/json'");
	free(err);
	cr_assert_eq(check_once(&e, path, "    headers_expect:\n"
	    "      X-Backend: ''\n", &err), 2);
	cr_assert_str_eq(err, "header X-Backend missing");
	free(err);
	free(path);
	cr_assert_eq(check_once(&e, "keyword/Maintenance",
	    "    keyword_absent: Maintenance\n", &err), 2);
	cr_assert_str_eq(err, "keyword \"Maintenance\" found");
	free(err);
	cr_assert_eq(check_once(&e, "keyword/version%3A%202.10",
	    "    body_regex: 'version: [0-9]+\\.[0-9]+'\n", &err), 0);
	cr_assert_eq(check_once(&e, "keyword/version%3A%20two",
	    "    body_regex: 'version: [0-9]+\\.[0-9]+'\n", &err), 2);
	cr_assert_str_eq(err, "body does not match 'version: [0-9]+\\.[0-9]+'");
	free(err);
	cr_assert_eq(check_once(&e, "status/204",
	    "    expect_status: [200, \"300-399\"]\n", &err), 2);
	cr_assert_str_eq(err, "HTTP 204 not in expect_status");
	free(err);
	cr_assert_eq(check_once(&e, "status/503",
	    "    expect_status: [503]\n", &err), 0);
	/* A redirect's own Location, not followed, is a header like any
	 * other. */
	cr_assert_eq(check_once(&e, "redirect/2", "    follow_redirects: false\n"
	    "    headers_expect:\n      Location: '^/redirect/1$'\n", &err), 0,
	    "%s", err);
	cr_assert_eq(check_once(&e, "redirect/2", "    follow_redirects: false\n"
	    "    headers_expect:\n      Location: '^https://'\n", &err), 2);
	cr_assert_str_eq(err, "header Location: \"/redirect/1\" does not match "
	    "'^https://'");
	free(err);
	h_env_stop(&e);
}

Test(checks, assertions_read_the_first_mib_only, .timeout = 60)
{
	struct h_env	 e;
	char		*err;

	h_env_start(&e);
	/* The word ends 100 bytes before the end of the first MiB. */
	cr_assert_eq(check_once(&e, "big/1048476?tail=NEEDLE",
	    "    body_regex: 'a{100}NEEDLE$'\n", &err), 0, "%s", err);
	cr_assert_eq(check_once(&e, "big/2000000?tail=NEEDLE",
	    "    keyword_absent: NEEDLE\n", &err), 0, "%s", err);
	cr_assert_eq(check_once(&e, "big/2000000?tail=NEEDLE",
	    "    body_regex: NEEDLE\n", &err), 2);
	cr_assert_str_eq(err, "body does not match 'NEEDLE'");
	free(err);
	h_env_stop(&e);
}

Test(checks, post_body_and_basic_auth_reach_the_server, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*err, *cfg;
	const char	*env[] = { "MONITOR_PW=s3cr3t-Pw", NULL };

	h_env_start(&e);
	cr_assert_eq(check_once(&e, "echo", "    method: POST\n"
	    "    body: '{\"ping\": 1}'\n"
	    "    json:\n      - {path: method, equals: POST}\n"
	    "      - {path: body, equals: '{\"ping\": 1}'}\n", &err), 0, "%s",
	    err);
	cr_assert_eq(check_once(&e, "echo", "    method: PUT\n"
	    "    body: 'x=1'\n"
	    "    json:\n      - {path: method, equals: PUT}\n"
	    "      - {path: body, equals: 'x=1'}\n", &err), 0, "%s", err);
	/* Basic auth, the password from the environment, never shown. */
	cfg = config(&e, "auth.yaml", "auth/bW9uaXRvcjpzM2NyM3QtUHc=",
	    "    basic_auth: {username: monitor, password: \"${MONITOR_PW}\"}\n");
	h_run(&r, (const char *[]){ "-v", "-c", cfg, "check", "--site", "web",
	    "--json", NULL }, env);
	cr_assert_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_assert_null(strstr(r.out, "s3cr3t"), "%s", r.out);
	cr_assert_null(strstr(r.err, "s3cr3t"), "%s", r.err);
	h_run_free(&r);
	free(cfg);
	cfg = config(&e, "auth.yaml", "auth/bW9uaXRvcjpvdGhlcg==",
	    "    basic_auth: {username: monitor, password: \"${MONITOR_PW}\"}\n");
	h_run(&r, (const char *[]){ "-v", "-c", cfg, "check", "--site", "web",
	    NULL }, env);
	cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
	cr_assert_not_null(strstr(r.out, "HTTP 401"), "%s", r.out);
	cr_assert_null(strstr(r.out, "s3cr3t"), "%s", r.out);
	cr_assert_null(strstr(r.err, "s3cr3t"), "%s", r.err);
	h_run_free(&r);
	free(cfg);
	h_env_stop(&e);
}

Test(checks, ip_version_picks_the_family, .timeout = 60)
{
	struct h_env	 e;
	struct h_srv	*v6;
	struct h_run	 r;
	char		*yaml, *cfg;
	int		 port;

	h_env_start(&e);
	if ((v6 = h_srv_start((const char *[]){ "--bind", "::1", NULL })) ==
	    NULL) {
		h_env_stop(&e);
		cr_skip_test("no IPv6 loopback on this machine");
	}
	port = h_srv_port(v6);
	for (int ver = 4; ver <= 6; ver += 2) {
		yaml = h_strf("redis:\n  port: %d\nwebsites:\n"
		    "  - url: http://[::1]:%d/ok\n    name: six\n"
		    "    ip_version: %d\n"
		    "  - url: http://127.0.0.1:%d/ok\n    name: four\n"
		    "    ip_version: %d\n", h_redis_port(e.rd), port, ver,
		    h_srv_port(e.web), ver);
		h_write_file(e.d, "ip.yaml", yaml);
		cfg = h_path(e.d, "ip.yaml");
		h_run(&r, (const char *[]){ "-c", cfg, "check", "--site", "six",
		    "--site", "four", "--json", NULL }, NULL);
		cr_assert_eq(r.status, 2, "%s%s", r.out, r.err);
		/* Only the site of the chosen family answers. */
		cr_assert_not_null(strstr(r.out, ver == 6 ?
		    "\"site\":\"six\",\"url\":\"http://[::1]" :
		    "\"site\":\"four\""), "%s", r.out);
		{
			json_t	*doc = json_loads(r.out, 0, NULL), *res;
			size_t	 i;

			json_array_foreach(json_object_get(doc, "results"), i,
			    res) {
				const char *site = json_string_value(
				    json_object_get(res, "site"));
				int	 want_ok = (ver == 6) ==
				    (strcmp(site, "six") == 0);

				cr_assert_str_eq(json_string_value(
				    json_object_get(res, "status")), want_ok ?
				    "ok" : "critical", "ip_version %d: %s", ver,
				    site);
			}
			json_decref(doc);
		}
		h_run_free(&r);
		free(cfg);
		free(yaml);
	}
	h_srv_stop(v6);
	h_env_stop(&e);
}

/* The certificate check keeps to the site's family too: a TLS server on
 * 127.0.0.1 is read over IPv4 and out of reach over IPv6. */
Test(checks, ip_version_applies_to_the_certificate_check, .timeout = 60)
{
	struct h_env	 e;
	struct h_srv	*tls;
	struct h_run	 r;
	char		*ca, *cfg;

	h_env_start(&e);
	tls = h_srv_start((const char *[]){ "--tls", NULL });
	ca = h_srv_file(tls, "ca.pem");
	for (int ver = 4; ver <= 6; ver += 2) {
		cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
		    "  - url: https://localhost:%d/ok\n    name: tls\n"
		    "    certificate_monitoring: true\n    ca_file: %s\n"
		    "    ip_version: %d\n", h_redis_port(e.rd),
		    h_srv_port(tls), ca, ver);
		h_run(&r, (const char *[]){ "-c", cfg, "check", "--site", "tls",
		    "--json", NULL }, NULL);
		/* Over IPv6 the HTTP check fails as well; the certificate
		 * result is the one that says which family it used. */
		cr_assert_not_null(strstr(r.out, ver == 4 ?
		    "\"kind\":\"cert\",\"status\":\"ok\"" :
		    "\"kind\":\"cert\",\"status\":\"critical\""),
		    "ip_version %d: %s%s", ver, r.out, r.err);
		h_run_free(&r);
		free(cfg);
	}
	free(ca);
	h_srv_stop(tls);
	h_env_stop(&e);
}

Test(checks, client_certificate_for_mtls, .timeout = 60)
{
	struct h_env	 e;
	struct h_srv	*tls;
	struct h_run	 r;
	char		*ca, *yaml, *cfg, *cert, *key, *other, *okey;

	h_env_start(&e);
	tls = h_srv_start((const char *[]){ "--tls", "--client-cert", NULL });
	ca = h_srv_file(tls, "ca.pem");
	cert = h_srv_file(tls, "client.pem");
	key = h_srv_file(tls, "client.key");
	other = h_srv_file(tls, "other-client.pem");
	okey = h_srv_file(tls, "other-client.key");
	for (int i = 0; i < 3; i++) {
		/* 0: the right client certificate; 1: none; 2: one the
		 * server does not trust. */
		char	*keys = i == 0 ? h_strf("    client_cert: %s\n"
		    "    client_key: %s\n", cert, key) : i == 2 ?
		    h_strf("    client_cert: %s\n    client_key: %s\n", other,
		    okey) : h_strf("%s", "");

		yaml = h_strf("redis:\n  port: %d\nwebsites:\n"
		    "  - url: https://localhost:%d/ok\n    name: web\n"
		    "    ca_file: %s\n    timeout: 5\n"
		    "    certificate_monitoring: true\n%s",
		    h_redis_port(e.rd), h_srv_port(tls), ca, keys);
		h_write_file(e.d, "mtls.yaml", yaml);
		cfg = h_path(e.d, "mtls.yaml");
		h_run(&r, (const char *[]){ "-c", cfg, "check", "--site", "web",
		    "--json", NULL }, NULL);
		if (i == 0) {
			cr_assert_not_null(strstr(r.out, "\"kind\":\"http\","
			    "\"status\":\"ok\",\"http_code\":200"), "%s", r.out);
			/* The certificate check presents no client
			 * certificate (spec/checks.md), so this server,
			 * which requires one, refuses it. */
			cr_assert_not_null(strstr(r.out, "\"kind\":\"cert\","
			    "\"status\":\"critical\""), "%s", r.out);
		} else {
			cr_assert_eq(r.status, 2, "case %d: %s%s", i, r.out,
			    r.err);
			cr_assert_not_null(strstr(r.out, "\"kind\":\"http\","
			    "\"status\":\"critical\",\"http_code\":null"),
			    "case %d: %s", i, r.out);
		}
		h_run_free(&r);
		free(cfg);
		free(yaml);
		free(keys);
	}
	free(ca);
	free(cert);
	free(key);
	free(other);
	free(okey);
	h_srv_stop(tls);
	h_env_stop(&e);
}
