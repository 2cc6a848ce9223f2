/*
 * The alerting part of the config: alertmanagers:, a mapping of instance
 * names to their settings. An instance named after a type (slack, discord,
 * webhook, ...) is of that type; any other name needs `type:`. Each type
 * has its key table here; notify.c's type table has its name and rules.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config.h"
#include "config_int.h"
#include "notify.h"
#include "util.h"

#define INSTANCE_NAME_MAX	64	/* characters of an instance name */
#define INSTANCE_KEYS_MAX	16	/* keys in one type's table */

/* The keys every type takes, after its own. `type` was read before the
 * table was chosen. */
#define I(f)	offsetof(struct integration, f)
#define I_COMMON \
	{ "type", V_NODE, 0, 0, 0, 0, 0 }, \
	{ "timeout", V_DURATION, I(timeout_ms), 0, SEC(1), SEC(300), 0 }

/* One table per type; the first key is always the required one. */
static const struct keydef slack_keys[] = {
	{ "webhook", V_HOOKURL, I(url), 0, 0, 0, 0 },
	I_COMMON,
};
static const struct keydef discord_keys[] = {
	{ "webhook", V_HOOKURL, I(url), 0, 0, 0, 0 },
	{ "username", V_STR, I(username), 0, 0, 0, 0 },
	I_COMMON,
};
static const struct keydef webhook_keys[] = {
	{ "url", V_HOOKURL, I(url), 0, 0, 0, 0 },
	{ "headers", V_HEADERS, I(headers), I(nheaders), 0, 0, 0 },
	I_COMMON,
};
#undef I

static const struct {
	const struct keydef	*keys;
	size_t			 nkeys;
} type_keys[ITYPE__MAX] = {
	[ITYPE_SLACK] = { slack_keys, ARRAY_LEN(slack_keys) },
	[ITYPE_DISCORD] = { discord_keys, ARRAY_LEN(discord_keys) },
	[ITYPE_WEBHOOK] = { webhook_keys, ARRAY_LEN(webhook_keys) },
};

/* Returns the type name closest to name, for a "did you mean", or NULL. */
static const char *
suggest_type(const char *name)
{
	struct keydef	tab[ITYPE__MAX];

	memset(tab, 0, sizeof(tab));
	for (int t = 0; t < ITYPE__MAX; t++)
		tab[t].name = integration_type_name((enum integration_type)t);
	return suggest(name, tab, ITYPE__MAX);
}

/* Writes the list of type names, "slack, discord, webhook", into out. */
static void
type_list(char *out, size_t outsz)
{
	size_t	len = 0;

	out[0] = '\0';
	for (int t = 0; t < ITYPE__MAX && len < outsz; t++)
		len += (size_t)snprintf(out + len, outsz - len, "%s%s",
		    t ? ", " : "", integration_type_name((enum integration_type)t));
}

/* Returns 0 when name may name an instance (it becomes part of Redis keys
 * and log lines), else -1 after reporting. */
static int
check_instance_name(struct ctx *c, yaml_node_t *k, const char *name)
{
	size_t	len = strlen(name);

	if (len == 0 || len > INSTANCE_NAME_MAX) {
		cerr(c, AT(k), "alertmanagers", "an instance name must have 1 "
		    "to %d characters", INSTANCE_NAME_MAX);
		return -1;
	}
	for (const char *p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' &&
		    *p != '.') {
			cerr(c, AT(k), "alertmanagers", "instance name \"%.64s\" "
			    "may hold only letters, digits, '-', '_' and '.'",
			    name);
			return -1;
		}
	return 0;
}

/*
 * Decides the type of instance name (mapping node): its `type:`, else the
 * type its name is. Returns 0, or -1 after reporting an unknown type or a
 * name that is no type and has no `type:`.
 */
