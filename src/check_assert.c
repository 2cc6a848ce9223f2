/*
 * The assertions on a response. Each is judged on what the HTTP check
 * kept (the final response's header lines and the first 1 MiB of its
 * body), and the first that fails, in the order the config wrote them,
 * becomes the check's error. Text that came from the server is quoted
 * short and cleaned to valid UTF-8, so an error stays one readable line.
 */
#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "check_assert.h"
#include "jsonstr.h"
#include "util.h"

#define QUOTE_MAX	64	/* bytes of one quoted piece in an error */

static const char *const op_names[JOP__MAX] = {
	[JOP_EQUALS] = "equals",
	[JOP_NOT_EQUALS] = "not_equals",
	[JOP_BELOW] = "below",
	[JOP_ABOVE] = "above",
	[JOP_MATCHES] = "matches",
	[JOP_LENGTH] = "length",
	[JOP_EXISTS] = "exists",
};

const char *
json_op_name(enum json_op op)
{
	return (unsigned)op < JOP__MAX ? op_names[op] : "?";
}

int
assert_needs_body(const struct site *site)
{
	return site->keyword_absent != NULL || site->body_re != NULL ||
	    site->njassert > 0;
}

/* Returns 1 when code is within one of the n ranges. */
static int
in_ranges(const struct status_range *r, size_t n, int code)
{
	for (size_t i = 0; i < n; i++)
		if (code >= r[i].lo && code <= r[i].hi)
			return 1;
	return 0;
}

int
assert_status(const struct site *site, int code, char *err, size_t errsz)
{
	if (site->nok_status > 0) {
		if (in_ranges(site->ok_status, site->nok_status, code))
			return 0;
		snprintf(err, errsz, "HTTP %d not in expect_status", code);
		return 1;
	}
	if ((code >= 500 && code <= 599) ||
	    in_ranges(site->bad_status, site->nbad_status, code)) {
		snprintf(err, errsz, "HTTP %d", code);
		return 1;
	}
	return 0;
}

/*
 * Copies len bytes of s into out as valid UTF-8 without control
 * characters (each bad byte becomes '?'), cut at max bytes on a character
 * boundary with "..." when longer. Returns out.
 */
static char *
clean(char *out, size_t outsz, const char *s, size_t len, size_t max)
{
	size_t	i = 0, o = 0, n;

	if (max + 4 > outsz)
		max = outsz - 4;
	while (i < len) {
		n = utf8_len((const unsigned char *)s + i);
		if (n == 0 || i + n > len || (n == 1 &&
		    iscntrl((unsigned char)s[i])))
			n = 0;
		if (o + (n ? n : 1) > max) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (n == 0) {
			out[o++] = '?';
			i++;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		}
	}
	out[o] = '\0';
	return out;
}

/* Formats the error into err, bounded to ASSERT_ERROR_MAX bytes. */
static int
fail(char *err, size_t errsz, const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	clean(err, errsz, buf, strlen(buf), errsz - 4 < ASSERT_ERROR_MAX - 3 ?
	    errsz - 4 : ASSERT_ERROR_MAX - 3);
	return -1;
}

/* Returns 1 when the ERE re matches the len bytes at p (NULs and all). */
static int
ere_match(const regex_t *re, const char *p, size_t len)
{
	regmatch_t	m[1];

	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)len;
	return regexec(re, p != NULL ? p : "", 1, m, REG_STARTEND) == 0;
}

/* --- headers --- */

/*
 * Finds header name among the lines; returns 1 with the value of the first
 * occurrence that matches (or of the last one, when none does) in
 * val and vlen, 0 when the response has no such header.
 */
static int
find_header(const struct response *r, const struct header_expect *h,
    const char **val, size_t *vlen, int *matched)
{
	const char	*p = r->headers, *end = p + r->headers_len, *eol, *v;
	size_t		 nlen = strlen(h->name), l;
	int		 found = 0;
	char		*copy;

	*matched = 0;
	for (; p != NULL && p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((size_t)(eol - p) <= nlen || p[nlen] != ':' ||
		    strncasecmp(p, h->name, nlen) != 0)
			continue;
		v = p + nlen + 1;
		while (v < eol && (*v == ' ' || *v == '\t'))
			v++;
		l = (size_t)(eol - v);
		while (l > 0 && isspace((unsigned char)v[l - 1]))
			l--;
		found = 1;
		*val = v;
		*vlen = l;
		if (h->re == NULL) {
			*matched = 1;
			return 1;
		}
		copy = xstrndup(v, l);
		*matched = ere_match(h->re, copy, l);
		free(copy);
		if (*matched)
			return 1;
	}
	return found;
}

