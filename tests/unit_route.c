/* Alerting configuration and decisions (spec/alerting.md): named
 * integration instances, routing, reminders, storm grouping. Pure: the
 * config loader in-process and the decision functions, no servers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "alert.h"
#include "config.h"
#include "harness.h"
#include "notify.h"
#include "reminder.h"
#include "route.h"
#include "util.h"

/* Loads text as a config file; returns config_load's result, *err holding
 * its stderr (caller frees). */
static int
route_load(const char *text, struct config **cfg, char **err)
{
	struct h_dir	*d = h_dir_new();
	char		*path = h_config(d, text);
	int		 rc = h_config_load(path, cfg, err);

	free(path);
	h_dir_free(d);
	return rc;
}

static struct config *
load_ok(const char *text)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(route_load(text, &cfg, &err), 0, "config rejected:\n%s",
	    err);
	free(err);
	return cfg;
}

static void
load_fails_with(const char *text, const char *want)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(route_load(text, &cfg, &err), -1, "config accepted:\n%s",
	    text);
	cr_assert_null(cfg);
	cr_assert_not_null(strstr(err, want), "expected \"%s\" in:\n%s", want,
	    err);
	free(err);
}

#define SITES "websites:\n  - url: https://api.example.com\n    name: api\n" \
	"  - url: https://shop.example.com\n    name: shop\n"

Test(route_config, named_instances)
{
	struct config	*cfg = load_ok(SITES "alertmanagers:\n"
	    "  team-chat:\n    type: slack\n"
	    "    webhook: https://hooks.slack.com/services/yyyy\n"
	    "  slack:\n    webhook: https://hooks.slack.com/services/xxxx\n"
	    "  hook2:\n    type: webhook\n    url: https://h.example/x\n"
	    "    timeout: 3s\n");

	cr_assert_eq(cfg->nintegrations, 3);
	cr_assert_str_eq(integration_name(&cfg->integrations[0]), "team-chat");
	cr_assert_eq(cfg->integrations[0].type, ITYPE_SLACK);
	cr_assert_str_eq(cfg->integrations[0].url,
	    "https://hooks.slack.com/services/yyyy");
	cr_assert_str_eq(integration_name(&cfg->integrations[1]), "slack");
	cr_assert_eq(cfg->integrations[1].type, ITYPE_SLACK);
	cr_assert_str_eq(integration_name(&cfg->integrations[2]), "hook2");
	cr_assert_eq(cfg->integrations[2].type, ITYPE_WEBHOOK);
	cr_assert_eq(cfg->integrations[2].timeout_ms, 3000);
	config_free(cfg);

	/* A type's own name may still say its type. */
	cfg = load_ok(SITES "alertmanagers:\n  discord:\n    type: discord\n"
	    "    webhook: https://discord.com/api/webhooks/1/t\n");
	cr_assert_eq(cfg->integrations[0].type, ITYPE_DISCORD);
	cr_assert_str_eq(cfg->integrations[0].username, "Peekl");
	config_free(cfg);
}

