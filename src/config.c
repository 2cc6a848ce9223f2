#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "config.h"
#include "config_env.h"
#include "config_int.h"
#include "log.h"
#include "util.h"

/* The site table is indexed by this enum, so site_finish can ask where a
 * key was set. */
enum site_key {
	SK_URL, SK_PORT, SK_NAME, SK_INTERVAL, SK_RETRY, SK_RETRY_INTERVAL,
	SK_TIMEOUT, SK_CERTMON, SK_CERTMON_INTERVAL, SK_CERT_WARNING,
	SK_CERT_CRITICAL, SK_STATUS, SK_METHOD, SK_HEADERS, SK_KEYWORD,
	SK_FOLLOW, SK_CAFILE, SK_SLOW, SK_EXPECT_STATUS, SK_KEYWORD_ABSENT,
	SK_BODY_REGEX, SK_HEADERS_EXPECT, SK_JSON, SK_BODY, SK_BASIC_AUTH,
	SK_CLIENT_CERT, SK_CLIENT_KEY, SK_IP_VERSION,
	SK_WEAK_CRYPTO, SK_CHECK_REVOCATION,
	SK_DEPENDS_ON,
	SK_ALERT_TO, SK_REMIND_EVERY,
	SK_QUORUM,
	SK__MAX
};

#define S(f)	offsetof(struct site, f)
static const struct keydef site_keys[SK__MAX] = {
	[SK_URL] = { "url", V_SITEURL, 0, 0, 0, 0, F_SITE_ONLY },
	[SK_PORT] = { "port", V_INT, S(port), 0, 1, 65535, 0 },
	[SK_NAME] = { "name", V_STR, S(name), 0, 0, 0, F_SITE_ONLY },
	[SK_INTERVAL] = { "interval", V_DURATION, S(interval_ms), 0,
	    SEC(1), YEARS10, F_WHOLE_S },
	[SK_RETRY] = { "retry", V_INT, S(retry), 0, 0, 100, 0 },
	[SK_RETRY_INTERVAL] = { "retry_interval", V_DURATION,
	    S(retry_interval_ms), 0, SEC(1), YEARS10, F_WHOLE_S },
	[SK_TIMEOUT] = { "timeout", V_DURATION, S(timeout_ms), 0, SEC(1),
	    SEC(300), 0 },
	[SK_CERTMON] = { "certificate_monitoring", V_BOOL, S(cert_monitoring),
	    0, 0, 0, 0 },
	[SK_CERTMON_INTERVAL] = { "certificate_monitoring_interval",
	    V_DURATION, S(cert_interval_ms), 0, SEC(1), YEARS10, F_WHOLE_S },
	[SK_CERT_WARNING] = { "cert_warning", V_INT, S(cert_warning), 0, 0,
	    36500, 0 },
	[SK_CERT_CRITICAL] = { "cert_critical", V_INT, S(cert_critical), 0, 0,
	    36500, 0 },
	[SK_STATUS] = { "non_acceptable_status", V_STATUS, S(bad_status),
	    S(nbad_status), 0, 0, 0 },
	[SK_METHOD] = { "method", V_METHOD, S(method), 0, 0, 0, 0 },
	[SK_HEADERS] = { "headers", V_HEADERS, S(headers), S(nheaders), 0, 0,
	    0 },
	[SK_KEYWORD] = { "keyword", V_STR, S(keyword), 0, 0, 0, 0 },
	[SK_FOLLOW] = { "follow_redirects", V_BOOL, S(follow_redirects), 0, 0,
	    0, 0 },
	[SK_CAFILE] = { "ca_file", V_FILE, S(ca_file), 0, 0, 0, 0 },
	[SK_SLOW] = { "slow", V_DURATION, S(slow_ms), 0, 1, SEC(300), 0 },
	[SK_EXPECT_STATUS] = { "expect_status", V_STATUS, S(ok_status),
	    S(nok_status), 0, 0, 0 },
	[SK_KEYWORD_ABSENT] = { "keyword_absent", V_STR, S(keyword_absent), 0,
	    0, 0, 0 },
	[SK_BODY_REGEX] = { "body_regex", V_REGEX, 0, 0, 0, 0, 0 },
	[SK_HEADERS_EXPECT] = { "headers_expect", V_HEXPECT, 0, 0, 0, 0, 0 },
	[SK_JSON] = { "json", V_JSON, 0, 0, 0, 0, 0 },
	[SK_BODY] = { "body", V_BODY, 0, 0, 0, 0, 0 },
	[SK_BASIC_AUTH] = { "basic_auth", V_AUTH, 0, 0, 0, 0, 0 },
	[SK_CLIENT_CERT] = { "client_cert", V_FILE, S(client_cert), 0, 0, 0,
	    0 },
	[SK_CLIENT_KEY] = { "client_key", V_FILE, S(client_key), 0, 0, 0, 0 },
	[SK_IP_VERSION] = { "ip_version", V_IPVER, 0, 0, 0, 0, 0 },
	[SK_WEAK_CRYPTO] = { "weak_crypto", V_WEAKCRYPTO, S(weak_crypto), 0,
	    0, 0, 0 },
	[SK_CHECK_REVOCATION] = { "check_revocation", V_BOOL,
	    S(check_revocation), 0, 0, 0, 0 },
	[SK_DEPENDS_ON] = { "depends_on", V_NODE, 0, 0, 0, 0, F_SITE_ONLY },
	[SK_ALERT_TO] = { "alert_to", V_NAMES, S(alert_to), S(nalert_to), 0,
	    0, 0 },
	[SK_REMIND_EVERY] = { "remind_every", V_DURATION, S(remind_every_ms),
	    0, SEC(1), YEARS10, F_WHOLE_S },
	/* spec/locations.md */
	[SK_QUORUM] = { "quorum", V_INT, S(quorum), 0, 1, LOCATIONS_MAX, 0 },
};
#undef S

