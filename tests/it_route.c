/* Alerting end to end (spec/alerting.md): named instances and routing,
 * reminders, storm grouping, with real Redis, peekl runs and the local
 * webhook receivers. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "harness.h"
#include "util.h"

#define TOKEN "T000/B000/SeCrEtToKeN"

/* Runs `peekl -c cfg check` with the first nforced of api, shop, blog
 * forced (due or not) and asserts no secret leaked; returns the exit
 * status. */
static int
run_n(const char *cfg, struct h_run *r, int nforced)
{
	const char	*argv[] = { "-c", cfg, "check", "--site", "api",
	    "--site", "shop", "--site", "blog", NULL };

	argv[3 + 2 * nforced] = NULL;
	h_run(r, argv, NULL);
	cr_assert_null(strstr(r->err, "SeCrEtToKeN"), "secret in stderr: %s",
	    r->err);
	cr_assert_null(strstr(r->out, "SeCrEtToKeN"), "secret in stdout");
	return r->status;
}

/* Runs once with n sites forced, expecting status want. */
static void
run_expect_n(const char *cfg, int want, int n)
{
	struct h_run	r;

	cr_assert_eq(run_n(cfg, &r, n), want, "exit %d:\n%s", r.status, r.err);
	h_run_free(&r);
}

/* Runs once with api, shop and blog forced, expecting status want. */
static void
run_expect(const char *cfg, int want)
{
	run_expect_n(cfg, want, 3);
}

/* Returns the parsed n-th body hook received (decref it). */
static json_t *
body_json(struct h_srv *hook, int n)
{
	char	*body = h_webhook_body(hook, n);
	json_t	*doc;

	cr_assert_not_null(body, "no delivery %d", n);
	doc = json_loads(body, 0, NULL);
	cr_assert_not_null(doc, "payload is not JSON: %s", body);
	free(body);
	return doc;
}

/* Returns the "text" of the n-th body hook received (Slack and the generic
 * webhook both have one); malloc'd. */
static char *
body_text(struct h_srv *hook, int n)
{
	json_t	*doc = body_json(hook, n);
	char	*text;

	cr_assert(json_is_string(json_object_get(doc, "text")));
	text = strdup(json_string_value(json_object_get(doc, "text")));
	json_decref(doc);
	return text;
}

/* Asserts that the n-th body hook received starts with prefix. */
static void
assert_text(struct h_srv *hook, int n, const char *prefix)
{
	char	*text = body_text(hook, n);

	cr_assert(strncmp(text, prefix, strlen(prefix)) == 0,
	    "delivery %d: \"%s\" does not start with \"%s\"", n, text, prefix);
	free(text);
}

/*
 * Writes name.yaml: sites api, shop and blog at PATH (status/503 or ok),
 * blog alerting oncall only; "oncall" (a generic webhook on hook2) takes
 * only DOWN of api and blog, "chat" (Slack on the env's receiver) takes
 * DOWN and UP of every site.
 */
static char *
routing_config(struct h_env *e, struct h_srv *hook2, const char *name,
    const char *path)
{
	char	*yaml, *file, *fname = h_strf("%s.yaml", name);

	yaml = h_strf("redis:\n  port: %d\n"
	    "defaults:\n  retry: 0\n  timeout: 2\n"
	    "websites:\n"
	    "  - url: http://127.0.0.1:%d/%s\n    name: api\n"
	    "  - url: http://127.0.0.1:%d/%s\n    name: shop\n"
	    "  - url: http://127.0.0.1:%d/%s\n    name: blog\n"
	    "    alert_to: [oncall]\n"
	    "alertmanagers:\n"
	    "  oncall:\n    type: webhook\n"
	    "    url: http://127.0.0.1:%d/oncall/" TOKEN "\n"
	    "    events: [down]\n    sites: [api, blog]\n    timeout: 2\n"
	    "  chat:\n    type: slack\n"
	    "    webhook: http://127.0.0.1:%d/services/" TOKEN "\n"
	    "    events: [down, up]\n    timeout: 2\n",
	    h_redis_port(e->rd), h_srv_port(e->web), path, h_srv_port(e->web),
	    path, h_srv_port(e->web), path, h_srv_port(hook2),
	    h_srv_port(e->hook));
	h_write_file(e->d, fname, yaml);
	file = h_path(e->d, fname);
	free(yaml);
	free(fname);
	return file;
}