Test(route_config, instance_errors)
{
	load_fails_with(SITES "alertmanagers:\n  oncall:\n"
	    "    url: https://h.example/x\n",
	    "config.yaml:7:3: alertmanagers.oncall: unknown integration "
	    "'oncall': an instance of another name than its type needs "
	    "'type:' (one of slack, discord, webhook");
	load_fails_with(SITES "alertmanagers:\n  slak:\n"
	    "    webhook: https://hooks.slack.com/services/x\n",
	    "alertmanagers.slak: unknown integration 'slak', did you mean "
	    "'slack'?");
	load_fails_with(SITES "alertmanagers:\n  chat:\n    type: dicsord\n"
	    "    webhook: https://discord.com/api/webhooks/1/t\n",
	    "config.yaml:8:11: alertmanagers.chat.type: unknown type "
	    "'dicsord', did you mean 'discord'?");
	load_fails_with(SITES "alertmanagers:\n  chat:\n    type: irc\n",
	    "alertmanagers.chat.type: unknown type 'irc' (types: slack, "
	    "discord, webhook");
	/* The keys are the type's: a Slack instance has no url. */
	load_fails_with(SITES "alertmanagers:\n  chat:\n    type: slack\n"
	    "    url: https://hooks.slack.com/services/x\n",
	    "alertmanagers.chat.url: unknown key 'url'");
	load_fails_with(SITES "alertmanagers:\n  chat:\n    type: slack\n",
	    "alertmanagers.chat: missing required key 'webhook'");
	load_fails_with(SITES "alertmanagers:\n  \"on call\":\n    type: slack\n"
	    "    webhook: https://hooks.slack.com/services/x\n",
	    "instance name \"on call\" may hold only letters, digits");
	load_fails_with(SITES "alertmanagers:\n  chat:\n    type: slack\n"
	    "    webhook: https://hooks.slack.com/services/x\n"
	    "  chat:\n    type: slack\n"
	    "    webhook: https://hooks.slack.com/services/y\n",
	    "alertmanagers.chat: instance 'chat' is given twice");
	load_fails_with(SITES "alertmanagers:\n  slack:\n    type: discord\n"
	    "    webhook: https://discord.com/api/webhooks/1/t\n",
	    "alertmanagers.slack.type: an instance named 'slack' is of type "
	    "slack; give a discord instance another name");
	load_fails_with(SITES "alertmanagers: [slack]\n",
	    "alertmanagers: expected a mapping of instance names");
}

Test(route_config, routing_keys)
{
	struct config	*cfg = load_ok(SITES "    alert_to: [oncall]\n"
	    "alertmanagers:\n"
	    "  oncall:\n    type: webhook\n    url: https://h.example/x\n"
	    "    events: [down, up, reminder]\n    sites: [api, shop]\n"
	    "  slack:\n    webhook: https://hooks.slack.com/services/x\n"
	    "    events: warning\n"
	    "alerting:\n  group_threshold: 3\n");
	const struct integration *oncall = &cfg->integrations[0];

	cr_assert_eq(oncall->events, (1u << ALERT_DOWN) | (1u << ALERT_UP) |
	    (1u << ALERT_REMINDER));
	cr_assert_eq(oncall->nsites, 2);
	cr_assert_str_eq(oncall->sites[1], "shop");
	cr_assert_eq(cfg->integrations[1].events, 1u << ALERT_WARNING);
	cr_assert_eq(cfg->sites[0].nalert_to, 0);
	cr_assert_eq(cfg->sites[1].nalert_to, 1);
	cr_assert_str_eq(cfg->sites[1].alert_to[0], "oncall");
	cr_assert_eq(cfg->group_threshold, 3);
	config_free(cfg);

	/* Defaults: every event, every site, group_threshold 10; alert_to
	 * may be a default. */
	cfg = load_ok("defaults:\n  alert_to: [slack]\n" SITES
	    "alertmanagers:\n  slack:\n"
	    "    webhook: https://hooks.slack.com/services/x\n");
	cr_assert_eq(cfg->integrations[0].events, (1u << ALERT__MAX) - 1);
	cr_assert_eq(cfg->integrations[0].nsites, 0);
	cr_assert_eq(cfg->sites[0].nalert_to, 1);
	cr_assert_eq(cfg->group_threshold, 10);
	config_free(cfg);
}