enum redis_key {
	RK_HOST, RK_PORT, RK_DB, RK_PASSWORD, RK_USERNAME, RK_SOCKET,
	RK_PREFIX, RK_TIMESERIES, RK_RETENTION, RK_INCIDENT_RETENTION,
	RK_SENTINELS, RK_MASTER, RK_SENTINEL_PASSWORD,
	RK__MAX
};

#define R(f)	offsetof(struct redis_conf, f)
static const struct keydef redis_keys[RK__MAX] = {
	[RK_HOST] = { "host", V_STR, R(host), 0, 0, 0, 0 },
	[RK_PORT] = { "port", V_INT, R(port), 0, 1, 65535, 0 },
	[RK_DB] = { "db", V_INT, R(db), 0, 0, 1023, 0 },
	[RK_PASSWORD] = { "password", V_OPTSTR, R(password), 0, 0, 0, 0 },
	[RK_USERNAME] = { "username", V_OPTSTR, R(username), 0, 0, 0, 0 },
	[RK_SOCKET] = { "socket", V_STR, R(socket), 0, 0, 0, 0 },
	[RK_PREFIX] = { "prefix", V_PREFIX, R(prefix), 0, 0, 0, 0 },
	[RK_TIMESERIES] = { "timeseries", V_TSMODE, R(timeseries), 0, 0, 0,
	    0 },
	/* A duration (raw points) or a mapping: read_retention. */
	[RK_RETENTION] = { "retention", V_NODE, 0, 0, 0, 0, 0 },
	[RK_INCIDENT_RETENTION] = { "incident_retention", V_DURATION,
	    R(incident_retention_ms), 0, SEC(1), YEARS10, F_WHOLE_S },
	[RK_SENTINELS] = { "sentinels", V_NODE, 0, 0, 0, 0, 0 },
	[RK_MASTER] = { "master", V_STR, R(master), 0, 0, 0, 0 },
	[RK_SENTINEL_PASSWORD] = { "sentinel_password", V_OPTSTR,
	    R(sentinel_password), 0, 0, 0, 0 },
};

/* redis.retention as a mapping: how long each resolution is kept. */
enum retention_key { RT_RAW, RT_HOURLY, RT_DAILY, RT__MAX };
static const struct keydef retention_keys[RT__MAX] = {
	[RT_RAW] = { "raw", V_DURATION, R(retention_ms), 0, SEC(1), YEARS10,
	    F_WHOLE_S },
	[RT_HOURLY] = { "hourly", V_DURATION, R(hourly_ms), 0, SEC(3600),
	    YEARS10, F_WHOLE_S },
	[RT_DAILY] = { "daily", V_DURATION, R(daily_ms), 0, DAYS(1), YEARS10,
	    F_WHOLE_S },
};
#undef R

enum top_key { TK_REDIS, TK_DEFAULTS, TK_MAXCONC, TK_WEBSITES, TK_ALERTS,
	TK_MAINTENANCE,
	TK_HEARTBEAT_URL,
	TK_ALERTING,
	TK_LOCATION, TK_QUORUM, TK_LOCATION_TIMEOUT,
	TK__MAX };
static const struct keydef top_keys[TK__MAX] = {
	[TK_REDIS] = { "redis", V_NODE, 0, 0, 0, 0, 0 },
	[TK_DEFAULTS] = { "defaults", V_NODE, 0, 0, 0, 0, 0 },
	[TK_MAXCONC] = { "max_concurrency", V_INT,
	    offsetof(struct config, max_concurrency), 0, 1, 10000, 0 },
	[TK_WEBSITES] = { "websites", V_NODE, 0, 0, 0, 0, 0 },
	[TK_ALERTS] = { "alertmanagers", V_NODE, 0, 0, 0, 0, 0 },
	[TK_MAINTENANCE] = { "maintenance", V_NODE, 0, 0, 0, 0, 0 },
	[TK_HEARTBEAT_URL] = { "heartbeat_url", V_HOOKURL,
	    offsetof(struct config, heartbeat_url), 0, 0, 0, 0 },
	[TK_ALERTING] = { "alerting", V_NODE, 0, 0, 0, 0, 0 },
	/* spec/locations.md */
	[TK_LOCATION] = { "location", V_STR,
	    offsetof(struct config, location), 0, 0, 0, 0 },
	[TK_QUORUM] = { "quorum", V_INT, offsetof(struct config, quorum), 0, 1,
	    LOCATIONS_MAX, 0 },
	[TK_LOCATION_TIMEOUT] = { "location_timeout", V_DURATION,
	    offsetof(struct config, location_timeout_ms), 0, SEC(1), YEARS10,
	    F_WHOLE_S },
};

