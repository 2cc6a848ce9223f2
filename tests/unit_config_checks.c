/*
 * Unit tests of the config keys of spec/checks.md: sub-second durations,
 * `slow`, the response assertions and the request shaping, each value
 * form and each validation error with its file:line:col and site.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "config.h"
#include "harness.h"
#include "util.h"

/* Loads text as DIR/config.yaml in a fresh directory, with stderr in *err
 * (caller frees); extra files (name, text pairs, NULL-ended) go next to it.
 * Returns config_load's result. */
static int
load(const char *text, struct config **cfg, char **err,
    const char *const *files)
{
	char	 dir[] = "/tmp/peekl-cfgchk-XXXXXX", *path;
	FILE	*f;
	int	 rc;

	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	for (; files != NULL && files[0] != NULL; files += 2) {
		path = xasprintf("%s/%s", dir, files[0]);
		cr_assert_not_null(f = fopen(path, "w"));
		fputs(files[1], f);
		fclose(f);
		free(path);
	}
	path = xasprintf("%s/config.yaml", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
	rc = h_config_load(path, cfg, err);
	free(path);
	path = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(path), 0);
	free(path);
	return rc;
}

static struct config *
load_ok_files(const char *text, const char *const *files)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load(text, &cfg, &err, files), 0, "rejected:\n%s", err);
	free(err);
	return cfg;
}

static struct config *
load_ok(const char *text)
{
	return load_ok_files(text, NULL);
}

/* Loads text that must be invalid; stderr must hold every string of want
 * (NULL-ended). */
static void
fails_with_all(const char *text, const char *const *want,
    const char *const *files)
{
	struct config	*cfg = (struct config *)1;
	char		*err = NULL;

	cr_assert_eq(load(text, &cfg, &err, files), -1, "accepted:\n%s", text);
	cr_assert_null(cfg);
	for (; *want != NULL; want++)
		cr_assert_not_null(strstr(err, *want), "expected \"%s\" in:\n%s",
		    *want, err);
	free(err);
}

static void
fails_with(const char *text, const char *want)
{
	fails_with_all(text, (const char *[]){ want, NULL }, NULL);
}

#define SITE1(extra) "websites:\n  - url: https://example.com\n" extra

Test(config_checks, sub_second_durations)
{
	struct config	*cfg = load_ok(SITE1("    slow: 800ms\n"
	    "    timeout: 1.5s\n"
	    "  - url: https://b.example\n    slow: 0.25\n"
	    "    interval: 1.5m\n"));

	cr_assert_eq(cfg->sites[0].slow_ms, 800);
	cr_assert_eq(cfg->sites[0].timeout_ms, 1500);
	cr_assert_eq(cfg->sites[1].slow_ms, 250);
	cr_assert_eq(cfg->sites[1].interval_ms, 90000);
	config_free(cfg);
}

Test(config_checks, no_slow_by_default)
{
	struct config	*cfg = load_ok(SITE1(""));

	cr_assert_eq(cfg->sites[0].slow_ms, 0);
	config_free(cfg);
}

Test(config_checks, sub_second_refused_where_it_cannot_be_used)
{
	fails_with_all(SITE1("    interval: 800ms\n"
	    "    retry_interval: 1.5s\n"
	    "    certificate_monitoring_interval: 2500ms\n"
	    "redis:\n  retention: 0.5s\n"),
	    (const char *[]){
	    "config.yaml:3:15: websites[0].interval (site \"example.com\"): "
	    "\"800ms\" is below a second: the smallest unit here is 1s",
	    "config.yaml:4:21: websites[0].retry_interval (site \"example.com\"):"
	    " \"1.5s\" is below a second: the smallest unit here is 1s",
	    "websites[0].certificate_monitoring_interval (site \"example.com\"): "
	    "\"2500ms\" is below a second",
	    "config.yaml:7:14: redis.retention: \"0.5s\" is below a second",
	    NULL }, NULL);
}

Test(config_checks, slow_is_checked)
{
	fails_with(SITE1("    slow: quick\n"),
	    "config.yaml:3:11: websites[0].slow (site \"example.com\"): "
	    "\"quick\" is not a duration (e.g. 30, 90s, 5m, 800ms, 1.5s)");
	fails_with(SITE1("    slow: 0\n"),
	    "websites[0].slow (site \"example.com\"): \"0\" is out of range "
	    "(1ms to 5m)");
	fails_with(SITE1("    slow: 1.0005s\n"), "is not a duration");
}

Test(config_checks, slow_under_defaults)
{
	struct config	*cfg = load_ok("defaults:\n  slow: 2s\n" SITE1(""));

	cr_assert_eq(cfg->sites[0].slow_ms, 2000);
	config_free(cfg);
}

