/*
 * The alerting part of the config: alertmanagers:, a mapping of instance
 * names to their settings, and alerting:. An instance named after a type
 * (slack, discord, webhook, ...) is of that type; any other name needs
 * `type:`. Each type has its key table here; notify.c's type table has its
 * name and rules. The routing keys (an instance's events: and sites:, a
 * site's alert_to:) are checked here once everything is read.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "check.h"
#include "config.h"
#include "config_int.h"
#include "notify.h"
#include "util.h"

#define INSTANCE_NAME_MAX	64	/* characters of an instance name */
#define INSTANCE_KEYS_MAX	16	/* keys in one type's table */
#define NAMES_MAX		50000	/* items of a list of names (MAX_SITES) */
#define GROUP_THRESHOLD_MAX	100000

/* The events an instance may take, by the names `events:` uses. */
static const struct keydef event_names[] = {
	{ "down", V_NODE, ALERT_DOWN, 0, 0, 0, 0 },
	{ "up", V_NODE, ALERT_UP, 0, 0, 0, 0 },
	{ "degraded", V_NODE, ALERT_DEGRADED, 0, 0, 0, 0 },
	{ "warning", V_NODE, ALERT_WARNING, 0, 0, 0, 0 },
	{ "critical", V_NODE, ALERT_CRITICAL, 0, 0, 0, 0 },
	{ "ok", V_NODE, ALERT_OK, 0, 0, 0, 0 },
	{ "reminder", V_NODE, ALERT_REMINDER, 0, 0, 0, 0 },
};
#define EVENTS_ALL	((1u << ALERT__MAX) - 1)

/* The keys every type takes, after its own. `type` was read before the
 * table was chosen. */
#define I(f)	offsetof(struct integration, f)
#define I_COMMON \
	{ "type", V_NODE, 0, 0, 0, 0, 0 }, \
	{ "timeout", V_DURATION, I(timeout_ms), 0, SEC(1), SEC(300), 0 }, \
	{ "events", V_NODE, 0, 0, 0, 0, 0 }, \
	{ "sites", V_NAMES, I(sites), I(nsites), 0, 0, 0 }, \
	{ "ca_file", V_FILE, I(ca_file), 0, 0, 0, 0 }

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
/* spec/notifiers.md. A first key with a default (pagerduty's url) is not
 * required (notify_default_url); F_REQUIRED marks the others that are. */
static const struct keydef email_keys[] = {
	{ "smtp", V_SMTPURL, I(url), 0, 0, 0, 0 },
	{ "username", V_STR, I(smtp_user), 0, 0, 0, 0 },
	{ "password", V_STR, I(secret), 0, 0, 0, 0 },
	{ "from", V_STR, I(from), 0, 0, 0, F_REQUIRED },
	{ "to", V_ADDRLIST, I(to), I(nto), 0, 0, F_REQUIRED },
	{ "insecure_plaintext", V_BOOL, I(insecure_plaintext), 0, 0, 0, 0 },
	I_COMMON,
};
/* "Each notifier takes an optional url: (or api_url:)": both names are
 * accepted for the types whose URL has a default. */
#define I_API_URL(name) { name, V_HOOKURL, I(url), 0, 0, 0, F_ALIAS }
static const struct keydef pagerduty_keys[] = {
	{ "url", V_HOOKURL, I(url), 0, 0, 0, 0 },
	I_API_URL("api_url"),
	{ "routing_key", V_STR, I(secret), 0, 0, 0, F_REQUIRED },
	I_COMMON,
};
static const struct keydef opsgenie_keys[] = {
	{ "url", V_HOOKURL, I(url), 0, 0, 0, 0 },
	I_API_URL("api_url"),
	{ "api_key", V_STR, I(secret), 0, 0, 0, F_REQUIRED },
	I_COMMON,
};
static const struct keydef teams_keys[] = {
	{ "webhook", V_HOOKURL, I(url), 0, 0, 0, 0 },
	I_COMMON,
};
static const struct keydef telegram_keys[] = {
	{ "api_url", V_HOOKURL, I(url), 0, 0, 0, 0 },
	I_API_URL("url"),
	{ "bot_token", V_STR, I(secret), 0, 0, 0, F_REQUIRED },
	{ "chat_id", V_STR, I(chat_id), 0, 0, 0, F_REQUIRED },
	I_COMMON,
};
static const struct keydef ntfy_keys[] = {
	{ "url", V_HOOKURL, I(url), 0, 0, 0, 0 },
	I_API_URL("api_url"),
	{ "token", V_STR, I(secret), 0, 0, 0, 0 },
	I_COMMON,
};
#undef I_API_URL
#undef I