Test(route_config, routing_errors)
{
	load_fails_with(SITES "alertmanagers:\n  slack:\n"
	    "    webhook: https://hooks.slack.com/services/x\n"
	    "    events: [down, donw]\n",
	    "config.yaml:9:20: alertmanagers.slack.events[1]: unknown event "
	    "'donw', did you mean 'down'?");
	load_fails_with(SITES "alertmanagers:\n  slack:\n"
	    "    webhook: https://hooks.slack.com/services/x\n"
	    "    events: [expired]\n",
	    "unknown event 'expired' (events: down, up, degraded, warning, "
	    "critical, ok, reminder)");
	load_fails_with(SITES "alertmanagers:\n  slack:\n"
	    "    webhook: https://hooks.slack.com/services/x\n"
	    "    sites: [api, shpo]\n",
	    "config.yaml:9:18: alertmanagers.slack.sites[1]: unknown site "
	    "'shpo', did you mean 'shop'?");
	load_fails_with(SITES "    alert_to: [oncal]\n"
	    "alertmanagers:\n  oncall:\n    type: slack\n"
	    "    webhook: https://hooks.slack.com/services/x\n",
	    "config.yaml:6:16: websites[1].alert_to[0] (site \"shop\"): unknown "
	    "alertmanagers instance 'oncal', did you mean 'oncall'?");
	load_fails_with("defaults:\n  alert_to: pager\n" SITES,
	    "defaults.alert_to: unknown alertmanagers instance 'pager'");
	load_fails_with(SITES "    alert_to: []\n",
	    "an empty list would send no alert");
	load_fails_with(SITES "alertmanagers:\n  slack:\n"
	    "    webhook: https://hooks.slack.com/services/x\n    events: []\n",
	    "an empty list would take no alert");
	load_fails_with(SITES "alerting:\n  group_treshold: 5\n",
	    "alerting.group_treshold: unknown key 'group_treshold', did you "
	    "mean 'group_threshold'?");
	load_fails_with(SITES "alerting:\n  group_threshold: -1\n",
	    "alerting.group_threshold");
}

/* ---- route_takes: the routing decision */

static struct site
route_site(const char *name, char **alert_to, size_t n)
{
	struct site	s;

	memset(&s, 0, sizeof(s));
	s.name = (char *)name;
	s.alert_to = alert_to;
	s.nalert_to = n;
	return s;
}

Test(route, every_event_and_site_by_default)
{
	struct integration	in = { .type = ITYPE_SLACK,
	    .events = (1u << ALERT__MAX) - 1 };
	struct site		s = route_site("api", NULL, 0);

	for (int ev = 0; ev < ALERT__MAX; ev++)
		cr_assert(route_takes(&in, &s, (enum alert_event)ev), "%d", ev);
	cr_assert_not(route_takes(&in, &s, ALERT__MAX));
	in.events = 0;
	cr_assert_not(route_takes(&in, &s, ALERT_DOWN));
}

Test(route, events_filter)
{
	struct integration	in = { .name = (char *)"oncall",
	    .events = (1u << ALERT_DOWN) | (1u << ALERT_UP) };
	struct site		s = route_site("api", NULL, 0);

	cr_assert(route_takes(&in, &s, ALERT_DOWN));
	cr_assert(route_takes(&in, &s, ALERT_UP), "up: any recovery");
	cr_assert_not(route_takes(&in, &s, ALERT_DEGRADED));
	cr_assert_not(route_takes(&in, &s, ALERT_WARNING));
	cr_assert_not(route_takes(&in, &s, ALERT_CRITICAL));
	cr_assert_not(route_takes(&in, &s, ALERT_OK));
	cr_assert_not(route_takes(&in, &s, ALERT_REMINDER),
	    "a reminder only when listed");
}

Test(route, sites_filter_and_alert_to)
{
	char			*sites[] = { (char *)"api", (char *)"shop" };
	char			*to_oncall[] = { (char *)"oncall" };
	char			*to_slack[] = { (char *)"team", (char *)"slack" };
	struct integration	oncall = { .name = (char *)"oncall",
	    .events = (1u << ALERT__MAX) - 1, .sites = sites, .nsites = 2 };
	struct integration	slack = { .type = ITYPE_SLACK,
	    .events = (1u << ALERT__MAX) - 1 };
	struct site		api = route_site("api", NULL, 0);
	struct site		blog = route_site("blog", NULL, 0);
	struct site		shop = route_site("shop", to_oncall, 1);
	struct site		wiki = route_site("wiki", to_slack, 2);

	cr_assert(route_takes(&oncall, &api, ALERT_DOWN));
	cr_assert_not(route_takes(&oncall, &blog, ALERT_DOWN), "not its site");
	cr_assert(route_takes(&slack, &blog, ALERT_DOWN));
	cr_assert(route_takes(&oncall, &shop, ALERT_DOWN));
	cr_assert_not(route_takes(&slack, &shop, ALERT_DOWN),
	    "shop alerts oncall only");
	/* An instance without a name of its own is known by its type's. */
	cr_assert(route_takes(&slack, &wiki, ALERT_DOWN));
	cr_assert_not(route_takes(&oncall, &wiki, ALERT_DOWN));
}