/* Returns the edit distance of a and b (case-insensitive), capped at 3. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t	la = strlen(a), lb = strlen(b), i, j, d[65][65];

	if (la > 64 || lb > 64)
		return 3;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t	sub = d[i - 1][j - 1] + (tolower((unsigned char)
			    a[i - 1]) != tolower((unsigned char)b[j - 1]));
			size_t	del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;

			d[i][j] = sub < del ? (sub < ins ? sub : ins) :
			    (del < ins ? del : ins);
		}
	return d[la][lb] > 3 ? 3 : d[la][lb];
}

/* Returns the known key closest to key (within 2 edits, or one that key is
 * a prefix of), or NULL. */
const char *
suggest(const char *key, const struct keydef *tab, size_t ntab)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = 3, len = strlen(key);

	for (i = 0; i < ntab; i++) {
		d = edit_distance(key, tab[i].name);
		if (d > 2 && len >= 3 && strncasecmp(key, tab[i].name, len) == 0)
			d = 2;
		if (d < bestd) {
			bestd = d;
			best = tab[i].name;
		}
	}
	return best;
}

/* Returns the index in tab of the key named by key node k, or -1 after
 * reporting an unknown key. */
int
find_key(struct ctx *c, yaml_node_t *k, const char *kp,
    const struct keydef *tab, size_t ntab)
{
	const char	*name = (const char *)k->data.scalar.value, *hint;
	char		 ckp[KP_LEN];
	size_t		 i;

	for (i = 0; i < ntab; i++)
		if (strcmp(name, tab[i].name) == 0)
			return (int)i;
	child_path(ckp, kp, name);
	if ((hint = suggest(name, tab, ntab)) != NULL)
		cerr(c, AT(k), ckp, "unknown key '%s', did you mean '%s'?",
		    name, hint);
	else
		cerr(c, AT(k), ckp, "unknown key '%s'", name);
	return -1;
}

/*
 * Reads every key of mapping map through tab into obj, reporting unknown,
 * repeated and invalid keys. seen[i] receives the value node of tab[i], or
 * NULL when absent. An empty value ("redis:") reads as an empty mapping.
 */
void
parse_keys(struct ctx *c, yaml_node_t *map, const char *kp,
    const struct keydef *tab, size_t ntab, void *obj, yaml_node_t **seen,
    int in_defaults)
{
	yaml_node_pair_t	*p;
	char			 ckp[KP_LEN];
	int			 i;

	if (node_is_null(map))
		return;
	if (map->type != YAML_MAPPING_NODE) {
		cerr(c, AT(map), kp, "expected a mapping of keys, found %s",
		    node_kind(map));
		return;
	}
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	    p++) {
		yaml_node_t	*k = node_get(c, p->key), *v = node_get(c, p->value);

		if (k->type != YAML_SCALAR_NODE) {
			cerr(c, AT(k), kp, "a key must be a plain name, found %s",
			    node_kind(k));
			continue;
		}
		if ((i = find_key(c, k, kp, tab, ntab)) == -1)
			continue;
		child_path(ckp, kp, tab[i].name);
		if (seen[i] != NULL) {
			cerr(c, AT(k), ckp, "given twice (first at line %zu)",
			    seen[i]->start_mark.line + 1);
			continue;
		}
		seen[i] = v;
		if (in_defaults && (tab[i].flags & F_SITE_ONLY))
			cerr(c, AT(k), ckp, "'%s' cannot be a default, only "
			    "set per site", tab[i].name);
		else
			parse_value(c, &tab[i], v, ckp, obj);
	}
}

/* Returns the value node of key name in mapping map, or NULL. */
yaml_node_t *
map_get(struct ctx *c, yaml_node_t *map, const char *name)
{
	yaml_node_pair_t	*p;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	    p++) {
		yaml_node_t	*k = node_get(c, p->key);

		if (k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, name) == 0)
			return node_get(c, p->value);
	}
	return NULL;
}

static void
site_init(struct site *s)
{
	s->interval_ms = SEC(30);
	s->retry = 1;
	s->timeout_ms = SEC(10);
	s->cert_interval_ms = SEC(30);
	s->cert_warning = 30;
	s->cert_critical = 5;
	s->follow_redirects = 1;
	s->method = xstrdup("GET");
	s->bad_status = xcalloc(1, sizeof(*s->bad_status));
	s->bad_status[0].lo = 400;
	s->bad_status[0].hi = 410;
	s->nbad_status = 1;
}

static void
site_clear(struct site *s)
{
	free(s->name);
	free(s->url);
	free(s->host);
	free(s->bad_status);
	free(s->method);
	free_headers(s->headers, s->nheaders);
	free(s->keyword);
	free(s->ca_file);
	free_names(s->alert_to, s->nalert_to);
	site_checks_clear(s);
	quiet_free_site(s);
}

/* Returns the name a site goes by in messages (its name, else its URL's
 * derived name), or NULL when neither is readable yet. Caller frees. */
