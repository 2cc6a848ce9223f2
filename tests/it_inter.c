/*
 * Features that meet in one run, end to end (real Redis, real peekl
 * processes, the loopback site and webhook receivers): quiet times on
 * quorum verdicts, routing of the locations' own alerts, reminders of a
 * verdict, the metrics and page of a location's host, a silence as the
 * metrics and status.json show it, and incidents with locations. Each location's run is started after the previous
 * one ended, so every count below is exact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <errno.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "harness.h"

/* A config of site api on /loc (answering each location as answer()
 * says), its extra keys and websites, alerting the env's webhook. */
static char *
loc_config(struct h_env *e, const char *name, const char *top,
    const char *site_extra, const char *more_sites)
{
	return h_config_named(e, name, h_strf("redis:\n  port: %d\n%s"
	    "websites:\n  - url: http://127.0.0.1:%d/loc\n    name: api\n"
	    "    retry: 0\n    interval: 10\n"
	    "    headers: {X-Loc: \"${PEEKL_LOC_HDR:-none}\"}\n%s%s"
	    "alertmanagers:\n  webhook:\n    url: http://127.0.0.1:%d/hook\n",
	    h_redis_port(e->rd), top, h_srv_port(e->web), site_extra,
	    more_sites, h_srv_port(e->hook)));
}


/* Runs `check --location loc` on every site (forced); returns the exit
 * status after asserting it is a judgement (0, 1, 2). */
static int
run_loc(const char *cfg, const char *loc)
{
	struct h_run	 r;
	char		*env0 = h_strf("PEEKL_LOC_HDR=%s", loc);
	const char	*env[] = { env0, "PEEKL_LOCATION", NULL };
	int		 st;

	h_run(&r, (const char *[]){ "-c", cfg, "check", "--location", loc,
	    "--site", "api", NULL }, env);
	st = r.status;
	cr_assert(st >= 0 && st <= 2, "%s: exit %d: %s", loc, st, r.err);
	h_run_free(&r);
	free(env0);
	return st;
}

/* Runs each of the n locations once, one after the other. */
static void
round_of(const char *cfg, const char *const *locs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_loc(cfg, locs[i]);
}

/* Runs a peekl command (no location), expecting exit status want. */
static void
peekl_ok(const char *cfg, const char *const args[], int want)
{
	const char	*argv[12] = { "-c", cfg };
	const char	*env[] = { "PEEKL_LOCATION", NULL };
	struct h_run	 r;
	size_t		 i;

	for (i = 0; args[i] != NULL && i < 9; i++)
		argv[2 + i] = args[i];
	argv[2 + i] = NULL;
	cr_assert_eq(h_run(&r, argv, env), want, "%s: exit %d: %s", args[0],
	    r.status, r.err);
	h_run_free(&r);
}

/* The text of the n-th alert the receiver got (malloc'd). */
static char *
hook_text(struct h_srv *hook, int n)
{
	char	*body = h_webhook_body(hook, n), *text;
	json_t	*root;

	cr_assert_not_null(body, "no alert %d", n);
	root = json_loads(body, 0, NULL);
	cr_assert_not_null(root, "%s", body);
	text = strdup(json_string_value(json_object_get(root, "text")));
	json_decref(root);
	free(body);
	return text;
}

/* Every alert so far: delivered, or still queued for the webhook. */
static int
alerts(struct h_env *e)
{
	return h_webhook_count(e->hook, -1) +
	    (int)h_redis_int(e->rd, "LLEN peekl:alerts:webhook");
}

/* Asserts HGET key field is not bad. */
static void
assert_not_field(struct h_env *e, const char *key, const char *field,
    const char *bad)
{
	char	*s = h_redis_str(e->rd, "HGET %s %s", key, field);

	cr_assert(s == NULL || strcmp(s, bad) != 0, "%s %s: %s", key, field,
	    s);
	free(s);
}

