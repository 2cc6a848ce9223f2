/*
 * Quiet times end to end (spec/alerting.md): silences set by one peekl and
 * honoured by another, maintenance windows, dependencies; real Redis, the
 * project's web server and the webhook receiver standing in for Slack.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <jansson.h>

#include "harness.h"

#define TOKEN "T000/B000/SeCrEtToKeN"

/* Writes NAME.yaml: site "web" at path (and "other", always up), extra
 * top-level YAML after the sites; returns its malloc'd path. */
static char *
config(struct h_env *e, const char *name, const char *path, const char *extra)
{
	char	*file = h_strf("%s.yaml", name);
	char	*yaml = h_strf("redis:\n  port: %d\n"
	    "websites:\n  - url: http://127.0.0.1:%d/%s\n    name: web\n"
	    "    retry: 0\n    timeout: 2\n"
	    "  - url: http://127.0.0.1:%d/ok\n    name: other\n"
	    "    timeout: 2\n%s"
	    "alertmanagers:\n  slack:\n"
	    "    webhook: http://127.0.0.1:%d/services/" TOKEN "\n    timeout: 2\n",
	    h_redis_port(e->rd), h_srv_port(e->web), path,
	    h_srv_port(e->web), extra ? extra : "", h_srv_port(e->hook));
	char	*p;

	h_write_file(e->d, file, yaml);
	p = h_path(e->d, file);
	free(yaml);
	free(file);
	return p;
}

/* Runs `peekl -c cfg ARGS...` and asserts no secret leaked; returns the
 * exit status. */
static int
peekl(struct h_run *r, const char *cfg, const char *const args[])
{
	const char	*argv[32] = { "-c", cfg };
	size_t		 n = 2;

	for (; args[n - 2] != NULL && n < 31; n++)
		argv[n] = args[n - 2];
	argv[n] = NULL;
	h_run(r, argv, NULL);
	cr_assert_null(strstr(r->err, "SeCrEtToKeN"), "secret in stderr: %s",
	    r->err);
	cr_assert_null(strstr(r->out, "SeCrEtToKeN"), "secret in stdout");
	return r->status;
}

/* Checks web now (check --site web --json); returns its result object's
 * "suppressed" (malloc'd) or NULL when absent. */
static char *
check_web(const char *cfg, int want_status)
{
	struct h_run	 r;
	json_t		*doc, *res, *s;
	char		*out = NULL;

	peekl(&r, cfg, (const char *[]){ "check", "--site", "web", "--json",
	    NULL });
	cr_assert_eq(r.status, want_status, "status %d: %s", r.status, r.err);
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "not JSON: %s", r.out);
	res = json_array_get(json_object_get(doc, "results"), 0);
	cr_assert_not_null(res, "%s", r.out);
	if ((s = json_object_get(res, "suppressed")) != NULL) {
		cr_assert(json_is_string(s), "%s", r.out);
		out = strdup(json_string_value(s));
	}
	json_decref(doc);
	h_run_free(&r);
	return out;
}

/* Returns the "text" of the n-th delivered Slack payload (malloc'd). */
static char *
slack_text(struct h_env *e, int n)
{
	char	*body = h_webhook_body(e->hook, n), *text;
	json_t	*doc;

	cr_assert_not_null(body, "no delivery %d", n);
	doc = json_loads(body, 0, NULL);
	cr_assert_not_null(doc, "%s", body);
	text = strdup(json_string_value(json_object_get(doc, "text")));
	json_decref(doc);
	free(body);
	return text;
}

static void
silence(const char *cfg, const char *const args[], int want)
{
	struct h_run	r;

	cr_assert_eq(peekl(&r, cfg, args), want, "%s", r.err);
	h_run_free(&r);
}