static char *
site_label(struct ctx *c, yaml_node_t *node)
{
	yaml_node_t	*v;
	struct url	 u;
	char		*s, *err, *label = NULL;

	if ((v = map_get(c, node, "name")) != NULL && v->type ==
	    YAML_SCALAR_NODE && v->data.scalar.length > 0 && !node_is_null(v))
	{
		if ((label = env_expand((char *)v->data.scalar.value, &err)) ==
		    NULL)
			free(err);
		return label;
	}
	if ((v = map_get(c, node, "url")) == NULL || v->type !=
	    YAML_SCALAR_NODE)
		return NULL;
	if ((s = env_expand((char *)v->data.scalar.value, &err)) == NULL) {
		free(err);
		return NULL;
	}
	if (site_url_parse(s, &u) == NULL) {
		label = derive_name(&u);
		free(u.host);
	}
	free(s);
	return label;
}

/* Checks the rule between cert_critical and cert_warning. */
static void
check_cert_days(struct ctx *c, const struct site *s, yaml_node_t *at,
    const char *kp)
{
	if (s->cert_critical > s->cert_warning)
		cerr(c, AT(at), kp, "cert_critical (%d days) is greater than "
		    "cert_warning (%d days)", s->cert_critical, s->cert_warning);
}

/* The assertion kinds and the keys that set them. */
static const struct {
	enum assert_kind	 kind;
	enum site_key		 key;
} assert_keys[ASSERT__MAX] = {
	{ ASSERT_KEYWORD, SK_KEYWORD },
	{ ASSERT_KEYWORD_ABSENT, SK_KEYWORD_ABSENT },
	{ ASSERT_BODY_REGEX, SK_BODY_REGEX },
	{ ASSERT_HEADERS, SK_HEADERS_EXPECT },
	{ ASSERT_JSON, SK_JSON },
};

/* Returns the position of a key's node in the file, for ordering. */
static size_t
node_pos(const yaml_node_t *n)
{
	return n != NULL ? n->start_mark.index : 0;
}

/*
 * Lists the site's assertions in the order they were written (a default's
 * before a site's own, as the defaults: section comes first), which is the
 * order they are judged in.
 */
static void
order_asserts(struct site *s, yaml_node_t **seen)
{
	size_t	i, j;

	s->norder = 0;
	for (i = 0; i < ASSERT__MAX; i++) {
		if (seen[assert_keys[i].key] == NULL)
			continue;
		for (j = s->norder; j > 0 && node_pos(seen[assert_keys[
		    s->order[j - 1]].key]) > node_pos(seen[assert_keys[i].key]);
		    j--)
			s->order[j] = s->order[j - 1];
		s->order[j] = assert_keys[i].kind;
		s->norder++;
	}
}

/* Checks the rules between the keys of spec/checks.md; kp is the site's
 * key path, node its mapping. */
static void
check_pairs(struct ctx *c, yaml_node_t *node, const char *kp,
    const struct site *s, yaml_node_t **seen)
{
	char	ckp[KP_LEN];
	int	k;

	if (seen[SK_EXPECT_STATUS] != NULL && seen[SK_STATUS] != NULL) {
		k = node_pos(seen[SK_EXPECT_STATUS]) > node_pos(seen[SK_STATUS]) ?
		    SK_EXPECT_STATUS : SK_STATUS;
		child_path(ckp, kp, site_keys[k].name);
		cerr(c, AT(seen[k]), ckp, "expect_status and "
		    "non_acceptable_status cannot both be set: expect_status "
		    "lists the only codes that pass");
	}
	if (s->body != NULL && s->method != NULL &&
	    (strcmp(s->method, "GET") == 0 || strcmp(s->method, "HEAD") == 0)) {
		child_path(ckp, kp, "body");
		cerr(c, AT(seen[SK_BODY] ? seen[SK_BODY] : node), ckp,
		    "cannot be sent with method %s (use POST, PUT or PATCH)",
		    s->method);
	}
	if ((s->client_cert == NULL) != (s->client_key == NULL) &&
	    (seen[SK_CLIENT_CERT] != NULL || seen[SK_CLIENT_KEY] != NULL)) {
		k = seen[SK_CLIENT_CERT] != NULL ? SK_CLIENT_CERT : SK_CLIENT_KEY;
		child_path(ckp, kp, site_keys[k].name);
		cerr(c, AT(seen[k]), ckp, "client_cert and client_key go "
		    "together: set both or neither");
	}
	/* A HEAD response has no body to look into. */
	for (k = SK_KEYWORD_ABSENT; k <= SK_JSON; k++) {
		if (k == SK_HEADERS_EXPECT || seen[k] == NULL ||
		    s->method == NULL || strcmp(s->method, "HEAD") != 0)
			continue;
		child_path(ckp, kp, site_keys[k].name);
		cerr(c, AT(seen[k]), ckp, "cannot be checked with method HEAD "
		    "(no body)");
	}
}

/* Checks cert_critical <= cert_warning for a site that set one of them
 * itself; when both came from defaults: (or built-in defaults), the
 * defaults: section has been blamed already. */