/* Asserts HGET key field equals want (NULL: absent). */
static void
assert_field(struct h_env *e, const char *key, const char *field,
    const char *want)
{
	char	*s = h_redis_str(e->rd, "HGET %s %s", key, field);

	if (want == NULL)
		cr_assert_null(s, "%s %s: %s", key, field, s);
	else {
		cr_assert_not_null(s, "%s %s absent", key, field);
		cr_assert_str_eq(s, want, "%s %s", key, field);
	}
	free(s);
}

static const char *const LOCS[3] = { "fra", "nyc", "sgp" };

/* --- 1. quiet times on verdicts --- */

Test(inter, silenced_verdict_then_clear_sends_one_down, .timeout = 300)
{
	struct h_env	 e;
	char		*cfg, *text, *want;

	h_env_start(&e);
	cfg = loc_config(&e, "c.yaml", "", "", "");
	round_of(cfg, LOCS, 3);
	assert_field(&e, "peekl:site:api", "state", "up");

	/* One location's own change alerts nobody. */
	h_loc_answer(&e, "fra", "503");
	round_of(cfg, LOCS, 3);
	assert_field(&e, "peekl:site:api:loc:fra", "state", "down");
	assert_field(&e, "peekl:site:api", "state", "up");
	cr_assert_eq(alerts(&e), 0);

	/* Silenced, the verdict goes down without a word. */
	peekl_ok(cfg, (const char *[]){ "silence", "api", "--for", "1h",
	    NULL }, 0);
	h_loc_answer(&e, "nyc", "503");
	round_of(cfg, LOCS, 3);
	round_of(cfg, LOCS, 3);
	assert_field(&e, "peekl:site:api", "state", "down");
	assert_not_field(&e, "peekl:site:api", "alerted", "down");
	cr_assert_eq(alerts(&e), 0);

	/* Cleared: the next run that decides the verdict sends one DOWN,
	 * and no other run repeats it. */
	peekl_ok(cfg, (const char *[]){ "silence", "--clear", "api", NULL },
	    0);
	run_loc(cfg, "sgp");
	cr_assert_eq(alerts(&e), 1);
	assert_field(&e, "peekl:site:api", "alerted", "down");
	round_of(cfg, LOCS, 3);
	cr_assert_eq(alerts(&e), 1);
	text = hook_text(e.hook, 0);
	want = h_strf("DOWN api (http://127.0.0.1:%d/loc): ",
	    h_srv_port(e.web));
	cr_assert(strncmp(text, want, strlen(want)) == 0, "%s", text);
	/* In the verdict's words, though sgp itself sees it up. */
	cr_assert_not_null(strstr(text, "): down from 2 of 3 locations "
	    "(fra, nyc): HTTP 503"), "%s", text);
	free(want);
	free(text);
	/* What was told is the verdict's; no location's hash says it. */
	for (size_t i = 0; i < 3; i++) {
		char *k = h_strf("peekl:site:api:loc:%s", LOCS[i]);

		assert_not_field(&e, k, "alerted", "down");
		free(k);
	}

	/* Recovery: one UP. */
	h_loc_answer(&e, "fra", NULL);
	h_loc_answer(&e, "nyc", NULL);
	round_of(cfg, LOCS, 3);
	round_of(cfg, LOCS, 3);
	cr_assert_eq(alerts(&e), 2);
	text = hook_text(e.hook, 1);
	cr_assert(strncmp(text, "UP api (", 8) == 0, "%s", text);
	free(text);

	/* Down again while silenced, from fra and sgp this time. */
	peekl_ok(cfg, (const char *[]){ "silence", "api", "--for", "1h",
	    NULL }, 0);
	h_loc_answer(&e, "fra", "503");
	h_loc_answer(&e, "sgp", "503");
	round_of(cfg, LOCS, 3);
	assert_field(&e, "peekl:site:api", "state", "down");
	/* Cleared while down, the first decision releases a DOWN even from
	 * nyc, which sees the site up. */
	peekl_ok(cfg, (const char *[]){ "silence", "--clear", "api", NULL },
	    0);
	run_loc(cfg, "nyc");
	cr_assert_eq(alerts(&e), 3);
	text = hook_text(e.hook, 2);
	cr_assert_not_null(strstr(text, "): down from 2 of 3 locations "
	    "(fra, sgp): HTTP 503"), "%s", text);
	free(text);
	h_loc_answer(&e, "fra", NULL);
	h_loc_answer(&e, "sgp", NULL);
	round_of(cfg, LOCS, 3);
	round_of(cfg, LOCS, 3);
	cr_assert_eq(alerts(&e), 4);
	assert_field(&e, "peekl:site:api", "alerted", "up");
	free(cfg);
	h_env_stop(&e);
}

