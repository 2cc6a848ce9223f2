/* JSON values from C strings and numbers, for every document peekl writes. */
#include <math.h>
#include <string.h>

#include "jsonstr.h"
#include "log.h"
#include "util.h"

/* Returns the length of the valid UTF-8 sequence at p (1 to 4), or 0 if the
 * byte at p does not start one. p is NUL-terminated, and NUL is never a
 * continuation byte, so no check reads past the end. */
size_t
utf8_len(const unsigned char *p)
{
	unsigned char	lo = 0x80, hi = 0xbf;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		/* Reject overlong forms and UTF-16 surrogates. */
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
		if (p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80)
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		/* Reject overlong forms and code points above U+10FFFF. */
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
		if (p[1] < lo || p[1] > hi || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

json_t *
json_text(const char *s, size_t maxlen)
{
	const unsigned char	*p = (const unsigned char *)(s ? s : "");
	struct buf		 b = { 0 };
	json_t			*j;
	size_t			 n;

	while (*p != '\0') {
		n = utf8_len(p);
		if (maxlen > 0 && b.len + (n ? n : 1) > maxlen)
			break;
		if (n == 0) {
			buf_append(&b, "?", 1);
			p++;
			continue;
		}
		buf_append(&b, (const char *)p, n);
		p += n;
	}
	j = json_stringn(b.data ? b.data : "", b.len);
	buf_free(&b);
	return j;
}

json_t *
json_text_or_null(const char *s)
{
	return s == NULL || *s == '\0' ? json_null() : json_text(s, 0);
}

json_t *
json_ms(double ms)
{
	return json_real(round(ms * 10.0) / 10.0);
}

char *
json_dump_free(json_t *root)
{
	char	*s;

	if (root == NULL) {
		log_error("cannot build a JSON document");
		return NULL;
	}
	/* Fifteen digits print 41.2 as "41.2", not "41.200000000000003". */
	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));
	json_decref(root);
	if (s == NULL)
		log_error("cannot serialise a JSON document");
	return s;
}