static int
check_headers(const struct site *site, const struct response *r, char *err,
    size_t errsz)
{
	char		 q1[QUOTE_MAX * 2], q2[QUOTE_MAX * 2], q3[QUOTE_MAX * 2];
	const char	*val = NULL;
	size_t		 vlen = 0;
	int		 matched;

	for (size_t i = 0; i < site->nhexpect; i++) {
		const struct header_expect *h = &site->hexpect[i];

		clean(q1, sizeof(q1), h->name, strlen(h->name), QUOTE_MAX);
		if (!find_header(r, h, &val, &vlen, &matched))
			return fail(err, errsz, "header %s missing", q1);
		if (!matched)
			return fail(err, errsz, "header %s: \"%s\" does not "
			    "match '%s'", q1, clean(q2, sizeof(q2), val, vlen,
			    QUOTE_MAX), clean(q3, sizeof(q3), h->pattern,
			    strlen(h->pattern), QUOTE_MAX));
	}
	return 0;
}

/* --- json --- */

int
assert_json_path_ok(const char *path)
{
	const char	*p = path;

	if (p == NULL || *p == '\0')
		return 0;
	for (;;) {
		size_t	n = strcspn(p, ".[");

		/* A name, except where an index opens the path. */
		if ((n == 0 && !(p == path && *p == '[')) ||
		    memchr(p, ']', n) != NULL || n > 255)
			return 0;
		p += n;
		while (*p == '[') {
			size_t	d = strspn(p + 1, "0123456789");

			if (d == 0 || d > 9 || p[1 + d] != ']')
				return 0;
			p += d + 2;
		}
		if (*p == '\0')
			return 1;
		if (*p != '.')
			return 0;
		p++;
	}
}

/* Returns the value at path in root (borrowed), or NULL when absent. */
static json_t *
json_at(json_t *root, const char *path)
{
	const char	*p = path;
	json_t		*v = root;
	char		 name[256];

	for (;;) {
		size_t	n = strcspn(p, ".[");

		if (n > 0) {
			if (n >= sizeof(name) || !json_is_object(v))
				return NULL;
			memcpy(name, p, n);
			name[n] = '\0';
			if ((v = json_object_get(v, name)) == NULL)
				return NULL;
			p += n;
		}
		while (*p == '[') {
			size_t	idx = (size_t)strtoul(p + 1, NULL, 10);

			if (!json_is_array(v) || (v = json_array_get(v, idx)) ==
			    NULL)
				return NULL;
			p = strchr(p, ']') + 1;
		}
		if (*p == '\0')
			return v;
		p++;
	}
}

/* Writes v as short JSON ("DOWN" quoted, 140, [1,2]) into out. */
static char *
show(char *out, size_t outsz, const json_t *v)
{
	char	*s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT |
	    JSON_REAL_PRECISION(15));

	if (s == NULL)
		return clean(out, outsz, "?", 1, QUOTE_MAX);
	clean(out, outsz, s, strlen(s), QUOTE_MAX);
	free(s);
	return out;
}

/*
 * Returns 1 when the JSON value a equals item j's operand: a number equals
 * a number of the same value whether written 1 or 1.0, and a string equals
 * an unquoted operand of the same text (YAML reads `2.1` as a number where
 * the user may mean the string).
 */
static int
same_value(const json_t *a, const struct json_assert *j)
{
	if (json_is_number(a) && json_is_number(j->value))
		return json_number_value(a) == json_number_value(j->value);
	if (json_is_string(a) && j->plain != NULL &&
	    strlen(j->plain) == json_string_length(a) &&
	    strcmp(json_string_value(a), j->plain) == 0)
		return 1;
	return json_equal((json_t *)a, j->value);
}

/* Returns the length of an array, object or string (in characters), or
 * -1 for anything else. */
static long long
length_of(const json_t *v)
{
	const char	*s;
	size_t		 i, n = 0, len;

	if (json_is_array(v))
		return (long long)json_array_size(v);
	if (json_is_object(v))
		return (long long)json_object_size(v);
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	len = json_string_length(v);
	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return (long long)n;
}