Test(inter, maintenance_holds_back_verdict_alerts, .timeout = 120)
{
	struct h_env	 e;
	char		*win, *cfg, *plain, hhmm[8], *text;
	time_t		 start = time(NULL) - 300;
	struct tm	 tm;

	h_env_start(&e);
	gmtime_r(&start, &tm);
	strftime(hhmm, sizeof(hhmm), "%H:%M", &tm);
	win = h_strf("maintenance:\n  - name: db-upgrade\n    sites: [api]\n"
	    "    start: \"%s\"\n    duration: 1h\n    timezone: UTC\n", hhmm);
	cfg = loc_config(&e, "win.yaml", win, "", "");
	plain = loc_config(&e, "plain.yaml", "", "", "");
	round_of(cfg, LOCS, 3);
	h_loc_answer(&e, "fra", "503");
	h_loc_answer(&e, "nyc", "503");
	round_of(cfg, LOCS, 3);
	round_of(cfg, LOCS, 3);
	assert_field(&e, "peekl:site:api", "state", "down");
	assert_not_field(&e, "peekl:site:api", "alerted", "down");
	cr_assert_eq(alerts(&e), 0, "alerted in the window");
	/* Out of the window (another host's config): one DOWN. */
	run_loc(plain, "nyc");
	run_loc(plain, "fra");
	cr_assert_eq(alerts(&e), 1);
	text = hook_text(e.hook, 0);
	cr_assert(strncmp(text, "DOWN api (", 10) == 0, "%s", text);
	free(text);
	free(win);
	free(plain);
	free(cfg);
	h_env_stop(&e);
}

Test(inter, parent_down_holds_back_verdict_alerts, .timeout = 120)
{
	struct h_env	 e;
	char		*gw, *cfg, *text;
	struct h_run	 r;

	h_env_start(&e);
	gw = h_strf("  - url: http://127.0.0.1:%d/loc?gw=1\n    name: gw\n"
	    "    retry: 0\n    interval: 10\n"
	    "    headers: {X-Loc: \"${PEEKL_LOC_HDR:-none}\"}\n", h_srv_port(e.web));
	cfg = loc_config(&e, "dep.yaml", "", "    depends_on: [gw]\n", gw);
	round_of(cfg, LOCS, 3);
	cr_assert_eq(alerts(&e), 0);
	/* Both down from fra and nyc: gw's DOWN, none for api. */
	h_loc_answer(&e, "fra", "503");
	h_loc_answer(&e, "nyc", "503");
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < 3; i++) {
			char *env0 = h_strf("PEEKL_LOC_HDR=%s", LOCS[i]);
			const char *envl[] = { env0, "PEEKL_LOCATION", NULL };

			h_run(&r, (const char *[]){ "-c", cfg, "check",
			    "--location", LOCS[i], "--site", "api", "--site",
			    "gw", NULL }, envl);
			cr_assert(r.status >= 0 && r.status <= 2,
			    "exit %d: %s", r.status, r.err);
			h_run_free(&r);
			free(env0);
		}
	assert_field(&e, "peekl:site:api", "state", "down");
	assert_field(&e, "peekl:site:gw", "state", "down");
	assert_not_field(&e, "peekl:site:api", "alerted", "down");
	cr_assert_eq(alerts(&e), 1);
	text = hook_text(e.hook, 0);
	cr_assert(strncmp(text, "DOWN gw (", 9) == 0, "%s", text);
	free(text);
	free(gw);
	free(cfg);
	h_env_stop(&e);
}

