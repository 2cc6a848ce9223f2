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
