/*
 * Unit tests of config.c: every default, every value form, and every class
 * of validation error with its file:line:col. Each test writes its config
 * into a fresh mkdtemp directory and captures what config_load prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "config.h"
#include "harness.h"
#include "config_env.h"
#include "notify.h"
#include "util.h"

/* Returns a new empty directory under /tmp; the caller frees the path. */
static char *
make_dir(void)
{
	char	*dir = xstrdup("/tmp/peekl-config-XXXXXX");

	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	return dir;
}

/* Writes text into dir/name with mode; returns the path (caller frees). */
static char *
write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char	*path = xasprintf("%s/%s", dir, name);
	FILE	*f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(path, mode), 0);
	return path;
}

/* Loads text as dir/config.yaml (mode 600); dir may be NULL for a fresh
 * one. Returns config_load's result, *err holding its stderr. */
static int
load_in(const char *dir, const char *text, struct config **cfg, char **err)
{
	char	*own = dir ? NULL : make_dir();
	char	*path = write_file(dir ? dir : own, "config.yaml", text, 0600);
	int	 rc = h_config_load(path, cfg, err);

	unlink(path);
	if (own != NULL)
		rmdir(own);
	free(path);
	free(own);
	return rc;
}

static int
load_text(const char *text, struct config **cfg, char **err)
{
	return load_in(NULL, text, cfg, err);
}

/* Loads text that must be valid; returns the config. */
static struct config *
load_ok(const char *text)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load_text(text, &cfg, &err), 0, "config rejected:\n%s",
	    err);
	cr_assert_not_null(cfg);
	free(err);
	return cfg;
}

/* Loads text that must be invalid and checks that stderr holds want. */
static void
load_fails_with(const char *text, const char *want)
{
	struct config	*cfg = (struct config *)1;
	char		*err = NULL;

	cr_assert_eq(load_text(text, &cfg, &err), -1, "config accepted:\n%s",
	    text);
	cr_assert_null(cfg);
	cr_assert_not_null(strstr(err, want), "expected \"%s\" in:\n%s", want,
	    err);
	free(err);
}

