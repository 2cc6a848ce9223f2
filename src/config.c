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
#include "log.h"
#include "util.h"

/* Bounds on what we accept from outside; a monitor config is a few KiB. */
#define PREFIX_MAX	64	/* characters of redis.prefix */
#define MAX_FILE_SIZE	(4 * 1024 * 1024)
#define MAX_SITES	10000
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
	V_HOOKURL	/* an http(s) URL for a webhook */
};

#define F_SITE_ONLY	0x1	/* may not appear under defaults: */

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

/* The site table is indexed by this enum, so site_finish can ask where a
 * key was set. */
enum site_key {
	SK_URL, SK_PORT, SK_NAME, SK_INTERVAL, SK_RETRY, SK_RETRY_INTERVAL,
	SK_TIMEOUT, SK_CERTMON, SK_CERTMON_INTERVAL, SK_CERT_WARNING,
	SK_CERT_CRITICAL, SK_STATUS, SK_METHOD, SK_HEADERS, SK_KEYWORD,
	SK_FOLLOW, SK_CAFILE, SK__MAX
};

#define S(f)	offsetof(struct site, f)
static const struct keydef site_keys[SK__MAX] = {
	[SK_URL] = { "url", V_SITEURL, 0, 0, 0, 0, F_SITE_ONLY },
	[SK_PORT] = { "port", V_INT, S(port), 0, 1, 65535, 0 },
	[SK_NAME] = { "name", V_STR, S(name), 0, 0, 0, F_SITE_ONLY },
	[SK_INTERVAL] = { "interval", V_DURATION, S(interval_ms), 0,
	    SEC(1), YEARS10, 0 },
	[SK_RETRY] = { "retry", V_INT, S(retry), 0, 0, 100, 0 },
	[SK_RETRY_INTERVAL] = { "retry_interval", V_DURATION,
	    S(retry_interval_ms), 0, SEC(1), YEARS10, 0 },
	[SK_TIMEOUT] = { "timeout", V_DURATION, S(timeout_ms), 0, SEC(1),
	    SEC(300), 0 },
	[SK_CERTMON] = { "certificate_monitoring", V_BOOL, S(cert_monitoring),
	    0, 0, 0, 0 },
	[SK_CERTMON_INTERVAL] = { "certificate_monitoring_interval",
	    V_DURATION, S(cert_interval_ms), 0, SEC(1), YEARS10, 0 },
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
};
#undef S

enum redis_key {
	RK_HOST, RK_PORT, RK_DB, RK_PASSWORD, RK_USERNAME, RK_SOCKET,
	RK_PREFIX, RK_TIMESERIES, RK_RETENTION, RK__MAX
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
	[RK_RETENTION] = { "retention", V_DURATION, R(retention_ms), 0, SEC(1),
	    YEARS10, 0 },
};
#undef R

/* One table per integration; the first key is always the required URL. */
#define I(f)	offsetof(struct integration, f)
#define I_TIMEOUT { "timeout", V_DURATION, I(timeout_ms), 0, SEC(1), SEC(300), 0 }
static const struct keydef slack_keys[] = {
	{ "webhook", V_HOOKURL, I(url), 0, 0, 0, 0 },
	I_TIMEOUT,
};
static const struct keydef discord_keys[] = {
	{ "webhook", V_HOOKURL, I(url), 0, 0, 0, 0 },
	{ "username", V_STR, I(username), 0, 0, 0, 0 },
	I_TIMEOUT,
};
static const struct keydef webhook_keys[] = {
	{ "url", V_HOOKURL, I(url), 0, 0, 0, 0 },
	{ "headers", V_HEADERS, I(headers), I(nheaders), 0, 0, 0 },
	I_TIMEOUT,
};
#undef I

static const struct {
	const struct keydef	*keys;
	size_t			 nkeys;
} integ_tables[INTEG__MAX] = {
	[INTEG_SLACK] = { slack_keys, ARRAY_LEN(slack_keys) },
	[INTEG_DISCORD] = { discord_keys, ARRAY_LEN(discord_keys) },
	[INTEG_WEBHOOK] = { webhook_keys, ARRAY_LEN(webhook_keys) },
};

