/* The response assertions (check_assert.c) on hand-made responses: every
 * operator, every wording, the order written, and the bounds on what a
 * server can put into an error. No servers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "check.h"
#include "check_assert.h"
#include "config.h"
#include "jsonstr.h"
#include "util.h"

/* Loads one site with the given keys (indented four spaces). */
static struct config *
site_with(const char *keys)
{
	char		 path[] = "/tmp/peekl-assert-XXXXXX";
	struct config	*cfg = NULL;
	int		 fd = mkstemp(path);
	FILE		*f;

	cr_assert_neq(fd, -1);
	f = fdopen(fd, "w");
	fprintf(f, "websites:\n  - url: https://example.com/health\n%s", keys);
	fclose(f);
	cr_assert_eq(config_load(path, &cfg), 0, "config rejected:\n%s", keys);
	unlink(path);
	return cfg;
}

/* Judges body (and headers) for the site; returns the error ("" when it
 * passes) in a static buffer. */
static const char *
judge(const struct config *cfg, int status, const char *headers,
    const char *body)
{
	static char	 err[ERROR_LEN];
	struct response	 r = { status, headers, headers ? strlen(headers) : 0,
	    body, body ? strlen(body) : 0, 0 };

	assert_response(&cfg->sites[0], &r, err, sizeof(err));
	return err;
}

#define HEALTH "{\"status\": \"DOWN\", \"checks\": [{\"state\": \"failed\"}," \
	" {\"state\": \"ok\"}], \"db\": {\"latency_ms\": 140}, \"version\": " \
	"\"1.4.2\", \"replicas\": 1, \"items\": [1, 2], \"maintenance\": " \
	"false, \"name\": \"api\", \"ratio\": 0.5, \"none\": null}"

struct op_case {
	const char	*item;		/* one json item */
	const char	*want;		/* "" when it passes on HEALTH */
};

static const struct op_case op_cases[] = {
	{ "{path: status, equals: UP}",
	  "json: status is \"DOWN\", expected \"UP\"" },
	{ "{path: status, equals: DOWN}", "" },
	{ "{path: status, not_equals: DOWN}",
	  "json: status is \"DOWN\", expected not \"DOWN\"" },
	{ "{path: status, not_equals: UP}", "" },
	{ "{path: db.latency_ms, below: 100}",
	  "json: db.latency_ms is 140, expected below 100" },
	{ "{path: db.latency_ms, below: 140.5}", "" },
	{ "{path: db.latency_ms, equals: 140.0}", "" },
	{ "{path: db.latency_ms, equals: \"140\"}",
	  "json: db.latency_ms is 140, expected \"140\"" },
	{ "{path: replicas, above: 1}",
	  "json: replicas is 1, expected above 1" },
	{ "{path: replicas, above: 0}", "" },
	{ "{path: name, above: 0}", "json: name is \"api\", expected above 0" },
	{ "{path: version, matches: '^2\\.'}",
	  "json: version is \"1.4.2\", expected to match '^2\\.'" },
	{ "{path: version, matches: '^1\\.[0-9]'}", "" },
	{ "{path: replicas, matches: '1'}",
	  "json: replicas is 1, expected to match '1'" },
	{ "{path: items, length: 3}", "json: items has length 2, expected 3" },
	{ "{path: items, length: 2}", "" },
	{ "{path: db, length: 1}", "" },
	{ "{path: name, length: 3}", "" },
	{ "{path: replicas, length: 1}",
	  "json: replicas is 1, expected length 1" },
	{ "{path: maintenance, exists: false}",
	  "json: maintenance is false, expected missing" },
	{ "{path: gone, exists: false}", "" },
	{ "{path: gone, exists: true}", "json: gone missing" },
	{ "{path: none, exists: true}", "" },
	{ "{path: none, equals: null}", "" },
	{ "{path: maintenance, equals: false}", "" },
	{ "{path: maintenance, equals: true}",
	  "json: maintenance is false, expected true" },
	{ "{path: ratio, equals: 0.5}", "" },
	{ "{path: version, equals: 1.4.2}", "" },
	{ "{path: ratio, equals: \"0.5\"}",
	  "json: ratio is 0.5, expected \"0.5\"" },
	{ "{path: name, not_equals: api}",
	  "json: name is \"api\", expected not \"api\"" },
	{ "{path: \"checks[0].state\", not_equals: failed}",
	  "json: checks[0].state is \"failed\", expected not"
	  " \"failed\"" },
	{ "{path: \"checks[1].state\", equals: ok}", "" },
	{ "{path: \"checks[2].state\", equals: ok}",
	  "json: checks[2].state missing" },
	{ "{path: status.deep, equals: x}", "json: status.deep missing" },
};