static const struct {
	const struct keydef	*keys;
	size_t			 nkeys;
} type_keys[ITYPE__MAX] = {
	[ITYPE_SLACK] = { slack_keys, ARRAY_LEN(slack_keys) },
	[ITYPE_DISCORD] = { discord_keys, ARRAY_LEN(discord_keys) },
	[ITYPE_WEBHOOK] = { webhook_keys, ARRAY_LEN(webhook_keys) },
	[ITYPE_EMAIL] = { email_keys, ARRAY_LEN(email_keys) },
	[ITYPE_PAGERDUTY] = { pagerduty_keys, ARRAY_LEN(pagerduty_keys) },
	[ITYPE_OPSGENIE] = { opsgenie_keys, ARRAY_LEN(opsgenie_keys) },
	[ITYPE_TEAMS] = { teams_keys, ARRAY_LEN(teams_keys) },
	[ITYPE_TELEGRAM] = { telegram_keys, ARRAY_LEN(telegram_keys) },
	[ITYPE_NTFY] = { ntfy_keys, ARRAY_LEN(ntfy_keys) },
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
	enum integration_type named;
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
		} else if (integration_type_parse(name, &named) == 0 &&
		    named != *t) {
			/* "slack: {type: discord}" reads as a mistake. */
			cerr(c, AT(tv), tkp, "an instance named '%s' is of type "
			    "%s; give a %s instance another name", name, name,
			    s);
			rc = -1;
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

void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int
parse_names(struct ctx *c, yaml_node_t *v, const char *kp, char ***names,
    size_t *n)
{
	yaml_node_item_t	*it;
	char			 ikp[KP_LEN], **out;
	size_t			 len, i;
	int			 rc = 0;

	/* One name alone reads as a list of one. */
	if (v->type == YAML_SCALAR_NODE) {
		out = xcalloc(1, sizeof(*out));
		if (scalar(c, v, kp, "a name", &out[0]) == -1 ||
		    out[0][0] == '\0') {
			if (out[0] != NULL)
				cerr(c, AT(v), kp, "expected a name, found an "
				    "empty value");
			free_names(out, 1);
			return -1;
		}
		free_names(*names, *n);
		*names = out;
		*n = 1;
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		cerr(c, AT(v), kp, "expected a list of names such as [a, b], "
		    "found %s", node_kind(v));
		return -1;
	}
	it = v->data.sequence.items.start;
	len = (size_t)(v->data.sequence.items.top - it);
	if (len > NAMES_MAX) {
		cerr(c, AT(v), kp, "%zu names is too many (at most %d)", len,
		    NAMES_MAX);
		return -1;
	}
	out = xcalloc(len ? len : 1, sizeof(*out));
	for (i = 0; i < len; i++, it++) {
		kp_fmt(ikp, "%s[%zu]", kp, i);
		if (scalar(c, node_get(c, *it), ikp, "a name", &out[i]) == -1)
			rc = -1;
		else if (out[i][0] == '\0') {
			cerr(c, AT(node_get(c, *it)), ikp, "expected a name, "
			    "found an empty value");
			rc = -1;
		}
	}
	if (rc == -1) {
		free_names(out, len);
		return -1;
	}
	free_names(*names, *n);
	*names = out;
	*n = len;
	return 0;
}

/* Reads an instance's events: (node v) into in->events; -1 after reporting
 * an unknown event. */
static int
read_events(struct ctx *c, yaml_node_t *v, const char *kp,
    struct integration *in)
{
	char		**names = NULL, ikp[KP_LEN];
	const char	*hint;
	size_t		 n = 0, i, e;
	int		 rc = 0;

	if (parse_names(c, v, kp, &names, &n) == -1)
		return -1;
	if (n == 0) {
		cerr(c, AT(v), kp, "an empty list would take no alert; leave "
		    "events out to take every event");
		free_names(names, n);
		return -1;
	}
	in->events = 0;
	for (i = 0; i < n; i++) {
		for (e = 0; e < ARRAY_LEN(event_names); e++)
			if (strcmp(names[i], event_names[e].name) == 0)
				break;
		if (e < ARRAY_LEN(event_names)) {
			in->events |= 1u << event_names[e].off;
			continue;
		}
		if (v->type == YAML_SEQUENCE_NODE)
			kp_fmt(ikp, "%s[%zu]", kp, i);
		else
			snprintf(ikp, sizeof(ikp), "%s", kp);
		hint = suggest(names[i], event_names, ARRAY_LEN(event_names));
		cerr(c, AT(v->type == YAML_SEQUENCE_NODE ? node_get(c,
		    v->data.sequence.items.start[i]) : v), ikp,
		    "unknown event '%s'%s%s%s (events: down, up, degraded, "
		    "warning, critical, ok, reminder)", names[i],
		    hint ? ", did you mean '" : "", hint ? hint : "",
		    hint ? "'?" : "");
		rc = -1;
	}
	free_names(names, n);
	return rc;
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
	in->events = EVENTS_ALL;
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
	for (size_t i = 0; i < ntab; i++)
		if (seen[i] != NULL && strcmp(tab[i].name, "events") == 0) {
			char	ekp[KP_LEN];

			child_path(ekp, kp, "events");
			read_events(c, seen[i], ekp, in);
		}
	for (size_t i = 1; i < ntab; i++) {
		if (seen[i] == NULL || !(tab[i].flags & F_ALIAS))
			continue;
		if (seen[0] != NULL)
			cerr(c, AT(seen[i]), kp, "'%s' and '%s' name the same "
			    "URL: give one", tab[0].name, tab[i].name);
		seen[0] = seen[i];
	}
	if (seen[0] == NULL && !notify_default_url(in))
		cerr(c, AT(node_is_null(node) ? k : node), kp,
		    "missing required key '%s'", tab[0].name);
	for (size_t i = 1; i < ntab; i++)
		if (seen[i] == NULL && (tab[i].flags & F_REQUIRED))
			cerr(c, AT(node_is_null(node) ? k : node), kp,
			    "missing required key '%s'", tab[i].name);
	notify_finish(c, node, kp, in);
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
		free_names(in->sites, in->nsites);
		integration_notify_clear(in);
	}
	free(cfg->integrations);
	cfg->integrations = NULL;
	cfg->nintegrations = 0;
}