/* The names double as the keys under alertmanagers:. */
static const struct keydef integ_keys[INTEG__MAX] = {
	[INTEG_SLACK] = { "slack", V_NODE, 0, 0, 0, 0, 0 },
	[INTEG_DISCORD] = { "discord", V_NODE, 0, 0, 0, 0, 0 },
	[INTEG_WEBHOOK] = { "webhook", V_NODE, 0, 0, 0, 0, 0 },
};

enum top_key { TK_REDIS, TK_DEFAULTS, TK_MAXCONC, TK_WEBSITES, TK_ALERTS,
	TK__MAX };
static const struct keydef top_keys[TK__MAX] = {
	[TK_REDIS] = { "redis", V_NODE, 0, 0, 0, 0, 0 },
	[TK_DEFAULTS] = { "defaults", V_NODE, 0, 0, 0, 0, 0 },
	[TK_MAXCONC] = { "max_concurrency", V_INT,
	    offsetof(struct config, max_concurrency), 0, 1, 10000, 0 },
	[TK_WEBSITES] = { "websites", V_NODE, 0, 0, 0, 0, 0 },
	[TK_ALERTS] = { "alertmanagers", V_NODE, 0, 0, 0, 0, 0 },
};

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
};

/* The parts of an http(s) URL that we need. */
struct url {
	int		 https;
	char		*host;		/* malloc'd, without [] */
	int		 port;		/* explicit, or 80/443 */
	const char	*hostport;	/* into the URL: after scheme and userinfo */
};

/*
 * Records one error as "FILE:LINE:COL: KEYPATH (site "x"): message" (without
 * a position when mark is NULL, without a key path when kp is empty). They
 * are printed sorted by position once the whole file has been read, since
 * sections are read in an order of our choosing, not the file's.
 */
static void __attribute__((format(printf, 4, 5)))
cerr(struct ctx *c, const yaml_mark_t *mark, const char *kp, const char *fmt,
    ...)
{
	struct buf	 b = { 0 };
	struct cerror	*e;
	va_list		 ap;
	char		*msg;

	if (c->mute)
		return;
	if (c->nerrors == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->errors = xrealloc(c->errors, c->cap * sizeof(*c->errors));
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	buf_puts(&b, c->path);
	if (mark != NULL)
		buf_printf(&b, ":%zu:%zu", mark->line + 1, mark->column + 1);
	buf_puts(&b, ": ");
	if (kp != NULL && *kp != '\0') {
		buf_puts(&b, kp);
		if (c->site != NULL)
			buf_printf(&b, " (site \"%s\")", c->site);
		buf_puts(&b, ": ");
	}
	buf_puts(&b, msg ? msg : "(out of memory)");
	free(msg);
	e = &c->errors[c->nerrors];
	e->line = mark ? mark->line + 1 : 0;
	e->column = mark ? mark->column + 1 : 0;
	e->seq = c->nerrors++;
	e->text = b.data;
}

static int
cerror_cmp(const void *a, const void *b)
{
	const struct cerror	*x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Prints the errors recorded in c, in file order, and their count. */
static void
print_errors(struct ctx *c)
{
	size_t	i;

	qsort(c->errors, c->nerrors, sizeof(*c->errors), cerror_cmp);
	for (i = 0; i < c->nerrors; i++) {
		if (i < MAX_PRINTED)
			fprintf(stderr, "%s\n", c->errors[i].text);
		free(c->errors[i].text);
	}
	if (c->nerrors > MAX_PRINTED)
		fprintf(stderr, "%s: %zu more errors not shown\n", c->path,
		    c->nerrors - MAX_PRINTED);
	fprintf(stderr, "%s: %zu error%s\n", c->path, c->nerrors,
	    c->nerrors == 1 ? "" : "s");
	free(c->errors);
}

#define AT(node)	(&(node)->start_mark)

static yaml_node_t *
node_get(struct ctx *c, int idx)
{
	return yaml_document_get_node(&c->doc, idx);
}

/* Returns "a string", "a list" or "a mapping", for "found ..." messages. */
static const char *
node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "a single value";
	}
}

/* Returns 1 when n is a YAML null: "key:" with nothing after it, or ~. */
static int
node_is_null(const yaml_node_t *n)
{
	const char	*v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return *v == '\0' || strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0;
}

static void
set_str(char **field, char *s)
{
	free(*field);
	*field = s;
}