static size_t
count_lines(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* The directory of this file, where configs/ lives. */
static char *
tests_dir(void)
{
	const char	*slash = strrchr(__FILE__, '/');

	return slash ? xstrndup(__FILE__, (size_t)(slash - __FILE__)) :
	    xstrdup(".");
}

#define SITE1(extra) "websites:\n  - url: https://example.com\n" extra

Test(config, original_readme_sample_validates_unchanged)
{
	struct config	*cfg = NULL;
	struct site	*s;
	char		*dir = tests_dir(), *path, *err;

	path = xasprintf("%s/configs/original.yaml", dir);
	cr_assert_eq(h_config_load(path, &cfg, &err), 0, "%s", err);
	cr_assert_str_eq(cfg->path, path);
	cr_assert_str_eq(cfg->redis.host, "127.0.0.1");
	cr_assert_eq(cfg->redis.port, 6379);
	cr_assert_eq(cfg->redis.db, 0);
	cr_assert_eq(cfg->nsites, 1);
	s = &cfg->sites[0];
	cr_assert_str_eq(s->url, "https://example.com");
	cr_assert_str_eq(s->name, "example.com");
	cr_assert_str_eq(s->host, "example.com");
	cr_assert_eq(s->port, 443);
	cr_assert_eq(s->line, 9);
	cr_assert_eq(s->column, 5);
	cr_assert_eq(cfg->nintegrations, 1);
	cr_assert_eq(cfg->integrations[0].type, ITYPE_SLACK);
	cr_assert_str_eq(cfg->integrations[0].url,
	    "https://hooks.slack.com/services/xxxx");
	cr_assert_eq(cfg->integrations[0].timeout_ms, 10000);
	config_free(cfg);
	free(path);
	free(dir);
	free(err);
}

Test(config, every_default)
{
	struct config	*cfg = load_ok(SITE1(""));
	struct site	*s = &cfg->sites[0];

	cr_assert_str_eq(cfg->redis.host, "127.0.0.1");
	cr_assert_eq(cfg->redis.port, 6379);
	cr_assert_eq(cfg->redis.db, 0);
	cr_assert_null(cfg->redis.password);
	cr_assert_null(cfg->redis.username);
	cr_assert_null(cfg->redis.socket);
	cr_assert_str_eq(cfg->redis.prefix, "peekl");
	cr_assert_eq(cfg->redis.timeseries, TS_AUTO);
	cr_assert_eq(cfg->redis.retention_ms, 30LL * 86400 * 1000);
	cr_assert_eq(cfg->max_concurrency, 100);
	cr_assert_eq(cfg->nintegrations, 0, "alertmanagers may be absent");
	cr_assert_str_eq(s->name, "example.com");
	cr_assert_eq(s->is_https, 1);
	cr_assert_eq(s->url_port, 443);
	cr_assert_eq(s->port, 443);
	cr_assert_eq(s->interval_ms, 30000);
	cr_assert_eq(s->retry, 1);
	cr_assert_eq(s->retry_interval_ms, 30000);
	cr_assert_eq(s->timeout_ms, 10000);
	cr_assert_eq(s->cert_monitoring, 0);
	cr_assert_eq(s->cert_interval_ms, 30000);
	cr_assert_eq(s->cert_warning, 30);
	cr_assert_eq(s->cert_critical, 5);
	cr_assert_eq(s->nbad_status, 1);
	cr_assert_eq(s->bad_status[0].lo, 400);
	cr_assert_eq(s->bad_status[0].hi, 410);
	cr_assert_str_eq(s->method, "GET");
	cr_assert_eq(s->nheaders, 0);
	cr_assert_null(s->keyword);
	cr_assert_eq(s->follow_redirects, 1);
	cr_assert_null(s->ca_file);
	config_free(cfg);
}

Test(config, full_sample_sets_every_key)
{
	struct config		*cfg = NULL;
	struct site		*s;
	struct integration	*in;
	char			*dir = tests_dir(), *path, *err, *ca;

	setenv("PEEKL_TEST_TOKEN", "tok-123", 1);
	path = xasprintf("%s/configs/full.yaml", dir);
	cr_assert_eq(h_config_load(path, &cfg, &err), 0, "%s", err);
	cr_assert_str_eq(cfg->redis.host, "redis.internal");
	cr_assert_eq(cfg->redis.port, 6380);
	cr_assert_eq(cfg->redis.db, 3);
	cr_assert_str_eq(cfg->redis.password, "s3cret");
	cr_assert_str_eq(cfg->redis.username, "peekl");
	cr_assert_str_eq(cfg->redis.socket, "/run/redis/redis.sock");
	cr_assert_str_eq(cfg->redis.prefix, "monitor");
	cr_assert_eq(cfg->redis.timeseries, TS_OFF);
	cr_assert_eq(cfg->redis.retention_ms, 7LL * 86400 * 1000);
	cr_assert_eq(cfg->max_concurrency, 20);
	cr_assert_eq(cfg->nsites, 3);

	s = &cfg->sites[0];
	cr_assert_str_eq(s->name, "example");
	cr_assert_eq(s->port, 8443);
	cr_assert_eq(s->url_port, 443);
	cr_assert_eq(s->interval_ms, 120000);
	cr_assert_eq(s->retry, 3);
	cr_assert_eq(s->retry_interval_ms, 15000);
	cr_assert_eq(s->timeout_ms, 20000);
	cr_assert_eq(s->cert_monitoring, 1);
	cr_assert_eq(s->cert_interval_ms, 3600000);
	cr_assert_eq(s->cert_warning, 20);
	cr_assert_eq(s->cert_critical, 7);
	cr_assert_eq(s->nbad_status, 2);
	cr_assert_eq(s->bad_status[0].lo, 404);
	cr_assert_eq(s->bad_status[0].hi, 404);
	cr_assert_eq(s->bad_status[1].lo, 500);
	cr_assert_eq(s->bad_status[1].hi, 599);
	cr_assert_str_eq(s->method, "POST");
	cr_assert_eq(s->nheaders, 2, "the site's headers replace the default");
	cr_assert_str_eq(s->headers[0].name, "X-Token");
	cr_assert_str_eq(s->headers[0].value, "tok-123");
	cr_assert_str_eq(s->headers[1].name, "Accept");
	cr_assert_str_eq(s->keyword, "Welcome");
	cr_assert_eq(s->follow_redirects, 0);
	ca = xasprintf("%s/configs/full.yaml", dir);
	cr_assert_str_eq(s->ca_file, ca, "relative to the config's directory");
	free(ca);

	s = &cfg->sites[1];
	cr_assert_str_eq(s->host, "::1");
	cr_assert_str_eq(s->name, "[::1]:8080/health");
	cr_assert_eq(s->port, 8080);
	cr_assert_eq(s->is_https, 0);
	cr_assert_eq(s->timeout_ms, 5000, "from defaults:");
	cr_assert_eq(s->retry, 2, "from defaults:");
	cr_assert_eq(s->nheaders, 1, "from defaults:");
	cr_assert_str_eq(s->headers[0].value, "peekl-test");
	cr_assert_str_eq(cfg->sites[2].name, "h:8080/x");

	cr_assert_eq(cfg->nintegrations, 3);
	in = &cfg->integrations[0];
	cr_assert_eq(in->type, ITYPE_SLACK);
	cr_assert_eq(in->timeout_ms, 5000);
	in = &cfg->integrations[1];
	cr_assert_eq(in->type, ITYPE_DISCORD);
	cr_assert_str_eq(in->url, "https://discord.com/api/webhooks/1/tok");
	cr_assert_str_eq(in->username, "Monitor");
	cr_assert_eq(in->timeout_ms, 10000);
	in = &cfg->integrations[2];
	cr_assert_eq(in->type, ITYPE_WEBHOOK);
	cr_assert_str_eq(in->url, "https://alerts.example.com/peekl");
	cr_assert_eq(in->nheaders, 1);
	cr_assert_str_eq(in->headers[0].name, "Authorization");
	cr_assert_str_eq(in->headers[0].value, "Bearer abc");
	cr_assert_eq(in->timeout_ms, 30000);
	config_free(cfg);
	free(path);
	free(dir);
	free(err);
}

Test(config, name_derivation)
{
	static const char *const cases[][2] = {
		{ "https://example.com/", "example.com" },
		{ "https://example.com", "example.com" },
		{ "https://api.example.com/health", "api.example.com/health" },
		{ "http://h:8080/x/", "h:8080/x" },
		{ "https://[::1]:8443/", "[::1]:8443" },
		/* A password must never become part of a Redis key. */
		{ "https://user:pw@example.com/a", "example.com/a" },
	};
	size_t	i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char		*text = xasprintf("websites:\n  - url: %s\n",
		    cases[i][0]);
		struct config	*cfg = load_ok(text);

		cr_assert_str_eq(cfg->sites[0].name, cases[i][1], "url %s",
		    cases[i][0]);
		cr_assert_str_eq(cfg->sites[0].url, cases[i][0]);
		config_free(cfg);
		free(text);
	}
}

Test(config, port_derivation)
{
	struct config	*cfg = load_ok("websites:\n"
	    "  - url: http://a.example\n"
	    "  - url: https://b.example\n"
	    "  - url: http://c.example:8080/x\n"
	    "  - url: https://d.example:8443\n"
	    "    port: 9443\n"
	    "  - url: HTTPS://E.example\n");

	cr_assert_eq(cfg->sites[0].url_port, 80);
	cr_assert_eq(cfg->sites[0].port, 80);
	cr_assert_eq(cfg->sites[0].is_https, 0);
	cr_assert_eq(cfg->sites[1].port, 443);
	cr_assert_eq(cfg->sites[1].is_https, 1);
	cr_assert_eq(cfg->sites[2].url_port, 8080);
	cr_assert_eq(cfg->sites[2].port, 8080);
	cr_assert_str_eq(cfg->sites[2].host, "c.example");
	cr_assert_eq(cfg->sites[3].url_port, 8443);
	cr_assert_eq(cfg->sites[3].port, 9443);
	cr_assert_eq(cfg->sites[4].is_https, 1);
	config_free(cfg);
}

Test(config, ipv6_url_host)
{
	struct config	*cfg = load_ok("websites:\n"
	    "  - url: http://[::1]:8080/ping\n"
	    "  - url: https://[2001:db8::1]/\n");

	cr_assert_str_eq(cfg->sites[0].host, "::1");
	cr_assert_eq(cfg->sites[0].url_port, 8080);
	cr_assert_str_eq(cfg->sites[1].host, "2001:db8::1");
	cr_assert_eq(cfg->sites[1].port, 443);
	config_free(cfg);
}