Test(quiet_run, silence_across_down_then_up_sends_nothing_at_all)
{
	struct h_env	 e;
	char		*down, *up, *why;

	h_env_start(&e);
	down = config(&e, "down", "status/503", NULL);
	up = config(&e, "up", "ok", NULL);
	free(check_web(up, 0));
	silence(up, (const char *[]){ "silence", "web", "--for", "1h",
	    "--reason", "deploy", NULL }, 0);
	why = check_web(down, 2);
	cr_assert_not_null(why, "a suppressed DOWN says so");
	cr_assert_str_eq(why, "silenced: deploy");
	free(why);
	why = check_web(up, 0);
	cr_assert_str_eq(why, "silenced: deploy", "the UP is held back too");
	free(why);
	silence(up, (const char *[]){ "silence", "--clear", "web", NULL }, 0);
	free(check_web(up, 0));
	free(check_web(up, 0));
	cr_assert_eq(h_webhook_count(e.hook, -1), 0, "an alert was sent");
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:slack"), 0);
	free(down);
	free(up);
	h_env_stop(&e);
}

Test(quiet_run, silence_across_down_stays_down_then_exactly_one_alert)
{
	struct h_env	 e;
	char		*down, *up, *text, *why;

	h_env_start(&e);
	down = config(&e, "down", "status/503", NULL);
	up = config(&e, "up", "ok", NULL);
	free(check_web(up, 0));
	silence(up, (const char *[]){ "silence", "web", "--for", "1h", NULL },
	    0);
	why = check_web(down, 2);
	cr_assert_str_eq(why, "silenced");
	free(why);
	why = check_web(down, 2);
	cr_assert_str_eq(why, "silenced", "still held back");
	free(why);
	cr_assert_eq(h_webhook_count(e.hook, -1), 0, "alerted while silenced");
	silence(up, (const char *[]){ "silence", "--clear", "web", NULL }, 0);
	cr_assert_null(why = check_web(down, 2), "%s", why);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	text = slack_text(&e, 0);
	cr_assert(strncmp(text, "DOWN web (", 10) == 0, "%s", text);
	cr_assert_not_null(strstr(text, "HTTP 503"), "%s", text);
	free(text);
	/* Told late, the DOWN is no new change: the incidents stream keeps
	 * its two (unknown -> up, up -> down). */
	cr_assert_eq(h_redis_int(e.rd, "XLEN peekl:incidents:web"), 2);
	free(check_web(down, 2));
	free(check_web(down, 2));
	cr_assert_eq(h_webhook_count(e.hook, -1), 1, "alerted twice");
	/* From here on the usual rule: one UP. */
	free(check_web(up, 0));
	cr_assert_eq(h_webhook_count(e.hook, 200), 2);
	text = slack_text(&e, 1);
	cr_assert(strncmp(text, "UP web (", 8) == 0, "%s", text);
	free(text);
	free(down);
	free(up);
	h_env_stop(&e);
}

/* A reminder falls due in the very run that ends the silence: the state's
 * own DOWN is what is owed, not a "still down" about a DOWN never sent. */
Test(quiet_run, silence_ending_when_a_reminder_is_due_sends_the_down)
{
	struct h_env	 e;
	char		*down, *up, *text, *why;
	const char	*every = "defaults:\n  remind_every: 1s\n";

	h_env_start(&e);
	down = config(&e, "down", "status/503", every);
	up = config(&e, "up", "ok", every);
	free(check_web(up, 0));
	silence(up, (const char *[]){ "silence", "web", "--for", "1h", NULL },
	    0);
	why = check_web(down, 2);
	cr_assert_str_eq(why, "silenced");
	free(why);
	/* remind_every is a lower bound: past it, a reminder is due. */
	nanosleep(&(struct timespec){ 1, 200000000 }, NULL);
	silence(up, (const char *[]){ "silence", "--clear", "web", NULL }, 0);
	free(check_web(down, 2));
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	text = slack_text(&e, 0);
	cr_assert(strncmp(text, "DOWN web (", 10) == 0, "%s", text);
	cr_assert_null(strstr(text, "still down"), "a reminder instead of the "
	    "DOWN: %s", text);
	free(text);
	free(down);
	free(up);
	h_env_stop(&e);
}

/* One peekl sets the silence with its own config file, another, with
 * another file on the same store, runs the checks: every host sharing the
 * store honours it; `silence all` too. */