/* Formats a key path into out (KP_LEN bytes). A path too long for it is
 * cut, which only shortens a message, so truncation is not an error. */
static void __attribute__((format(printf, 2, 3)))
kp_fmt(char *out, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vsnprintf(out, KP_LEN, fmt, ap) >= KP_LEN)
		memcpy(out + KP_LEN - 4, "...", 4);
	va_end(ap);
}

static void
child_path(char *out, const char *kp, const char *key)
{
	kp_fmt(out, "%s%s%s", kp, *kp ? "." : "", key);
}

/* Formats ms as the shortest exact "30d", "5m", "90s" for range messages. */
static void
fmt_dur(long long ms, char *out, size_t outsz)
{
	if (ms % DAYS(1) == 0)
		snprintf(out, outsz, "%lldd", ms / DAYS(1));
	else if (ms % SEC(3600) == 0)
		snprintf(out, outsz, "%lldh", ms / SEC(3600));
	else if (ms % SEC(60) == 0)
		snprintf(out, outsz, "%lldm", ms / SEC(60));
	else
		snprintf(out, outsz, "%llds", ms / SEC(1));
}

/*
 * Returns in *out the value of scalar node v after ${VAR} expansion (the
 * caller frees it), or -1 after reporting why there is none.
 */
static int
scalar(struct ctx *c, yaml_node_t *v, const char *kp, const char *expect,
    char **out)
{
	char	*err;

	*out = NULL;
	if (v->type != YAML_SCALAR_NODE) {
		cerr(c, AT(v), kp, "expected %s, found %s", expect,
		    node_kind(v));
		return -1;
	}
	if (node_is_null(v)) {
		cerr(c, AT(v), kp, "no value given (expected %s)", expect);
		return -1;
	}
	if (strlen((char *)v->data.scalar.value) != v->data.scalar.length) {
		cerr(c, AT(v), kp, "value contains a NUL character");
		return -1;
	}
	if ((*out = env_expand((char *)v->data.scalar.value, &err)) == NULL) {
		cerr(c, AT(v), kp, "%s", err);
		free(err);
		return -1;
	}
	return 0;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s))
			return 1;
	return 0;
}