Test(config, bad_urls)
{
	load_fails_with(SITE1("  - url: ftp://example.com\n"),
	    "config.yaml:3:10: websites[1].url: \"ftp://example.com\" is not "
	    "an http:// or https:// URL");
	load_fails_with(SITE1("  - url: https://\n"),
	    "config.yaml:3:10: websites[1].url: \"https://\" has no host");
	load_fails_with(SITE1("  - url: https:///path\n"), "has no host");
	load_fails_with(SITE1("  - url: http://h:99999/\n"),
	    "has an invalid port (1 to 65535)");
	load_fails_with(SITE1("  - url: http://h:/\n"), "has an invalid port");
	load_fails_with(SITE1("  - url: http://[::1/\n"),
	    "unterminated [IPv6 address]");
	load_fails_with(SITE1("  - url: http://[zz]/\n"),
	    "invalid [IPv6 address]");
	load_fails_with(SITE1("  - url: \"http://a b/\"\n"),
	    "contains a space or control character");
	load_fails_with(SITE1("  - url: example.com\n"),
	    "is not an http:// or https:// URL");
	load_fails_with(SITE1("  - url: http://ex%ample.com\n"),
	    "invalid character in its host");
	/* A password in a site's URL is hidden in messages too. */
	load_fails_with(SITE1("  - url: \"ftp://me:pw@h.example/a\"\n"),
	    "\"ftp://me:***@h.example/a\" is not an http:// or https:// URL");
}

Test(config, site_status_unacceptable_answers_for_the_list)
{
	struct config	*cfg = load_ok(SITE1(
	    "  - url: https://b.example\n"
	    "    non_acceptable_status: [404, \"500-503\", 302]\n"
	    "  - url: https://c.example\n"
	    "    non_acceptable_status: []\n"));

	cr_assert_eq(site_status_unacceptable(&cfg->sites[0], 399), 0);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[0], 400), 1);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[0], 410), 1);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[0], 411), 0);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[0], 200), 0);
	/* 5xx is the checker's business, not the list's. */
	cr_assert_eq(site_status_unacceptable(&cfg->sites[0], 500), 0);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[1], 302), 1);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[1], 404), 1);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[1], 405), 0);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[1], 499), 0);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[1], 500), 1);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[1], 503), 1);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[1], 504), 0);
	cr_assert_eq(cfg->sites[2].nbad_status, 0);
	cr_assert_eq(site_status_unacceptable(&cfg->sites[2], 404), 0);
	config_free(cfg);
}

Test(config, bad_status_entries)
{
	load_fails_with(SITE1("    non_acceptable_status: [404, abc, "
	    "\"600-700\", \"503-500\", 99]\n"),
	    "config.yaml:3:34: websites[0].non_acceptable_status[1] (site "
	    "\"example.com\"): \"abc\" is not a status code (100 to 599) or a "
	    "range like \"500-599\"");
	load_fails_with(SITE1("    non_acceptable_status: [\"600-700\"]\n"),
	    "non_acceptable_status[0] (site \"example.com\"): \"600-700\" is "
	    "not a status code");
	load_fails_with(SITE1("    non_acceptable_status: [\"503-500\"]\n"),
	    "\"503-500\" is not a status code");
	load_fails_with(SITE1("    non_acceptable_status: 404\n"),
	    "expected a list of status codes");
}

Test(config, integration_names)
{
	struct integration	in = { .type = ITYPE_DISCORD };

	cr_assert_str_eq(integration_type_name(ITYPE_SLACK), "slack");
	cr_assert_str_eq(integration_type_name(ITYPE_DISCORD), "discord");
	cr_assert_str_eq(integration_type_name(ITYPE_WEBHOOK), "webhook");
	cr_assert_str_eq(integration_name(&in), "discord", "the type's name");
	in.name = (char []){ "chat" };
	cr_assert_str_eq(integration_name(&in), "chat");
}

Test(config, durations_in_every_form)
{
	struct config	*cfg = load_ok(SITE1(
	    "    interval: 45\n"
	    "    retry_interval: \"90s\"\n"
	    "    timeout: 5m\n"
	    "    certificate_monitoring_interval: 2h\n"
	    "redis:\n"
	    "  retention: 30d\n"));
	struct site	*s = &cfg->sites[0];

	cr_assert_eq(s->interval_ms, 45000);
	cr_assert_eq(s->retry_interval_ms, 90000);
	cr_assert_eq(s->timeout_ms, 300000);
	cr_assert_eq(s->cert_interval_ms, 7200000);
	cr_assert_eq(cfg->redis.retention_ms, 30LL * 86400000);
	config_free(cfg);
}

Test(config, retry_interval_defaults_to_interval)
{
	struct config	*cfg = load_ok(SITE1("    interval: 5m\n"));

	cr_assert_eq(cfg->sites[0].retry_interval_ms, 300000);
	config_free(cfg);
}

Test(config, bad_duration)
{
	load_fails_with(
	    "websites:\n"
	    "  - url: https://a.example\n"
	    "  - url: https://b.example\n"
	    "  - url: https://api.example.com\n"
	    "    name: api\n"
	    "    interval: soon\n",
	    "config.yaml:6:15: websites[2].interval (site \"api\"): \"soon\" is "
	    "not a duration (e.g. 30, 90s, 5m)");
}