/* ---- reminders: when, and what they say */

#define T0 1764077404048LL	/* 2025-11-25 13:30:04.048 UTC */
#define H (3600 * 1000LL)

Test(reminder, due_timing)
{
	static const struct {
		int64_t	every, since, reminded, now;
		int	due;
	} rows[] = {
		{ 0, T0, 0, T0 + 100 * H, 0 },		/* off */
		{ H, 0, 0, T0, 0 },			/* state never entered */
		{ H, T0, 0, T0, 0 },			/* the alert itself */
		{ H, T0, 0, T0 + H - 1, 0 },		/* not before */
		{ H, T0, 0, T0 + H, 1 },		/* exactly after */
		{ H, T0, 0, T0 + 5 * H, 1 },		/* late runs: one */
		{ H, T0, T0 + H, T0 + 2 * H - 1, 0 },	/* from the last one */
		{ H, T0, T0 + H, T0 + 2 * H, 1 },
		/* A reminder of an earlier episode is older than since. */
		{ H, T0, T0 - 1000, T0 + H / 2, 0 },
		{ H, T0, T0 - 1000, T0 + H, 1 },
		/* A clock step back never makes one due. */
		{ H, T0, 0, T0 - 5 * H, 0 },
	};

	for (size_t i = 0; i < ARRAY_LEN(rows); i++)
		cr_assert_eq(reminder_due(rows[i].every, rows[i].since,
		    rows[i].reminded, rows[i].now), rows[i].due, "row %zu", i);
}

Test(reminder, http_states)
{
	struct site		s = { .name = (char *)"api",
	    .remind_every_ms = 4 * H };
	struct site_state	st = { .state = HTTP_DOWN, .since = T0 };
	struct transition	tr;

	cr_assert_eq(reminder_http(&st, &s, T0 + 4 * H - 1, &tr), 0);
	cr_assert_eq(reminder_http(&st, &s, T0 + 4 * H + 2 * 60000, &tr), 1);
	cr_assert_eq(tr.event, ALERT_REMINDER);
	cr_assert_eq(tr.kind, KIND_HTTP);
	cr_assert_eq(tr.from, HTTP_DOWN);
	cr_assert_eq(tr.to, HTTP_DOWN);
	cr_assert_eq(tr.duration_ms, 4 * H + 2 * 60000);
	cr_assert_eq(st.reminded_at, T0 + 4 * H + 2 * 60000);
	/* The next one a whole period after that one. */
	cr_assert_eq(reminder_http(&st, &s, T0 + 8 * H, &tr), 0);
	cr_assert_eq(reminder_http(&st, &s, T0 + 8 * H + 2 * 60000, &tr), 1);
	st.state = HTTP_DEGRADED;
	st.since = T0 + 9 * H;
	cr_assert_eq(reminder_http(&st, &s, T0 + 13 * H, &tr), 1);
	cr_assert_eq(tr.from, HTTP_DEGRADED);
	/* Up and unknown are never reminded of. */
	st.state = HTTP_UP;
	cr_assert_eq(reminder_http(&st, &s, T0 + 99 * H, &tr), 0);
	st.state = HTTP_UNKNOWN;
	cr_assert_eq(reminder_http(&st, &s, T0 + 99 * H, &tr), 0);
	/* Without remind_every, none. */
	st.state = HTTP_DOWN;
	s.remind_every_ms = 0;
	cr_assert_eq(reminder_http(&st, &s, T0 + 99 * H, &tr), 0);
}