Test(quiet_run, two_processes_honour_one_silence)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*ops, *down, *up, *why;
	json_t		*doc, *arr;

	h_env_start(&e);
	ops = config(&e, "ops", "ok", NULL);
	down = config(&e, "down", "status/503", NULL);
	up = config(&e, "up", "ok", NULL);
	free(check_web(up, 0));
	silence(ops, (const char *[]){ "silence", "all", "--for", "10m",
	    "--reason", "network work", NULL }, 0);
	why = check_web(down, 2);
	cr_assert_str_eq(why, "silenced: network work");
	free(why);
	cr_assert_eq(h_webhook_count(e.hook, -1), 0);
	/* `all` is stored under its name, as spec/alerting.md says. */
	cr_assert_gt(h_redis_int(e.rd, "PTTL peekl:silence:all"), 0);
	/* A dry run honours it too. */
	cr_assert_eq(peekl(&r, down, (const char *[]){ "check", "--dry-run",
	    "--site", "web", NULL }), 2, "%s", r.err);
	cr_assert_null(strstr(r.err, "would alert"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, -1), 0);
	cr_assert_eq(peekl(&r, up, (const char *[]){ "silence", "--list",
	    "--json", NULL }), 0, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	arr = json_object_get(doc, "silences");
	cr_assert_eq(json_array_size(arr), 1, "%s", r.out);
	cr_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(arr, 0), "site")), "all");
	cr_assert_str_eq(json_string_value(json_object_get(
	    json_array_get(arr, 0), "reason")), "network work");
	cr_assert(json_integer_value(json_object_get(json_array_get(arr, 0),
	    "until")) > (json_int_t)time(NULL) + 500, "%s", r.out);
	json_decref(doc);
	h_run_free(&r);
	silence(ops, (const char *[]){ "silence", "--clear", "all", NULL }, 0);
	free(check_web(down, 2));
	cr_assert_eq(h_webhook_count(e.hook, 200), 1, "one DOWN after");
	free(ops);
	free(down);
	free(up);
	h_env_stop(&e);
}

Test(quiet_run, silence_of_an_unknown_site_writes_nothing)
{
	struct h_env	 e;
	struct h_run	 r;
	redisReply	*keys;
	char		*cfg;

	h_env_start(&e);
	cfg = config(&e, "up", "ok", NULL);
	cr_assert_eq(peekl(&r, cfg, (const char *[]){ "silence", "web", "nope",
	    "--for", "1h", NULL }), 3);
	cr_assert_not_null(strstr(r.err, "no site matches \"nope\""), "%s",
	    r.err);
	h_run_free(&r);
	keys = h_redis_cmd(e.rd, "KEYS peekl:silence*");
	cr_assert_eq(keys->type, REDIS_REPLY_ARRAY);
	cr_assert_eq(keys->elements, 0, "something was written");
	freeReplyObject(keys);
	cr_assert_eq(peekl(&r, cfg, (const char *[]){ "silence", "web", NULL }),
	    3, "no --for");
	h_run_free(&r);
	cr_assert_eq(peekl(&r, cfg, (const char *[]){ "silence", "web", "--for",
	    "soon", NULL }), 3);
	h_run_free(&r);
	free(cfg);
	h_env_stop(&e);
}

Test(quiet_run, status_shows_the_silence)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*cfg, *line;
	json_t		*doc, *sites;
	time_t		 now = time(NULL);

	h_env_start(&e);
	cfg = config(&e, "up", "ok", NULL);
	silence(cfg, (const char *[]){ "silence", "web", "--for", "2h",
	    "--reason", "deploy", NULL }, 0);
	cr_assert(h_redis_int(e.rd, "PTTL peekl:silence:web") > 7100 * 1000,
	    "the key lives as long as the silence");
	cr_assert_eq(peekl(&r, cfg, (const char *[]){ "status", NULL }), 0,
	    "%s", r.err);
	line = strstr(r.out, "\nweb ");
	cr_assert_not_null(line, "%s", r.out);
	cr_assert_not_null(strstr(line, "silenced until "), "%s", r.out);
	cr_assert_not_null(strstr(line, " (deploy)"), "%s", r.out);
	cr_assert_null(strstr(strstr(r.out, "\nother "), "silenced"), "%s",
	    r.out);
	h_run_free(&r);
	cr_assert_eq(peekl(&r, cfg, (const char *[]){ "status", "--json",
	    NULL }), 0, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	sites = json_object_get(doc, "sites");
	cr_assert(json_integer_value(json_object_get(json_array_get(sites, 0),
	    "silenced_until")) >= (json_int_t)now + 7199, "%s", r.out);
	cr_assert(json_is_null(json_object_get(json_array_get(sites, 1),
	    "silenced_until")), "%s", r.out);
	json_decref(doc);
	h_run_free(&r);
	free(cfg);
	h_env_stop(&e);
}

