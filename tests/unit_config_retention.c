/* redis.retention as a duration or a mapping, redis.incident_retention,
 * and the "y" unit long retentions are written in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "config.h"
#include "harness.h"
#include "store_int.h"
#include "util.h"

#define DAY	(86400LL * 1000)

/* Loads "redis:\n" redis "websites: ..." and returns config_load's result;
 * *err gets its stderr (caller frees). */
static int
load(const char *redis, struct config **cfg, char **err)
{
	struct h_dir	*d = h_dir_new();
	char		*path = h_configf(d, "redis:\n%swebsites:\n"
	    "  - url: https://example.com\n", redis);
	int		 rc = h_config_load(path, cfg, err);

	free(path);
	h_dir_free(d);
	return rc;
}

static struct config *
load_ok(const char *redis)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load(redis, &cfg, &err), 0, "rejected:\n%s", err);
	free(err);
	return cfg;
}

static void
load_fails_with(const char *redis, const char *want)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load(redis, &cfg, &err), -1, "accepted:\n%s", redis);
	cr_assert_not_null(strstr(err, want), "expected \"%s\" in:\n%s", want,
	    err);
	free(err);
}

Test(config_retention, scalar_keeps_meaning_raw_only)
{
	struct config	*cfg = load_ok("  retention: 7d\n");

	cr_assert_eq(cfg->redis.retention_ms, 7 * DAY);
	cr_assert_eq(cfg->redis.hourly_ms, 0);
	cr_assert_eq(cfg->redis.daily_ms, 0);
	cr_assert_eq(cfg->redis.incident_retention_ms, 400 * DAY);
	config_free(cfg);
	cfg = load_ok("  port: 6379\n");
	cr_assert_eq(cfg->redis.retention_ms, 30 * DAY);
	cr_assert_eq(cfg->redis.hourly_ms, 0);
	config_free(cfg);
}

Test(config_retention, mapping_with_defaults)
{
	struct config	*cfg;

	cfg = load_ok("  retention: {raw: 30d, hourly: 400d, daily: 5y}\n");
	cr_assert_eq(cfg->redis.retention_ms, 30 * DAY);
	cr_assert_eq(cfg->redis.hourly_ms, 400 * DAY);
	cr_assert_eq(cfg->redis.daily_ms, 5 * 365 * DAY);
	config_free(cfg);
	cfg = load_ok("  retention:\n    raw: 2d\n");
	cr_assert_eq(cfg->redis.retention_ms, 2 * DAY);
	cr_assert_eq(cfg->redis.hourly_ms, 400 * DAY);
	cr_assert_eq(cfg->redis.daily_ms, 5 * 365 * DAY);
	config_free(cfg);
	cfg = load_ok("  retention: {}\n  incident_retention: 2y\n");
	cr_assert_eq(cfg->redis.retention_ms, 30 * DAY);
	cr_assert_eq(cfg->redis.daily_ms, 5 * 365 * DAY);
	cr_assert_eq(cfg->redis.incident_retention_ms, 2 * 365 * DAY);
	config_free(cfg);
}

Test(config_retention, errors_name_the_key)
{
	load_fails_with("  retention: {raw: 30d, weekly: 1y}\n",
	    "redis.retention.weekly: unknown key 'weekly'");
	load_fails_with("  retention: {hourly: 30m}\n",
	    "redis.retention.hourly: \"30m\" is out of range");
	load_fails_with("  retention: {hourly: 2y, daily: 1y}\n",
	    "redis.retention: daily (31536000 s) must be kept at least as "
	    "long as hourly (63072000 s)");
	load_fails_with("  retention: soon\n",
	    "redis.retention: \"soon\" is not a duration");
	load_fails_with("  incident_retention: 0\n",
	    "redis.incident_retention: \"0\" is out of range");
}

/* The resolution of a window is decided at the instant that fixed it:
 * exactly the raw retention is still raw, a millisecond more is hourly,
 * beyond the hourly retention daily; a past month is judged from when
 * it is read, not by its own length. */
Test(config_retention, resolution_of_a_window)
{
	struct store	st;
	int64_t		at = 1780272000000LL;

	memset(&st, 0, sizeof(st));
	st.retention_ms = 30 * DAY;
	cr_assert_eq(store_resolution(&st, at - 400 * DAY, at), -1,
	    "no coarser history kept: raw");
	st.hourly_ms = 400 * DAY;
	st.daily_ms = 5 * 365 * DAY;
	cr_assert_eq(store_resolution(&st, at - 30 * DAY, at), -1);
	cr_assert_eq(store_resolution(&st, at - 30 * DAY - 1, at), RES_HOUR);
	cr_assert_eq(store_resolution(&st, at - 400 * DAY, at), RES_HOUR);
	cr_assert_eq(store_resolution(&st, at - 400 * DAY - 1, at), RES_DAY);
	/* A 28-day month that ended 30 days ago: its raw points are gone. */
	cr_assert_eq(store_resolution(&st, at - 58 * DAY, at), RES_HOUR);
}
