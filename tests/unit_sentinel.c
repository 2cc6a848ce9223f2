/*
 * Unit tests of the Sentinel and heartbeat_url configuration
 * (config_sentinel.c and its rules in config.c) and of the /fail form of
 * a heartbeat URL.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "config.h"
#include "harness.h"
#include "heartbeat.h"

#define SITES "websites:\n  - url: https://example.com/\n"

/* Loads yaml; returns config_load's result, *err its stderr (malloc'd). */
static int
load(const char *yaml, struct config **cfg, char **err)
{
	struct h_dir	*d = h_dir_new();
	char		*path = h_config(d, yaml);
	int		 rc = h_config_load(path, cfg, err);

	free(path);
	h_dir_free(d);
	return rc;
}

/* Asserts yaml is refused with a message holding every one of want. */
static void
refused(const char *yaml, const char *const want[])
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load(yaml, &cfg, &err), -1, "accepted:\n%s", yaml);
	for (size_t i = 0; want[i] != NULL; i++)
		cr_assert_not_null(strstr(err, want[i]), "no \"%s\" in:\n%s",
		    want[i], err);
	free(err);
}

Test(config_sentinel, sentinels_master_and_password_are_read)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	setenv("PEEKL_T_SPW", "sent-s3cret", 1);
	cr_assert_eq(load("redis:\n"
	    "  sentinels: [\"10.0.0.1:26380\", \"sentinel-2.internal\", "
	    "\"[fd00::3]:26381\"]\n"
	    "  master: mymaster\n"
	    "  sentinel_password: ${PEEKL_T_SPW}\n"
	    "  password: data-pw\n"
	    "  db: 2\n" SITES, &cfg, &err), 0, "%s", err);
	cr_assert_eq(cfg->redis.nsentinels, 3);
	cr_assert_str_eq(cfg->redis.sentinels[0].host, "10.0.0.1");
	cr_assert_eq(cfg->redis.sentinels[0].port, 26380);
	/* Sentinel's own default port when none is written. */
	cr_assert_str_eq(cfg->redis.sentinels[1].host, "sentinel-2.internal");
	cr_assert_eq(cfg->redis.sentinels[1].port, 26379);
	cr_assert_str_eq(cfg->redis.sentinels[2].host, "fd00::3");
	cr_assert_eq(cfg->redis.sentinels[2].port, 26381);
	cr_assert_str_eq(cfg->redis.master, "mymaster");
	cr_assert_str_eq(cfg->redis.sentinel_password, "sent-s3cret");
	cr_assert_str_eq(cfg->redis.password, "data-pw");
	cr_assert_eq(cfg->redis.db, 2);
	cr_assert_null(cfg->heartbeat_url);
	config_free(cfg);
	free(err);
	unsetenv("PEEKL_T_SPW");
}

Test(config_sentinel, without_sentinels_nothing_changes)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load("redis:\n  port: 6380\n" SITES, &cfg, &err), 0);
	cr_assert_eq(cfg->redis.nsentinels, 0);
	cr_assert_null(cfg->redis.sentinels);
	cr_assert_null(cfg->redis.master);
	cr_assert_null(cfg->redis.sentinel_password);
	config_free(cfg);
	free(err);
}

Test(config_sentinel, sentinels_exclude_host_port_and_socket)
{
	refused("redis:\n  sentinels: [\"127.0.0.1:26379\"]\n"
	    "  master: m\n  host: 10.0.0.9\n" SITES, (const char *[]){
	    "config.yaml:4:", "redis.host", "sentinels and host cannot both "
	    "be set", NULL });
	refused("redis:\n  port: 6380\n  master: m\n"
	    "  sentinels: [\"127.0.0.1:26379\"]\n" SITES, (const char *[]){
	    "config.yaml:2:", "redis.port", "sentinels and port", NULL });
	refused("redis:\n  sentinels: [\"127.0.0.1:26379\"]\n  master: m\n"
	    "  socket: /run/redis.sock\n" SITES, (const char *[]){
	    "redis.socket", "sentinels and socket", NULL });
}

Test(config_sentinel, master_is_required_and_needs_sentinels)
{
	refused("redis:\n  sentinels: [\"127.0.0.1:26379\"]\n" SITES,
	    (const char *[]){ "redis.master", "missing", NULL });
	refused("redis:\n  master: mymaster\n" SITES,
	    (const char *[]){ "redis.master", "requires redis.sentinels",
	    NULL });
	refused("redis:\n  sentinel_password: x\n" SITES,
	    (const char *[]){ "redis.sentinel_password",
	    "requires redis.sentinels", NULL });
}

Test(config_sentinel, bad_entries_are_each_reported)
{
	refused("redis:\n  master: m\n  sentinels:\n"
	    "    - \"10.0.0.1:0\"\n"
	    "    - \"10.0.0.2:http\"\n"
	    "    - \"fd00::1:26379\"\n"
	    "    - \"[fd00::1\"\n"
	    "    - \":26379\"\n"
	    "    - [nested]\n" SITES, (const char *[]){
	    "config.yaml:4:", "redis.sentinels[0]", "no valid port",
	    "config.yaml:5:", "redis.sentinels[1]",
	    "redis.sentinels[2]", "without brackets",
	    "redis.sentinels[3]", "without its ']'",
	    "redis.sentinels[4]", "no valid host",
	    "redis.sentinels[5]", "6 errors", NULL });
	refused("redis:\n  master: m\n  sentinels: []\n" SITES,
	    (const char *[]){ "redis.sentinels", "lists no sentinel", NULL });
	refused("redis:\n  master: m\n  sentinels: 10.0.0.1:26379\n" SITES,
	    (const char *[]){ "redis.sentinels", "expected a list", NULL });
}

Test(config_sentinel, heartbeat_url_is_an_http_url_and_a_secret)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load("heartbeat_url: https://hc-ping.com/0f1e-SeCrEt\n"
	    SITES, &cfg, &err), 0, "%s", err);
	cr_assert_str_eq(cfg->heartbeat_url, "https://hc-ping.com/0f1e-SeCrEt");
	config_free(cfg);
	free(err);
	cfg = NULL;
	cr_assert_eq(load("heartbeat_url: ftp://hc-ping.com/0f1e-SeCrEt\n"
	    SITES, &cfg, &err), -1);
	cr_assert_not_null(strstr(err, "heartbeat_url"), "%s", err);
	cr_assert_null(strstr(err, "SeCrEt"), "the URL was printed: %s", err);
	free(err);
}

Test(heartbeat_url, fail_form_appends_to_the_path)
{
	static const char *const cases[][2] = {
		{ "https://hc-ping.com/uuid", "https://hc-ping.com/uuid/fail" },
		{ "https://hc-ping.com/uuid/", "https://hc-ping.com/uuid/fail" },
		{ "https://hc-ping.com/ping/key/slug?create=1",
		  "https://hc-ping.com/ping/key/slug/fail?create=1" },
		{ "http://127.0.0.1:8080", "http://127.0.0.1:8080/fail" },
		{ "http://h/x#frag", "http://h/x/fail#frag" },
		{ "http://u:p@h/a/", "http://u:p@h/a/fail" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = heartbeat_fail_url(cases[i][0]);

		cr_assert_str_eq(got, cases[i][1], "for %s", cases[i][0]);
		free(got);
	}
}