/* --- 2. routing of the locations' own alerts --- */

/* Waits until location loc's last run is more than ms old. */
static void
until_silent(struct h_env *e, const char *loc, long long ms)
{
	char		*s = h_redis_str(e->rd, "HGET peekl:location:%s last_run",
			    loc);
	long long	 last;
	struct timespec	 now;

	cr_assert_not_null(s);
	last = strtoll(s, NULL, 10);
	free(s);
	for (;;) {
		clock_gettime(CLOCK_REALTIME, &now);
		if ((long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 >
		    last + ms)
			return;
		nanosleep(&(struct timespec){ 0, 50000000L }, NULL);
	}
}

/* How many of the alerts hook received start with prefix. */
static int
texts_with(struct h_srv *hook, const char *prefix)
{
	int	n = 0;

	for (int i = 0; i < h_webhook_count(hook, -1); i++) {
		char *text = hook_text(hook, i);

		n += strncmp(text, prefix, strlen(prefix)) == 0;
		free(text);
	}
	return n;
}

Test(inter, location_alerts_routed_by_events_only, .timeout = 120)
{
	struct h_env	 e;
	struct h_srv	*ops, *warn;
	char		*cfg;

	h_env_start(&e);
	ops = h_webhook_start();
	warn = h_webhook_start();
	cfg = h_config_named(&e, "route.yaml", h_strf("redis:\n  port: %d\n"
	    "location_timeout: 1s\n"
	    "websites:\n  - url: http://127.0.0.1:%d/loc\n    name: api\n"
	    "    headers: {X-Loc: \"${PEEKL_LOC_HDR:-none}\"}\n"
	    "  - url: http://127.0.0.1:%d/loc?s=2\n    name: shop\n"
	    "    headers: {X-Loc: \"${PEEKL_LOC_HDR:-none}\"}\n"
	    "alertmanagers:\n"
	    "  ops:\n    type: webhook\n    url: http://127.0.0.1:%d/ops\n"
	    "    events: [down]\n    sites: [api]\n"
	    "  warn:\n    type: webhook\n    url: http://127.0.0.1:%d/warn\n"
	    "    events: [warning]\n",
	    h_redis_port(e.rd), h_srv_port(e.web), h_srv_port(e.web),
	    h_srv_port(ops), h_srv_port(warn)));
	run_loc(cfg, "sgp");
	/* sgp falls silent: fra's next run says so (this one, or the one
	 * after, on a machine slow enough), once, to ops alone. */
	run_loc(cfg, "fra");
	until_silent(&e, "sgp", 1500);
	run_loc(cfg, "fra");
	cr_assert_eq(texts_with(ops, "DOWN location sgp: no run for "), 1);
	/* sgp is back: its UP goes to nobody (ops takes only down). A run
	 * slower than location_timeout (valgrind) may report fra too, to
	 * ops: a DOWN all the same. */
	run_loc(cfg, "sgp");
	cr_assert_eq(h_redis_int(e.rd, "HEXISTS peekl:location:sgp "
	    "silent_since"), 0, "sgp still declared down");
	cr_assert_eq(texts_with(ops, "DOWN location sgp: "), 1);
	cr_assert_eq(texts_with(ops, "DOWN location "), h_webhook_count(ops,
	    -1), "ops got more than DOWN location alerts");
	cr_assert_eq(h_webhook_count(warn, -1), 0);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:ops") +
	    h_redis_int(e.rd, "LLEN peekl:alerts:warn"), 0);
	h_srv_stop(ops);
	h_srv_stop(warn);
	free(cfg);
	h_env_stop(&e);
}

/* --- 3. reminders of a verdict --- */

static long long
field_ll(struct h_env *e, const char *key, const char *field)
{
	char		*s = h_redis_str(e->rd, "HGET %s %s", key, field);
	long long	 v = s != NULL ? strtoll(s, NULL, 10) : 0;

	free(s);
	return v;
}