Test(alert_routing, two_instances_get_exactly_their_alerts, .timeout = 120)
{
	struct h_env	 e;
	struct h_srv	*oncall;
	char		*down, *up;

	h_env_start(&e);
	oncall = h_webhook_start();
	down = routing_config(&e, oncall, "down", "status/503");
	up = routing_config(&e, oncall, "up", "ok");

	run_expect(down, 2);
	/* oncall: DOWN of its sites api and blog, in the sites' order. */
	cr_assert_eq(h_webhook_count(oncall, -1), 2);
	assert_text(oncall, 0, "DOWN api (");
	assert_text(oncall, 1, "DOWN blog (");
	/* chat: DOWN of api and shop; blog alerts oncall only. */
	cr_assert_eq(h_webhook_count(e.hook, -1), 2);
	assert_text(e.hook, 0, "DOWN api (");
	assert_text(e.hook, 1, "DOWN shop (");

	run_expect(up, 0);
	/* Recoveries: oncall takes no UP, chat takes api's and shop's. */
	cr_assert_eq(h_webhook_count(oncall, -1), 2, "oncall took an UP");
	cr_assert_eq(h_webhook_count(e.hook, -1), 4);
	assert_text(e.hook, 2, "UP api (");
	assert_text(e.hook, 3, "UP shop (");
	/* Each instance had its own queue, now empty. */
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:alerts:oncall"), 0);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:alerts:chat"), 0);
	free(down);
	free(up);
	h_srv_stop(oncall);
	h_env_stop(&e);
}

/* An instance that refuses keeps its own queue under its name; the other
 * instance is not held up. */
Test(alert_routing, queue_per_instance, .timeout = 120)
{
	struct h_env	 e;
	struct h_srv	*oncall;
	struct h_run	 r;
	char		*down;

	h_env_start(&e);
	oncall = h_webhook_start();
	down = routing_config(&e, oncall, "down", "status/503");
	h_webhook_respond(oncall, "500");
	run_expect(down, 2);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:oncall"), 2);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:chat"), 0);
	cr_assert_eq(h_webhook_count(e.hook, 200), 2);
	h_run(&r, (const char *[]){ "-c", down, "status", "--json", NULL },
	    NULL);
	cr_assert_not_null(strstr(r.out, "\"oncall\":0"), "%s", r.out);
	cr_assert_not_null(strstr(r.out, "\"chat\":0"), "%s", r.out);
	h_run_free(&r);
	free(down);
	h_srv_stop(oncall);
	h_env_stop(&e);
}

/* The configuration before named instances: `slack:` alone, its queue
 * still peekl:alerts:slack. */
