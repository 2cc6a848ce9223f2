/*
 * Email: one RFC 5322 message per alert, the payload that alert_deliver.c
 * uploads over SMTP. The summary is the Subject (RFC 2047 encoded words
 * when it is not ASCII) and the first line of the body; then one
 * "Field: value" line per field:
 *
 *   Date: Wed, 25 Nov 2026 09:00:00 +0000
 *   From: peekl <peekl@example.com>
 *   To: ops@example.com, On call <oncall@example.com>
 *   Subject: DOWN api (https://api.example.com/health): HTTP 503, 2 failed checks
 *   Message-ID: <peekl.1795597200048.2f1c0a7e9b3d4c55@example.com>
 *   MIME-Version: 1.0
 *   Content-Type: text/plain; charset=utf-8
 *   Content-Transfer-Encoding: 8bit
 *
 *   DOWN api (https://api.example.com/health): HTTP 503, 2 failed checks
 *
 *   Website: https://api.example.com/health
 *   ...
 *
 * A grouped alert's body has one line per member alert instead of fields.
 * Every line ends in CRLF. The Date is when the change was seen and the
 * Message-ID is made from the alert, so a message sent twice (at least once
 * delivery) is recognisably the same message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "mime.h"
#include "notify.h"
#include "util.h"

#define ADDR_MAX	320
#define LINE_MAX_BYTES	900	/* RFC 5322 allows 998 per line */

/* Returns a 64-bit FNV-1a hash of s, continuing from h. */
static uint64_t
fnv1a(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Appends an address as a header value: the display name of a non-ASCII
 * "Name <addr>" is encoded, the address never is. */
static void
put_address(struct buf *b, const char *s)
{
	const char	*lt = strchr(s, '<');
	char		*name, *enc;

	if (mime_is_plain(s) || lt == NULL) {
		buf_puts(b, s);
		return;
	}
	name = xstrndup(s, (size_t)(lt - s));
	while (name[0] != '\0' && name[strlen(name) - 1] == ' ')
		name[strlen(name) - 1] = '\0';
	enc = mime_header_value(name, " ");
	buf_printf(b, "%s %s", enc, lt);
	free(name);
	free(enc);
}

/* Appends text as body lines ending in CRLF, each cut to a length every
 * server takes; bare LFs become line ends. */
static void
put_body_line(struct buf *b, const char *text)
{
	const char	*p = text;
	size_t		 n;

	while (*p != '\0') {
		n = strcspn(p, "\r\n");
		buf_append(b, p, n > LINE_MAX_BYTES ? LINE_MAX_BYTES : n);
		buf_puts(b, "\r\n");
		p += n;
		if (*p == '\r')
			p++;
		if (*p == '\n')
			p++;
	}
}

char *
email_payload(const struct integration *in, const struct alert *a)
{
	struct buf	 b = { 0 };
	char		 date[64], from[ADDR_MAX];
	const char	*domain;
	char		*subject, *lines;
	uint64_t	 h;
	size_t		 i;

	if (in->from == NULL || mime_addr(in->from, from, sizeof(from)) == -1)
		return NULL;
	domain = strchr(from, '@') + 1;
	mime_date(a->timestamp_ms, date, sizeof(date));
	/* A grouped alert has no site; its text names its members. */
	h = fnv1a(0xcbf29ce484222325ULL, a->site != NULL ? a->site : a->text);
	h = fnv1a(h, check_kind_name(a->kind));
	h = fnv1a(h, a->word);
	subject = mime_header_value(a->text, "\r\n ");
	buf_printf(&b, "Date: %s\r\nFrom: ", date);
	put_address(&b, in->from);
	buf_puts(&b, "\r\nTo: ");
	for (i = 0; i < in->nto; i++) {
		if (i > 0)
			buf_puts(&b, ",\r\n ");
		put_address(&b, in->to[i]);
	}
	buf_printf(&b, "\r\nSubject: %s\r\n", subject);
	buf_printf(&b, "Message-ID: <peekl.%lld.%016llx@%s>\r\n",
	    (long long)a->timestamp_ms, (unsigned long long)h, domain);
	buf_puts(&b, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 8bit\r\n\r\n");
	put_body_line(&b, a->text);
	buf_puts(&b, "\r\n");
	lines = notify_body_lines(a, "\n");
	put_body_line(&b, lines);
	free(lines);
	free(subject);
	return b.data;
}