Test(quiet_run, maintenance_window_open_now_suppresses)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*extra, *down, *up, *plain, *why, hhmm[8];
	time_t		 start = time(NULL) - 300;
	struct tm	 tm;

	h_env_start(&e);
	/* A window around now, in a zone far from UTC: it opened five
	 * minutes ago and lasts an hour. */
	setenv("TZ", "America/New_York", 1);
	tzset();
	localtime_r(&start, &tm);
	unsetenv("TZ");
	tzset();
	strftime(hhmm, sizeof(hhmm), "%H:%M", &tm);
	extra = h_strf("maintenance:\n  - name: db-upgrade\n    sites: [web]\n"
	    "    start: \"%s\"\n    duration: 1h\n"
	    "    timezone: America/New_York\n", hhmm);
	down = config(&e, "down", "status/503", extra);
	up = config(&e, "up", "ok", NULL);
	free(check_web(up, 0));
	why = check_web(down, 2);
	cr_assert_not_null(why);
	cr_assert_str_eq(why, "maintenance: db-upgrade");
	free(why);
	cr_assert_eq(h_webhook_count(e.hook, -1), 0, "alerted in the window");
	cr_assert_eq(peekl(&r, down, (const char *[]){ "status", NULL }), 2,
	    "%s", r.err);
	cr_assert_not_null(strstr(r.out, "silenced until "), "%s", r.out);
	cr_assert_not_null(strstr(r.out, " (maintenance: db-upgrade)"), "%s",
	    r.out);
	h_run_free(&r);
	/* Without the window (another host's config, or after it): one DOWN. */
	plain = config(&e, "plain", "status/503", NULL);
	free(check_web(plain, 2));
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	free(plain);
	free(extra);
	free(down);
	free(up);
	h_env_stop(&e);
}

#define CHILDREN 20

/*
 * Returns the YAML that turns alert grouping off (spec/alerting.md's
 * alerting.group_threshold) when this peekl knows the key, else "": the
 * test counts one message per alert.
 */
static const char *
grouping_off(struct h_env *e)
{
	static const char	 off[] = "alerting:\n  group_threshold: 0\n";
	char			*yaml = h_strf("websites:\n  - url: "
	    "http://127.0.0.1:%d/ok\n%s", h_srv_port(e->web), off);
	char			*path;
	struct h_run		 r;
	int			 known;

	h_write_file(e->d, "grouping.yaml", yaml);
	path = h_path(e->d, "grouping.yaml");
	known = h_run(&r, (const char *[]){ "-c", path, "validate", NULL },
	    NULL) == 0;
	h_run_free(&r);
	free(path);
	free(yaml);
	return known ? off : "";
}

/* A gateway at gw_path and CHILDREN sites at status/503 behind it. */
static char *
deps_config(struct h_env *e, const char *name, const char *gw_path)
{
	struct buf_s { char *p; } b = { NULL };
	char	*yaml, *file, *p, *tmp;

	b.p = h_strf("redis:\n  port: %d\nwebsites:\n"
	    "  - url: http://127.0.0.1:%d/%s\n    name: gateway\n"
	    "    retry: 0\n    timeout: 2\n", h_redis_port(e->rd),
	    h_srv_port(e->web), gw_path);
	for (int i = 0; i < CHILDREN; i++) {
		tmp = h_strf("%s  - url: http://127.0.0.1:%d/status/503?c=%d\n"
		    "    name: child%02d\n    retry: 0\n    timeout: 2\n"
		    "    depends_on: [gateway]\n", b.p, h_srv_port(e->web), i,
		    i);
		free(b.p);
		b.p = tmp;
	}
	yaml = h_strf("%s%salertmanagers:\n  slack:\n    webhook: "
	    "http://127.0.0.1:%d/services/" TOKEN "\n    timeout: 2\n", b.p,
	    grouping_off(e), h_srv_port(e->hook));
	free(b.p);
	file = h_strf("%s.yaml", name);
	h_write_file(e->d, file, yaml);
	p = h_path(e->d, file);
	free(file);
	free(yaml);
	return p;
}