Test(alert_routing, old_slack_config_keeps_its_queue, .timeout = 120)
{
	struct h_env	 e;
	char		*yaml, *cfg;

	h_env_start(&e);
	yaml = h_strf("redis:\n  port: %d\n"
	    "websites:\n  - url: http://127.0.0.1:%d/status/503\n"
	    "    name: api\n    retry: 0\n    timeout: 2\n"
	    "  - url: http://127.0.0.1:%d/ok\n    name: shop\n"
	    "  - url: http://127.0.0.1:%d/ok\n    name: blog\n"
	    "alertmanagers:\n  slack:\n"
	    "    webhook: http://127.0.0.1:%d/services/" TOKEN "\n"
	    "    timeout: 2\n",
	    h_redis_port(e.rd), h_srv_port(e.web), h_srv_port(e.web),
	    h_srv_port(e.web), h_srv_port(e.hook));
	cfg = h_config(e.d, yaml);
	h_webhook_respond(e.hook, "500");
	run_expect(cfg, 2);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:slack"), 1);
	h_webhook_respond(e.hook, "");
	run_expect(cfg, 2);
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:slack"), 0);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	assert_text(e.hook, 0, "DOWN api (");
	free(yaml);
	free(cfg);
	h_env_stop(&e);
}

/* Returns the wall clock in unix ms, as peekl's timestamps. */
static long long
wall_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns the integer field f of api's site hash, 0 when absent. */
static long long
site_field(struct h_env *e, const char *f)
{
	char		*v = h_redis_str(e->rd, "HGET peekl:site:api %s", f);
	long long	 n = v != NULL ? atoll(v) : 0;

	free(v);
	return n;
}

/*
 * remind_every: 2s on a site that stays down: a run within 2 s of the DOWN
 * alert sends nothing, the first run 2 s after it sends one reminder to
 * the instance that takes reminders (not to the one whose events lack
 * them), and the period then runs from that reminder. Runs are repeated
 * until the reminder comes, within a generous bound; each assertion is
 * made against the times peekl recorded.
 */
Test(alert_routing, reminder_after_remind_every_not_before, .timeout = 120)
{
	struct h_env	 e;
	struct h_srv	*oncall;
	char		*yaml, *cfg, *text;
	long long	 since, reminded, ended;
	json_t		*doc;

	h_env_start(&e);
	oncall = h_webhook_start();
	yaml = h_strf("redis:\n  port: %d\n"
	    "websites:\n  - url: http://127.0.0.1:%d/status/503\n"
	    "    name: api\n    retry: 0\n    timeout: 2\n"
	    "    remind_every: 2s\n"
	    "alertmanagers:\n"
	    "  chat:\n    type: webhook\n"
	    "    url: http://127.0.0.1:%d/chat/" TOKEN "\n    timeout: 2\n"
	    "  oncall:\n    type: webhook\n"
	    "    url: http://127.0.0.1:%d/oncall/" TOKEN "\n    timeout: 2\n"
	    "    events: [down, up]\n",
	    h_redis_port(e.rd), h_srv_port(e.web), h_srv_port(e.hook),
	    h_srv_port(oncall));
	cfg = h_config(e.d, yaml);

	run_expect_n(cfg, 2, 1);
	cr_assert_eq(h_webhook_count(e.hook, 200), 1);
	assert_text(e.hook, 0, "DOWN api (");
	since = site_field(&e, "since");
	cr_assert_gt(since, 0);
	cr_assert_eq(site_field(&e, "reminded_at"), 0);

	/* Runs until the reminder arrives (at most 30 s); every run that
	 * ends before since + 2 s must have sent nothing. */
	for (int i = 0; h_webhook_count(e.hook, -1) < 2; i++) {
		cr_assert_lt(i, 150, "no reminder within 30 s");
		run_expect_n(cfg, 2, 1);
		ended = wall_ms();
		if (ended < since + 2000)
			cr_assert_eq(h_webhook_count(e.hook, -1), 1,
			    "a reminder %lld ms after the alert",
			    ended - since);
		if (h_webhook_count(e.hook, -1) < 2)
			usleep(200 * 1000);
	}
	reminded = site_field(&e, "reminded_at");
	cr_assert_geq(reminded - since, 2000, "reminded after %lld ms",
	    reminded - since);
	text = body_text(e.hook, 1);
	cr_assert(strncmp(text, "DOWN api (", 10) == 0, "%s", text);
	cr_assert_not_null(strstr(text, "): still down after "), "%s", text);
	cr_assert_not_null(strstr(text, ", HTTP 503"), "%s", text);
	free(text);
	doc = body_json(e.hook, 1);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "event")),
	    "reminder");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "state")),
	    "DOWN");
	json_decref(doc);
	/* oncall takes down and up only. */
	cr_assert_eq(h_webhook_count(oncall, -1), 1);

	/* The next period runs from the reminder. */
	run_expect_n(cfg, 2, 1);
	if (wall_ms() < reminded + 2000)
		cr_assert_eq(h_webhook_count(e.hook, -1), 2,
		    "a second reminder within remind_every");
	free(yaml);
	free(cfg);
	h_srv_stop(oncall);
	h_env_stop(&e);
}

/*
 * An alert storm: 30 sites go down in one run. The Slack instance gets one
 * grouped message listing ten of them and holding all 30 lines; the
 * webhook instance, which takes two of the sites, gets its two alerts
 * alone (not more than group_threshold).
 */