Test(config, out_of_range_numbers)
{
	load_fails_with(SITE1("    port: 70000\n"),
	    "config.yaml:3:11: websites[0].port (site \"example.com\"): 70000 "
	    "is out of range (1 to 65535)");
	load_fails_with(SITE1("    port: 0\n"), "0 is out of range (1 to 65535)");
	load_fails_with(SITE1("    retry: 101\n"),
	    "101 is out of range (0 to 100)");
	load_fails_with(SITE1("    retry: -1\n"), "-1 is out of range (0 to 100)");
	load_fails_with(SITE1("    timeout: 301\n"),
	    "websites[0].timeout (site \"example.com\"): \"301\" is out of "
	    "range (1s to 5m)");
	load_fails_with(SITE1("    timeout: 0\n"), "\"0\" is out of range");
	load_fails_with(SITE1("    interval: 0\n"), "\"0\" is out of range");
	load_fails_with(SITE1("    retry_interval: 0s\n"),
	    "\"0s\" is out of range");
	load_fails_with(SITE1("    cert_warning: -1\n"),
	    "-1 is out of range (0 to 36500)");
	load_fails_with(SITE1("    retry: 1.5\n"),
	    "\"1.5\" is not a whole number");
	load_fails_with(SITE1("max_concurrency: 0\n"),
	    "max_concurrency: 0 is out of range (1 to 10000)");
	load_fails_with(SITE1("max_concurrency: 10001\n"), "out of range");
	load_fails_with(SITE1("redis:\n  port: 65536\n"),
	    "config.yaml:4:9: redis.port: 65536 is out of range");
	load_fails_with(SITE1("redis:\n  db: 1024\n"),
	    "redis.db: 1024 is out of range (0 to 1023)");
	load_fails_with(SITE1("redis:\n  retention: 0\n"),
	    "redis.retention: \"0\" is out of range");
	load_fails_with(SITE1("alertmanagers:\n  slack:\n    webhook: "
	    "https://h.example/x\n    timeout: 301\n"),
	    "alertmanagers.slack.timeout: \"301\" is out of range (1s to 5m)");
}

Test(config, booleans_in_every_form)
{
	static const char *const yes[] = { "true", "True", "YES", "on", "On" };
	static const char *const no[] = { "false", "FALSE", "no", "off", "Off" };
	size_t	i;

	for (i = 0; i < ARRAY_LEN(yes); i++) {
		char		*t = xasprintf(SITE1("    follow_redirects: %s\n"
		    "    certificate_monitoring: %s\n"), no[i], yes[i]);
		struct config	*cfg = load_ok(t);

		cr_assert_eq(cfg->sites[0].follow_redirects, 0, "%s", no[i]);
		cr_assert_eq(cfg->sites[0].cert_monitoring, 1, "%s", yes[i]);
		config_free(cfg);
		free(t);
	}
	load_fails_with(SITE1("    follow_redirects: maybe\n"),
	    "config.yaml:3:23: websites[0].follow_redirects (site "
	    "\"example.com\"): \"maybe\" is not a boolean (true/false, yes/no, "
	    "on/off)");
	load_fails_with(SITE1("    follow_redirects: 1\n"), "is not a boolean");
}

Test(config, timeseries_modes)
{
	static const char *const in[] = { "auto", "on", "true", "off", "false",
	    "AUTO" };
	static const enum ts_mode want[] = { TS_AUTO, TS_ON, TS_ON, TS_OFF,
	    TS_OFF, TS_AUTO };
	size_t	i;

	for (i = 0; i < ARRAY_LEN(in); i++) {
		char		*t = xasprintf(SITE1("redis:\n  timeseries: %s\n"),
		    in[i]);
		struct config	*cfg = load_ok(t);

		cr_assert_eq(cfg->redis.timeseries, want[i], "%s", in[i]);
		config_free(cfg);
		free(t);
	}
	load_fails_with(SITE1("redis:\n  timeseries: sometimes\n"),
	    "redis.timeseries: \"sometimes\" is not one of auto, on, off");
}

Test(config, redis_rules)
{
	struct config	*cfg = load_ok(SITE1("redis:\n  password: pw\n"
	    "  username: bob\n  socket: /tmp/r.sock\n"));

	cr_assert_str_eq(cfg->redis.password, "pw");
	cr_assert_str_eq(cfg->redis.username, "bob");
	cr_assert_str_eq(cfg->redis.socket, "/tmp/r.sock");
	config_free(cfg);
	load_fails_with(SITE1("redis:\n  username: bob\n"),
	    "config.yaml:4:13: redis.username: username requires a password");
	load_fails_with(SITE1("redis:\n  prefix: my app\n"),
	    "redis.prefix: \"my app\" must not contain spaces");
	load_fails_with(SITE1("redis:\n  prefix: \"\"\n"),
	    "redis.prefix: must not be empty");
	load_fails_with(SITE1("redis:\n  host: \"\"\n"),
	    "redis.host: must not be empty");
	/* An empty password means no AUTH, so ${VAR:-} can switch it off. */
	cfg = load_ok(SITE1("redis:\n  password: \"${PEEKL_UNSET_PW_X:-}\"\n"));
	cr_assert_null(cfg->redis.password);
	config_free(cfg);
}

Test(config, methods_are_uppercased_and_checked)
{
	struct config	*cfg = load_ok(SITE1("    method: head\n"));

	cr_assert_str_eq(cfg->sites[0].method, "HEAD");
	config_free(cfg);
	load_fails_with(SITE1("    method: FETCH\n"),
	    "config.yaml:3:13: websites[0].method (site \"example.com\"): "
	    "\"FETCH\" is not a supported method (GET, HEAD, POST, PUT, "
	    "DELETE, PATCH, OPTIONS)");
}

Test(config, headers)
{
	struct config	*cfg = load_ok(SITE1("    headers:\n"
	    "      X-Num: 5\n      X-Empty: \"\"\n"));

	cr_assert_eq(cfg->sites[0].nheaders, 2);
	cr_assert_str_eq(cfg->sites[0].headers[0].value, "5");
	cr_assert_str_eq(cfg->sites[0].headers[1].value, "");
	config_free(cfg);
	load_fails_with(SITE1("    headers: [a, b]\n"),
	    "config.yaml:3:14: websites[0].headers (site \"example.com\"): "
	    "expected a mapping of header names to values, found a list");
	load_fails_with(SITE1("    headers: {X-A: \"a\\r\\nX-Evil: 1\"}\n"),
	    "websites[0].headers.X-A (site \"example.com\"): header value "
	    "contains a control character");
	load_fails_with(SITE1("    headers: {\"Bad Name\": 1}\n"),
	    "invalid header name");
	load_fails_with(SITE1("    headers: {X-A: 1, x-a: 2}\n"),
	    "header given twice");
	load_fails_with(SITE1("    headers: {X-A: [1]}\n"),
	    "websites[0].headers.X-A (site \"example.com\"): expected a header "
	    "value, found a list");
}