/* Runs every site of a deps_config now; returns the parsed --json. */
static json_t *
check_all(const char *cfg, int want)
{
	const char	*argv[8 + 2 * (CHILDREN + 1)] = { "-c", cfg, "check",
	    "--json", "--site", "gateway" };
	char		 names[CHILDREN][32];
	size_t		 n = 6;
	struct h_run	 r;
	json_t		*doc;

	for (int i = 0; i < CHILDREN; i++) {
		snprintf(names[i], sizeof(names[i]), "child%02d", i);
		argv[n++] = "--site";
		argv[n++] = names[i];
	}
	argv[n] = NULL;
	h_run(&r, argv, NULL);
	cr_assert_eq(r.status, want, "%s", r.err);
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "%s", r.out);
	h_run_free(&r);
	return doc;
}

Test(quiet_run, dependency_holds_back_twenty_children_then_releases_each_once,
    .timeout = 60)
{
	struct h_env	 e;
	char		*gw_down, *gw_up, *text;
	json_t		*doc, *res;
	int		 seen[CHILDREN] = { 0 };

	h_env_start(&e);
	gw_down = deps_config(&e, "gwdown", "status/503");
	gw_up = deps_config(&e, "gwup", "ok");
	/* The gateway and its children go down in the same run. */
	doc = check_all(gw_down, 2);
	res = json_object_get(doc, "results");
	cr_assert_eq(json_array_size(res), CHILDREN + 1);
	cr_assert_null(json_object_get(json_array_get(res, 0), "suppressed"));
	for (int i = 1; i <= CHILDREN; i++)
		cr_assert_str_eq(json_string_value(json_object_get(
		    json_array_get(res, i), "suppressed")), "gateway down",
		    "child %d", i);
	json_decref(doc);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1, "only the gateway");
	text = slack_text(&e, 0);
	cr_assert(strncmp(text, "DOWN gateway (", 14) == 0, "%s", text);
	free(text);
	/* Still down: still nothing from the children. */
	json_decref(check_all(gw_down, 2));
	cr_assert_eq(h_webhook_count(e.hook, -1), 1);
	/* The gateway recovers, the children stay down: each says so once. */
	json_decref(check_all(gw_up, 2));
	cr_assert_eq(h_webhook_count(e.hook, 200), 2 + CHILDREN);
	text = slack_text(&e, 1);
	cr_assert(strncmp(text, "UP gateway (", 12) == 0, "%s", text);
	free(text);
	for (int n = 2; n < 2 + CHILDREN; n++) {
		int i;

		text = slack_text(&e, n);
		cr_assert(sscanf(text, "DOWN child%d (", &i) == 1, "%s", text);
		cr_assert(i >= 0 && i < CHILDREN && !seen[i], "%s", text);
		seen[i] = 1;
		free(text);
	}
	json_decref(check_all(gw_up, 2));
	cr_assert_eq(h_webhook_count(e.hook, -1), 2 + CHILDREN,
	    "alerted again");
	free(gw_down);
	free(gw_up);
	h_env_stop(&e);
}

