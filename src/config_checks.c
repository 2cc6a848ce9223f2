/*
 * The values of spec/checks.md's site keys: regexes (compiled once, here,
 * so a bad one is a config error and a run never compiles one),
 * headers_expect, json assertions, basic_auth, ip_version and a request
 * body. config_value.c hands each of these kinds to parse_check_value.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <yaml.h>

#include "check_assert.h"
#include "config.h"
#include "config_int.h"
#include "util.h"

/* The keys of one json item: path and the operators, in enum json_op
 * order after it. */
static const struct keydef json_item_keys[1 + JOP__MAX] = {
	{ "path", V_NODE, 0, 0, 0, 0, 0 },
	{ "equals", V_NODE, 0, 0, 0, 0, 0 },
	{ "not_equals", V_NODE, 0, 0, 0, 0, 0 },
	{ "below", V_NODE, 0, 0, 0, 0, 0 },
	{ "above", V_NODE, 0, 0, 0, 0, 0 },
	{ "matches", V_NODE, 0, 0, 0, 0, 0 },
	{ "length", V_NODE, 0, 0, 0, 0, 0 },
	{ "exists", V_NODE, 0, 0, 0, 0, 0 },
};

static const struct keydef auth_keys[] = {
	{ "username", V_NODE, 0, 0, 0, 0, 0 },
	{ "password", V_NODE, 0, 0, 0, 0, 0 },
};

/* Frees a compiled regex; NULL is fine. */
static void
re_free(regex_t *re)
{
	if (re == NULL)
		return;
	regfree(re);
	free(re);
}

/*
 * Compiles pattern as a POSIX ERE; returns it (caller frees with re_free),
 * or NULL after reporting the regex and the library's message.
 */
static regex_t *
re_compile(struct ctx *c, yaml_node_t *v, const char *kp, const char *pattern)
{
	regex_t	*re = xcalloc(1, sizeof(*re));
	char	 msg[256];
	int	 rc;

	if ((rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, re, msg, sizeof(msg));
		cerr(c, AT(v), kp, "'%s' is not a valid regular expression: %s",
		    pattern, msg);
		free(re);
		return NULL;
	}
	return re;
}

/* Frees n headers_expect entries and the array; NULL is fine. */
static void
hexpect_free(struct header_expect *h, size_t n)
{
	for (size_t i = 0; h != NULL && i < n; i++) {
		free(h[i].name);
		free(h[i].pattern);
		re_free(h[i].re);
	}
	free(h);
}

/* Frees n json items and the array; NULL is fine. */
static void
jassert_free(struct json_assert *j, size_t n)
{
	for (size_t i = 0; j != NULL && i < n; i++) {
		free(j[i].path);
		json_decref(j[i].value);
		free(j[i].pattern);
		re_free(j[i].re);
		free(j[i].plain);
	}
	free(j);
}

void
site_checks_clear(struct site *s)
{
	free(s->ok_status);
	free(s->keyword_absent);
	free(s->body_regex);
	re_free(s->body_re);
	hexpect_free(s->hexpect, s->nhexpect);
	jassert_free(s->jassert, s->njassert);
	free(s->body);
	free(s->auth_user);
	free(s->auth_password);
	free(s->client_cert);
	free(s->client_key);
}

/* body_regex: the pattern and its compiled form. */
static int
parse_regex(struct ctx *c, yaml_node_t *v, const char *kp, struct site *s)
{
	regex_t	*re;
	char	*p;

	if (scalar(c, v, kp, "a regular expression", &p) == -1)
		return -1;
	if ((re = re_compile(c, v, kp, p)) == NULL) {
		free(p);
		return -1;
	}
	free(s->body_regex);
	re_free(s->body_re);
	s->body_regex = p;
	s->body_re = re;
	return 0;
}

/* headers_expect: each header name (checked like a request header's) and
 * its ERE, '' asking only for presence; -1 after reporting. */