Test(config_checks, assertion_keys_load)
{
	struct config	*cfg = load_ok(SITE1(
	    "    expect_status: [200, 204, \"300-399\"]\n"
	    "    keyword_absent: \"Maintenance\"\n"
	    "    body_regex: 'version: [0-9]+\\.[0-9]+'\n"
	    "    headers_expect:\n"
	    "      Content-Type: '^application/json'\n"
	    "      X-Backend: ''\n"
	    "    json:\n"
	    "      - {path: status, equals: UP}\n"
	    "      - {path: \"checks[0].state\", not_equals: failed}\n"
	    "      - {path: db.latency_ms, below: 100}\n"
	    "      - {path: version, matches: '^2\\.'}\n"
	    "      - {path: replicas, above: 1}\n"
	    "      - {path: items, length: 3}\n"
	    "      - {path: maintenance, exists: false}\n"
	    "    keyword: Welcome\n"));
	struct site	*s = &cfg->sites[0];

	cr_assert_eq(s->nok_status, 3);
	cr_assert_eq(s->ok_status[2].lo, 300);
	cr_assert_str_eq(s->keyword_absent, "Maintenance");
	cr_assert_not_null(s->body_re);
	cr_assert_eq(s->nhexpect, 2);
	cr_assert_null(s->hexpect[1].re);
	cr_assert_eq(s->njassert, 7);
	cr_assert_eq(s->jassert[6].op, JOP_EXISTS);
	cr_assert_eq(s->jassert[3].op, JOP_MATCHES);
	/* The order written: keyword_absent ... json, then keyword. */
	cr_assert_eq(s->norder, 5);
	cr_assert_eq(s->order[0], ASSERT_KEYWORD_ABSENT);
	cr_assert_eq(s->order[3], ASSERT_JSON);
	cr_assert_eq(s->order[4], ASSERT_KEYWORD);
	config_free(cfg);
}

Test(config_checks, expect_status_excludes_non_acceptable_status)
{
	fails_with(SITE1("    non_acceptable_status: [404]\n"
	    "    expect_status: [200]\n"),
	    "config.yaml:4:20: websites[0].expect_status (site \"example.com\"):"
	    " expect_status and non_acceptable_status cannot both be set");
	fails_with(SITE1("    expect_status: [200, \"2xx\"]\n"),
	    "websites[0].expect_status[1] (site \"example.com\"): \"2xx\" is not "
	    "a status code");
}

Test(config_checks, regexes_that_do_not_compile)
{
	fails_with_all(SITE1("    body_regex: 'a(b'\n"
	    "    headers_expect:\n      X-A: '[z-a]'\n"
	    "    json:\n      - {path: v, matches: '*('}\n"),
	    (const char *[]){
	    "config.yaml:3:17: websites[0].body_regex (site \"example.com\"): "
	    "'a(b' is not a valid regular expression: ",
	    "config.yaml:5:12: websites[0].headers_expect.X-A (site "
	    "\"example.com\"): '[z-a]' is not a valid regular expression: "
	    "Invalid range end",
	    "websites[0].json[0].matches (site \"example.com\"): '*(' is not a "
	    "valid regular expression",
	    NULL }, NULL);
}

Test(config_checks, json_items_are_checked)
{
	fails_with_all(SITE1("    json:\n"
	    "      - {path: status}\n"
	    "      - {path: a, equals: 1, below: 2}\n"
	    "      - {equals: 1}\n"
	    "      - {path: 'a..b', equals: 1}\n"
	    "      - {path: a, below: fast}\n"
	    "      - {path: a, length: -1}\n"
	    "      - {path: a, exists: maybe}\n"
	    "      - {path: a, equal: 1}\n"
	    "      - status\n"),
	    (const char *[]){
	    "config.yaml:4:9: websites[0].json[0] (site \"example.com\"): needs "
	    "one operator: equals, not_equals, below, above, matches, length "
	    "or exists",
	    "config.yaml:5:30: websites[0].json[1] (site \"example.com\"): has "
	    "two operators, 'equals' and 'below': one per item",
	    "config.yaml:6:9: websites[0].json[2] (site \"example.com\"): "
	    "missing required key 'path'",
	    "websites[0].json[3].path (site \"example.com\"): \"a..b\" is not a "
	    "path",
	    "websites[0].json[4].below (site \"example.com\"): \"fast\" is not a "
	    "number",
	    "websites[0].json[5].length (site \"example.com\"): \"-1\" is not a "
	    "whole number",
	    "websites[0].json[6].exists (site \"example.com\"): \"maybe\" is not "
	    "a boolean",
	    "websites[0].json[7].equal (site \"example.com\"): unknown key "
	    "'equal', did you mean 'equals'?",
	    "config.yaml:12:9: websites[0].json[8] (site \"example.com\"): "
	    "expected a mapping such as {path: status, equals: UP}",
	    NULL }, NULL);
	fails_with(SITE1("    json: {path: a}\n"), "websites[0].json (site "
	    "\"example.com\"): expected a list of assertions");
	fails_with(SITE1("    headers_expect: [a]\n"), "websites[0].headers_expect"
	    " (site \"example.com\"): expected a mapping of header names");
}