Test(config, keyword_and_strings)
{
	struct config	*cfg = load_ok(SITE1("    keyword: Welcome home\n"));

	cr_assert_str_eq(cfg->sites[0].keyword, "Welcome home");
	config_free(cfg);
	load_fails_with(SITE1("    keyword: \"\"\n"),
	    "config.yaml:3:14: websites[0].keyword (site \"example.com\"): "
	    "must not be empty");
	load_fails_with(SITE1("    keyword:\n"),
	    "websites[0].keyword (site \"example.com\"): no value given "
	    "(expected a string)");
	load_fails_with(SITE1("    name: \"\"\n"),
	    "websites[0].name (site \"example.com\"): must not be empty");
}

Test(config, ca_file_must_be_readable)
{
	char		*dir = make_dir(), *ca, *err;
	struct config	*cfg;

	ca = write_file(dir, "ca.pem", "not really a CA\n", 0600);
	cr_assert_eq(load_in(dir, SITE1("    ca_file: ca.pem\n"), &cfg, &err), 0,
	    "%s", err);
	cr_assert_str_eq(cfg->sites[0].ca_file, ca);
	config_free(cfg);
	free(err);
	unlink(ca);
	rmdir(dir);
	load_fails_with(SITE1("    ca_file: /nonexistent/ca.pem\n"),
	    "config.yaml:3:14: websites[0].ca_file (site \"example.com\"): "
	    "cannot read \"/nonexistent/ca.pem\": No such file or directory");
	load_fails_with(SITE1("    ca_file: /tmp\n"),
	    "\"/tmp\" is not a regular file");
	free(ca);
	free(dir);
}

Test(config, cert_days_rule)
{
	load_fails_with(SITE1("    cert_warning: 3\n    cert_critical: 10\n"),
	    "config.yaml:4:20: websites[0].cert_critical (site \"example.com\"):"
	    " cert_critical (10 days) is greater than cert_warning (3 days)");
	load_fails_with(SITE1("    cert_critical: 31\n"),
	    "cert_critical (31 days) is greater than cert_warning (30 days)");
}

Test(config, certificate_monitoring_on_http)
{
	struct config	*cfg;

	load_fails_with(SITE1("  - url: http://plain.example\n"
	    "    certificate_monitoring: true\n"),
	    "config.yaml:4:29: websites[1].certificate_monitoring (site "
	    "\"plain.example\"): certificate_monitoring needs https:// or an "
	    "explicit port");
	cfg = load_ok(SITE1("  - url: http://plain.example\n"
	    "    certificate_monitoring: true\n    port: 8443\n"));
	cr_assert_eq(cfg->sites[1].port, 8443);
	cr_assert_eq(cfg->sites[1].url_port, 80);
	config_free(cfg);
	/* Switched on for all sites: the http:// one is to blame. */
	load_fails_with("defaults:\n  certificate_monitoring: true\n"
	    SITE1("  - url: http://plain.example\n"),
	    "config.yaml:5:10: websites[1].certificate_monitoring (site "
	    "\"plain.example\"): certificate_monitoring needs https://");
	cfg = load_ok(SITE1("    certificate_monitoring: true\n"));
	cr_assert_eq(cfg->sites[0].port, 443);
	config_free(cfg);
}

Test(config, unknown_keys_with_suggestions)
{
	load_fails_with(SITE1("    intervall: 30\n"),
	    "config.yaml:3:5: websites[0].intervall (site \"example.com\"): "
	    "unknown key 'intervall', did you mean 'interval'?");
	load_fails_with(SITE1("    certificate_monitor: true\n"),
	    "did you mean 'certificate_monitoring'?");
	load_fails_with(SITE1("redis:\n  prot: 1\n"),
	    "config.yaml:4:3: redis.prot: unknown key 'prot', did you mean "
	    "'port'?");
	load_fails_with(SITE1("alertmanager:\n  slack: {}\n"),
	    "config.yaml:3:1: alertmanager: unknown key 'alertmanager', did you "
	    "mean 'alertmanagers'?");
	load_fails_with(SITE1("alertmanagers:\n  chat: {}\n"),
	    "config.yaml:4:3: alertmanagers.chat: unknown integration 'chat': "
	    "an instance of another name than its type needs 'type:'");
	load_fails_with(SITE1("    zzzzzz: 1\n"), "unknown key 'zzzzzz'\n");
}

Test(config, wrong_types)
{
	load_fails_with(SITE1("    interval: [30]\n"),
	    "config.yaml:3:15: websites[0].interval (site \"example.com\"): "
	    "expected a duration (e.g. 30, 90s, 5m), found a list");
	load_fails_with("websites:\n  - url: {a: b}\n", "expected an http:// or "
	    "https:// URL, found a mapping");
	load_fails_with(SITE1("redis: [a]\n"),
	    "config.yaml:3:8: redis: expected a mapping of keys, found a list");
	load_fails_with("websites: {url: https://a.example}\n",
	    "config.yaml:1:11: websites: expected a list of sites, found a "
	    "mapping");
	load_fails_with("websites:\n  - https://a.example\n",
	    "config.yaml:2:5: websites[0]: expected a mapping with at least "
	    "'url', found a single value");
	load_fails_with(SITE1("    ? [a]\n    : 1\n"),
	    "a key must be a plain name, found a list");
}

Test(config, repeated_key)
{
	load_fails_with(SITE1("    retry: 1\n    retry: 2\n"),
	    "config.yaml:4:5: websites[0].retry (site \"example.com\"): given "
	    "twice (first at line 3)");
}

Test(config, duplicate_site_names_name_both_positions)
{
	load_fails_with("websites:\n"
	    "  - url: https://a.example/x\n"
	    "    name: api\n"
	    "  - url: https://b.example\n"
	    "  - url: https://c.example/\n"
	    "    name: api\n",
	    "config.yaml:6:11: websites[2].name (site \"api\"): duplicate site "
	    "name \"api\": websites[0] (line 3:11) has it too");
	/* Derived names collide too: the error points at the URLs. */
	load_fails_with("websites:\n"
	    "  - url: https://a.example/\n"
	    "  - url: http://a.example\n",
	    "config.yaml:3:10: websites[1].name (site \"a.example\"): duplicate "
	    "site name \"a.example\": websites[0] (line 2:10) has it too");
}

Test(config, missing_url)
{
	load_fails_with(SITE1("  - name: nourl\n    interval: 5\n"),
	    "config.yaml:3:5: websites[1] (site \"nourl\"): missing required key "
	    "'url'");
}