static int
parse_hexpect(struct ctx *c, yaml_node_t *v, const char *kp, struct site *s)
{
	yaml_node_pair_t	*p;
	struct header_expect	*h;
	char			 hkp[KP_LEN];
	size_t			 n = 0, i;
	int			 rc = 0;

	if (v->type != YAML_MAPPING_NODE) {
		cerr(c, AT(v), kp, "expected a mapping of header names to "
		    "regular expressions, found %s", node_kind(v));
		return -1;
	}
	p = v->data.mapping.pairs.start;
	h = xcalloc((size_t)(v->data.mapping.pairs.top - p) + 1, sizeof(*h));
	for (; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t	*k = node_get(c, p->key), *pv = node_get(c,
		    p->value);
		const char	*name = (const char *)k->data.scalar.value;

		if (k->type != YAML_SCALAR_NODE || *name == '\0' ||
		    strspn(name, "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstu"
		    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(name)) {
			cerr(c, AT(k), kp, "invalid header name");
			rc = -1;
			continue;
		}
		child_path(hkp, kp, name);
		for (i = 0; i < n; i++)
			if (strcasecmp(h[i].name, name) == 0)
				break;
		if (i < n) {
			cerr(c, AT(k), hkp, "header given twice");
			rc = -1;
			continue;
		}
		/* '' (or nothing) asks only that the header be there. */
		if (node_is_null(pv))
			h[n].pattern = xstrdup("");
		else if (scalar(c, pv, hkp, "a regular expression",
		    &h[n].pattern) == -1) {
			rc = -1;
			continue;
		}
		if (h[n].pattern[0] != '\0' && (h[n].re = re_compile(c, pv, hkp,
		    h[n].pattern)) == NULL) {
			free(h[n].pattern);
			h[n].pattern = NULL;
			rc = -1;
			continue;
		}
		h[n++].name = xstrdup(name);
	}
	if (rc == -1) {
		hexpect_free(h, n);
		return -1;
	}
	hexpect_free(s->hexpect, s->nhexpect);
	s->hexpect = h;
	s->nhexpect = n;
	return 0;
}

/* Returns 0 and the finite decimal number s spells in *d, else -1 (no
 * hex, no inf or nan: a config means a plain number). */
static int
parse_number(const char *s, double *d)
{
	char	*end;

	if (*s == '\0' || strpbrk(s, "xXnNiI") != NULL ||
	    isspace((unsigned char)*s))
		return -1;
	errno = 0;
	*d = strtod(s, &end);
	return *end == '\0' && errno == 0 && isfinite(*d) ? 0 : -1;
}

/*
 * Reads the operand of equals/not_equals: a quoted scalar is a string; a
 * plain one is null, a boolean or a number when it reads as one, else a
 * string. Returns a new reference, or NULL after reporting.
 */
static json_t *
plain_value(struct ctx *c, yaml_node_t *v, const char *kp, char **plain)
{
	const char	*t = (const char *)v->data.scalar.value;
	char		*s;
	double		 d;
	long long	 n;
	json_t		*j;

	if (v->type != YAML_SCALAR_NODE) {
		cerr(c, AT(v), kp, "expected a string, number, boolean or null, "
		    "found %s", node_kind(v));
		return NULL;
	}
	if (node_is_null(v))
		return json_null();
	if (scalar(c, v, kp, "a value", &s) == -1)
		return NULL;
	if (v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && *t != '$')
		*plain = xstrdup(s);
	if (v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || *t == '$')
		j = json_string(s);
	else if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
		j = json_boolean(strcmp(s, "true") == 0);
	else if (parse_ll(s, -(1LL << 53), 1LL << 53, &n) == 0)
		j = json_integer(n);
	else if (parse_number(s, &d) == 0)
		j = json_real(d);
	else
		j = json_string(s);
	free(s);
	if (j == NULL)
		cerr(c, AT(v), kp, "is not valid UTF-8");
	return j;
}

/* Reads a number operand (below, above, length); NULL after reporting. */
static json_t *
number_value(struct ctx *c, yaml_node_t *v, const char *kp, int whole)
{
	char		*s;
	double		 d;
	long long	 n;
	json_t		*j = NULL;

	if (scalar(c, v, kp, whole ? "a whole number" : "a number", &s) == -1)
		return NULL;
	if (parse_ll(s, whole ? 0 : -(1LL << 53), 1LL << 53, &n) == 0)
		j = json_integer(n);
	else if (!whole && parse_number(s, &d) == 0)
		j = json_real(d);
	else
		cerr(c, AT(v), kp, "\"%s\" is not %s", s, whole ?
		    "a whole number (0 or more)" : "a number");
	free(s);
	return j;
}

/* Reads the operand of item j's operator from node v. */
static int
json_operand(struct ctx *c, yaml_node_t *v, const char *kp,
    struct json_assert *j)
{
	char	*s;
	int	 b;

	switch (j->op) {
	case JOP_EQUALS:
	case JOP_NOT_EQUALS:
		j->value = plain_value(c, v, kp, &j->plain);
		break;
	case JOP_BELOW:
	case JOP_ABOVE:
		j->value = number_value(c, v, kp, 0);
		break;
	case JOP_LENGTH:
		j->value = number_value(c, v, kp, 1);
		break;
	case JOP_EXISTS:
		if (scalar(c, v, kp, "true or false", &s) == -1)
			return -1;
		if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
		    strcasecmp(s, "on") == 0)
			b = 1;
		else if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") ==
		    0 || strcasecmp(s, "off") == 0)
			b = 0;
		else {
			cerr(c, AT(v), kp, "\"%s\" is not a boolean (true/false, "
			    "yes/no, on/off)", s);
			free(s);
			return -1;
		}
		free(s);
		j->value = json_boolean(b);
		break;
	case JOP_MATCHES:
		if (scalar(c, v, kp, "a regular expression", &j->pattern) == -1)
			return -1;
		if ((j->re = re_compile(c, v, kp, j->pattern)) == NULL)
			return -1;
		return 0;
	default:
		return -1;
	}
	return j->value != NULL ? 0 : -1;
}