void
read_alerting(struct ctx *c, struct config *cfg, yaml_node_t *node)
{
	static const struct keydef keys[] = {
		{ "group_threshold", V_INT, offsetof(struct config,
		    group_threshold), 0, 0, GROUP_THRESHOLD_MAX, 0 },
	};
	yaml_node_t	*seen[ARRAY_LEN(keys)] = { 0 };

	cfg->group_threshold = 10;
	if (node != NULL)
		parse_keys(c, node, "alerting", keys, ARRAY_LEN(keys), cfg,
		    seen, 0);
}

/* Returns the index of name among the instances, or -1. */
static long
instance_find(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nintegrations; i++)
		if (strcmp(integration_name(&cfg->integrations[i]), name) == 0)
			return (long)i;
	return -1;
}

/* Reports each name of list node v (key path kp) that is not an
 * instance. */
static void
check_alert_to(struct ctx *c, const struct config *cfg, yaml_node_t *v,
    const char *kp)
{
	struct keydef	*tab;
	yaml_node_t	*item;
	char		 ikp[KP_LEN], *name;
	const char	*hint;
	size_t		 i, n;

	if (v == NULL)
		return;
	if (v->type == YAML_SEQUENCE_NODE &&
	    v->data.sequence.items.top == v->data.sequence.items.start) {
		cerr(c, AT(v), kp, "an empty list would send no alert; leave "
		    "alert_to out to alert every instance");
		return;
	}
	n = v->type == YAML_SEQUENCE_NODE ? (size_t)(v->data.sequence.items.top
	    - v->data.sequence.items.start) : 1;
	tab = xcalloc(cfg->nintegrations + 1, sizeof(*tab));
	for (i = 0; i < cfg->nintegrations; i++)
		tab[i].name = integration_name(&cfg->integrations[i]);
	for (i = 0; i < n; i++) {
		item = v->type == YAML_SEQUENCE_NODE ?
		    node_get(c, v->data.sequence.items.start[i]) : v;
		if (item->type != YAML_SCALAR_NODE)
			continue;	/* reported when it was read */
		c->mute++;
		if (scalar(c, item, kp, "a name", &name) == -1)
			name = NULL;
		c->mute--;
		if (name == NULL || instance_find(cfg, name) >= 0 ||
		    name[0] == '\0') {
			free(name);
			continue;
		}
		if (v->type == YAML_SEQUENCE_NODE)
			kp_fmt(ikp, "%s[%zu]", kp, i);
		else
			snprintf(ikp, sizeof(ikp), "%s", kp);
		hint = suggest(name, tab, cfg->nintegrations);
		cerr(c, AT(item), ikp, "unknown alertmanagers instance '%s'%s%s%s",
		    name, hint ? ", did you mean '" : "", hint ? hint : "",
		    hint ? "'?" : "");
		free(name);
	}
	free(tab);
}