Test(config, no_websites)
{
	load_fails_with("redis:\n  port: 6379\n",
	    "config.yaml:1:1: websites: no websites configured");
	load_fails_with("websites: []\n",
	    "config.yaml:1:11: websites: no websites configured");
	load_fails_with("websites:\n", "websites: no websites configured");
}

Test(config, defaults_apply_and_sites_override)
{
	struct config	*cfg = load_ok("defaults:\n"
	    "  timeout: 3\n"
	    "  interval: 1m\n"
	    "  method: head\n"
	    "  non_acceptable_status: [\"400-499\"]\n"
	    "websites:\n"
	    "  - url: https://a.example\n"
	    "  - url: https://b.example\n"
	    "    timeout: 7\n");

	cr_assert_eq(cfg->sites[0].timeout_ms, 3000);
	cr_assert_eq(cfg->sites[0].interval_ms, 60000);
	cr_assert_eq(cfg->sites[0].retry_interval_ms, 60000);
	cr_assert_str_eq(cfg->sites[0].method, "HEAD");
	cr_assert_eq(cfg->sites[0].bad_status[0].hi, 499);
	cr_assert_eq(cfg->sites[1].timeout_ms, 7000);
	cr_assert_str_eq(cfg->sites[1].method, "HEAD");
	cr_assert_eq(site_status_unacceptable(&cfg->sites[1], 450), 1);
	config_free(cfg);
}

Test(config, defaults_errors_reported_once)
{
	struct config	*cfg = NULL;
	char		*err;

	cr_assert_eq(load_text("defaults:\n"
	    "  url: https://x.example\n"
	    "  timeout: soon\n"
	    "  cert_critical: 40\n"
	    "websites:\n"
	    "  - url: https://a.example\n"
	    "  - url: https://b.example\n"
	    "  - url: https://c.example\n", &cfg, &err), -1);
	cr_assert_not_null(strstr(err, "config.yaml:2:3: defaults.url: 'url' "
	    "cannot be a default, only set per site\n"), "%s", err);
	cr_assert_not_null(strstr(err, "config.yaml:3:12: defaults.timeout: "
	    "\"soon\" is not a duration"), "%s", err);
	cr_assert_not_null(strstr(err, "config.yaml:4:18: defaults.cert_critical:"
	    " cert_critical (40 days) is greater than cert_warning (30 days)"),
	    "%s", err);
	cr_assert_eq(count_lines(err), 4, "3 errors and the count:\n%s", err);
	cr_assert_not_null(strstr(err, "config.yaml: 3 errors\n"));
	free(err);
}

Test(config, alertmanagers)
{
	struct config	*cfg = load_ok(SITE1("alertmanagers:\n"
	    "  discord:\n    webhook: https://discord.com/api/webhooks/1/t\n"));

	cr_assert_eq(cfg->nintegrations, 1);
	cr_assert_eq(cfg->integrations[0].type, ITYPE_DISCORD);
	cr_assert_str_eq(cfg->integrations[0].username, "Peekl");
	cr_assert_eq(cfg->integrations[0].timeout_ms, 10000);
	config_free(cfg);
	cfg = load_ok(SITE1("alertmanagers:\n"));
	cr_assert_eq(cfg->nintegrations, 0);
	config_free(cfg);
	load_fails_with(SITE1("alertmanagers:\n  slack:\n    timeout: 5\n"),
	    "config.yaml:5:5: alertmanagers.slack: missing required key "
	    "'webhook'");
	load_fails_with(SITE1("alertmanagers:\n  webhook: {}\n"),
	    "alertmanagers.webhook: missing required key 'url'");
}

Test(config, bad_webhook_url_is_reported_redacted)
{
	struct config	*cfg = NULL;
	char		*err;

	cr_assert_eq(load_text(SITE1("alertmanagers:\n  slack:\n"
	    "    webhook: ftp://hooks.slack.com/services/T0/B0/SECRETX\n"),
	    &cfg, &err), -1);
	cr_assert_not_null(strstr(err, "config.yaml:5:14: "
	    "alertmanagers.slack.webhook: \"ftp://hooks.slack.com/services/***\""
	    " is not an http:// or https:// URL"), "%s", err);
	cr_assert_null(strstr(err, "SECRETX"));
	free(err);
}

Test(config, env_substitution)
{
	struct config	*cfg;

	setenv("PEEKL_T_HOST", "env.example", 1);
	setenv("PEEKL_T_YAML", "a: [b, {c", 1);
	setenv("PEEKL_T_EMPTY", "", 1);
	unsetenv("PEEKL_T_UNSET");
	cfg = load_ok("websites:\n"
	    "  - url: https://${PEEKL_T_HOST}/x\n"
	    "    keyword: \"${PEEKL_T_YAML}\"\n"
	    "    headers:\n"
	    "      A: \"${PEEKL_T_UNSET:-fallback}\"\n"
	    "      B: \"${PEEKL_T_EMPTY:-empty-too}\"\n"
	    "      C: \"$${PEEKL_T_HOST} and ${PEEKL_T_EMPTY}.\"\n"
	    "      D: \"cost: $5, ${PEEKL_T_HOST}\"\n");
	cr_assert_str_eq(cfg->sites[0].url, "https://env.example/x");
	cr_assert_str_eq(cfg->sites[0].host, "env.example");
	cr_assert_str_eq(cfg->sites[0].name, "env.example/x");
	cr_assert_str_eq(cfg->sites[0].keyword, "a: [b, {c",
	    "a value can never change the YAML structure");
	cr_assert_str_eq(cfg->sites[0].headers[0].value, "fallback");
	cr_assert_str_eq(cfg->sites[0].headers[1].value, "empty-too");
	cr_assert_str_eq(cfg->sites[0].headers[2].value,
	    "${PEEKL_T_HOST} and .");
	cr_assert_str_eq(cfg->sites[0].headers[3].value,
	    "cost: $5, env.example");
	config_free(cfg);
}