Test(alert_routing, storm_of_30_is_one_grouped_message, .timeout = 120)
{
	struct h_env	 e;
	struct h_srv	*oncall;
	struct buf	 yaml = { 0 };
	char		*cfg, *body, *lines;
	json_t		*doc, *att;
	int		 i, n;

	h_env_start(&e);
	oncall = h_webhook_start();
	buf_printf(&yaml, "redis:\n  port: %d\n"
	    "defaults:\n  retry: 0\n  timeout: 5\n"
	    "websites:\n", h_redis_port(e.rd));
	for (i = 1; i <= 30; i++)
		buf_printf(&yaml, "  - url: http://127.0.0.1:%d/status/503\n"
		    "    name: s%d\n", h_srv_port(e.web), i);
	buf_printf(&yaml, "alertmanagers:\n"
	    "  chat:\n    type: slack\n"
	    "    webhook: http://127.0.0.1:%d/services/" TOKEN "\n"
	    "    timeout: 5\n"
	    "  oncall:\n    type: webhook\n"
	    "    url: http://127.0.0.1:%d/oncall/" TOKEN "\n"
	    "    sites: [s1, s2]\n    timeout: 5\n",
	    h_srv_port(e.hook), h_srv_port(oncall));
	cfg = h_config(e.d, yaml.data);

	run_expect_n(cfg, 2, 0);
	cr_assert_eq(h_webhook_count(e.hook, -1), 1, "not one message");
	body = h_webhook_body(e.hook, 0);
	doc = json_loads(body, 0, NULL);
	cr_assert_not_null(doc, "%s", body);
	cr_assert(strncmp(json_string_value(json_object_get(doc, "text")),
	    "30 alerts: DOWN s1, DOWN s2, DOWN s3, ", 38) == 0, "%s", body);
	cr_assert_not_null(strstr(json_string_value(json_object_get(doc,
	    "text")), ", DOWN s10, ... and 20 more"), "%s", body);
	att = json_array_get(json_object_get(doc, "attachments"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(att, "color")),
	    "#d93025");
	lines = strdup(json_string_value(json_object_get(att, "text")));
	for (n = 1, i = 0; lines[i] != '\0'; i++)
		n += lines[i] == '\n';
	cr_assert_eq(n, 30, "one line per alert:\n%s", lines);
	cr_assert_not_null(strstr(lines, "DOWN s30 (http://127.0.0.1:"));
	free(lines);
	json_decref(doc);
	free(body);

	cr_assert_eq(h_webhook_count(oncall, -1), 2);
	assert_text(oncall, 0, "DOWN s1 (");
	assert_text(oncall, 1, "DOWN s2 (");
	cr_assert_eq(h_redis_int(e.rd, "LLEN peekl:alerts:chat"), 0);
	buf_free(&yaml);
	free(cfg);
	h_srv_stop(oncall);
	h_env_stop(&e);
}

/* What an operator sees: `peekl validate` on a mistyped type, event and
 * instance exits 3 naming each with a did-you-mean; a dry run says which
 * instances would get each alert, and queues nothing. */
Test(alert_routing, validate_and_dry_run, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*yaml, *cfg;

	h_env_start(&e);
	cfg = h_config(e.d, "websites:\n  - url: https://api.example.com\n"
	    "    name: api\n    alert_to: [oncal]\n"
	    "alertmanagers:\n  oncall:\n    type: pagerduyt\n"
	    "  chat:\n    type: slack\n"
	    "    webhook: https://hooks.slack.com/services/x\n"
	    "    events: [dwon]\n");
	h_run(&r, (const char *[]){ "-c", cfg, "validate", NULL }, NULL);
	cr_assert_eq(r.status, 3, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "alertmanagers.oncall.type: unknown "
	    "type 'pagerduyt'"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "alertmanagers.chat.events[0]: "
	    "unknown event 'dwon', did you mean 'down'?"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "websites[0].alert_to[0] (site "
	    "\"api\"): unknown alertmanagers instance 'oncal', did you mean "
	    "'oncall'?"), "%s", r.err);
	h_run_free(&r);
	free(cfg);

	yaml = h_strf("redis:\n  port: %d\n"
	    "websites:\n  - url: http://127.0.0.1:%d/status/503\n"
	    "    name: api\n    retry: 0\n    timeout: 2\n"
	    "alertmanagers:\n"
	    "  chat:\n    type: slack\n"
	    "    webhook: http://127.0.0.1:%d/services/" TOKEN "\n"
	    "  oncall:\n    type: webhook\n"
	    "    url: http://127.0.0.1:%d/oncall/" TOKEN "\n"
	    "  quiet:\n    type: webhook\n"
	    "    url: http://127.0.0.1:%d/quiet/" TOKEN "\n"
	    "    events: [warning]\n",
	    h_redis_port(e.rd), h_srv_port(e.web), h_srv_port(e.hook),
	    h_srv_port(e.hook), h_srv_port(e.hook));
	cfg = h_config(e.d, yaml);
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--dry-run", NULL },
	    NULL);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "dry run: would alert chat, oncall: "
	    "DOWN api ("), "%s", r.err);
	cr_assert_null(strstr(r.err, "SeCrEtToKeN"));
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(e.hook, -1), 0);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:alerts:chat"), 0);
	free(yaml);
	free(cfg);
	h_env_stop(&e);
}