Test(quiet_run, validate_reports_cycles_and_unknown_parents)
{
	struct h_dir	*d = h_dir_new();
	struct h_run	 r;
	char		*cfg = h_config(d,
	    "websites:\n"
	    "  - url: http://a.example/\n    name: a\n    depends_on: [b]\n"
	    "  - url: http://b.example/\n    name: b\n    depends_on: [a, x]\n");

	cr_assert_eq(peekl(&r, cfg, (const char *[]){ "validate", NULL }), 3);
	cr_assert_not_null(strstr(r.err, "dependency cycle: a -> b -> a"),
	    "%s", r.err);
	cr_assert_not_null(strstr(r.err, "(site \"b\"): no site is named "
	    "\"x\""), "%s", r.err);
	h_run_free(&r);
	free(cfg);
	h_dir_free(d);
}

/* A certificate's alerts are held back and released by the same rule. */
Test(quiet_run, certificate_warning_held_back_then_sent_once, .timeout = 60)
{
	struct h_redis	*rd = h_redis_start();
	struct h_srv	*tls = h_srv_start((const char *[]){ "--tls",
	    "--days-left", "20", NULL });
	struct h_srv	*hook = h_webhook_start();
	struct h_dir	*d = h_dir_new();
	char		*ca = h_srv_file(tls, "ca.pem"), *text, *body;
	char		*cfg = h_configf(d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: https://localhost:%d/\n    name: tls\n"
	    "    certificate_monitoring: true\n    ca_file: %s\n"
	    "    timeout: 10\nalertmanagers:\n  slack:\n    webhook: "
	    "http://127.0.0.1:%d/services/" TOKEN "\n    timeout: 2\n",
	    h_redis_port(rd), h_srv_port(tls), ca, h_srv_port(hook));
	struct h_run	 r;
	json_t		*doc;

	silence(cfg, (const char *[]){ "silence", "tls", "--for", "1h",
	    "--reason", "renewal", NULL }, 0);
	cr_assert_eq(peekl(&r, cfg, (const char *[]){ "check", "--site", "tls",
	    "--json", NULL }), 1, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "\"suppressed\":\"silenced: renewal\""),
	    "%s", r.out);
	cr_assert_not_null(strstr(r.err, "tls: WARNING alert suppressed "
	    "(silenced: renewal)"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(hook, -1), 0);
	silence(cfg, (const char *[]){ "silence", "--clear", "tls", NULL }, 0);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(peekl(&r, cfg, (const char *[]){ "check", "--site",
		    "tls", "--json", NULL }), 1, "%s", r.err);
		doc = json_loads(r.out, 0, NULL);
		cr_assert_not_null(doc, "%s", r.out);
		cr_assert_null(strstr(r.out, "suppressed"), "%s", r.out);
		json_decref(doc);
		h_run_free(&r);
	}
	cr_assert_eq(h_webhook_count(hook, 200), 1, "not exactly one alert");
	body = h_webhook_body(hook, 0);
	doc = json_loads(body, 0, NULL);
	cr_assert_not_null(doc, "%s", body);
	text = strdup(json_string_value(json_object_get(doc, "text")));
	cr_assert(strncmp(text, "WARNING tls (", 13) == 0, "%s", text);
	free(text);
	json_decref(doc);
	free(body);
	free(cfg);
	free(ca);
	h_dir_free(d);
	h_srv_stop(hook);
	h_srv_stop(tls);
	h_redis_stop(rd);
}

/* A site hash written before `alerted` existed: its state is what was last
 * said, so an upgrade sends nothing for a site already down. */
Test(quiet_run, hash_without_alerted_sends_nothing_on_upgrade)
{
	struct h_env	 e;
	char		*down, *up, *state;

	h_env_start(&e);
	down = config(&e, "down", "status/503", NULL);
	up = config(&e, "up", "ok", NULL);
	freeReplyObject(h_redis_cmd(e.rd, "HSET peekl:site:web state down "
	    "failures 3 since 1000 last_check 1000"));
	free(check_web(down, 2));
	cr_assert_eq(h_webhook_count(e.hook, -1), 0, "re-alerted on upgrade");
	state = h_redis_str(e.rd, "HGET peekl:site:web alerted");
	cr_assert_str_eq(state, "down");
	free(state);
	free(check_web(up, 0));
	cr_assert_eq(h_webhook_count(e.hook, 200), 1, "the UP goes as before");
	free(down);
	free(up);
	h_env_stop(&e);
}