static int
instance_type(struct ctx *c, yaml_node_t *k, yaml_node_t *node,
    const char *kp, const char *name, enum integration_type *t)
{
	yaml_node_t	*tv = map_get(c, node, "type");
	char		 tkp[KP_LEN], types[128], *s;
	const char	*hint;
	int		 rc;

	type_list(types, sizeof(types));
	if (tv != NULL) {
		child_path(tkp, kp, "type");
		if (scalar(c, tv, tkp, "a type name", &s) == -1)
			return -1;
		if ((rc = integration_type_parse(s, t)) == -1) {
			if ((hint = suggest_type(s)) != NULL)
				cerr(c, AT(tv), tkp, "unknown type '%s', did you "
				    "mean '%s'? (types: %s)", s, hint, types);
			else
				cerr(c, AT(tv), tkp, "unknown type '%s' (types: "
				    "%s)", s, types);
		}
		free(s);
		return rc;
	}
	if (integration_type_parse(name, t) == 0)
		return 0;
	if ((hint = suggest_type(name)) != NULL)
		cerr(c, AT(k), kp, "unknown integration '%s', did you mean "
		    "'%s'? (an instance of another name needs 'type:', one of "
		    "%s)", name, hint, types);
	else
		cerr(c, AT(k), kp, "unknown integration '%s': an instance of "
		    "another name than its type needs 'type:' (one of %s)",
		    name, types);
	return -1;
}

/* Reads instance name (key node k, value node) into in; -1 after reporting
 * an error. */
static int
read_instance(struct ctx *c, yaml_node_t *k, yaml_node_t *node,
    const char *name, struct integration *in)
{
	yaml_node_t	*seen[INSTANCE_KEYS_MAX] = { 0 };
	const struct keydef *tab;
	char		 kp[KP_LEN];
	size_t		 ntab;
	int		 before = (int)c->nerrors;

	child_path(kp, "alertmanagers", name);
	in->name = xstrdup(name);
	in->timeout_ms = SEC(10);
	if (!node_is_null(node) && node->type != YAML_MAPPING_NODE) {
		cerr(c, AT(node), kp, "expected a mapping of keys, found %s",
		    node_kind(node));
		return -1;
	}
	if (instance_type(c, k, node, kp, name, &in->type) == -1)
		return -1;
	tab = type_keys[in->type].keys;
	ntab = type_keys[in->type].nkeys;
	if (tab == NULL || ntab > INSTANCE_KEYS_MAX) {
		cerr(c, AT(k), kp, "type '%s' cannot be configured",
		    integration_type_name(in->type));
		return -1;
	}
	if (in->type == ITYPE_DISCORD)
		in->username = xstrdup("Peekl");
	parse_keys(c, node, kp, tab, ntab, in, seen, 0);
	if (seen[0] == NULL)
		cerr(c, AT(node_is_null(node) ? k : node), kp,
		    "missing required key '%s'", tab[0].name);
	return (int)c->nerrors > before ? -1 : 0;
}

void
read_alertmanagers(struct ctx *c, struct config *cfg, yaml_node_t *node)
{
	yaml_node_pair_t	*p;
	size_t			 n, i;

	if (node == NULL || node_is_null(node))
		return;
	if (node->type != YAML_MAPPING_NODE) {
		cerr(c, AT(node), "alertmanagers", "expected a mapping of "
		    "instance names to their settings, found %s",
		    node_kind(node));
		return;
	}
	n = (size_t)(node->data.mapping.pairs.top -
	    node->data.mapping.pairs.start);
	cfg->integrations = xcalloc(n ? n : 1, sizeof(*cfg->integrations));
	for (p = node->data.mapping.pairs.start;
	    p < node->data.mapping.pairs.top; p++) {
		yaml_node_t	*k = node_get(c, p->key), *v = node_get(c, p->value);
		const char	*name;

		if (k->type != YAML_SCALAR_NODE) {
			cerr(c, AT(k), "alertmanagers", "an instance name must "
			    "be a plain name, found %s", node_kind(k));
			continue;
		}
		name = (const char *)k->data.scalar.value;
		if (check_instance_name(c, k, name) == -1)
			continue;
		for (i = 0; i < cfg->nintegrations; i++)
			if (strcmp(cfg->integrations[i].name, name) == 0)
				break;
		if (i < cfg->nintegrations) {
			char	kp[KP_LEN];

			child_path(kp, "alertmanagers", name);
			cerr(c, AT(k), kp, "instance '%s' is given twice", name);
			continue;
		}
		/* Kept even when it has errors, so that it is freed. */
		read_instance(c, k, v, name, &cfg->integrations[
		    cfg->nintegrations++]);
	}
}

void
integrations_free(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nintegrations; i++) {
		struct integration *in = &cfg->integrations[i];

		free(in->name);
		free(in->url);
		free(in->username);
		free_headers(in->headers, in->nheaders);
	}
	free(cfg->integrations);
	cfg->integrations = NULL;
	cfg->nintegrations = 0;
}