Test(assert, every_json_operator_and_wording)
{
	for (size_t i = 0; i < sizeof(op_cases) / sizeof(op_cases[0]); i++) {
		char		*keys = xasprintf("    json:\n      - %s\n",
		    op_cases[i].item);
		struct config	*cfg = site_with(keys);

		cr_assert_str_eq(judge(cfg, 200, NULL, HEALTH), op_cases[i].want,
		    "%s", op_cases[i].item);
		config_free(cfg);
		free(keys);
	}
}

Test(assert, body_not_json_fails_every_json_assertion)
{
	struct config	*cfg = site_with("    json:\n"
	    "      - {path: gone, exists: false}\n");

	cr_assert_str_eq(judge(cfg, 200, NULL, "<html>"), "body is not JSON");
	cr_assert_str_eq(judge(cfg, 200, NULL, ""), "body is not JSON");
	cr_assert_str_eq(judge(cfg, 200, NULL, "[]"), "");
	config_free(cfg);
}

Test(assert, first_failure_in_the_order_written)
{
	struct config	*cfg = site_with(
	    "    body_regex: 'version: [0-9]+'\n"
	    "    json:\n      - {path: status, equals: UP}\n"
	    "      - {path: db.latency_ms, below: 100}\n");

	cr_assert_str_eq(judge(cfg, 200, NULL, HEALTH),
	    "body does not match 'version: [0-9]+'");
	config_free(cfg);
	cfg = site_with("    json:\n      - {path: db.latency_ms, below: 100}\n"
	    "      - {path: status, equals: UP}\n"
	    "    body_regex: 'version: [0-9]+'\n");
	cr_assert_str_eq(judge(cfg, 200, NULL, HEALTH),
	    "json: db.latency_ms is 140, expected below 100");
	config_free(cfg);
}

Test(assert, expect_status_lists_the_only_codes_that_pass)
{
	struct config	*cfg = site_with(
	    "    expect_status: [200, 204, \"300-399\"]\n");

	cr_assert_str_eq(judge(cfg, 200, NULL, NULL), "");
	cr_assert_str_eq(judge(cfg, 302, NULL, NULL), "");
	cr_assert_str_eq(judge(cfg, 201, NULL, NULL),
	    "HTTP 201 not in expect_status");
	cr_assert_str_eq(judge(cfg, 503, NULL, NULL),
	    "HTTP 503 not in expect_status");
	config_free(cfg);
	cfg = site_with("    expect_status: [\"500-599\"]\n");
	cr_assert_str_eq(judge(cfg, 503, NULL, NULL), "");
	cr_assert_str_eq(judge(cfg, 200, NULL, NULL),
	    "HTTP 200 not in expect_status");
	config_free(cfg);
	cfg = site_with("    follow_redirects: false\n");
	cr_assert_str_eq(judge(cfg, 503, NULL, NULL), "HTTP 503");
	cr_assert_str_eq(judge(cfg, 404, NULL, NULL), "HTTP 404");
	cr_assert_str_eq(judge(cfg, 302, NULL, NULL), "");
	config_free(cfg);
}

Test(assert, keyword_absent_and_body_regex)
{
	struct config	*cfg = site_with("    keyword_absent: Maintenance\n"
	    "    body_regex: 'version: [0-9]+\\.[0-9]+'\n");

	cr_assert_str_eq(judge(cfg, 200, NULL, "version: 2.1"), "");
	cr_assert_str_eq(judge(cfg, 200, NULL, "Maintenance until 3pm"),
	    "keyword \"Maintenance\" found");
	cr_assert_str_eq(judge(cfg, 200, NULL, "version: two"),
	    "body does not match 'version: [0-9]+\\.[0-9]+'");
	cr_assert_str_eq(judge(cfg, 200, NULL, NULL),
	    "body does not match 'version: [0-9]+\\.[0-9]+'");
	config_free(cfg);
}

Test(assert, regex_sees_past_a_nul_byte)
{
	struct config	*cfg = site_with("    body_regex: 'tail'\n");
	struct response	 r = { 200, NULL, 0, "head\0tail", 9, 0 };
	char		 err[ERROR_LEN];

	cr_assert_eq(assert_response(&cfg->sites[0], &r, err, sizeof(err)), 0,
	    "%s", err);
	config_free(cfg);
}