/* Returns 0 and the boolean in *out, -1 if s is not one we accept. */
static int
parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "yes", "on" };
	static const char *const no[] = { "false", "no", "off" };
	size_t	i;

	for (i = 0; i < ARRAY_LEN(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/*
 * Splits an http:// or https:// URL into u (free u->host). Returns NULL, or
 * a message saying what is wrong with it.
 */
static const char *
url_parse(const char *s, struct url *u)
{
	const char	*auth, *end, *at, *host, *hend, *p;
	long long	 port;
	char		*num;
	int		 bad;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(s, "https://", 8) == 0)
		u->https = 1;
	else if (strncasecmp(s, "http://", 7) != 0)
		return "is not an http:// or https:// URL";
	for (p = s; *p != '\0'; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return "contains a space or control character";
	auth = s + (u->https ? 8 : 7);
	end = auth + strcspn(auth, "/?#");
	at = memrchr(auth, '@', (size_t)(end - auth));
	/* libcurl refuses a second '@'; a password holding one must encode it. */
	if (at != NULL && memchr(auth, '@', (size_t)(at - auth)) != NULL)
		return "has '@' in its user or password: write it as %40";
	host = at ? at + 1 : auth;
	u->hostport = host;
	if (*host == '[') {
		/* An IPv6 literal: [::1]:8443. */
		if ((hend = memchr(host, ']', (size_t)(end - host))) == NULL)
			return "has an unterminated [IPv6 address]";
		if (hend == host + 1 || strspn(host + 1, "0123456789abcdefABCDEF:.")
		    != (size_t)(hend - host - 1) || memchr(host, ':',
		    (size_t)(hend - host)) == NULL)
			return "has an invalid [IPv6 address]";
		u->host = xstrndup(host + 1, (size_t)(hend - host - 1));
		p = hend + 1;
	} else {
		hend = host + strcspn(host, ":/?#");
		if (hend == host)
			return "has no host";
		for (p = host; p < hend; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' &&
			    *p != '.' && *p != '_')
				return "has an invalid character in its host";
		u->host = xstrndup(host, (size_t)(hend - host));
		p = hend;
	}
	u->port = u->https ? 443 : 80;
	if (p < end && *p != ':') {
		free(u->host);
		u->host = NULL;
		return "has garbage after its host";
	}
	if (p < end) {
		num = xstrndup(p + 1, (size_t)(end - p - 1));
		bad = parse_ll(num, 1, 65535, &port) == -1 || !isdigit(
		    (unsigned char)num[0]);
		free(num);
		if (bad) {
			free(u->host);
			u->host = NULL;
			return "has an invalid port (1 to 65535)";
		}
		u->port = (int)port;
	}
	return NULL;
}

/* Returns the default name of a site: its URL without scheme, userinfo
 * (which may hold a password) and trailing slashes. Caller frees. */
static char *
derive_name(const struct url *u)
{
	size_t	len = strlen(u->hostport);

	while (len > 0 && u->hostport[len - 1] == '/')
		len--;
	return xstrndup(u->hostport, len);
}

static int
conv_int(struct ctx *c, const struct keydef *k, yaml_node_t *v,
    const char *kp, const char *s, int *field)
{
	long long	 n;

	if (parse_ll(s, LLONG_MIN, LLONG_MAX, &n) == -1) {
		cerr(c, AT(v), kp, "\"%s\" is not a whole number", s);
		return -1;
	}
	if (n < k->min || n > k->max) {
		cerr(c, AT(v), kp, "%lld is out of range (%lld to %lld)", n,
		    k->min, k->max);
		return -1;
	}
	*field = (int)n;
	return 0;
}

static int
conv_duration(struct ctx *c, const struct keydef *k, yaml_node_t *v,
    const char *kp, const char *s, int64_t *field)
{
	int64_t	 ms;
	char	 lo[32], hi[32];

	if (parse_duration_ms(s, &ms) == -1) {
		cerr(c, AT(v), kp, "\"%s\" is not a duration (e.g. 30, 90s, "
		    "5m)", s);
		return -1;
	}
	if (ms < k->min || ms > k->max) {
		fmt_dur(k->min, lo, sizeof(lo));
		fmt_dur(k->max, hi, sizeof(hi));
		cerr(c, AT(v), kp, "\"%s\" is out of range (%s to %s)", s, lo,
		    hi);
		return -1;
	}
	*field = ms;
	return 0;
}

static int
conv_tsmode(struct ctx *c, yaml_node_t *v, const char *kp, const char *s,
    enum ts_mode *field)
{
	int	b;

	if (strcasecmp(s, "auto") == 0)
		*field = TS_AUTO;
	else if (parse_bool(s, &b) == 0)
		*field = b ? TS_ON : TS_OFF;
	else {
		cerr(c, AT(v), kp, "\"%s\" is not one of auto, on, off", s);
		return -1;
	}
	return 0;
}

/* Checks and upper-cases the HTTP method in s. */
static int
conv_method(struct ctx *c, yaml_node_t *v, const char *kp, char *s)
{
	size_t	i;
	char	*p;

	for (p = s; *p != '\0'; p++)
		*p = (char)toupper((unsigned char)*p);
	for (i = 0; i < ARRAY_LEN(methods); i++)
		if (strcmp(s, methods[i]) == 0)
			return 0;
	cerr(c, AT(v), kp, "\"%s\" is not a supported method (GET, HEAD, "
	    "POST, PUT, DELETE, PATCH, OPTIONS)", s);
	return -1;
}

/* Checks that s names a readable regular file; a relative path is taken
 * from the config file's directory, since peekl runs from a timer whose
 * working directory is nobody's business. Replaces *s with that path. */
static int
conv_file(struct ctx *c, yaml_node_t *v, const char *kp, char **s)
{
	struct stat	 st;
	char		*full;
	int		 fd, rc = -1;

	if ((*s)[0] != '/' && c->dir != NULL) {
		full = xasprintf("%s/%s", c->dir, *s);
		set_str(s, full);
	}
	/* O_NONBLOCK: a FIFO must be refused below, not hang the run. */
	if ((fd = open(*s, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		cerr(c, AT(v), kp, "cannot read \"%s\": %s", *s,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode))
		cerr(c, AT(v), kp, "\"%s\" is not a regular file", *s);
	else
		rc = 0;
	close(fd);
	return rc;
}

/* Reads a site's url into s's url, host, url_port and is_https. */
static int
conv_site_url(struct ctx *c, yaml_node_t *v, const char *kp, char *str,
    struct site *s)
{
	struct url	 u;
	const char	*why;
	char		 red[512];

	if ((why = url_parse(str, &u)) != NULL) {
		cerr(c, AT(v), kp, "\"%s\" %s",
		    redact_site_url(str, red, sizeof(red)), why);
		return -1;
	}
	set_str(&s->host, u.host);
	s->url_port = u.port;
	s->is_https = u.https;
	set_str(&s->url, xstrdup(str));
	return 0;
}

/* Checks a webhook URL; never prints it, since the whole of it is a
 * secret. */
static int
conv_hook_url(struct ctx *c, yaml_node_t *v, const char *kp, const char *s)
{
	struct url	 u;
	const char	*why;
	char		 red[256];

	if ((why = url_parse(s, &u)) != NULL) {
		cerr(c, AT(v), kp, "\"%s\" %s",
		    redact_secret_url(s, red, sizeof(red)), why);
		return -1;
	}
	free(u.host);
	return 0;
}

/* Reads one non_acceptable_status entry, "404" or "500-599", into r. */
static int
parse_status_entry(const char *s, struct status_range *r)
{
	const char	*dash = strchr(s, '-');
	long long	 lo, hi;
	char		*a;
	int		 bad;

	if (dash == NULL) {
		if (parse_ll(s, 100, 599, &lo) == -1)
			return -1;
		r->lo = r->hi = (int)lo;
		return 0;
	}
	a = xstrndup(s, (size_t)(dash - s));
	bad = parse_ll(a, 100, 599, &lo) == -1 ||
	    parse_ll(dash + 1, 100, 599, &hi) == -1 || lo > hi;
	free(a);
	if (bad)
		return -1;
	r->lo = (int)lo;
	r->hi = (int)hi;
	return 0;
}

static int
parse_status(struct ctx *c, yaml_node_t *v, const char *kp,
    struct status_range **field, size_t *nfield)
{
	struct status_range	*r;
	yaml_node_item_t	*it;
	char			 ikp[KP_LEN], *s;
	size_t			 n = 0;
	int			 rc = 0;

	if (v->type != YAML_SEQUENCE_NODE) {
		cerr(c, AT(v), kp, "expected a list of status codes such as "
		    "[404, \"500-599\"], found %s", node_kind(v));
		return -1;
	}
	it = v->data.sequence.items.start;
	r = xcalloc((size_t)(v->data.sequence.items.top - it) + 1, sizeof(*r));
	for (; it < v->data.sequence.items.top; it++) {
		yaml_node_t	*item = node_get(c, *it);

		kp_fmt(ikp, "%s[%zu]", kp,
		    (size_t)(it - v->data.sequence.items.start));
		if (scalar(c, item, ikp, "a status code", &s) == -1)
			rc = -1;
		else if (parse_status_entry(s, &r[n]) == -1) {
			cerr(c, AT(item), ikp, "\"%s\" is not a status code "
			    "(100 to 599) or a range like \"500-599\"", s);
			rc = -1;
		} else
			n++;
		free(s);
	}
	if (rc == -1) {
		free(r);
		return -1;
	}
	free(*field);
	*field = r;
	*nfield = n;
	return 0;
}

static void
free_headers(struct header *h, size_t n)
{
	size_t	i;

	for (i = 0; h != NULL && i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

/* Returns 1 when name is an HTTP header name (an RFC 9110 token). */
static int
valid_header_name(const char *name)
{
	if (*name == '\0')
		return 0;
	return strspn(name, "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == strlen(name);
}

/* Reads the pair at p into h, reporting what is wrong with it. */
static int
parse_header(struct ctx *c, yaml_node_pair_t *p, const char *kp,
    struct header *h, size_t n)
{
	yaml_node_t	*k = node_get(c, p->key), *v = node_get(c, p->value);
	char		 hkp[KP_LEN];
	size_t		 i;

	if (k->type != YAML_SCALAR_NODE ||
	    !valid_header_name((char *)k->data.scalar.value)) {
		cerr(c, AT(k), kp, "invalid header name");
		return -1;
	}
	child_path(hkp, kp, (char *)k->data.scalar.value);
	for (i = 0; i < n; i++)
		if (strcasecmp(h[i].name, (char *)k->data.scalar.value) == 0) {
			cerr(c, AT(k), hkp, "header given twice");
			return -1;
		}
	if (scalar(c, v, hkp, "a header value", &h[n].value) == -1)
		return -1;
	/* A newline would let the value smuggle in headers of its own. */
	if (has_control(h[n].value)) {
		cerr(c, AT(v), hkp, "header value contains a control character");
		free(h[n].value);
		h[n].value = NULL;
		return -1;
	}
	h[n].name = xstrdup((char *)k->data.scalar.value);
	return 0;
}

static int
parse_headers(struct ctx *c, yaml_node_t *v, const char *kp,
    struct header **field, size_t *nfield)
{
	yaml_node_pair_t	*p;
	struct header		*h;
	size_t			 n = 0;
	int			 rc = 0;

	if (v->type != YAML_MAPPING_NODE) {
		cerr(c, AT(v), kp, "expected a mapping of header names to "
		    "values, found %s", node_kind(v));
		return -1;
	}
	p = v->data.mapping.pairs.start;
	h = xcalloc((size_t)(v->data.mapping.pairs.top - p) + 1, sizeof(*h));
	for (; p < v->data.mapping.pairs.top; p++) {
		if (parse_header(c, p, kp, h, n) == -1)
			rc = -1;
		else
			n++;
	}
	if (rc == -1) {
		free_headers(h, n);
		return -1;
	}
	free_headers(*field, *nfield);
	*field = h;
	*nfield = n;
	return 0;
}

/* Returns a description of what a key of type t holds, for messages. */
static const char *
expect_of(enum vtype t)
{
	switch (t) {
	case V_INT:
		return "a whole number";
	case V_DURATION:
		return "a duration (e.g. 30, 90s, 5m)";
	case V_BOOL:
		return "true or false";
	case V_TSMODE:
		return "auto, on or off";
	case V_SITEURL:
	case V_HOOKURL:
		return "an http:// or https:// URL";
	case V_FILE:
		return "a file path";
	default:
		return "a string";
	}
}

/* Checks a string s for key k and stores it (taking s) into field. */
static int
conv_string(struct ctx *c, const struct keydef *k, yaml_node_t *v,
    const char *kp, char *s, char **field)
{
	int	rc = 0;

	if (k->type == V_OPTSTR && *s == '\0') {
		free(s);
		s = NULL;
	} else if (*s == '\0') {
		cerr(c, AT(v), kp, "must not be empty");
		rc = -1;
	} else if (has_control(s)) {
		cerr(c, AT(v), kp, "contains a control character");
		rc = -1;
	} else if (k->type == V_PREFIX && strpbrk(s, " \t") != NULL) {
		cerr(c, AT(v), kp, "\"%s\" must not contain spaces", s);
		rc = -1;
	} else if (k->type == V_PREFIX && strlen(s) > PREFIX_MAX) {
		/* Keys are built in fixed buffers; a namespace needs no more. */
		cerr(c, AT(v), kp, "is longer than %d characters", PREFIX_MAX);
		rc = -1;
	} else if (k->type == V_METHOD)
		rc = conv_method(c, v, kp, s);
	else if (k->type == V_FILE)
		rc = conv_file(c, v, kp, &s);
	else if (k->type == V_HOOKURL)
		rc = conv_hook_url(c, v, kp, s);
	if (rc == -1)
		free(s);
	else
		set_str(field, s);
	return rc;
}

/* Reads value node v of key k into obj; returns -1 after reporting. */
static int
parse_value(struct ctx *c, const struct keydef *k, yaml_node_t *v,
    const char *kp, void *obj)
{
	char	*field = (char *)obj + k->off, *s;
	int	 rc = -1, b;

	if (k->type == V_NODE)
		return 0;
	if (k->type == V_STATUS)
		return parse_status(c, v, kp, (struct status_range **)field,
		    (size_t *)((char *)obj + k->off2));
	if (k->type == V_HEADERS)
		return parse_headers(c, v, kp, (struct header **)field,
		    (size_t *)((char *)obj + k->off2));
	if (scalar(c, v, kp, expect_of(k->type), &s) == -1)
		return -1;
	switch (k->type) {
	case V_INT:
		rc = conv_int(c, k, v, kp, s, (int *)field);
		break;
	case V_DURATION:
		rc = conv_duration(c, k, v, kp, s, (int64_t *)field);
		break;
	case V_BOOL:
		if ((rc = parse_bool(s, &b)) == -1)
			cerr(c, AT(v), kp, "\"%s\" is not a boolean (true/false, "
			    "yes/no, on/off)", s);
		else
			*(int *)field = b;
		break;
	case V_TSMODE:
		rc = conv_tsmode(c, v, kp, s, (enum ts_mode *)field);
		break;
	case V_SITEURL:
		rc = conv_site_url(c, v, kp, s, obj);
		break;
	default:
		/* conv_string takes s. */
		return conv_string(c, k, v, kp, s, (char **)field);
	}
	free(s);
	return rc;
}

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
static const char *
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
static int
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
static void
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
static yaml_node_t *
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
	if (url_parse(s, &u) == NULL) {
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

		if (url_parse(s->url, &u) == NULL) {
			s->name = derive_name(&u);
			free(u.host);
		}
	}
	if (seen[SK_PORT] == NULL)
		s->port = s->url_port;
	if (seen[SK_RETRY_INTERVAL] == NULL)
		s->retry_interval_ms = s->interval_ms;
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
	/* When both came from defaults: (or built-in defaults), the
	 * defaults: section has been blamed already. */
	if ((seen[SK_CERT_CRITICAL] != NULL &&
	    seen[SK_CERT_CRITICAL] != dseen[SK_CERT_CRITICAL]) ||
	    (seen[SK_CERT_WARNING] != NULL &&
	    seen[SK_CERT_WARNING] != dseen[SK_CERT_WARNING])) {
		child_path(ckp, kp, seen[SK_CERT_CRITICAL] ? "cert_critical" :
		    "cert_warning");
		check_cert_days(c, s, seen[SK_CERT_CRITICAL] ?
		    seen[SK_CERT_CRITICAL] : seen[SK_CERT_WARNING], ckp);
	}
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

static void
read_redis(struct ctx *c, struct redis_conf *r, yaml_node_t *node)
{
	yaml_node_t	*seen[RK__MAX] = { 0 };

	r->host = xstrdup("127.0.0.1");
	r->port = 6379;
	r->prefix = xstrdup("peekl");
	r->timeseries = TS_AUTO;
	r->retention_ms = DAYS(30);
	if (node == NULL)
		return;
	parse_keys(c, node, "redis", redis_keys, RK__MAX, r, seen, 0);
	if (r->username != NULL && r->password == NULL)
		cerr(c, AT(seen[RK_USERNAME]), "redis.username",
		    "username requires a password");
}

/* Reads one integration under alertmanagers: into in. */
static void
read_integration(struct ctx *c, enum integration_kind kind, yaml_node_t *node,
    struct integration *in)
{
	const struct keydef	*tab = integ_tables[kind].keys;
	yaml_node_t		*seen[4] = { 0 };
	char			 kp[KP_LEN];

	in->kind = kind;
	in->timeout_ms = SEC(10);
	if (kind == INTEG_DISCORD)
		in->username = xstrdup("Peekl");
	child_path(kp, "alertmanagers", integration_name(kind));
	parse_keys(c, node, kp, tab, integ_tables[kind].nkeys, in, seen, 0);
	if (seen[0] == NULL)
		cerr(c, AT(node), kp, "missing required key '%s'", tab[0].name);
}

static void
read_alertmanagers(struct ctx *c, struct config *cfg, yaml_node_t *node)
{
	yaml_node_t	*seen[INTEG__MAX] = { 0 };
	int		 k;

	if (node == NULL)
		return;
	parse_keys(c, node, "alertmanagers", integ_keys, INTEG__MAX, cfg, seen,
	    0);
	cfg->integrations = xcalloc(INTEG__MAX, sizeof(*cfg->integrations));
	for (k = 0; k < INTEG__MAX; k++)
		if (seen[k] != NULL)
			read_integration(c, (enum integration_kind)k, seen[k],
			    &cfg->integrations[cfg->nintegrations++]);
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
}

/* Reads the whole file into *data (caller frees); -1 after reporting. */
static int
read_file(struct ctx *c, char **data, size_t *len, struct stat *st)
{
	ssize_t	 n;
	int	 fd, rc = -1;

	*data = NULL;
	/* O_NONBLOCK: a FIFO must be refused below, not hang the run. */
	if ((fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		cerr(c, NULL, "", "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1) {
		cerr(c, NULL, "", "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st->st_mode)) {
		cerr(c, NULL, "", "not a regular file");
		goto out;
	}
	if (st->st_size > MAX_FILE_SIZE) {
		cerr(c, NULL, "", "file is larger than 4 MiB");
		goto out;
	}
	*data = xcalloc(1, (size_t)st->st_size + 1);
	for (*len = 0; *len < (size_t)st->st_size; *len += (size_t)n) {
		n = read(fd, *data + *len, (size_t)st->st_size - *len);
		if (n == -1 && errno == EINTR)
			n = 0;
		else if (n == -1) {
			cerr(c, NULL, "", "cannot read: %s", strerror(errno));
			goto out;
		} else if (n == 0)
			break;
	}
	rc = 0;
out:
	if (rc == -1) {
		free(*data);
		*data = NULL;
	}
	close(fd);
	return rc;
}

static void
yaml_error(struct ctx *c, yaml_parser_t *p)
{
	const char	*problem = p->problem ? p->problem : "unknown error";

	if (p->context != NULL)
		cerr(c, &p->problem_mark, "", "invalid YAML: %s %s (at line "
		    "%zu:%zu)", problem, p->context, p->context_mark.line + 1,
		    p->context_mark.column + 1);
	else
		cerr(c, &p->problem_mark, "", "invalid YAML: %s", problem);
}

/*
 * Scans the events of data before loading it: returns -1 after reporting
 * malformed YAML, an alias (whose expansion could be made exponential,
 * the "billion laughs") or a second document.
 */
static int
yaml_precheck(struct ctx *c, const char *data, size_t len)
{
	yaml_parser_t	 p;
	yaml_event_t	 ev;
	int		 ndocs = 0, rc = 0, done = 0;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			yaml_error(c, &p);
			rc = -1;
			break;
		}
		if (ev.type == YAML_ALIAS_EVENT) {
			cerr(c, &ev.start_mark, "", "aliases are not supported");
			rc = -1;
		} else if (ev.type == YAML_DOCUMENT_START_EVENT && ++ndocs > 1) {
			cerr(c, &ev.start_mark, "", "only one YAML document is "
			    "allowed");
			rc = -1;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return rc;
}

static int
load_document(struct ctx *c, const char *data, size_t len)
{
	yaml_parser_t	p;
	int		rc = 0;

	if (yaml_precheck(c, data, len) == -1)
		return -1;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	if (!yaml_parser_load(&p, &c->doc)) {
		yaml_error(c, &p);
		rc = -1;
	} else
		c->have_doc = 1;
	yaml_parser_delete(&p);
	return rc;
}

/* Returns 1 when cfg holds something an eavesdropper could use. */
static int
holds_secrets(const struct config *cfg)
{
	size_t	i;

	char	red[1024];

	if (cfg->redis.password != NULL || cfg->nintegrations > 0)
		return 1;
	for (i = 0; i < cfg->nsites; i++) {
		if (cfg->sites[i].nheaders > 0)
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
	for (i = 0; i < cfg->nsites; i++)
		site_clear(&cfg->sites[i]);
	free(cfg->sites);
	for (i = 0; i < cfg->nintegrations; i++) {
		free(cfg->integrations[i].url);
		free(cfg->integrations[i].username);
		free_headers(cfg->integrations[i].headers,
		    cfg->integrations[i].nheaders);
	}
	free(cfg->integrations);
	free(cfg);
}

const char *
integration_name(enum integration_kind kind)
{
	static const char *const names[INTEG__MAX] = {
		[INTEG_SLACK] = "slack",
		[INTEG_DISCORD] = "discord",
		[INTEG_WEBHOOK] = "webhook",
	};

	if ((int)kind < 0 || kind >= INTEG__MAX)
		return "unknown";
	return names[kind];
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