static void
site_cert_days(struct ctx *c, const char *kp, const struct site *s,
    yaml_node_t **seen, yaml_node_t **dseen)
{
	char	ckp[KP_LEN];

	if ((seen[SK_CERT_CRITICAL] == NULL ||
	    seen[SK_CERT_CRITICAL] == dseen[SK_CERT_CRITICAL]) &&
	    (seen[SK_CERT_WARNING] == NULL ||
	    seen[SK_CERT_WARNING] == dseen[SK_CERT_WARNING]))
		return;
	child_path(ckp, kp, seen[SK_CERT_CRITICAL] ? "cert_critical" :
	    "cert_warning");
	check_cert_days(c, s, seen[SK_CERT_CRITICAL] ?
	    seen[SK_CERT_CRITICAL] : seen[SK_CERT_WARNING], ckp);
}

/* The keys of an HTTP check, refused on a TLS endpoint's site: SPEC's and
 * those of spec/checks.md. */
static const enum site_key http_only_keys[] = {
	SK_METHOD, SK_HEADERS, SK_KEYWORD, SK_STATUS, SK_FOLLOW, SK_INTERVAL,
	SK_RETRY, SK_RETRY_INTERVAL, SK_SLOW, SK_EXPECT_STATUS,
	SK_KEYWORD_ABSENT, SK_BODY_REGEX, SK_HEADERS_EXPECT, SK_JSON, SK_BODY,
	SK_BASIC_AUTH, SK_CLIENT_CERT, SK_CLIENT_KEY, SK_IP_VERSION,
};

/*
 * The rules of a TLS endpoint (tls://, smtp://, imap://, pop3://): a
 * certificate check only. A key written on the site that only an HTTP
 * check reads is an error; the same key under defaults: is meant for the
 * http(s) sites and is ignored here. The port is the URL's.
 */
static void
endpoint_finish(struct ctx *c, const char *kp, struct site *s,
    yaml_node_t **seen, yaml_node_t **dseen)
{
	char	ckp[KP_LEN];
	size_t	i;
	int	k;

	for (i = 0; i < ARRAY_LEN(http_only_keys); i++) {
		k = http_only_keys[i];
		if (seen[k] == NULL || seen[k] == dseen[k])
			continue;
		child_path(ckp, kp, site_keys[k].name);
		cerr(c, AT(seen[k]), ckp, "\"%s\" applies to http(s) URLs "
		    "only, not to a TLS endpoint (%.*s)", site_keys[k].name,
		    (int)strcspn(s->url, ":"), s->url);
	}
	if (seen[SK_CERTMON] != NULL && seen[SK_CERTMON] != dseen[SK_CERTMON] &&
	    !s->cert_monitoring) {
		child_path(ckp, kp, "certificate_monitoring");
		cerr(c, AT(seen[SK_CERTMON]), ckp, "cannot be false: a TLS "
		    "endpoint (%.*s) has a certificate check only",
		    (int)strcspn(s->url, ":"), s->url);
	}
	if (seen[SK_PORT] != NULL && seen[SK_PORT] != dseen[SK_PORT]) {
		child_path(ckp, kp, "port");
		cerr(c, AT(seen[SK_PORT]), ckp, "a TLS endpoint takes its port "
		    "from the URL (%.*s://HOST:PORT)",
		    (int)strcspn(s->url, ":"), s->url);
	}
	s->cert_monitoring = 1;
	s->port = s->url_port;
	site_cert_days(c, kp, s, seen, dseen);
}

/*
 * Applies the defaults that depend on other keys and checks the rules
 * between keys. seen[] holds where each key was set, in the site or (when
 * dseen[k] == seen[k]) under defaults:.
 */
static void
site_finish(struct ctx *c, yaml_node_t *node, const char *kp, struct site *s,
    yaml_node_t **seen, yaml_node_t **dseen)
{
	char	ckp[KP_LEN];

	if (seen[SK_URL] == NULL)
		cerr(c, AT(node), kp, "missing required key 'url'");
	if (s->url != NULL && s->name == NULL) {
		struct url	u;

		if (site_url_parse(s->url, &u) == NULL) {
			s->name = derive_name(&u);
			free(u.host);
		}
	}
	if (seen[SK_PORT] == NULL)
		s->port = s->url_port;
	if (seen[SK_RETRY_INTERVAL] == NULL)
		s->retry_interval_ms = s->interval_ms;
	if (s->url != NULL && site_cert_only(s)) {
		endpoint_finish(c, kp, s, seen, dseen);
		return;
	}
	order_asserts(s, seen);
	check_pairs(c, node, kp, s, seen);
	/*
	 * A certificate check on an http:// site is allowed (a TLS service
	 * may listen next to the HTTP one), but only on a port the user
	 * chose: probing TLS on port 80 is certainly a mistake. When the
	 * switch came from defaults:, the site's URL is what to fix.
	 */
	if (s->url != NULL && s->cert_monitoring && !s->is_https &&
	    seen[SK_PORT] == NULL) {
		child_path(ckp, kp, "certificate_monitoring");
		cerr(c, AT(seen[SK_CERTMON] == dseen[SK_CERTMON] ?
		    seen[SK_URL] : seen[SK_CERTMON]), ckp,
		    "certificate_monitoring needs https:// or an explicit port");
	}
	/* A HEAD response has no body, so a keyword could never be found. */
	if (s->keyword != NULL && s->method != NULL &&
	    strcmp(s->method, "HEAD") == 0) {
		child_path(ckp, kp, "keyword");
		cerr(c, AT(seen[SK_KEYWORD] ? seen[SK_KEYWORD] : node), ckp,
		    "cannot be checked with method HEAD (no body)");
	}
	site_cert_days(c, kp, s, seen, dseen);
}