Test(reminder, cert_states)
{
	struct site		s = { .name = (char *)"api",
	    .remind_every_ms = 24 * H };
	struct site_state	st = { .state = HTTP_DOWN, .since = T0,
	    .cert_state = CERT_WARNING, .cert_since = T0 };
	struct transition	tr;

	cr_assert_eq(reminder_cert(&st, &s, T0 + 24 * H, &tr), 1);
	cr_assert_eq(tr.kind, KIND_CERT);
	cr_assert_eq(tr.from, CERT_WARNING);
	cr_assert_eq(st.cert_reminded_at, T0 + 24 * H);
	cr_assert_eq(st.reminded_at, 0, "the HTTP state has its own");
	st.cert_state = CERT_CRITICAL;
	cr_assert_eq(reminder_cert(&st, &s, T0 + 48 * H, &tr), 1);
	cr_assert_eq(tr.from, CERT_CRITICAL);
	st.cert_state = CERT_OK;
	cr_assert_eq(reminder_cert(&st, &s, T0 + 99 * H, &tr), 0);
}

/* The alert a reminder makes: the state's word and tone, "still down
 * after", the first alert's reason; it survives the queue. */
Test(reminder, alert_text_and_queue_round_trip)
{
	struct site		s = { .name = (char *)"api",
	    .url = (char *)"https://api.example.com/health",
	    .remind_every_ms = 4 * H };
	struct site_state	st = { .state = HTTP_DOWN, .since = T0,
	    .failures = 40 };
	struct http_result	r = { .done = 1, .http_code = 503,
	    .response_ms = 12 };
	struct transition	tr;
	struct alert		a, b;
	struct integration	hook = { .type = ITYPE_WEBHOOK };
	char			*json, *body;

	snprintf(r.error, sizeof(r.error), "HTTP 503");
	cr_assert_eq(reminder_http(&st, &s, T0 + 4 * H + 2 * 60000, &tr), 1);
	alert_from_http(&a, &s, &tr, &r, &st, T0 + 4 * H + 2 * 60000);
	cr_assert_str_eq(a.text, "DOWN api (https://api.example.com/health): "
	    "still down after 4h 2m, HTTP 503");
	cr_assert_str_eq(a.word, "DOWN");
	cr_assert_eq(a.tone, TONE_DANGER);
	json = alert_encode(&a);
	cr_assert_not_null(strstr(json, "\"state\":\"REMINDER\""), "%s", json);
	cr_assert_eq(alert_decode(json, strlen(json), &b), 0);
	cr_assert_eq(b.event, ALERT_REMINDER);
	cr_assert_str_eq(b.text, a.text);
	body = alert_payload(&hook, &b);
	cr_assert_not_null(strstr(body, "\"state\":\"DOWN\""), "%s", body);
	cr_assert_not_null(strstr(body, "\"event\":\"reminder\""), "%s", body);
	cr_assert_not_null(strstr(body, "\"duration_s\":14520"), "%s", body);
	free(body);
	free(json);
	alert_clear(&a);
	alert_clear(&b);

	/* Degraded: its word and the slowness. */
	st.state = HTTP_DEGRADED;
	st.reminded_at = 0;
	r.http_code = 200;
	snprintf(r.error, sizeof(r.error), "slow: 1240 ms > 800 ms");
	cr_assert_eq(reminder_http(&st, &s, T0 + 5 * H, &tr), 1);
	alert_from_http(&a, &s, &tr, &r, &st, T0 + 5 * H);
	cr_assert_str_eq(a.text, "DEGRADED api (https://api.example.com/"
	    "health): still degraded after 5h 0m, slow: 1240 ms > 800 ms");
	cr_assert_eq(a.tone, TONE_WARNING);
	alert_clear(&a);
}

