/* Every kind of config value, checked and converted: numbers, durations,
 * booleans, URLs, status lists, headers, files. */
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

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS",
};

static void
set_str(char **field, char *s)
{
	free(*field);
	*field = s;
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
	else if (ms % SEC(1) == 0)
		snprintf(out, outsz, "%llds", ms / SEC(1));
	else
		snprintf(out, outsz, "%lldms", ms);
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
const char *
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

/* The TLS endpoints' schemes, with their default ports (0: required). */
static const struct {
	const char	*prefix;
	enum site_scheme scheme;
	int		 port;
} endpoints[] = {
	{ "tls://", SCHEME_TLS, 0 },
	{ "smtp://", SCHEME_SMTP, 25 },
	{ "imap://", SCHEME_IMAP, 143 },
	{ "pop3://", SCHEME_POP3, 110 },
};

const char *
site_url_parse(const char *s, struct url *u)
{
	const char	*why, *rest = NULL, *p;
	char		*https;
	size_t		 i, plen = 0;

	for (i = 0; i < ARRAY_LEN(endpoints); i++) {
		plen = strlen(endpoints[i].prefix);
		if (strncasecmp(s, endpoints[i].prefix, plen) == 0) {
			rest = s + plen;
			break;
		}
	}
	if (rest == NULL) {
		if ((why = url_parse(s, u)) == NULL)
			u->scheme = u->https ? SCHEME_HTTPS : SCHEME_HTTP;
		return why;
	}
	/* The host and port rules are the web's: parse it as one. */
	https = xasprintf("https://%s", rest);
	why = url_parse(https, u);
	free(https);
	if (why != NULL)
		return strcmp(why, "is not an http:// or https:// URL") == 0 ?
		    "is not a URL" : why;
	u->https = 0;
	u->scheme = endpoints[i].scheme;
	u->hostport = rest;
	p = rest + (*rest == '[' ? strcspn(rest, "]") + 1 :
	    strcspn(rest, ":/?#"));
	u->port_given = *p == ':';
	p += strcspn(p, "/?#");
	why = NULL;
	if (memchr(rest, '@', (size_t)(p - rest)) != NULL)
		why = "has a user name: a TLS endpoint is HOST:PORT only";
	else if (*p != '\0' && strcmp(p, "/") != 0)
		why = "has a path or query: a TLS endpoint is HOST:PORT only";
	else if (!u->port_given && endpoints[i].port == 0)
		why = "has no port: write tls://HOST:PORT";
	if (why != NULL) {
		free(u->host);
		u->host = NULL;
		return why;
	}
	if (!u->port_given)
		u->port = endpoints[i].port;
	return NULL;
}

int
site_cert_only(const struct site *site)
{
	return site->scheme != SCHEME_HTTP && site->scheme != SCHEME_HTTPS;
}

/* Returns the default name of a site: its URL without scheme, userinfo
 * (which may hold a password) and trailing slashes; HOST:PORT for a TLS
 * endpoint. Caller frees. */
char *
derive_name(const struct url *u)
{
	size_t	len = strlen(u->hostport);

	if (u->scheme != SCHEME_HTTP && u->scheme != SCHEME_HTTPS)
		return xasprintf(strchr(u->host, ':') != NULL ? "[%s]:%d" :
		    "%s:%d", u->host, u->port);

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
		    "5m%s)", s, k->flags & F_WHOLE_S ? "" : ", 800ms, 1.5s");
		return -1;
	}
	/* A timer cannot wake a run more often than once a second, and
	 * Redis keeps a retention in whole seconds. */
	if ((k->flags & F_WHOLE_S) && ms % SEC(1) != 0) {
		cerr(c, AT(v), kp, "\"%s\" is below a second: the smallest "
		    "unit here is 1s", s);
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

/* Reads weak_crypto: what a weak signature or key makes the state. */
static int
conv_weak(struct ctx *c, yaml_node_t *v, const char *kp, const char *s,
    enum weak_crypto *field)
{
	if (strcmp(s, "warning") == 0)
		*field = WEAK_WARNING;
	else if (strcmp(s, "critical") == 0)
		*field = WEAK_CRITICAL;
	else if (strcmp(s, "ignore") == 0)
		*field = WEAK_IGNORE;
	else {
		cerr(c, AT(v), kp, "\"%s\" is not one of warning, critical, "
		    "ignore", s);
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

	if ((why = site_url_parse(str, &u)) != NULL) {
		cerr(c, AT(v), kp, "\"%s\" %s",
		    redact_site_url(str, red, sizeof(red)), why);
		return -1;
	}
	set_str(&s->host, u.host);
	s->url_port = u.port;
	s->is_https = u.https;
	s->scheme = u.scheme;
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

int
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

void
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
	case V_WEAKCRYPTO:
		return "warning, critical or ignore";
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
int
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
	if (k->type >= V_REGEX && k->type <= V_BODY)
		return parse_check_value(c, k, v, kp, obj);
	if (k->type == V_NAMES)
		return parse_names(c, v, kp, (char ***)field,
		    (size_t *)((char *)obj + k->off2));
	if (k->type == V_SMTPURL || k->type == V_ADDRLIST)
		return parse_notify_value(c, k, v, kp, obj);
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
	case V_WEAKCRYPTO:
		rc = conv_weak(c, v, kp, s, (enum weak_crypto *)field);
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