Test(config_checks, request_shaping_loads)
{
	struct config	*cfg = load_ok_files(SITE1(
	    "    method: post\n"
	    "    body: '{\"ping\": 1}'\n"
	    "    basic_auth: {username: monitor, password: pw}\n"
	    "    client_cert: client.pem\n"
	    "    client_key: client.key\n"
	    "    ip_version: 6\n"),
	    (const char *[]){ "client.pem", "cert", "client.key", "key", NULL });
	struct site	*s = &cfg->sites[0];

	cr_assert_str_eq(s->body, "{\"ping\": 1}");
	cr_assert_str_eq(s->auth_user, "monitor");
	cr_assert_str_eq(s->auth_password, "pw");
	cr_assert_not_null(strstr(s->client_cert, "/client.pem"));
	cr_assert_eq(s->client_cert[0], '/', "relative to the config's dir");
	cr_assert_eq(s->ip_version, 6);
	config_free(cfg);
}

Test(config_checks, request_shaping_is_checked)
{
	fails_with(SITE1("    body: x\n"),
	    "config.yaml:3:11: websites[0].body (site \"example.com\"): cannot "
	    "be sent with method GET (use POST, PUT or PATCH)");
	fails_with(SITE1("    method: HEAD\n    body: x\n"),
	    "cannot be sent with method HEAD");
	fails_with(SITE1("    ip_version: 5\n"),
	    "config.yaml:3:17: websites[0].ip_version (site \"example.com\"): "
	    "\"5\" is not 4 or 6");
	fails_with(SITE1("    client_cert: /nonexistent/c.pem\n"
	    "    client_key: /nonexistent/c.key\n"),
	    "config.yaml:3:18: websites[0].client_cert (site \"example.com\"): "
	    "cannot read \"/nonexistent/c.pem\"");
	fails_with_all(SITE1("    client_cert: c.pem\n"),
	    (const char *[]){ "websites[0].client_cert (site \"example.com\"): "
	    "client_cert and client_key go together: set both or neither",
	    NULL }, (const char *[]){ "c.pem", "x", NULL });
	fails_with(SITE1("    basic_auth: {username: monitor}\n"),
	    "websites[0].basic_auth (site \"example.com\"): missing required key "
	    "'password'");
	fails_with(SITE1("    basic_auth: {user: monitor, password: x}\n"),
	    "unknown key 'user', did you mean 'username'?");
	fails_with(SITE1("    basic_auth: monitor\n"),
	    "websites[0].basic_auth (site \"example.com\"): expected a mapping");
	fails_with(SITE1("    method: HEAD\n    json:\n      - {path: a, "
	    "exists: true}\n"), "websites[0].json (site \"example.com\"): "
	    "cannot be checked with method HEAD (no body)");
}

Test(config_checks, basic_auth_password_never_printed)
{
	struct config	*cfg = (struct config *)1;
	char		*err = NULL;

	cr_assert_eq(load(SITE1("    basic_auth: {username: m, password: "
	    "Sekr1tPw}\n    ip_version: 7\n"), &cfg, &err, NULL), -1);
	cr_assert_null(strstr(err, "Sekr1tPw"), "%s", err);
	free(err);
}

Test(config_checks, every_new_key_under_defaults)
{
	struct config	*cfg = load_ok("defaults:\n  slow: 1s\n"
	    "  expect_status: [200]\n  keyword_absent: Down\n"
	    "  body_regex: ok\n  headers_expect: {X-A: ''}\n"
	    "  json:\n    - {path: a, exists: true}\n  ip_version: 4\n"
	    "  basic_auth: {username: u, password: p}\n"
	    SITE1("    body_regex: other\n"));

	cr_assert_eq(cfg->sites[0].nok_status, 1);
	cr_assert_eq(cfg->sites[0].njassert, 1);
	cr_assert_str_eq(cfg->sites[0].body_regex, "other");
	cr_assert_str_eq(cfg->sites[0].auth_user, "u");
	cr_assert_eq(cfg->sites[0].ip_version, 4);
	config_free(cfg);
}