Test(config, env_errors)
{
	unsetenv("PEEKL_T_UNSET");
	load_fails_with(SITE1("    keyword: \"${PEEKL_T_UNSET}\"\n"),
	    "config.yaml:3:14: websites[0].keyword (site \"example.com\"): "
	    "environment variable PEEKL_T_UNSET is not set");
	load_fails_with(SITE1("    keyword: \"${PEEKL_T_UNSET\"\n"),
	    "unterminated \"${\"");
	load_fails_with(SITE1("    keyword: \"${1BAD}\"\n"),
	    "\"${1BAD}\" is not a valid variable reference");
	/* Keys are never substituted. */
	setenv("PEEKL_T_KEY", "interval", 1);
	load_fails_with(SITE1("    ${PEEKL_T_KEY}: 5\n"),
	    "unknown key '${PEEKL_T_KEY}'");
}

Test(config, env_expand_directly)
{
	char	*err, *s;

	setenv("PEEKL_T_V", "v", 1);
	s = env_expand("${PEEKL_T_V}${PEEKL_T_V}$${PEEKL_T_V}$", &err);
	cr_assert_str_eq(s, "vv${PEEKL_T_V}$");
	free(s);
	s = env_expand("", &err);
	cr_assert_str_eq(s, "");
	free(s);
	cr_assert_null(env_expand("${}", &err));
	cr_assert_not_null(err);
	free(err);
}

Test(config, all_errors_are_reported)
{
	struct config	*cfg = NULL;
	char		*err;

	cr_assert_eq(load_text("redis:\n"
	    "  port: 0\n"
	    "websites:\n"
	    "  - url: gopher://a.example\n"
	    "  - url: https://b.example\n"
	    "    retry: lots\n"
	    "    intervl: 5\n"
	    "max_concurrency: -3\n", &cfg, &err), -1);
	cr_assert_eq(count_lines(err), 6, "5 errors and the count:\n%s", err);
	cr_assert_not_null(strstr(err, "config.yaml:2:9: redis.port"));
	cr_assert_not_null(strstr(err, "config.yaml:4:10: websites[0].url"));
	cr_assert_not_null(strstr(err, "config.yaml:6:12: websites[1].retry"));
	cr_assert_not_null(strstr(err, "config.yaml:7:5: websites[1].intervl"));
	cr_assert_not_null(strstr(err, "config.yaml:8:18: max_concurrency"));
	cr_assert_not_null(strstr(err, "config.yaml: 5 errors\n"));
	/* In file order, whatever order the sections are read in. */
	cr_assert(strstr(err, "redis.port") < strstr(err, "websites[0].url"));
	cr_assert(strstr(err, "websites[1].intervl") <
	    strstr(err, "max_concurrency"));
	free(err);
}

Test(config, malformed_yaml)
{
	load_fails_with("websites:\n  - url: [https://a.example\n",
	    "config.yaml:3:1: invalid YAML: did not find expected ',' or ']'");
	load_fails_with("websites:\n  - url: a\n bad: indent\n",
	    "config.yaml:3:2: invalid YAML:");
	load_fails_with("\"unterminated\n", "invalid YAML: found unexpected end "
	    "of stream");
}

Test(config, empty_and_non_mapping_files)
{
	load_fails_with("", "config.yaml:1:1: the file is empty");
	load_fails_with("# nothing here\n---\n", "the file is empty");
	load_fails_with("- url: https://a.example\n",
	    "config.yaml:1:1: the top level must be a mapping (redis:, "
	    "websites:, ...), found a list");
	load_fails_with("just a string\n", "found a single value");
}

Test(config, missing_and_unreadable_files)
{
	struct config	*cfg = (struct config *)1;
	char		*err, *dir = make_dir(), *path;

	path = xasprintf("%s/nope.yaml", dir);
	cr_assert_eq(h_config_load(path, &cfg, &err), -1);
	cr_assert_null(cfg);
	cr_assert_not_null(strstr(err, "nope.yaml: cannot open: No such file "
	    "or directory\n"), "%s", err);
	free(err);
	/* A directory stands in for an unreadable file: chmod 000 does not
	 * stop root, whom tests may run as. */
	cr_assert_eq(h_config_load(dir, &cfg, &err), -1);
	cr_assert_not_null(strstr(err, ": not a regular file\n"), "%s", err);
	free(err);
	rmdir(dir);
	free(dir);
	free(path);
}

Test(config, absurd_inputs_are_bounded)
{
	struct buf	b = { 0 };
	size_t		i;

	load_fails_with("a: &x [1, 2]\nb: [*x, *x]\nwebsites: []\n",
	    "config.yaml:2:5: aliases are not supported");
	load_fails_with(SITE1("---\nb: 1\n"),
	    "config.yaml:3:1: only one YAML document is allowed");
	buf_puts(&b, "websites:\n");
	for (i = 0; i < 50001; i++)
		buf_printf(&b, "  - url: http://h%zu.example\n", i);
	load_fails_with(b.data, "config.yaml:2:3: websites: 50001 sites is too "
	    "many (at most 50000)");
	buf_free(&b);
	buf_puts(&b, SITE1(""));
	while (b.len <= 4 * 1024 * 1024)
		buf_puts(&b, "# padding padding padding padding padding\n");
	load_fails_with(b.data, "config.yaml: file is larger than 4 MiB");
	buf_free(&b);
}

Test(config, ten_thousand_sites_load)
{
	struct buf	 b = { 0 };
	struct config	*cfg;
	size_t		 i;

	buf_puts(&b, "websites:\n");
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "  - url: http://h%zu.example\n", i);
	cfg = load_ok(b.data);
	cr_assert_eq(cfg->nsites, 10000);
	cr_assert_str_eq(cfg->sites[9999].name, "h9999.example");
	config_free(cfg);
	buf_free(&b);
}

/* Loads text written with mode and returns what was printed. */
static char *
load_with_mode(const char *text, mode_t mode, int want_rc)
{
	struct config	*cfg = NULL;
	char		*dir = make_dir(), *path, *err;

	path = write_file(dir, "config.yaml", text, mode);
	cr_assert_eq(h_config_load(path, &cfg, &err), want_rc, "%s", err);
	config_free(cfg);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
	return err;
}

