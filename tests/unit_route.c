/* Alerting configuration and decisions (spec/alerting.md): named
 * integration instances, routing, reminders, storm grouping. Pure: the
 * config loader in-process and the decision functions, no servers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "config.h"
#include "harness.h"
#include "notify.h"
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
