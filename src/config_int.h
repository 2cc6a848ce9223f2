/*
 * What the three parts of the config loader share: config_yaml.c (the file,
 * libyaml's document, positioned errors), config_value.c (every kind of
 * value, checked and converted), config.c (the key tables, the sections and
 * the rules between keys). Not part of the config.h interface.
 */
#ifndef PEEKL_CONFIG_INT_H
#define PEEKL_CONFIG_INT_H

#include <stddef.h>
#include <sys/stat.h>

#include <yaml.h>

#include "config.h"

/* Bounds on what we accept from outside; a monitor config is a few KiB. */
#define PREFIX_MAX	64	/* characters of redis.prefix */
#define MAX_FILE_SIZE	(4 * 1024 * 1024)
#define MAX_SITES	50000	/* 20,000 validate in under 1 s */
#define MAX_PRINTED	200	/* errors printed; the rest are only counted */
#define KP_LEN		256	/* a key path such as websites[12].headers.X */

struct cerror {
	size_t		 line, column;	/* 1-based; 0 when the file has none */
	size_t		 seq;		/* order of discovery, to keep sorts stable */
	char		*text;		/* the whole line */
};

struct ctx {
	const char	*path;		/* the config file, as given */
	char		*dir;		/* its directory, for relative ca_file */
	yaml_document_t	 doc;
	int		 have_doc;
	struct cerror	*errors;
	size_t		 nerrors, cap;
	int		 mute;		/* > 0: errors are neither printed nor counted */
	const char	*site;		/* label of the site being read, or NULL */
};

/* How a key's value is read and checked. */
enum vtype {
	V_NODE,		/* a section, read afterwards by its own function */
	V_STR,		/* non-empty string without control characters */
	V_OPTSTR,	/* string; empty means "not set" (NULL) */
	V_INT,		/* whole number in [min, max] */
	V_DURATION,	/* seconds or 90s/5m/2h/30d, in [min, max] ms */
	V_BOOL,
	V_TSMODE,
	V_PREFIX,	/* Redis key prefix: non-empty, no spaces, short */
	V_METHOD,
	V_STATUS,	/* list of codes and "lo-hi" ranges */
	V_HEADERS,	/* mapping of header name to value */
	V_FILE,		/* a readable regular file */
	V_SITEURL,	/* a site's url: fills url, host, url_port, is_https */
	V_HOOKURL,	/* an http(s) URL for a webhook */
	V_REGEX,	/* body_regex: a POSIX ERE, compiled */
	V_HEXPECT,	/* headers_expect: header name -> ERE */
	V_JSON,		/* json: a list of assertions */
	V_AUTH,		/* basic_auth: {username, password} */
	V_IPVER,	/* ip_version: 4 or 6 */
	V_BODY,		/* a request body: any text */
	V_WEAKCRYPTO,	/* warning, critical or ignore */
	V_NAMES,	/* a list of names (or one): char ** and its count */
	V_SMTPURL,	/* email: smtp:// or smtps:// HOST[:PORT] */
	V_ADDRLIST	/* email: one address or a list of them */
};

#define F_SITE_ONLY	0x1	/* may not appear under defaults: */
#define F_WHOLE_S	0x2	/* V_DURATION: whole seconds only (no 800ms) */
#define F_REQUIRED	0x4	/* an integration key that must be given */
#define F_ALIAS		0x8	/* an integration key naming its table's first
				 * key another way (url / api_url) */

struct keydef {
	const char	*name;
	enum vtype	 type;
	size_t		 off;		/* the field in the target struct */
	size_t		 off2;		/* its count field (V_STATUS, V_HEADERS) */
	long long	 min, max;	/* V_INT: the value; V_DURATION: ms */
	int		 flags;
};

#define SEC(n)		((long long)(n) * 1000)
#define DAYS(n)		((long long)(n) * 86400 * 1000)
#define YEARS10		DAYS(3660)

/* The parts of an http(s) URL (or a site's TLS endpoint) that we need. */
struct url {
	int		 https;
	enum site_scheme scheme;	/* site_url_parse only */
	int		 port_given;	/* site_url_parse only: PORT written */
	char		*host;		/* malloc'd, without [] */
	int		 port;		/* explicit, or 80/443 */
	const char	*hostport;	/* into the URL: after scheme and userinfo */
};

#define AT(node)	(&(node)->start_mark)

/* --- config_yaml.c --- */