/* Reads one json item; returns -1 after reporting what is wrong. */
static int
parse_json_item(struct ctx *c, yaml_node_t *item, const char *kp,
    struct json_assert *j)
{
	yaml_node_t		*seen[1 + JOP__MAX] = { 0 }, *opnode = NULL;
	yaml_node_pair_t	*p;
	char			 ckp[KP_LEN];
	int			 i, rc = 0, nops = 0, first = -1;

	if (item->type != YAML_MAPPING_NODE) {
		cerr(c, AT(item), kp, "expected a mapping such as {path: status, "
		    "equals: UP}, found %s", node_kind(item));
		return -1;
	}
	for (p = item->data.mapping.pairs.start;
	    p < item->data.mapping.pairs.top; p++) {
		yaml_node_t	*k = node_get(c, p->key);

		if (k->type != YAML_SCALAR_NODE) {
			cerr(c, AT(k), kp, "a key must be a plain name, found %s",
			    node_kind(k));
			rc = -1;
			continue;
		}
		if ((i = find_key(c, k, kp, json_item_keys,
		    ARRAY_LEN(json_item_keys))) == -1) {
			rc = -1;
			continue;
		}
		if (seen[i] != NULL) {
			child_path(ckp, kp, json_item_keys[i].name);
			cerr(c, AT(k), ckp, "given twice");
			rc = -1;
			continue;
		}
		seen[i] = node_get(c, p->value);
		if (i == 0)
			continue;
		if (++nops == 1) {
			first = i;
			opnode = seen[i];
		} else {
			cerr(c, AT(k), kp, "has two operators, '%s' and '%s': one "
			    "per item", json_item_keys[first].name,
			    json_item_keys[i].name);
			rc = -1;
		}
	}
	if (seen[0] == NULL) {
		cerr(c, AT(item), kp, "missing required key 'path'");
		rc = -1;
	} else {
		child_path(ckp, kp, "path");
		if (scalar(c, seen[0], ckp, "a path such as db.latency_ms",
		    &j->path) == -1)
			rc = -1;
		else if (!assert_json_path_ok(j->path)) {
			cerr(c, AT(seen[0]), ckp, "\"%s\" is not a path (dotted "
			    "names with [N] indexes, e.g. checks[0].state)",
			    j->path);
			rc = -1;
		}
	}
	if (nops == 0) {
		cerr(c, AT(item), kp, "needs one operator: equals, not_equals, "
		    "below, above, matches, length or exists");
		return -1;
	}
	if (nops > 1)
		return -1;
	j->op = (enum json_op)(first - 1);
	child_path(ckp, kp, json_item_keys[first].name);
	if (json_operand(c, opnode, ckp, j) == -1)
		rc = -1;
	return rc;
}

/* json: a non-empty list of items, every item checked so that every
 * mistake is reported; -1 after reporting. */