/* Reads website number i from node into s, with defaults applied. Returns
 * the node that gave the site its name (for duplicate reports). */
static yaml_node_t *
read_site(struct ctx *c, yaml_node_t *node, size_t i, yaml_node_t *defaults,
    struct site *s)
{
	yaml_node_t	*seen[SK__MAX] = { 0 }, *dseen[SK__MAX] = { 0 };
	char		 kp[KP_LEN], *label;
	size_t		 k;

	kp_fmt(kp, "websites[%zu]", i);
	site_init(s);
	s->line = (int)node->start_mark.line + 1;
	s->column = (int)node->start_mark.column + 1;
	if (node->type != YAML_MAPPING_NODE) {
		cerr(c, AT(node), kp, "expected a mapping with at least 'url', "
		    "found %s", node_kind(node));
		return node;
	}
	/* The defaults were checked, and their errors reported, once. */
	c->mute++;
	if (defaults != NULL)
		parse_keys(c, defaults, "defaults", site_keys, SK__MAX, s, dseen,
		    1);
	c->mute--;
	label = site_label(c, node);
	c->site = label;
	parse_keys(c, node, kp, site_keys, SK__MAX, s, seen, 0);
	if (seen[SK_DEPENDS_ON] != NULL && seen[SK_DEPENDS_ON] !=
	    dseen[SK_DEPENDS_ON]) {
		char dkp[KP_LEN];

		child_path(dkp, kp, "depends_on");
		read_depends_on(c, seen[SK_DEPENDS_ON], dkp, s);
	}
	for (k = 0; k < SK__MAX; k++)
		if (seen[k] == NULL)
			seen[k] = dseen[k];
	site_finish(c, node, kp, s, seen, dseen);
	c->site = NULL;
	free(label);
	return seen[SK_NAME] ? seen[SK_NAME] : seen[SK_URL] ? seen[SK_URL] :
	    node;
}

/* Checks defaults: once, so a mistake there is reported once and not for
 * every site. */
static void
check_defaults(struct ctx *c, yaml_node_t *node)
{
	yaml_node_t	*seen[SK__MAX] = { 0 };
	struct site	 s = { 0 };
	char		 kp[KP_LEN];

	site_init(&s);
	parse_keys(c, node, "defaults", site_keys, SK__MAX, &s, seen, 1);
	if (seen[SK_CERT_CRITICAL] != NULL || seen[SK_CERT_WARNING] != NULL) {
		child_path(kp, "defaults", seen[SK_CERT_CRITICAL] ?
		    "cert_critical" : "cert_warning");
		check_cert_days(c, &s, seen[SK_CERT_CRITICAL] ?
		    seen[SK_CERT_CRITICAL] : seen[SK_CERT_WARNING], kp);
	}
	site_clear(&s);
}

struct name_ref {
	const char	*name;
	size_t		 idx;
};

static int
name_ref_cmp(const void *a, const void *b)
{
	const struct name_ref	*x = a, *y = b;
	int			 r = strcmp(x->name, y->name);

	if (r != 0)
		return r;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Reports every site whose name an earlier site already has. Sorting keeps
 * this fast for the largest configs we accept. */
static void
check_duplicate_names(struct ctx *c, struct config *cfg, yaml_node_t **at)
{
	struct name_ref	*refs = xcalloc(cfg->nsites, sizeof(*refs));
	size_t		 i, n = 0, first = 0;
	char		 kp[KP_LEN];

	for (i = 0; i < cfg->nsites; i++)
		if (cfg->sites[i].name != NULL) {
			refs[n].name = cfg->sites[i].name;
			refs[n++].idx = i;
		}
	qsort(refs, n, sizeof(*refs), name_ref_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(refs[i].name, refs[i - 1].name) != 0) {
			first = i;
			continue;
		}
		kp_fmt(kp, "websites[%zu].name", refs[i].idx);
		c->site = refs[i].name;
		cerr(c, AT(at[refs[i].idx]), kp, "duplicate site name \"%s\": "
		    "websites[%zu] (line %zu:%zu) has it too; names must be "
		    "unique", refs[i].name, refs[first].idx,
		    at[refs[first].idx]->start_mark.line + 1,
		    at[refs[first].idx]->start_mark.column + 1);
		c->site = NULL;
	}
	free(refs);
}