/* Records one error as "FILE:LINE:COL: KEYPATH (site "x"): message". */
void	 cerr(struct ctx *c, const yaml_mark_t *mark, const char *kp,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Prints the recorded errors in file order, then their count. */
void	 print_errors(struct ctx *c);
yaml_node_t *node_get(struct ctx *c, int idx);
const char *node_kind(const yaml_node_t *n);
int	 node_is_null(const yaml_node_t *n);
void	 kp_fmt(char *out, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 child_path(char *out, const char *kp, const char *key);
/* Sets *out to a malloc'd copy of v's text (${VAR} expanded); -1 after
 * reporting when v is not a scalar. */
int	 scalar(struct ctx *c, yaml_node_t *v, const char *kp,
	    const char *expect, char **out);
int	 read_file(struct ctx *c, char **data, size_t *len, struct stat *st);
int	 load_document(struct ctx *c, const char *data, size_t len);

/* --- config_value.c --- */

/* Returns NULL when s is a usable http(s) URL (filling u), else why not. */
const char *url_parse(const char *s, struct url *u);
/* Like url_parse, for a site's url: also tls://HOST:PORT, smtp://,
 * imap:// and pop3://HOST[:PORT], which may hold nothing but host, port
 * and a final "/". */
const char *site_url_parse(const char *s, struct url *u);
/* Returns a site's default name (malloc'd) from its parsed URL. */
char	*derive_name(const struct url *u);
/* Reads one non_acceptable_status entry, "404" or "500-599", into r; -1 if
 * it is neither (extern for fuzz/fuzz_values.c). */
int	 parse_status_entry(const char *s, struct status_range *r);
void	 free_headers(struct header *h, size_t n);
/* Reads value node v of key k into the struct at obj; -1 after reporting. */
int	 parse_value(struct ctx *c, const struct keydef *k, yaml_node_t *v,
	    const char *kp, void *obj);

/* --- config.c --- */

/* Returns the index in tab of the key named by key node k, or -1 after
 * reporting an unknown key (with a "did you mean"). */
int	 find_key(struct ctx *c, yaml_node_t *k, const char *kp,
	    const struct keydef *tab, size_t ntab);

/* Returns the name in tab closest to key (within 2 edits, or one that key
 * is a prefix of), for a "did you mean"; NULL when none is close. */
const char *suggest(const char *key, const struct keydef *tab, size_t ntab);
/* Reads every key of mapping map through tab into obj, reporting unknown,
 * repeated and invalid keys; seen[i] receives tab[i]'s value node. */
void	 parse_keys(struct ctx *c, yaml_node_t *map, const char *kp,
	    const struct keydef *tab, size_t ntab, void *obj, yaml_node_t **seen,
	    int in_defaults);
/* Returns the value node of key name in mapping map, or NULL. */
yaml_node_t *map_get(struct ctx *c, yaml_node_t *map, const char *name);

/* --- config_alerting.c --- */

/* Reads alertmanagers: (the integration instances) into cfg. */
void	 read_alertmanagers(struct ctx *c, struct config *cfg,
	    yaml_node_t *node);
/* Reads alerting: (group_threshold) into cfg, defaults applied. */
void	 read_alerting(struct ctx *c, struct config *cfg, yaml_node_t *node);
/* Checks that the names routing refers to exist: each site's alert_to
 * (and defaults:'s) are instances, each instance's sites are sites. */
void	 check_routes(struct ctx *c, const struct config *cfg,
	    yaml_node_t *websites, yaml_node_t *defaults,
	    yaml_node_t *alertmanagers);
/* Frees cfg's integrations. */
void	 integrations_free(struct config *cfg);
/* Reads a V_NAMES value into *names, *n (replacing what was there); -1
 * after reporting. */
int	 parse_names(struct ctx *c, yaml_node_t *v, const char *kp,
	    char ***names, size_t *n);
void	 free_names(char **names, size_t n);

/* --- config_checks.c --- */

/* Reads value node v of a spec/checks.md key k (V_REGEX ... V_BODY) into
 * the site at obj; -1 after reporting. */
int	 parse_check_value(struct ctx *c, const struct keydef *k,
	    yaml_node_t *v, const char *kp, void *obj);
/* Frees what those keys hold. */
void	 site_checks_clear(struct site *s);

/* --- config_quiet.c --- */

/* Reads a site's depends_on list (node v) into s; reports what is wrong. */
void	 read_depends_on(struct ctx *c, yaml_node_t *v, const char *kp,
	    struct site *s);
/* Resolves every depends_on name; reports unknown names and cycles. */
void	 check_depends(struct ctx *c, struct config *cfg);
/* Reads the top-level maintenance: list (after the sites). */
void	 read_maintenance(struct ctx *c, struct config *cfg, yaml_node_t *list);
/* Free what the two hold; NULL-safe fields. */
void	 quiet_free_site(struct site *s);
void	 quiet_free_config(struct config *cfg);

/* --- config_sentinel.c --- */

#define MAX_SENTINELS	32	/* redis.sentinels entries */

/* Reads the list of "host:port" at node into r->sentinels; reports every
 * bad entry. */
void	 read_sentinels(struct ctx *c, yaml_node_t *node, const char *kp,
	    struct redis_conf *r);
/* --- config_notify.c --- */

/* Reads value node v of a spec/notifiers.md key k (V_SMTPURL, V_ADDRLIST)
 * into the integration at obj; -1 after reporting. */
int	 parse_notify_value(struct ctx *c, const struct keydef *k,
	    yaml_node_t *v, const char *kp, void *obj);
/* Checks the rules between an integration's keys (an email's smtp:// and
 * insecure_plaintext, ...) once they are read; node is its mapping. */
void	 notify_finish(struct ctx *c, yaml_node_t *node, const char *kp,
	    struct integration *in);
/* Frees what those keys hold. */
void	 integration_notify_clear(struct integration *in);
/* Sets in's URL to its type's default (pagerduty, opsgenie, telegram) and
 * returns 1; returns 0 for a type whose URL must be given. */
int	 notify_default_url(struct integration *in);

#endif