Test(reminder, cert_alert_text)
{
	struct site		s = { .name = (char *)"shop",
	    .url = (char *)"https://shop.example.com/",
	    .remind_every_ms = 24 * H };
	struct site_state	st = { .cert_state = CERT_WARNING,
	    .cert_since = T0 };
	struct cert_result	r = { .done = 1, .have_cert = 1,
	    .days_left = 12, .not_after = T0 / 1000 + 12 * 86400 + 3600 };
	struct transition	tr;
	struct alert		a;

	cr_assert_eq(reminder_cert(&st, &s, T0 + 26 * H, &tr), 1);
	alert_from_cert(&a, &s, &tr, &r, T0 + 26 * H);
	cr_assert_str_eq(a.text, "WARNING shop (https://shop.example.com/): "
	    "still warning after 1d 2h, certificate expires in 12 days "
	    "(2025-12-07)");
	cr_assert_eq(a.tone, TONE_WARNING);
	alert_clear(&a);
}

/* ---- alert storms: the grouping decision and the grouped alert */

Test(group, decision)
{
	struct integration	slack = { .type = ITYPE_SLACK };

	cr_assert_not(route_groups(&slack, 10, 10), "not more than 10");
	cr_assert(route_groups(&slack, 11, 10));
	cr_assert_not(route_groups(&slack, 5000, 0), "0 turns grouping off");
	cr_assert(route_groups(&slack, 2, 1));
	for (int t = 0; t < ITYPE__MAX; t++) {
		struct integration in = { .type = (enum integration_type)t };

		cr_assert_eq(route_groups(&in, 11, 10),
		    integration_type_groupable(in.type));
	}
}

/* n DOWN alerts of sites s1..sN, the k-th a WARNING instead when k > 0. */
static struct alert *
storm(size_t n, size_t warning_at)
{
	struct alert	*a = xcalloc(n, sizeof(*a));
	char		 name[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "s%zu", i + 1);
		a[i].kind = i + 1 == warning_at ? KIND_CERT : KIND_HTTP;
		a[i].event = i + 1 == warning_at ? ALERT_WARNING : ALERT_DOWN;
		a[i].previous.http = HTTP_UP;
		a[i].site = xstrdup(name);
		a[i].url = xasprintf("https://%s.example.com/", name);
		a[i].error = i + 1 == warning_at ? NULL : xstrdup("HTTP 503");
		a[i].http_code = i + 1 == warning_at ? 0 : 503;
		a[i].response_ms = i + 1 == warning_at ? -1 : 12;
		a[i].failures = 1;
		a[i].have_cert = i + 1 == warning_at;
		a[i].days_left = 20;
		a[i].not_after = T0 / 1000 + 20 * 86400;
		a[i].timestamp_ms = T0;
		alert_finish(&a[i]);
	}
	return a;
}

static void
storm_free(struct alert *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		alert_clear(&a[i]);
	free(a);
}

/* Groups the n alerts at a into g, through the queue form. */
static void
group_of(struct alert *g, const struct alert *a, size_t n)
{
	const struct alert	**p = xcalloc(n, sizeof(*p));
	char			 *json;

	for (size_t i = 0; i < n; i++)
		p[i] = &a[i];
	json = alert_group_encode(p, n, T0 + 5);
	cr_assert_not_null(json);
	cr_assert_eq(alert_decode(json, strlen(json), g), 0, "%s", json);
	free(json);
	free(p);
}