Test(assert, headers_expect)
{
	struct config	*cfg = site_with("    headers_expect:\n"
	    "      Content-Type: '^application/json'\n"
	    "      X-Backend: ''\n");

	cr_assert_str_eq(judge(cfg, 200, "content-type: application/json; "
	    "charset=utf-8\r\nX-BACKEND: b1\r\n", "{}"), "");
	cr_assert_str_eq(judge(cfg, 200, "Content-Type: text/html\r\n"
	    "X-Backend: b1\r\n", "{}"),
	    "header Content-Type: \"text/html\" does not match "
	    "'^application/json'");
	cr_assert_str_eq(judge(cfg, 200, "Content-Type: application/json\r\n",
	    "{}"), "header X-Backend missing");
	cr_assert_str_eq(judge(cfg, 200, "X-Backend: \r\n", "{}"),
	    "header Content-Type missing");
	/* A header given twice passes when one of its values matches. */
	cr_assert_str_eq(judge(cfg, 200, "Content-Type: text/plain\r\n"
	    "Content-Type: application/json\r\nX-Backend:\r\n", "{}"), "");
	config_free(cfg);
}

Test(assert, errors_are_bounded_and_valid_utf8)
{
	struct config	*cfg = site_with("    headers_expect:\n"
	    "      X-A: '^ok$'\n");
	char		 hdr[4096], body[600];
	const char	*e;

	/* A long value with invalid bytes and a control character. */
	snprintf(hdr, sizeof(hdr), "X-A: \xff\xfe\x01%0500d\xc3\r\n", 7);
	e = judge(cfg, 200, hdr, "");
	cr_assert_leq(strlen(e), 200, "%zu bytes", strlen(e));
	cr_assert_not_null(strstr(e, "header X-A: \"???0000"), "%s", e);
	for (const unsigned char *p = (const unsigned char *)e; *p; ) {
		size_t	n = utf8_len(p);

		cr_assert_gt(n, 0, "invalid UTF-8 in: %s", e);
		p += n;
	}
	config_free(cfg);
	cfg = site_with("    json:\n      - {path: s, equals: x}\n");
	memset(body, 'a', sizeof(body));
	memcpy(body, "{\"s\": \"", 7);
	memcpy(body + sizeof(body) - 3, "\"}", 3);
	e = judge(cfg, 200, NULL, body);
	cr_assert_leq(strlen(e), 200);
	cr_assert(strncmp(e, "json: s is \"aaaa", 16) == 0, "%s", e);
	cr_assert_not_null(strstr(e, "...,"), "%s", e);
	config_free(cfg);
}

Test(assert, json_paths)
{
	cr_assert(assert_json_path_ok("status"));
	cr_assert(assert_json_path_ok("db.latency_ms"));
	cr_assert(assert_json_path_ok("checks[0].state"));
	cr_assert(assert_json_path_ok("a[1][2].b"));
	cr_assert(assert_json_path_ok("[0].x"));
	cr_assert_not(assert_json_path_ok(""));
	cr_assert_not(assert_json_path_ok("a..b"));
	cr_assert_not(assert_json_path_ok("a."));
	cr_assert_not(assert_json_path_ok(".a"));
	cr_assert_not(assert_json_path_ok("a[x]"));
	cr_assert_not(assert_json_path_ok("a[1"));
	cr_assert_not(assert_json_path_ok("a[]"));
	cr_assert_not(assert_json_path_ok("a]b"));
}

Test(assert, unquoted_operand_also_equals_a_string_of_its_text)
{
	struct config	*cfg = site_with("    json:\n"
	    "      - {path: v, equals: 2.1}\n      - {path: n, equals: 2.1}\n"
	    "      - {path: b, not_equals: true}\n");

	cr_assert_str_eq(judge(cfg, 200, NULL,
	    "{\"v\": \"2.1\", \"n\": 2.10, \"b\": \"false\"}"), "");
	cr_assert_str_eq(judge(cfg, 200, NULL,
	    "{\"v\": \"2.10\", \"n\": 2.1, \"b\": false}"),
	    "json: v is \"2.10\", expected 2.1");
	cr_assert_str_eq(judge(cfg, 200, NULL,
	    "{\"v\": 2.1, \"n\": 2.1, \"b\": \"true\"}"),
	    "json: b is \"true\", expected not true");
	config_free(cfg);
}