static long long
wall_ms(void)
{
	struct timespec	now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

Test(inter, verdict_reminder_once_across_locations, .timeout = 120)
{
	struct h_env	 e;
	char		*cfg, *text, *want;
	long long	 since, reminded, ended;
	const char	*two[] = { "fra", "nyc" };

	h_env_start(&e);
	cfg = loc_config(&e, "rem.yaml", "", "    remind_every: 2s\n", "");
	h_loc_answer(&e, "fra", "503");
	h_loc_answer(&e, "nyc", "503");
	round_of(cfg, two, 2);
	since = field_ll(&e, "peekl:site:api", "since");
	cr_assert_gt(since, 0);
	/* (A machine slow enough may remind already.) */
	if (wall_ms() < since + 2000) {
		cr_assert_eq(alerts(&e), 1);
		cr_assert_eq(field_ll(&e, "peekl:site:api", "reminded_at"), 0);
	}

	/* Both locations run, in turn, until the reminder comes; none of
	 * the runs that ended within 2 s of the DOWN sent one. */
	for (int i = 0; alerts(&e) < 2; i++) {
		cr_assert_lt(i, 150, "no reminder within 30 s");
		run_loc(cfg, two[i % 2]);
		ended = wall_ms();
		if (ended < since + 2000)
			cr_assert_eq(alerts(&e), 1, "a reminder %lld ms after "
			    "the DOWN", ended - since);
		if (alerts(&e) < 2)
			nanosleep(&(struct timespec){ 0, 200000000L }, NULL);
	}
	reminded = field_ll(&e, "peekl:site:api", "reminded_at");
	cr_assert_geq(reminded - since, 2000);
	cr_assert_eq(field_ll(&e, "peekl:site:api", "since"), since);
	text = hook_text(e.hook, 1);
	want = h_strf("DOWN api (http://127.0.0.1:%d/loc): still down after ",
	    h_srv_port(e.web));
	cr_assert(strncmp(text, want, strlen(want)) == 0, "%s", text);
	cr_assert_not_null(strstr(text, ", down from 2 of 2 locations "
	    "(fra, nyc): HTTP 503"), "%s", text);
	free(want);
	free(text);
	/* Only the verdict is reminded; the other location, right after,
	 * does not remind again. */
	cr_assert_eq(field_ll(&e, "peekl:site:api:loc:fra", "reminded_at"), 0);
	cr_assert_eq(field_ll(&e, "peekl:site:api:loc:nyc", "reminded_at"), 0);
	run_loc(cfg, "fra");
	run_loc(cfg, "nyc");
	if (wall_ms() < reminded + 2000)
		cr_assert_eq(alerts(&e), 2);
	free(cfg);
	h_env_stop(&e);
}

/* --- 4. metrics of a location --- */

/* Runs `peekl metrics` with PEEKL_LOCATION=loc (NULL: none); returns
 * its output (malloc'd). */
static char *
metrics_of(const char *cfg, const char *loc)
{
	char		*env0 = loc != NULL ? h_strf("PEEKL_LOCATION=%s", loc) :
			    h_strf("PEEKL_LOCATION");
	const char	*env[] = { env0, NULL };
	struct h_run	 r;
	char		*out;

	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "metrics", NULL },
	    env), 0, "%s", r.err);
	out = strdup(r.out);
	h_run_free(&r);
	free(env0);
	return out;
}

