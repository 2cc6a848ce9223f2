/*
 * Unit tests of quiet times: the window arithmetic (midnight, the DST
 * changes of Europe/Paris and America/New_York), the quiet decisions and
 * the end-of-suppression rule, silences' stored form, and the config of
 * depends_on and maintenance: with every error it reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>

#include "config.h"
#include "harness.h"
#include "quiet_rule.h"
#include "silence.h"
#include "state.h"
#include "util.h"
#include "window.h"

/* Returns the unix time of a UTC date and time. */
static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm);
}

/* --- when a local start time happens ---------------------------------- */

Test(window, local_start_across_dst_changes)
{
	static const struct {
		const char	*tz;
		int		 y, mo, d, h, mi;	/* local start */
		int		 uy, umo, ud, uh, umi;	/* expected, UTC */
		const char	*why;
	} rows[] = {
		{ "UTC", 2026, 11, 29, 23, 0, 2026, 11, 29, 23, 0, "UTC" },
		{ "Europe/Paris", 2026, 1, 15, 2, 0, 2026, 1, 15, 1, 0,
		    "winter, +1" },
		{ "Europe/Paris", 2026, 7, 15, 2, 0, 2026, 7, 15, 0, 0,
		    "summer, +2" },
		{ "Europe/Paris", 2026, 3, 29, 2, 30, 2026, 3, 29, 1, 0,
		    "spring forward: 02:30 does not exist, starts at 03:00" },
		{ "Europe/Paris", 2026, 3, 29, 2, 0, 2026, 3, 29, 1, 0,
		    "spring forward: 02:00 does not exist either" },
		{ "Europe/Paris", 2026, 3, 29, 3, 0, 2026, 3, 29, 1, 0,
		    "spring forward: 03:00 is the first valid instant" },
		{ "Europe/Paris", 2026, 3, 29, 1, 59, 2026, 3, 29, 0, 59,
		    "spring forward: 01:59 is still +1" },
		{ "Europe/Paris", 2026, 10, 25, 2, 30, 2026, 10, 25, 0, 30,
		    "fall back: 02:30 happens twice, the first (+2) wins" },
		{ "Europe/Paris", 2026, 10, 25, 3, 0, 2026, 10, 25, 2, 0,
		    "fall back: 03:00 is +1" },
		{ "America/New_York", 2026, 3, 8, 2, 30, 2026, 3, 8, 7, 0,
		    "spring forward: 02:30 does not exist, starts at 03:00 EDT" },
		{ "America/New_York", 2026, 3, 8, 1, 30, 2026, 3, 8, 6, 30,
		    "spring forward: 01:30 EST" },
		{ "America/New_York", 2026, 11, 1, 1, 30, 2026, 11, 1, 5, 30,
		    "fall back: 01:30 twice, the first (EDT) wins" },
		{ "America/New_York", 2026, 11, 1, 2, 0, 2026, 11, 1, 7, 0,
		    "fall back: 02:00 EST" },
		{ "America/New_York", 2026, 12, 31, 23, 59, 2027, 1, 1, 4, 59,
		    "new year, EST" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int64_t got = window_local_start(rows[i].tz, rows[i].y,
		    rows[i].mo, rows[i].d, rows[i].h, rows[i].mi);
		int64_t want = utc(rows[i].uy, rows[i].umo, rows[i].ud,
		    rows[i].uh, rows[i].umi);

		cr_expect_eq(got, want, "row %zu (%s %s): got %lld, want %lld",
		    i, rows[i].tz, rows[i].why, (long long)got,
		    (long long)want);
	}
}

/* --- is a window open at an instant ----------------------------------- */

/* Day bits as in struct maintenance (bit tm_wday). */
#define SUN	(1u << 0)
#define MON	(1u << 1)
#define SAT	(1u << 6)
#define EVERY	0x7fu

Test(window, open_across_midnight_and_dst)
{
	static const struct {
		const char	*tz;
		unsigned	 days;
		int		 start_min;
		int		 dur_min;
		int		 y, mo, d, h, mi;	/* now, UTC */
		int		 open;
		int		 ey, emo, ed, eh, emi;	/* its end, UTC */
		const char	*why;
	} rows[] = {
		/* 2026-11-29 is a Sunday. */
		{ "UTC", SUN, 23 * 60, 120, 2026, 11, 30, 0, 30, 1,
		    2026, 11, 30, 1, 0, "sun 23:00 for 2h covers mon 00:30" },
		{ "UTC", SUN, 23 * 60, 120, 2026, 11, 30, 1, 0, 0,
		    0, 0, 0, 0, 0, "and ends at mon 01:00" },
		{ "UTC", SUN, 23 * 60, 120, 2026, 11, 29, 22, 59, 0,
		    0, 0, 0, 0, 0, "not before it starts" },
		{ "UTC", SUN, 23 * 60, 120, 2026, 11, 29, 23, 0, 1,
		    2026, 11, 30, 1, 0, "open at its first instant" },
		{ "UTC", MON, 23 * 60, 120, 2026, 11, 30, 0, 30, 0,
		    0, 0, 0, 0, 0, "days names the day it starts" },
		{ "UTC", SAT, 22 * 60, 48 * 60, 2026, 11, 30, 12, 0, 1,
		    2026, 11, 30, 22, 0, "a two-day window from saturday" },
		{ "UTC", EVERY, 0, 60, 2026, 12, 1, 0, 59, 1,
		    2026, 12, 1, 1, 0, "every day by default" },
		/* Paris, 2026-03-29: 02:00 CET becomes 03:00 CEST (01:00Z). */
		{ "Europe/Paris", EVERY, 2 * 60, 120, 2026, 3, 29, 0, 59, 0,
		    0, 0, 0, 0, 0, "spring forward: not before the change" },
		{ "Europe/Paris", EVERY, 2 * 60, 120, 2026, 3, 29, 1, 0, 1,
		    2026, 3, 29, 3, 0, "spring forward: opens at 03:00 CEST" },
		{ "Europe/Paris", EVERY, 2 * 60, 120, 2026, 3, 29, 2, 59, 1,
		    2026, 3, 29, 3, 0, "spring forward: 2h of elapsed time" },
		{ "Europe/Paris", EVERY, 2 * 60, 120, 2026, 3, 29, 3, 0, 0,
		    0, 0, 0, 0, 0, "spring forward: closed at 05:00 CEST" },
		/* Paris, 2026-10-25: 03:00 CEST becomes 02:00 CET (01:00Z). */
		{ "Europe/Paris", EVERY, 2 * 60 + 30, 60, 2026, 10, 25, 0, 30,
		    1, 2026, 10, 25, 1, 30, "fall back: the first 02:30" },
		{ "Europe/Paris", EVERY, 2 * 60 + 30, 60, 2026, 10, 25, 1, 45,
		    0, 0, 0, 0, 0, 0, "fall back: the second 02:30 opens none" },
		{ "Europe/Paris", SUN, 23 * 60, 120, 2026, 10, 25, 22, 30, 1,
		    2026, 10, 26, 0, 0, "the evening after fall back, +1" },
		/* New York, 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z). */
		{ "America/New_York", SAT, 23 * 60 + 30, 120, 2026, 3, 8, 6,
		    0, 1, 2026, 3, 8, 6, 30, "sat 23:30 EST for 2h over the "
		    "change" },
		{ "America/New_York", EVERY, 2 * 60 + 30, 30, 2026, 3, 8, 7,
		    15, 1, 2026, 3, 8, 7, 30, "02:30 skipped: 03:00 EDT" },
		/* New York, 2026-11-01: 02:00 EDT becomes 01:00 EST (06:00Z). */
		{ "America/New_York", EVERY, 60, 180, 2026, 11, 1, 7, 30, 1,
		    2026, 11, 1, 8, 0, "01:00 EDT for 3h ends at 03:00 EST" },
		{ "America/New_York", EVERY, 60 + 30, 30, 2026, 11, 1, 6, 45,
		    0, 0, 0, 0, 0, 0, "the repeated 01:30 EST opens none" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct maintenance m = { 0 };
		int64_t		   end = 0, want;
		int		   open;

		m.name = (char *)"w";
		m.all = 1;
		m.days = rows[i].days;
		m.start_min = rows[i].start_min;
		m.duration_ms = (int64_t)rows[i].dur_min * 60 * 1000;
		m.timezone = (char *)rows[i].tz;
		open = window_open(&m, utc(rows[i].y, rows[i].mo, rows[i].d,
		    rows[i].h, rows[i].mi), &end);
		cr_expect_eq(open, rows[i].open, "row %zu (%s): open %d",
		    i, rows[i].why, open);
		if (!open || !rows[i].open)
			continue;
		want = utc(rows[i].ey, rows[i].emo, rows[i].ed, rows[i].eh,
		    rows[i].emi);
		cr_expect_eq(end, want, "row %zu (%s): end %lld, want %lld", i,
		    rows[i].why, (long long)end, (long long)want);
	}
}

Test(window, the_process_timezone_is_left_alone)
{
	struct maintenance	m = { 0 };
	int64_t			end;

	setenv("TZ", "America/New_York", 1);
	m.all = 1;
	m.days = EVERY;
	m.duration_ms = 3600 * 1000;
	m.timezone = (char *)"Europe/Paris";
	window_open(&m, utc(2026, 1, 1, 0, 0), &end);
	cr_assert_str_eq(getenv("TZ"), "America/New_York");
	unsetenv("TZ");
	window_open(&m, utc(2026, 1, 1, 0, 0), &end);
	cr_assert_null(getenv("TZ"));
}

Test(window, timezone_names)
{
	cr_assert_eq(window_tz_valid("UTC"), 0);
	cr_assert_eq(window_tz_valid("Europe/Paris"), 0);
	cr_assert_eq(window_tz_valid("America/New_York"), 0);
	cr_assert_eq(window_tz_valid("Europe/Pariss"), -1);
	cr_assert_eq(window_tz_valid("../../etc/passwd"), -1);
	cr_assert_eq(window_tz_valid("/etc/localtime"), -1);
	cr_assert_eq(window_tz_valid(""), -1);
	cr_assert_eq(window_tz_valid("Europe"), -1, "a directory");
}

/* --- the decisions ---------------------------------------------------- */

Test(quiet, decide_table)
{
	static const struct {
		enum check_kind	 kind;
		int		 quiet, alerted, current, has, transition;
		enum quiet_action want;
		const char	*why;
	} rows[] = {
		{ KIND_HTTP, 0, HTTP_UP, HTTP_UP, 0, 0, QUIET_NONE,
		    "steady up" },
		{ KIND_HTTP, 0, HTTP_UNKNOWN, HTTP_UP, 0, 0, QUIET_NONE,
		    "never alerted, up: a new healthy site says nothing" },
		{ KIND_HTTP, 0, HTTP_UNKNOWN, HTTP_UNKNOWN, 0, 0, QUIET_NONE,
		    "nothing known" },
		{ KIND_HTTP, 0, HTTP_UNKNOWN, HTTP_DOWN, 1, 1, QUIET_SEND,
		    "first DOWN" },
		{ KIND_HTTP, 0, HTTP_DOWN, HTTP_UP, 1, 1, QUIET_SEND,
		    "UP after a DOWN alert" },
		{ KIND_HTTP, 1, HTTP_UP, HTTP_DOWN, 1, 1, QUIET_DROP,
		    "DOWN while quiet" },
		{ KIND_HTTP, 1, HTTP_UP, HTTP_DOWN, 0, 0, QUIET_HOLD,
		    "still down while quiet: held back" },
		{ KIND_HTTP, 1, HTTP_UP, HTTP_UP, 1, 1, QUIET_DROP,
		    "back up while quiet" },
		{ KIND_HTTP, 1, HTTP_UP, HTTP_UP, 0, 0, QUIET_NONE,
		    "up while quiet, nothing to say" },
		{ KIND_HTTP, 0, HTTP_UP, HTTP_DOWN, 0, 0, QUIET_RELEASE,
		    "quiet time over, still down: one DOWN" },
		{ KIND_HTTP, 0, HTTP_UNKNOWN, HTTP_DOWN, 0, 0, QUIET_RELEASE,
		    "new site down during a silence: one DOWN after" },
		{ KIND_HTTP, 0, HTTP_DOWN, HTTP_UP, 0, 0, QUIET_RELEASE,
		    "recovered during the silence: one UP after" },
		{ KIND_HTTP, 0, HTTP_DOWN, HTTP_DOWN, 0, 0, QUIET_NONE,
		    "down, and DOWN was the last alert" },
		{ KIND_HTTP, 0, HTTP_UP, HTTP_UP, 1, 1, QUIET_STALE,
		    "down and back while quiet: the UP is old news" },
		{ KIND_HTTP, 0, HTTP_DOWN, HTTP_DOWN, 1, 1, QUIET_STALE,
		    "up and down again while quiet: DOWN was already said" },
		{ KIND_HTTP, 0, HTTP_DOWN, HTTP_DEGRADED, 0, 0, QUIET_RELEASE,
		    "degraded now, DOWN said" },
		{ KIND_HTTP, 0, HTTP_DOWN, HTTP_DOWN, 1, 0, QUIET_SEND,
		    "a reminder (no change of state) goes" },
		{ KIND_HTTP, 1, HTTP_DOWN, HTTP_DOWN, 1, 0, QUIET_DROP,
		    "a reminder while quiet is dropped" },
		{ KIND_HTTP, 0, HTTP_UP, HTTP_DOWN, 1, 0, QUIET_RELEASE,
		    "a reminder due as a quiet time ends: the DOWN goes "
		    "instead" },
		{ KIND_CERT, 0, CERT_UNKNOWN, CERT_OK, 0, 0, QUIET_NONE,
		    "a first fine certificate" },
		{ KIND_CERT, 0, CERT_OK, CERT_WARNING, 0, 0, QUIET_RELEASE,
		    "warning during the silence" },
		{ KIND_CERT, 0, CERT_UNKNOWN, CERT_CRITICAL, 0, 0,
		    QUIET_RELEASE, "never alerted, critical" },
		{ KIND_CERT, 1, CERT_OK, CERT_CRITICAL, 1, 1, QUIET_DROP,
		    "critical while quiet" },
		{ KIND_CERT, 0, CERT_CRITICAL, CERT_OK, 1, 1, QUIET_SEND,
		    "ok again" },
		{ KIND_CERT, 0, CERT_WARNING, CERT_WARNING, 0, 0, QUIET_NONE,
		    "warning said" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum quiet_action got = quiet_decide(rows[i].kind,
		    rows[i].quiet, rows[i].alerted, rows[i].current,
		    rows[i].has, rows[i].transition);

		cr_expect_eq(got, rows[i].want, "row %zu (%s): got %d", i,
		    rows[i].why, got);
	}
}

Test(quiet, state_events)
{
	cr_assert_eq(quiet_state_event(KIND_HTTP, HTTP_DOWN), ALERT_DOWN);
	cr_assert_eq(quiet_state_event(KIND_HTTP, HTTP_UP), ALERT_UP);
	cr_assert_eq(quiet_state_event(KIND_HTTP, HTTP_DEGRADED),
	    ALERT_DEGRADED);
	cr_assert_eq(quiet_state_event(KIND_CERT, CERT_OK), ALERT_OK);
	cr_assert_eq(quiet_state_event(KIND_CERT, CERT_WARNING), ALERT_WARNING);
	cr_assert_eq(quiet_state_event(KIND_CERT, CERT_CRITICAL),
	    ALERT_CRITICAL);
}

static struct config *
load_ok(const char *yaml)
{
	struct h_dir	*d = h_dir_new();
	struct config	*cfg = NULL;
	char		*path = h_config(d, yaml), *err = NULL;

	cr_assert_eq(h_config_load(path, &cfg, &err), 0, "%s", err);
	free(err);
	free(path);
	h_dir_free(d);
	return cfg;
}

/* Returns the errors config_load printed for yaml (malloc'd). */
static char *
load_err(const char *yaml)
{
	struct h_dir	*d = h_dir_new();
	struct config	*cfg = NULL;
	char		*path = h_config(d, yaml), *err = NULL;

	cr_assert_eq(h_config_load(path, &cfg, &err), -1, "loaded:\n%s", yaml);
	free(path);
	h_dir_free(d);
	return err;
}

#define THREE_SITES \
	"websites:\n" \
	"  - url: http://gw.example/\n    name: gateway\n" \
	"  - url: http://api.example/\n    name: api\n" \
	"    depends_on: [gateway]\n" \
	"  - url: http://shop.example/\n    name: shop\n"

Test(quiet, site_reasons_in_order)
{
	struct config		*cfg = load_ok(THREE_SITES
	    "maintenance:\n  - name: patching\n    sites: [shop]\n"
	    "    start: \"00:00\"\n    duration: 1h\n");
	struct site_state	 st[3];
	struct silence		 sil[3], all;
	unsigned char		 open[1] = { 0 };
	struct quiet_view	 v = { cfg, st, sil, &all, open, 1000 };
	char			 why[256];

	memset(st, 0, sizeof(st));
	memset(sil, 0, sizeof(sil));
	memset(&all, 0, sizeof(all));
	cr_assert_eq(quiet_site(&v, 1, why, sizeof(why)), 0);
	st[0].state = HTTP_DOWN;
	cr_assert_eq(quiet_site(&v, 1, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "gateway down");
	cr_assert_eq(quiet_site(&v, 0, why, sizeof(why)), 0,
	    "a parent's own state does not quiet it");
	open[0] = 1;
	cr_assert_eq(quiet_site(&v, 2, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "maintenance: patching");
	cr_assert_eq(quiet_site(&v, 0, why, sizeof(why)), 0);
	all.until = 2000;
	cr_assert_eq(quiet_site(&v, 0, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "silenced");
	sil[1].until = 1500;
	strcpy(sil[1].reason, "deploy");
	cr_assert_eq(quiet_site(&v, 1, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "silenced: deploy");
	sil[1].until = 1000;
	cr_assert_eq(quiet_site(&v, 1, why, sizeof(why)), 1);
	cr_assert_str_eq(why, "silenced", "an expired silence counts not");
	config_free(cfg);
}

Test(quiet, status_shows_the_latest_end)
{
	struct config		*cfg = load_ok(THREE_SITES
	    "maintenance:\n  - name: patching\n    sites: [shop, api]\n"
	    "    start: \"00:00\"\n    duration: 1h\n");
	struct site_state	 st[3];
	struct silence		 sil[3], all;
	unsigned char		 open[1] = { 1 };
	int64_t			 ends[1] = { 3000 };
	struct quiet_view	 v = { cfg, st, sil, &all, open, 1000 };
	char			 why[256];

	memset(st, 0, sizeof(st));
	memset(sil, 0, sizeof(sil));
	memset(&all, 0, sizeof(all));
	cr_assert_eq(quiet_silenced_until(&v, ends, 0, why, sizeof(why)), 0);
	cr_assert_str_eq(why, "");
	cr_assert_eq(quiet_silenced_until(&v, ends, 2, why, sizeof(why)), 3000);
	cr_assert_str_eq(why, "maintenance: patching");
	sil[2].until = 5000;
	strcpy(sil[2].reason, "deploy");
	cr_assert_eq(quiet_silenced_until(&v, ends, 2, why, sizeof(why)), 5000);
	cr_assert_str_eq(why, "deploy");
	all.until = 2000;
	cr_assert_eq(quiet_silenced_until(&v, ends, 0, why, sizeof(why)), 2000);
	cr_assert_str_eq(why, "", "silence all without a reason");
	open[0] = 0;
	cr_assert_eq(quiet_silenced_until(&v, ends, 1, why, sizeof(why)), 2000);
	config_free(cfg);
}

Test(quiet, silence_stored_form)
{
	struct silence	s = { 1796000000, 1795990000, "deploy \"v2\"" }, t;
	char		*json = silence_encode(&s);

	cr_assert_not_null(json);
	cr_assert_str_eq(json, "{\"until\":1796000000,\"reason\":\"deploy "
	    "\\\"v2\\\"\",\"created\":1795990000}");
	cr_assert_eq(silence_decode(json, strlen(json), &t), 0);
	cr_assert_eq(t.until, s.until);
	cr_assert_eq(t.created, s.created);
	cr_assert_str_eq(t.reason, s.reason);
	free(json);
	s.reason[0] = '\0';
	json = silence_encode(&s);
	cr_assert_not_null(strstr(json, "\"reason\":null"), "%s", json);
	free(json);
	cr_assert_eq(silence_decode("{\"until\":\"x\"}", 13, &t), -1);
	cr_assert_eq(t.until, 0);
	cr_assert_eq(silence_decode("[]", 2, &t), -1);
	cr_assert_eq(silence_decode("{\"until\":5,\"reason\":3}", 22, &t), -1);
}

/* --- the config ------------------------------------------------------- */

Test(config_quiet, reads_windows_and_dependencies)
{
	struct config *cfg = load_ok(THREE_SITES
	    "maintenance:\n"
	    "  - name: sunday-patching\n    sites: [shop, api, shop]\n"
	    "    days: [sun, Sat]\n    start: \"02:30\"\n    duration: 2h\n"
	    "    timezone: Europe/Paris\n"
	    "  - name: all-night\n    sites: all\n    start: \"23:00\"\n"
	    "    duration: 8h\n");

	cr_assert_eq(cfg->nmaint, 2);
	cr_assert_str_eq(cfg->maint[0].name, "sunday-patching");
	cr_assert_eq(cfg->maint[0].nsites, 2);
	cr_assert_eq(cfg->maint[0].sites[0], 1);
	cr_assert_eq(cfg->maint[0].sites[1], 2);
	cr_assert_eq(cfg->maint[0].days, SUN | SAT);
	cr_assert_eq(cfg->maint[0].start_min, 150);
	cr_assert_eq(cfg->maint[0].duration_ms, 7200000);
	cr_assert_str_eq(cfg->maint[0].timezone, "Europe/Paris");
	cr_assert_eq(cfg->maint[1].all, 1);
	cr_assert_eq(cfg->maint[1].days, EVERY);
	cr_assert_str_eq(cfg->maint[1].timezone, "UTC");
	cr_assert_eq(cfg->sites[1].ndepends, 1);
	cr_assert_eq(cfg->sites[1].depends_on[0].idx, 0);
	config_free(cfg);
}

Test(config_quiet, unknown_dependency_names_the_site_and_where)
{
	char *err = load_err(
	    "websites:\n"
	    "  - url: http://gw.example/\n    name: gateway\n"
	    "  - url: http://api.example/\n    name: api\n"
	    "    depends_on: [gateway, gatway]\n");

	cr_assert_not_null(strstr(err, "config.yaml:6:27: websites[1]."
	    "depends_on[1] (site \"api\"): no site is named \"gatway\""), "%s",
	    err);
	free(err);
}

Test(config_quiet, cycles_name_every_site_involved)
{
	char *err = load_err(
	    "websites:\n"
	    "  - url: http://a.example/\n    name: a\n    depends_on: [b]\n"
	    "  - url: http://b.example/\n    name: b\n    depends_on: [c]\n"
	    "  - url: http://c.example/\n    name: c\n    depends_on: [a]\n"
	    "  - url: http://d.example/\n    name: d\n    depends_on: [d]\n"
	    "  - url: http://e.example/\n    name: e\n    depends_on: [a]\n");

	cr_assert_not_null(strstr(err, "dependency cycle: a -> b -> c -> a"),
	    "%s", err);
	cr_assert_not_null(strstr(err, "config.yaml:10:18: websites[2]."
	    "depends_on[0] (site \"c\")"), "%s", err);
	cr_assert_not_null(strstr(err, "dependency cycle: d -> d"), "%s", err);
	cr_assert_null(strstr(err, "site \"e\""), "e is in no cycle: %s", err);
	free(err);
}

Test(config_quiet, depends_on_is_not_a_default)
{
	char *err = load_err("defaults:\n  depends_on: [gateway]\n"
	    THREE_SITES);

	cr_assert_not_null(strstr(err, "defaults.depends_on: 'depends_on' "
	    "cannot be a default"), "%s", err);
	free(err);
}

Test(config_quiet, window_errors_say_where)
{
	static const struct {
		const char	*window;
		const char	*want;
	} rows[] = {
		{ "    sites: [api]\n    start: \"02:00\"\n    duration: 1h\n"
		    "    timezone: Europe/Pariss\n",
		    "config.yaml:14:15: maintenance[0].timezone: "
		    "\"Europe/Pariss\" is not a timezone" },
		{ "    sites: [api]\n    start: \"25:00\"\n    duration: 1h\n",
		    "config.yaml:12:12: maintenance[0].start: \"25:00\" is not "
		    "a time of day HH:MM" },
		{ "    sites: [api]\n    start: \"2:00\"\n    duration: 1h\n",
		    "maintenance[0].start: \"2:00\" is not a time of day" },
		{ "    sites: [api]\n    days: [sun, funday]\n"
		    "    start: \"02:00\"\n    duration: 1h\n",
		    "config.yaml:12:17: maintenance[0].days[1]: \"funday\" is "
		    "not a day" },
		{ "    sites: [api, nope]\n    start: \"02:00\"\n"
		    "    duration: 1h\n",
		    "config.yaml:11:18: maintenance[0].sites[1]: no site is named "
		    "\"nope\"" },
		{ "    sites: api\n    start: \"02:00\"\n    duration: 1h\n",
		    "maintenance[0].sites: \"api\" is not a list" },
		{ "    sites: [api]\n    start: \"02:00\"\n",
		    "maintenance[0]: missing required key 'duration'" },
		{ "    sites: [api]\n    start: \"02:00\"\n    duration: 8d\n",
		    "maintenance[0].duration: \"8d\" is out of range" },
		{ "    sites: [api]\n    start: \"02:00\"\n    duration: 1h\n"
		    "    timezon: UTC\n",
		    "unknown key 'timezon', did you mean 'timezone'?" },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *yaml = h_strf(THREE_SITES "maintenance:\n  - name: w\n%s",
		    rows[i].window);
		char *err = load_err(yaml);

		cr_expect_not_null(strstr(err, rows[i].want), "row %zu: want "
		    "%s\ngot: %s", i, rows[i].want, err);
		free(err);
		free(yaml);
	}
}