Test(config, permission_warning_for_secrets)
{
	char	*err;

	err = load_with_mode(SITE1("redis:\n  password: hunter2secret\n"), 0644,
	    0);
	cr_assert_not_null(strstr(err, "WARNING"), "%s", err);
	cr_assert_not_null(strstr(err, "config.yaml is readable by other users "
	    "and holds secrets; chmod 600 it"), "%s", err);
	cr_assert_null(strstr(err, "hunter2secret"));
	free(err);
	err = load_with_mode(SITE1("    headers: {X-Token: abc}\n"), 0640, 0);
	cr_assert_not_null(strstr(err, "chmod 600 it"), "%s", err);
	free(err);
	err = load_with_mode(SITE1("alertmanagers:\n  slack:\n    webhook: "
	    "https://hooks.slack.com/services/T0/B0/XX\n"), 0604, 0);
	cr_assert_not_null(strstr(err, "chmod 600 it"), "%s", err);
	cr_assert_null(strstr(err, "T0/B0/XX"));
	free(err);
	/* Private, or nothing secret: no warning. */
	err = load_with_mode(SITE1("redis:\n  password: pw\n"), 0600, 0);
	cr_assert_str_eq(err, "");
	free(err);
	err = load_with_mode(SITE1(""), 0644, 0);
	cr_assert_str_eq(err, "");
	free(err);
}

Test(config, second_at_in_userinfo_is_refused)
{
	/* libcurl refuses it, and redaction could not find the password. */
	load_fails_with("websites:\n  - url: http://admin:pa@ss@example.com/\n",
	    "has '@' in its user or password: write it as %40");
}

Test(config, head_with_keyword_is_refused)
{
	load_fails_with(SITE1("    method: HEAD\n    keyword: Welcome\n"),
	    "keyword (site \"example.com\"): cannot be checked with method HEAD");
}

Test(config, site_password_counts_as_a_secret)
{
	char	*err;

	err = load_with_mode("websites:\n  - url: https://bob:hunter2@example.com/\n",
	    0644, 0);
	cr_assert_not_null(strstr(err, "chmod 600 it"), "%s", err);
	cr_assert_null(strstr(err, "hunter2"));
	free(err);
}

Test(config, fifo_is_refused_not_waited_on, .timeout = 10)
{
	char		*dir = make_dir();
	char		*path = xasprintf("%s/config.yaml", dir);
	struct config	*cfg = NULL;
	char		*err;

	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(h_config_load(path, &cfg, &err), -1);
	cr_assert_not_null(strstr(err, "not a regular file"), "%s", err);
	free(err);
	unlink(path);
	rmdir(dir);
	free(path);
	free(dir);
}

Test(config, prefix_is_bounded)
{
	load_fails_with(SITE1("redis:\n  prefix: "
	    "p123456789p123456789p123456789p123456789p123456789p123456789p1234\n"),
	    "redis.prefix: is longer than 64 characters");
}

Test(config, unquoted_variable_in_flow_mapping_gets_a_hint)
{
	load_fails_with(SITE1("    headers: {X-Token: ${TOKEN}}\n"),
	    "quote values holding ${VAR}");
}

/* spec/certificates.md: TLS endpoints, their names, ports and rules. */
Test(config, tls_endpoints_names_and_ports)
{
	static const struct {
		const char	*url, *name;
		int		 port;
		enum site_scheme scheme;
	} cases[] = {
		{ "tls://ldap.example.com:636", "ldap.example.com:636", 636,
		    SCHEME_TLS },
		{ "smtp://mail.example.com", "mail.example.com:25", 25,
		    SCHEME_SMTP },
		{ "smtp://mail.example.com:587", "mail.example.com:587", 587,
		    SCHEME_SMTP },
		{ "imap://mail.example.com", "mail.example.com:143", 143,
		    SCHEME_IMAP },
		{ "pop3://mail.example.com/", "mail.example.com:110", 110,
		    SCHEME_POP3 },
		{ "tls://[::1]:5432", "[::1]:5432", 5432, SCHEME_TLS },
	};
	size_t	i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char		*text = xasprintf("defaults:\n  interval: 60\n"
		    "  retry: 3\nwebsites:\n  - url: %s\n", cases[i].url);
		struct config	*cfg = load_ok(text);
		struct site	*s = &cfg->sites[0];

		cr_assert_str_eq(s->name, cases[i].name, "url %s",
		    cases[i].url);
		cr_assert_eq(s->port, cases[i].port, "url %s", cases[i].url);
		cr_assert_eq(s->scheme, cases[i].scheme);
		cr_assert(site_cert_only(s));
		cr_assert(s->cert_monitoring, "implied");
		config_free(cfg);
		free(text);
	}
}

Test(config, tls_endpoint_rules)
{
	load_fails_with("websites:\n  - url: tls://ldap.example.com\n",
	    "2:10: websites[0].url: \"tls://ldap.example.com\" has no port: "
	    "write tls://HOST:PORT");
	load_fails_with("websites:\n  - url: smtp://mail.example.com\n"
	    "    method: POST\n", "3:13: websites[0].method (site "
	    "\"mail.example.com:25\"): \"method\" applies to http(s) URLs only");
	load_fails_with("websites:\n  - url: imap://mail.example.com\n"
	    "    keyword: x\n", "\"keyword\" applies to http(s) URLs only");
	load_fails_with("websites:\n  - url: pop3://mail.example.com\n"
	    "    interval: 30\n", "\"interval\" applies to http(s) URLs only");
	load_fails_with("websites:\n  - url: tls://h:1\n    retry: 2\n",
	    "\"retry\" applies to http(s) URLs only");
	load_fails_with("websites:\n  - url: tls://h:1\n"
	    "    certificate_monitoring: false\n",
	    "websites[0].certificate_monitoring (site \"h:1\"): cannot be false");
	load_fails_with("websites:\n  - url: smtp://h/path\n",
	    "has a path or query");
	load_fails_with("websites:\n  - url: tls://h:1\n    weak_crypto: loud\n",
	    "\"loud\" is not one of warning, critical, ignore");
}

Test(config, weak_crypto_values)
{
	struct config	*cfg = load_ok(SITE1("    weak_crypto: critical\n"
	    "  - url: https://b.example.com\n    weak_crypto: ignore\n"
	    "    check_revocation: yes\n"
	    "  - url: https://c.example.com\n"));

	cr_assert_eq(cfg->sites[0].weak_crypto, WEAK_CRITICAL);
	cr_assert_eq(cfg->sites[1].weak_crypto, WEAK_IGNORE);
	cr_assert_eq(cfg->sites[2].weak_crypto, WEAK_WARNING);
	cr_assert_eq(cfg->sites[1].check_revocation, 1);
	cr_assert_eq(cfg->sites[2].check_revocation, 0, "default false");
	config_free(cfg);
}