Test(inter, metrics_of_a_location_are_its_own_and_labelled, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*cfg, *m, *file, *promtool, *path;
	const char	*two[] = { "fra", "nyc" };
	const char	*env[] = { "PEEKL_LOC_HDR=fra", "PEEKL_LOCATION",
			    NULL };

	h_env_start(&e);
	cfg = loc_config(&e, "m.yaml", "", "", "");
	h_loc_answer(&e, "fra", "503");
	round_of(cfg, two, 2);
	/* fra alone sees it down: the verdict stays up. */
	assert_field(&e, "peekl:site:api", "state", "up");

	m = metrics_of(cfg, "fra");
	cr_assert_not_null(strstr(m, "\npeekl_up{site=\"api\",location=\"fra\"}"
	    " 0\n"), "%s", m);
	cr_assert_not_null(strstr(m, "\npeekl_http_status_code{site=\"api\","
	    "location=\"fra\"} 503\n"), "%s", m);
	cr_assert_not_null(strstr(m, "\npeekl_http_state{site=\"api\","
	    "location=\"fra\",state=\"down\"} 1\n"), "%s", m);
	cr_assert_not_null(strstr(m, "\npeekl_silenced{site=\"api\","
	    "location=\"fra\"} 0\n"), "%s", m);
	cr_assert_not_null(strstr(m, "\npeekl_alerts_queued{instance=\"webhook\"}"
	    " 0\n"), "%s", m);
	cr_assert_null(strstr(m, "{site=\"api\"}"), "an unlabelled sample: %s",
	    m);
	free(m);
	m = metrics_of(cfg, "nyc");
	cr_assert_not_null(strstr(m, "\npeekl_up{site=\"api\",location=\"nyc\"}"
	    " 1\n"), "%s", m);
	free(m);
	/* Without a location: the verdict, no location label. */
	m = metrics_of(cfg, NULL);
	cr_assert_not_null(strstr(m, "\npeekl_up{site=\"api\"} 1\n"), "%s", m);
	cr_assert_null(strstr(m, "location="), "%s", m);
	free(m);

	/* check --metrics on the location's host writes the same view. */
	file = h_path(e.d, "fra.prom");
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--location", "fra",
	    "--site", "api", "--metrics", file, NULL }, env);
	cr_assert_eq(r.status, 2, "%s", r.err);
	h_run_free(&r);
	m = h_read_file(file);
	cr_assert_not_null(m);
	cr_assert_not_null(strstr(m, "\npeekl_up{site=\"api\",location=\"fra\"}"
	    " 0\n"), "%s", m);
	free(m);
	/* promtool (when installed) takes it as it takes the plain one. */
	if ((promtool = h_which("promtool")) != NULL) {
		path = h_strf("'%s' check metrics < '%s' 2>&1", promtool, file);
		h_run_bin(&r, "sh", (const char *[]){ "-c", path, NULL }, NULL);
		cr_assert(r.status == 0 || r.status == 3, "promtool: %d %s",
		    r.status, r.out);
		cr_assert_null(strstr(r.out, "error"), "promtool: %s", r.out);
		h_run_free(&r);
		free(path);
		free(promtool);
	}
	/* The page it publishes is the verdict, as `peekl page` shows it. */
	path = h_path(e.d, "page");
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--location", "fra",
	    "--site", "api", "--metrics", file, "--page", path, NULL }, env);
	cr_assert_eq(r.status, 2, "%s", r.err);
	h_run_free(&r);
	m = h_strf("%s/status.json", path);
	free(path);
	path = h_read_file(m);
	cr_assert_not_null(path, "no %s", m);
	cr_assert_not_null(strstr(path, "\"site\":\"api\",\"url\":"), "%s",
	    path);
	cr_assert_not_null(strstr(path, "/loc\",\"state\":\"up\","), "%s",
	    path);
	free(path);
	free(m);
	m = h_read_file(file);
	cr_assert_not_null(strstr(m, "\npeekl_up{site=\"api\",location=\"fra\"}"
	    " 0\n"), "%s", m);
	free(m);
	free(file);
	free(cfg);
	h_env_stop(&e);
}

/* --- 5. a silence in the metrics and status.json --- */