static void
read_websites(struct ctx *c, struct config *cfg, yaml_node_t *root,
    yaml_node_t *list, yaml_node_t *defaults)
{
	yaml_node_item_t	*it;
	yaml_node_t		**at;
	size_t			 n;

	if (list == NULL || node_is_null(list) ||
	    (list->type == YAML_SEQUENCE_NODE &&
	    list->data.sequence.items.top == list->data.sequence.items.start)) {
		cerr(c, AT(list ? list : root), "websites",
		    "no websites configured");
		return;
	}
	if (list->type != YAML_SEQUENCE_NODE) {
		cerr(c, AT(list), "websites", "expected a list of sites, found %s",
		    node_kind(list));
		return;
	}
	n = (size_t)(list->data.sequence.items.top -
	    list->data.sequence.items.start);
	if (n > MAX_SITES) {
		cerr(c, AT(list), "websites", "%zu sites is too many (at most "
		    "%d)", n, MAX_SITES);
		return;
	}
	cfg->sites = xcalloc(n, sizeof(*cfg->sites));
	at = xcalloc(n, sizeof(*at));
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++, cfg->nsites++)
		at[cfg->nsites] = read_site(c, node_get(c, *it), cfg->nsites,
		    defaults, &cfg->sites[cfg->nsites]);
	check_duplicate_names(c, cfg, at);
	free(at);
}

/*
 * Reads redis.sentinels and checks the rules of Sentinel discovery: the
 * sentinels name the master, so host, port and socket cannot be given too,
 * and master and sentinel_password mean nothing without sentinels.
 */
static void
redis_sentinel_rules(struct ctx *c, struct redis_conf *r, yaml_node_t *node,
    yaml_node_t **seen)
{
	static const enum redis_key direct[] = { RK_HOST, RK_PORT, RK_SOCKET };
	static const enum redis_key need[] = { RK_MASTER,
	    RK_SENTINEL_PASSWORD };
	char	kp[KP_LEN];
	size_t	i;

	if (seen[RK_SENTINELS] == NULL) {
		for (i = 0; i < ARRAY_LEN(need); i++) {
			if (seen[need[i]] == NULL)
				continue;
			child_path(kp, "redis", redis_keys[need[i]].name);
			cerr(c, AT(seen[need[i]]), kp, "%s requires "
			    "redis.sentinels (the sentinels that know the "
			    "master)", redis_keys[need[i]].name);
		}
		return;
	}
	read_sentinels(c, seen[RK_SENTINELS], "redis.sentinels", r);
	for (i = 0; i < ARRAY_LEN(direct); i++) {
		if (seen[direct[i]] == NULL)
			continue;
		child_path(kp, "redis", redis_keys[direct[i]].name);
		cerr(c, AT(seen[direct[i]]), kp, "sentinels and %s cannot both "
		    "be set: with sentinels, peekl asks them where the master "
		    "is", redis_keys[direct[i]].name);
	}
	if (seen[RK_MASTER] == NULL)
		cerr(c, AT(node), "redis.master", "missing: sentinels need the "
		    "name of the master they monitor (e.g. master: mymaster)");
}

/*
 * Reads redis.retention: a duration keeps its old meaning (raw points
 * only); a mapping {raw, hourly, daily} also keeps hourly and daily
 * history, each defaulting when left out.
 */
static void
read_retention(struct ctx *c, struct redis_conf *r, yaml_node_t *node)
{
	static const struct keydef scalar_key = { "retention", V_DURATION,
	    offsetof(struct redis_conf, retention_ms), 0, SEC(1), YEARS10,
	    F_WHOLE_S };
	yaml_node_t	*seen[RT__MAX] = { 0 };

	if (node->type != YAML_MAPPING_NODE) {
		parse_value(c, &scalar_key, node, "redis.retention", r);
		return;
	}
	r->hourly_ms = DAYS(400);
	r->daily_ms = DAYS(5 * 365);
	parse_keys(c, node, "redis.retention", retention_keys, RT__MAX, r,
	    seen, 0);
	if (r->daily_ms < r->hourly_ms)
		cerr(c, AT(node), "redis.retention", "daily (%lld s) must be "
		    "kept at least as long as hourly (%lld s)",
		    (long long)(r->daily_ms / 1000),
		    (long long)(r->hourly_ms / 1000));
}

static void
read_redis(struct ctx *c, struct redis_conf *r, yaml_node_t *node)
{
	yaml_node_t	*seen[RK__MAX] = { 0 };

	r->host = xstrdup("127.0.0.1");
	r->port = 6379;
	r->prefix = xstrdup("peekl");
	r->timeseries = TS_AUTO;
	r->retention_ms = DAYS(30);
	r->incident_retention_ms = DAYS(400);
	if (node == NULL)
		return;
	parse_keys(c, node, "redis", redis_keys, RK__MAX, r, seen, 0);
	if (seen[RK_RETENTION] != NULL)
		read_retention(c, r, seen[RK_RETENTION]);
	if (r->username != NULL && r->password == NULL)
		cerr(c, AT(seen[RK_USERNAME]), "redis.username",
		    "username requires a password");
	redis_sentinel_rules(c, r, node, seen);
}

/* A location names keys and series labels: it must be a short word. */
static void
check_location(struct ctx *c, struct config *cfg, yaml_node_t *node)
{
	const char	*why;

	if (node == NULL || cfg->location == NULL)
		return;
	if ((why = config_location_invalid(cfg->location)) != NULL)
		cerr(c, AT(node), "location", "\"%s\" %s", cfg->location, why);
}