/* Returns 1 when name is a site's name. The sites are few enough for a
 * scan, and this runs only for the names an instance lists. */
static int
site_exists(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsites; i++)
		if (cfg->sites[i].name != NULL &&
		    strcmp(cfg->sites[i].name, name) == 0)
			return 1;
	return 0;
}

/* Returns the site name closest to name, or NULL. */
static const char *
suggest_site(const struct config *cfg, const char *name)
{
	struct keydef	*tab = xcalloc(cfg->nsites + 1, sizeof(*tab));
	size_t		 i, n = 0;
	const char	*hint;

	for (i = 0; i < cfg->nsites; i++)
		if (cfg->sites[i].name != NULL)
			tab[n++].name = cfg->sites[i].name;
	hint = suggest(name, tab, n);
	free(tab);
	return hint;
}

/* Reports each name of an instance's sites: that is no site. */
static void
check_instance_sites(struct ctx *c, const struct config *cfg,
    const struct integration *in, yaml_node_t *v, const char *kp)
{
	char		 ikp[KP_LEN];
	const char	*hint;
	yaml_node_t	*item;

	if (v != NULL && v->type == YAML_SEQUENCE_NODE &&
	    v->data.sequence.items.top == v->data.sequence.items.start)
		cerr(c, AT(v), kp, "an empty list would take no alert; leave "
		    "sites out to take every site");
	for (size_t i = 0; v != NULL && i < in->nsites; i++) {
		if (site_exists(cfg, in->sites[i]))
			continue;
		if (v->type == YAML_SEQUENCE_NODE) {
			kp_fmt(ikp, "%s[%zu]", kp, i);
			item = node_get(c, v->data.sequence.items.start[i]);
		} else {
			snprintf(ikp, sizeof(ikp), "%s", kp);
			item = v;
		}
		hint = suggest_site(cfg, in->sites[i]);
		cerr(c, AT(item), ikp, "unknown site '%s'%s%s%s", in->sites[i],
		    hint ? ", did you mean '" : "", hint ? hint : "",
		    hint ? "'?" : "");
	}
}

void
check_routes(struct ctx *c, const struct config *cfg, yaml_node_t *websites,
    yaml_node_t *defaults, yaml_node_t *alertmanagers)
{
	yaml_node_item_t	*it;
	char			 kp[KP_LEN];
	size_t			 i;

	check_alert_to(c, cfg, map_get(c, defaults, "alert_to"),
	    "defaults.alert_to");
	if (websites != NULL && websites->type == YAML_SEQUENCE_NODE &&
	    cfg->nsites > 0)
		for (it = websites->data.sequence.items.start, i = 0;
		    it < websites->data.sequence.items.top; it++, i++) {
			kp_fmt(kp, "websites[%zu].alert_to", i);
			c->site = i < cfg->nsites ? cfg->sites[i].name : NULL;
			check_alert_to(c, cfg, map_get(c, node_get(c, *it),
			    "alert_to"), kp);
			c->site = NULL;
		}
	for (i = 0; i < cfg->nintegrations; i++) {
		const struct integration *in = &cfg->integrations[i];

		if (in->name == NULL)
			continue;
		kp_fmt(kp, "alertmanagers.%s.sites", in->name);
		check_instance_sites(c, cfg, in, map_get(c, map_get(c,
		    alertmanagers, in->name), "sites"), kp);
	}
}