/* Judges one json item against the document; returns 0 or -1 (err). */
static int
check_json_item(const struct json_assert *j, json_t *doc, char *err,
    size_t errsz)
{
	json_t		*v = json_at(doc, j->path);
	char		 path[QUOTE_MAX * 2], got[QUOTE_MAX * 2];
	char		 want[QUOTE_MAX * 2];
	long long	 len;

	clean(path, sizeof(path), j->path, strlen(j->path), QUOTE_MAX);
	if (j->op == JOP_EXISTS) {
		if (json_is_true(j->value) && v == NULL)
			return fail(err, errsz, "json: %s missing", path);
		if (json_is_false(j->value) && v != NULL)
			return fail(err, errsz, "json: %s is %s, expected "
			    "missing", path, show(got, sizeof(got), v));
		return 0;
	}
	if (v == NULL)
		return fail(err, errsz, "json: %s missing", path);
	show(got, sizeof(got), v);
	if (j->value != NULL)
		show(want, sizeof(want), j->value);
	switch (j->op) {
	case JOP_EQUALS:
		if (same_value(v, j))
			return 0;
		return fail(err, errsz, "json: %s is %s, expected %s", path,
		    got, want);
	case JOP_NOT_EQUALS:
		if (!same_value(v, j))
			return 0;
		return fail(err, errsz, "json: %s is %s, expected not %s", path,
		    got, want);
	case JOP_BELOW:
		if (json_is_number(v) && json_number_value(v) <
		    json_number_value(j->value))
			return 0;
		return fail(err, errsz, "json: %s is %s, expected below %s",
		    path, got, want);
	case JOP_ABOVE:
		if (json_is_number(v) && json_number_value(v) >
		    json_number_value(j->value))
			return 0;
		return fail(err, errsz, "json: %s is %s, expected above %s",
		    path, got, want);
	case JOP_MATCHES:
		if (json_is_string(v) && ere_match(j->re, json_string_value(v),
		    json_string_length(v)))
			return 0;
		return fail(err, errsz, "json: %s is %s, expected to match "
		    "'%s'", path, got, clean(want, sizeof(want), j->pattern,
		    strlen(j->pattern), QUOTE_MAX));
	case JOP_LENGTH:
		if ((len = length_of(v)) == -1)
			return fail(err, errsz, "json: %s is %s, expected length "
			    "%s", path, got, want);
		if (len == (long long)json_number_value(j->value))
			return 0;
		return fail(err, errsz, "json: %s has length %lld, expected %s",
		    path, len, want);
	default:
		return 0;
	}
}

static int
check_json(const struct site *site, const struct response *r, char *err,
    size_t errsz)
{
	json_error_t	 je;
	json_t		*doc;
	int		 rc = 0;

	doc = json_loadb(r->body != NULL ? r->body : "", r->body_len,
	    JSON_DECODE_ANY, &je);
	if (doc == NULL)
		return fail(err, errsz, "body is not JSON");
	for (size_t i = 0; i < site->njassert && rc == 0; i++)
		rc = check_json_item(&site->jassert[i], doc, err, errsz);
	json_decref(doc);
	return rc;
}

/* --- the whole response --- */

/* Returns 1 when the site asks for that kind of assertion. */
static int
assert_set(const struct site *site, enum assert_kind k)
{
	switch (k) {
	case ASSERT_KEYWORD:
		return site->keyword != NULL && site->keyword[0] != '\0';
	case ASSERT_KEYWORD_ABSENT:
		return site->keyword_absent != NULL;
	case ASSERT_BODY_REGEX:
		return site->body_re != NULL;
	case ASSERT_HEADERS:
		return site->nhexpect > 0;
	case ASSERT_JSON:
		return site->njassert > 0;
	default:
		return 0;
	}
}

/* Judges one kind of assertion; returns 0 or -1 (err). */
static int
check_one(const struct site *site, enum assert_kind k,
    const struct response *r, char *err, size_t errsz)
{
	char	q[QUOTE_MAX * 2];

	switch (k) {
	case ASSERT_KEYWORD:
		if (r->keyword_found)
			return 0;
		return fail(err, errsz, "keyword not found");
	case ASSERT_KEYWORD_ABSENT:
		if (r->body == NULL || memmem(r->body, r->body_len,
		    site->keyword_absent, strlen(site->keyword_absent)) == NULL)
			return 0;
		return fail(err, errsz, "keyword \"%s\" found", clean(q,
		    sizeof(q), site->keyword_absent,
		    strlen(site->keyword_absent), QUOTE_MAX));
	case ASSERT_BODY_REGEX:
		if (ere_match(site->body_re, r->body, r->body_len))
			return 0;
		return fail(err, errsz, "body does not match '%s'", clean(q,
		    sizeof(q), site->body_regex, strlen(site->body_regex),
		    QUOTE_MAX));
	case ASSERT_HEADERS:
		return check_headers(site, r, err, errsz);
	case ASSERT_JSON:
		return check_json(site, r, err, errsz);
	default:
		return 0;
	}
}

int
assert_response(const struct site *site, const struct response *r,
    char *err, size_t errsz)
{
	if (errsz > 0)
		err[0] = '\0';
	if (assert_status(site, r->status, err, errsz)) {
		fail(err, errsz, "%s", err);
		return -1;
	}
	for (size_t i = 0; i < site->norder; i++)
		if (check_one(site, site->order[i], r, err, errsz) == -1)
			return -1;
	/* A site not built by the config loader has no order: judge what
	 * it sets in the order of enum assert_kind. */
	for (int k = 0; site->norder == 0 && k < ASSERT__MAX; k++)
		if (assert_set(site, (enum assert_kind)k) &&
		    check_one(site, (enum assert_kind)k, r, err, errsz) == -1)
			return -1;
	return 0;
}