static void
read_config(struct ctx *c, struct config *cfg, yaml_node_t *root)
{
	yaml_node_t	*seen[TK__MAX] = { 0 };

	cfg->max_concurrency = 100;
	if (root->type != YAML_MAPPING_NODE) {
		cerr(c, AT(root), "", "the top level must be a mapping (redis:, "
		    "websites:, ...), found %s", node_kind(root));
		return;
	}
	parse_keys(c, root, "", top_keys, TK__MAX, cfg, seen, 0);
	read_redis(c, &cfg->redis, seen[TK_REDIS]);
	if (seen[TK_DEFAULTS] != NULL)
		check_defaults(c, seen[TK_DEFAULTS]);
	read_websites(c, cfg, root, seen[TK_WEBSITES], seen[TK_DEFAULTS]);
	read_alertmanagers(c, cfg, seen[TK_ALERTS]);
	check_depends(c, cfg);
	read_maintenance(c, cfg, seen[TK_MAINTENANCE]);
	read_alerting(c, cfg, seen[TK_ALERTING]);
	check_routes(c, cfg, seen[TK_WEBSITES], seen[TK_DEFAULTS],
	    seen[TK_ALERTS]);
	check_location(c, cfg, seen[TK_LOCATION]);
}

/* Returns 1 when cfg holds something an eavesdropper could use. */
static int
holds_secrets(const struct config *cfg)
{
	size_t	i;

	char	red[1024];

	if (cfg->redis.password != NULL || cfg->nintegrations > 0)
		return 1;
	if (cfg->redis.sentinel_password != NULL || cfg->heartbeat_url != NULL)
		return 1;
	for (i = 0; i < cfg->nsites; i++) {
		if (cfg->sites[i].nheaders > 0 ||
		    cfg->sites[i].auth_password != NULL)
			return 1;
		/* A password in a site URL is the only part redaction hides. */
		redact_site_url(cfg->sites[i].url, red, sizeof(red));
		if (strcmp(red, cfg->sites[i].url) != 0)
			return 1;
	}
	return 0;
}

static char *
dir_of(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return NULL;
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

int
config_load(const char *path, struct config **out)
{
	struct ctx	 c = { 0 };
	struct config	*cfg = xcalloc(1, sizeof(*cfg));
	struct stat	 st;
	yaml_mark_t	 start = { 0 };
	yaml_node_t	*root;
	size_t		 len = 0;
	char		*data = NULL;

	*out = NULL;
	c.path = path;
	c.dir = dir_of(path);
	cfg->path = xstrdup(path);
	if (read_file(&c, &data, &len, &st) == -1 ||
	    load_document(&c, data, len) == -1)
		goto out;
	/* "---" alone makes a document whose root is a null. */
	if ((root = yaml_document_get_root_node(&c.doc)) == NULL ||
	    node_is_null(root)) {
		cerr(&c, &start, "", "the file is empty (it needs at least a "
		    "websites: list)");
		goto out;
	}
	read_config(&c, cfg, root);
	if (c.nerrors == 0 && (st.st_mode & (S_IRGRP | S_IROTH)) &&
	    holds_secrets(cfg))
		log_warn("%s is readable by other users and holds secrets; "
		    "chmod 600 it", path);
out:
	if (c.nerrors > 0) {
		print_errors(&c);
		config_free(cfg);
		cfg = NULL;
	}
	if (c.have_doc)
		yaml_document_delete(&c.doc);
	free(data);
	free(c.dir);
	*out = cfg;
	return cfg ? 0 : -1;
}

void
config_free(struct config *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->redis.host);
	free(cfg->redis.password);
	free(cfg->redis.username);
	free(cfg->redis.socket);
	free(cfg->redis.prefix);
	for (i = 0; i < cfg->redis.nsentinels; i++)
		free(cfg->redis.sentinels[i].host);
	free(cfg->redis.sentinels);
	free(cfg->redis.master);
	free(cfg->redis.sentinel_password);
	free(cfg->heartbeat_url);
	for (i = 0; i < cfg->nsites; i++)
		site_clear(&cfg->sites[i]);
	free(cfg->sites);
	integrations_free(cfg);
	quiet_free_config(cfg);
	free(cfg->location);
	free(cfg);
}

const char *
config_location_invalid(const char *name)
{
	size_t	len = strlen(name);

	if (len == 0 || len > LOCATION_NAME_MAX)
		return "is not a location name: 1 to 32 characters expected";
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!isalnum(ch) && ch != '-' && ch != '_' && ch != '.')
			return "is not a location name: letters, digits, "
			    "'-', '_' and '.' only";
	}
	return NULL;
}

int
config_set_location(struct config *cfg, const char *name, const char *from)
{
	const char	*why;

	if ((why = config_location_invalid(name)) != NULL) {
		fprintf(stderr, "peekl: %s: \"%s\" %s\n", from, name, why);
		return -1;
	}
	free(cfg->location);
	cfg->location = xstrdup(name);
	return 0;
}

int
site_status_unacceptable(const struct site *site, int code)
{
	size_t	i;

	for (i = 0; i < site->nbad_status; i++)
		if (code >= site->bad_status[i].lo &&
		    code <= site->bad_status[i].hi)
			return 1;
	return 0;
}