Test(group, text_and_round_trip)
{
	struct alert	*a = storm(12, 3), g, g2;
	char		*json;

	group_of(&g, a, 12);
	cr_assert_eq(g.event, ALERT_GROUP);
	cr_assert_eq(g.nmembers, 12);
	cr_assert_eq(g.timestamp_ms, T0 + 5);
	cr_assert_str_eq(g.text, "12 alerts: DOWN s1, DOWN s2, WARNING s3, "
	    "DOWN s4, DOWN s5, DOWN s6, DOWN s7, DOWN s8, DOWN s9, DOWN s10, "
	    "... and 2 more");
	cr_assert_str_eq(g.word, "DOWN", "the worst member's");
	cr_assert_eq(g.tone, TONE_DANGER);
	/* One line per alert, each its own summary. */
	cr_assert(strncmp(g.reason, "DOWN s1 (https://s1.example.com/): HTTP "
	    "503, 1 failed check\nDOWN s2 (", 60) == 0, "%s", g.reason);
	cr_assert_not_null(strstr(g.reason, "\nDOWN s12 (https://s12.example"
	    ".com/): HTTP 503, 1 failed check"), "%s", g.reason);
	cr_assert_not_null(strstr(g.reason, "\nWARNING s3 ("));
	/* The group itself survives the queue again. */
	json = alert_encode(&g);
	cr_assert_eq(alert_decode(json, strlen(json), &g2), 0);
	cr_assert_str_eq(g2.text, g.text);
	cr_assert_str_eq(g2.reason, g.reason);
	free(json);
	json = alert_what(&g);
	cr_assert_str_eq(json, "12 grouped alerts");
	free(json);
	alert_clear(&g);
	alert_clear(&g2);
	storm_free(a, 12);

	/* Ten or fewer: every name, no "more". */
	a = storm(3, 0);
	group_of(&g, a, 3);
	cr_assert_str_eq(g.text, "3 alerts: DOWN s1, DOWN s2, DOWN s3");
	alert_clear(&g);
	storm_free(a, 3);

	/* Coloured by the worst: only warnings give the warning tone. */
	a = storm(1, 1);
	group_of(&g, a, 1);
	cr_assert_eq(g.tone, TONE_WARNING);
	cr_assert_str_eq(g.word, "WARNING");
	alert_clear(&g);
	storm_free(a, 1);
}

Test(group, bad_queue_forms_are_not_alerts)
{
	static const char *const bad[] = {
		"{\"group\":[],\"timestamp_ms\":1}",
		"{\"group\":[{}],\"timestamp_ms\":1}",
		"{\"group\":{},\"timestamp_ms\":1}",
		"{\"group\":[1],\"timestamp_ms\":1}",
		"{\"group\":[{\"group\":[]}],\"timestamp_ms\":1}",
	};
	struct alert	 a;

	for (size_t i = 0; i < ARRAY_LEN(bad); i++)
		cr_assert_eq(alert_decode(bad[i], strlen(bad[i]), &a), -1,
		    "%s", bad[i]);
}

Test(group, renderers_show_it)
{
	struct alert		*a = storm(12, 3), g;
	struct integration	 in = { .url = (char *)"https://x.example/" };
	json_t			*doc, *v;
	char			*p;

	group_of(&g, a, 12);
	/* Slack: the summary, the lines in one attachment, danger red. */
	in.type = ITYPE_SLACK;
	p = alert_payload(&in, &g);
	doc = json_loads(p, 0, NULL);
	cr_assert_not_null(doc, "%s", p);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "text")),
	    g.text);
	v = json_array_get(json_object_get(doc, "attachments"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(v, "color")),
	    "#d93025");
	cr_assert_str_eq(json_string_value(json_object_get(v, "text")),
	    g.reason);
	json_decref(doc);
	free(p);
	/* Discord: "12 alerts" as the title, the lines as description. */
	in.type = ITYPE_DISCORD;
	p = alert_payload(&in, &g);
	doc = json_loads(p, 0, NULL);
	cr_assert_not_null(doc, "%s", p);
	v = json_array_get(json_object_get(doc, "embeds"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(v, "title")),
	    "12 alerts");
	cr_assert_str_eq(json_string_value(json_object_get(v, "description")),
	    g.reason);
	json_decref(doc);
	free(p);
	/* The generic webhook: every alert as its own object. */
	in.type = ITYPE_WEBHOOK;
	p = alert_payload(&in, &g);
	doc = json_loads(p, 0, NULL);
	cr_assert_not_null(doc, "%s", p);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "event")),
	    "group");
	cr_assert_eq(json_integer_value(json_object_get(doc, "count")), 12);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "state")),
	    "DOWN");
	v = json_object_get(doc, "alerts");
	cr_assert_eq(json_array_size(v), 12);
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(v,
	    2), "site")), "s3");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(v,
	    2), "state")), "WARNING");
	json_decref(doc);
	free(p);
	alert_clear(&g);
	storm_free(a, 12);
}