Test(inter, silence_shows_in_metrics_and_status_json, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*cfg, *m, *out, *path, *doc_s;
	json_t		*doc, *o;
	size_t		 i;
	time_t		 now = time(NULL);
	int		 seen = 0;

	h_env_start(&e);
	cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: http://127.0.0.1:%d/ok\n    name: api\n"
	    "  - url: http://127.0.0.1:%d/ok\n    name: shop\n"
	    "  - url: http://127.0.0.1:%d/ok\n    name: blog\n",
	    h_redis_port(e.rd), h_srv_port(e.web), h_srv_port(e.web),
	    h_srv_port(e.web));
	peekl_ok(cfg, (const char *[]){ "check", NULL }, 0);
	peekl_ok(cfg, (const char *[]){ "silence", "api", "--for", "1h",
	    NULL }, 0);
	m = metrics_of(cfg, NULL);
	cr_assert_not_null(strstr(m, "\npeekl_silenced{site=\"api\"} 1\n"), "%s",
	    m);
	cr_assert_not_null(strstr(m, "\npeekl_silenced{site=\"shop\"} 0\n"),
	    "%s", m);
	cr_assert_not_null(strstr(m, "\npeekl_silenced{site=\"blog\"} 0\n"),
	    "%s", m);
	free(m);

	out = h_path(e.d, "page");
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "page", "--out",
	    out, NULL }, NULL), 0, "%s", r.err);
	h_run_free(&r);
	path = h_strf("%s/status.json", out);
	doc_s = h_read_file(path);
	cr_assert_not_null(doc_s, "no %s", path);
	doc = json_loads(doc_s, 0, NULL);
	cr_assert_not_null(doc, "%s", doc_s);
	json_array_foreach(json_object_get(doc, "sites"), i, o) {
		const char *name = json_string_value(json_object_get(o, "site"));
		json_t *u = json_object_get(o, "silenced_until");

		cr_assert_not_null(u, "%s has no silenced_until: %s", name,
		    doc_s);
		if (strcmp(name, "api") == 0) {
			cr_assert(json_is_integer(u), "%s", doc_s);
			cr_assert(json_integer_value(u) >= (json_int_t)now +
			    3599 && json_integer_value(u) <= (json_int_t)
			    time(NULL) + 3601, "%s", doc_s);
			seen++;
		} else
			cr_assert(json_is_null(u), "%s", doc_s);
	}
	cr_assert_eq(seen, 1, "%s", doc_s);
	json_decref(doc);
	free(doc_s);
	free(path);
	free(out);
	free(cfg);
	h_env_stop(&e);
}

/* --- 6. incidents follow the verdict --- */

/* Runs `peekl incidents --site api --json` and returns the number of
 * incidents, the text in *out (malloc'd). */
static size_t
incidents_of(const char *cfg, char **out)
{
	struct h_run	 r;
	json_t		*doc;
	size_t		 n;

	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "incidents",
	    "--site", "api", "--json", NULL }, NULL), 0, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	n = json_array_size(json_object_get(doc, "incidents"));
	json_decref(doc);
	*out = strdup(r.out);
	h_run_free(&r);
	return n;
}

Test(inter, incidents_are_the_verdicts_changes, .timeout = 300)
{
	struct h_env	 e;
	char		*cfg, *out;
	size_t		 n0, n;

	h_env_start(&e);
	cfg = loc_config(&e, "inc.yaml", "", "", "");
	round_of(cfg, LOCS, 3);
	n0 = incidents_of(cfg, &out);
	free(out);
	/* fra alone goes down and back: the site never did. */
	h_loc_answer(&e, "fra", "503");
	round_of(cfg, LOCS, 3);
	h_loc_answer(&e, "fra", NULL);
	round_of(cfg, LOCS, 3);
	n = incidents_of(cfg, &out);
	cr_assert_eq(n, n0, "%s", out);
	free(out);
	/* The verdict goes down and back: one change each way. */
	h_loc_answer(&e, "fra", "503");
	h_loc_answer(&e, "nyc", "503");
	round_of(cfg, LOCS, 3);
	round_of(cfg, LOCS, 3);
	h_loc_answer(&e, "fra", NULL);
	h_loc_answer(&e, "nyc", NULL);
	round_of(cfg, LOCS, 3);
	round_of(cfg, LOCS, 3);
	n = incidents_of(cfg, &out);
	cr_assert_eq(n, n0 + 2, "%s", out);
	cr_assert_not_null(strstr(out, "\"reason\":\"HTTP 503\""), "%s", out);
	free(out);
	free(cfg);
	h_env_stop(&e);
}

