/*
 * The small text rules of mail and HTTP headers that several notifiers
 * share: an email's Subject and ntfy's Title are both RFC 2047 encoded
 * when they are not ASCII (ntfy documents that form for its headers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mime.h"
#include "util.h"

#define PLAIN_MAX	900	/* bytes of a header value left as it is */

/* The longest encoded word RFC 2047 allows is 75 characters: 12 go to
 * "=?UTF-8?B?" and "?=", leaving 63, so 45 bytes of text (60 in base64). */
#define WORD_BYTES	45

int
mime_is_plain(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static void
base64(struct buf *b, const unsigned char *p, size_t n)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char			 q[4];
	size_t			 i;

	for (i = 0; i < n; i += 3) {
		unsigned int	v = (unsigned int)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned int)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tab[v & 63] : '=';
		buf_append(b, q, 4);
	}
}

/* Returns how many bytes of s, at most max, end on a character boundary. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	size_t	n = len < max ? len : max;

	if (n == len)
		return n;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n == 0 ? (len < max ? len : max) : n;
}

char *
mime_header_value(const char *s, const char *fold)
{
	struct buf	 b = { 0 };
	char		*clean = xstrdup(s), *p;
	size_t		 len, n, off;

	for (p = clean; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	/* A long plain value is folded as encoded words too: no header line
	 * may pass RFC 5322's 998 bytes (a grouped alert's subject). */
	if (mime_is_plain(clean) && strlen(clean) <= PLAIN_MAX)
		return clean;
	buf_puts(&b, "");
	len = strlen(clean);
	for (off = 0; off < len; off += n) {
		n = utf8_cut(clean + off, len - off, WORD_BYTES);
		if (off > 0)
			buf_puts(&b, fold);
		buf_puts(&b, "=?UTF-8?B?");
		base64(&b, (const unsigned char *)clean + off, n);
		buf_puts(&b, "?=");
	}
	free(clean);
	return b.data;
}

int
mime_addr(const char *s, char *out, size_t outsz)
{
	const char	*lt = strchr(s, '<'), *gt, *a;
	size_t		 n;

	for (a = s; *a != '\0'; a++)
		if ((unsigned char)*a < 0x20 || *a == 0x7f)
			return -1;
	if (lt != NULL) {
		if ((gt = strchr(lt, '>')) == NULL || strchr(lt + 1, '<') ||
		    gt[1] != '\0')
			return -1;
		a = lt + 1;
		n = (size_t)(gt - a);
	} else {
		a = s;
		n = strlen(s);
	}
	if (n == 0 || n >= outsz)
		return -1;
	memcpy(out, a, n);
	out[n] = '\0';
	/* One "@" with something on both sides, and nothing SMTP would
	 * split on. */
	if ((a = strchr(out, '@')) == NULL || a == out || a[1] == '\0' ||
	    strchr(a + 1, '@') != NULL || strpbrk(out, " \t<>,;\"") != NULL ||
	    !mime_is_plain(out))
		return -1;
	return 0;
}

void
mime_date(int64_t ms, char *out, size_t outsz)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr",
	    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;

	/* Not strftime's %a/%b: those follow the locale. */
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(out, outsz, "Thu, 01 Jan 1970 00:00:00 +0000");
		return;
	}
	snprintf(out, outsz, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

char *
mime_pct_encode(const char *s)
{
	struct buf	b = { 0 };
	char		hex[4];

	buf_puts(&b, "");
	for (; *s != '\0'; s++) {
		unsigned char	ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~')
			buf_append(&b, s, 1);
		else {
			snprintf(hex, sizeof(hex), "%%%02X", ch);
			buf_puts(&b, hex);
		}
	}
	return b.data;
}

char *
mime_utf8_prefix(const char *s, size_t max)
{
	size_t	i, chars = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (chars == max)
				break;
			chars++;
		}
	}
	return xstrndup(s, i);
}