static int
parse_json(struct ctx *c, yaml_node_t *v, const char *kp, struct site *s)
{
	yaml_node_item_t	*it;
	struct json_assert	*j;
	char			 ikp[KP_LEN];
	size_t			 n = 0;
	int			 rc = 0;

	if (v->type != YAML_SEQUENCE_NODE) {
		cerr(c, AT(v), kp, "expected a list of assertions such as "
		    "- {path: status, equals: UP}, found %s", node_kind(v));
		return -1;
	}
	it = v->data.sequence.items.start;
	j = xcalloc((size_t)(v->data.sequence.items.top - it) + 1, sizeof(*j));
	for (; it < v->data.sequence.items.top; it++) {
		kp_fmt(ikp, "%s[%zu]", kp,
		    (size_t)(it - v->data.sequence.items.start));
		if (parse_json_item(c, node_get(c, *it), ikp, &j[n]) == -1)
			rc = -1;
		n++;
	}
	if (rc == -1 || n == 0) {
		if (n == 0)
			cerr(c, AT(v), kp, "is an empty list");
		jassert_free(j, n);
		return -1;
	}
	jassert_free(s->jassert, s->njassert);
	s->jassert = j;
	s->njassert = n;
	return 0;
}

/* basic_auth: {username, password}; the password is never printed. */
static int
parse_auth(struct ctx *c, yaml_node_t *v, const char *kp, struct site *s)
{
	yaml_node_t		*seen[2] = { 0 };
	yaml_node_pair_t	*p;
	char			 ckp[KP_LEN], *user = NULL, *pass = NULL;
	int			 i, rc = 0;

	if (v->type != YAML_MAPPING_NODE) {
		cerr(c, AT(v), kp, "expected a mapping {username: ..., password: "
		    "...}, found %s", node_kind(v));
		return -1;
	}
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	    p++) {
		yaml_node_t	*k = node_get(c, p->key);

		if (k->type != YAML_SCALAR_NODE || (i = find_key(c, k, kp,
		    auth_keys, ARRAY_LEN(auth_keys))) == -1) {
			rc = -1;
			continue;
		}
		seen[i] = node_get(c, p->value);
	}
	child_path(ckp, kp, "username");
	if (seen[0] == NULL) {
		cerr(c, AT(v), kp, "missing required key 'username'");
		rc = -1;
	} else if (scalar(c, seen[0], ckp, "a user name", &user) == -1)
		rc = -1;
	else if (*user == '\0' || strchr(user, ':') != NULL ||
	    strpbrk(user, "\r\n") != NULL) {
		cerr(c, AT(seen[0]), ckp, "must be non-empty, without ':'");
		rc = -1;
	}
	child_path(ckp, kp, "password");
	if (seen[1] == NULL) {
		cerr(c, AT(v), kp, "missing required key 'password'");
		rc = -1;
	} else if (node_is_null(seen[1]))
		pass = xstrdup("");
	else if (scalar(c, seen[1], ckp, "a password", &pass) == -1)
		rc = -1;
	if (rc == -1) {
		free(user);
		free(pass);
		return -1;
	}
	free(s->auth_user);
	free(s->auth_password);
	s->auth_user = user;
	s->auth_password = pass;
	return 0;
}

/* ip_version: 4 or 6, nothing else; -1 after reporting. */
static int
parse_ipver(struct ctx *c, yaml_node_t *v, const char *kp, struct site *s)
{
	char	*t;
	int	 rc = 0;

	if (scalar(c, v, kp, "4 or 6", &t) == -1)
		return -1;
	if (strcmp(t, "4") == 0)
		s->ip_version = 4;
	else if (strcmp(t, "6") == 0)
		s->ip_version = 6;
	else {
		cerr(c, AT(v), kp, "\"%s\" is not 4 or 6", t);
		rc = -1;
	}
	free(t);
	return rc;
}

/* body: any text (a JSON document may span lines), at most 1 MiB. */
static int
parse_body(struct ctx *c, yaml_node_t *v, const char *kp, struct site *s)
{
	char	*t;

	if (scalar(c, v, kp, "a string", &t) == -1)
		return -1;
	if (strlen(t) > 1024 * 1024) {
		cerr(c, AT(v), kp, "is longer than 1 MiB");
		free(t);
		return -1;
	}
	free(s->body);
	s->body = t;
	return 0;
}

int
parse_check_value(struct ctx *c, const struct keydef *k, yaml_node_t *v,
    const char *kp, void *obj)
{
	struct site	*s = obj;

	switch (k->type) {
	case V_REGEX:
		return parse_regex(c, v, kp, s);
	case V_HEXPECT:
		return parse_hexpect(c, v, kp, s);
	case V_JSON:
		return parse_json(c, v, kp, s);
	case V_AUTH:
		return parse_auth(c, v, kp, s);
	case V_IPVER:
		return parse_ipver(c, v, kp, s);
	case V_BODY:
		return parse_body(c, v, kp, s);
	default:
		return -1;
	}
}