/* Runs `check --location loc` as if at unix ms t (PEEKL_TEST_NOW_MS). */
static void
run_loc_at(const char *cfg, const char *loc, long long t)
{
	struct h_run	 r;
	char		*env0 = h_strf("PEEKL_LOC_HDR=%s", loc);
	char		*env1 = h_strf("PEEKL_TEST_NOW_MS=%lld", t);
	const char	*env[] = { env0, env1, "PEEKL_LOCATION", NULL };

	h_run(&r, (const char *[]){ "-c", cfg, "check", "--location", loc,
	    "--site", "api", NULL }, env);
	cr_assert(r.status >= 0 && r.status <= 2, "%s: exit %d: %s", loc,
	    r.status, r.err);
	h_run_free(&r);
	free(env0);
	free(env1);
}

/* The DOWN sent when a silence ends is the last alert for that state: the
 * next reminder counts from it, not from when the verdict went down. */
Test(inter, reminder_counts_from_the_alert_that_ended_a_silence,
    .timeout = 120)
{
	struct h_env	 e;
	char		*cfg, *text;
	long long	 t0 = wall_ms(), t1 = t0 + 4 * 3600 * 1000LL;

	h_env_start(&e);
	/* Hours pass between runs: no location is to be reported silent. */
	cfg = loc_config(&e, "c.yaml", "location_timeout: 30d\n",
	    "    remind_every: 1h\n", "");
	for (size_t i = 0; i < 3; i++)
		run_loc_at(cfg, LOCS[i], t0 + (long long)i);
	peekl_ok(cfg, (const char *[]){ "silence", "api", "--for", "10h",
	    NULL }, 0);
	h_loc_answer(&e, "fra", "503");
	h_loc_answer(&e, "nyc", "503");
	for (size_t i = 0; i < 3; i++)
		run_loc_at(cfg, LOCS[i], t0 + 10 + (long long)i);
	assert_field(&e, "peekl:site:api", "state", "down");
	cr_assert_eq(alerts(&e), 0);
	/* Four hours on, the silence cleared: one DOWN, then nothing. */
	peekl_ok(cfg, (const char *[]){ "silence", "--clear", "api", NULL },
	    0);
	run_loc_at(cfg, "fra", t1);
	cr_assert_eq(alerts(&e), 1);
	run_loc_at(cfg, "nyc", t1 + 1000);
	run_loc_at(cfg, "fra", t1 + 2000);
	cr_assert_eq(alerts(&e), 1, "a reminder right after the DOWN");
	/* An hour after that DOWN, the reminder. */
	run_loc_at(cfg, "fra", t1 + 3600 * 1000LL + 5000);
	run_loc_at(cfg, "nyc", t1 + 3600 * 1000LL + 6000);
	cr_assert_eq(alerts(&e), 2);
	cr_assert_eq(h_webhook_count(e.hook, 200), 2);
	text = hook_text(e.hook, 1);
	cr_assert_not_null(strstr(text, "still down after"), "%s", text);
	free(text);
	free(cfg);
	h_env_stop(&e);
}

/* One site's verdict hash of the wrong type is that site's problem: the
 * other sites are still recorded and alerted. */
Test(inter, a_bad_verdict_key_stops_only_its_site, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*cfg, *more, *env0 = h_strf("PEEKL_LOC_HDR=fra");
	const char	*env[] = { env0, "PEEKL_LOCATION", NULL };

	h_env_start(&e);
	more = h_strf("  - url: http://127.0.0.1:%d/status/503\n"
	    "    name: shop\n    retry: 0\n", h_srv_port(e.web));
	cfg = loc_config(&e, "c.yaml", "", "", more);
	freeReplyObject(h_redis_cmd(e.rd, "SET peekl:site:api junk"));
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--location", "fra",
	    NULL }, env);
	cr_assert_not_null(strstr(r.err, "peekl:site:api is not a hash"),
	    "%s", r.err);
	h_run_free(&r);
	assert_field(&e, "peekl:site:shop", "state", "down");
	cr_assert_eq(alerts(&e), 1, "shop's DOWN was not queued");
	free(more);
	free(cfg);
	free(env0);
	h_env_stop(&e);
}
