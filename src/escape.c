/* Escaping for HTML/SVG, Prometheus label values and file names. */
#include <stdio.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "escape.h"
#include "jsonstr.h"

/* Appends the UTF-8 character at *p (advancing it), or '?' for a byte
 * that does not start one. */
static void
copy_char(struct buf *b, const char **p)
{
	size_t	n = utf8_len((const unsigned char *)*p);

	if (n == 0) {
		buf_puts(b, "?");
		(*p)++;
		return;
	}
	buf_append(b, *p, n);
	*p += n;
}

void
esc_html(struct buf *b, const char *s)
{
	const char	*p = s == NULL ? "" : s;

	buf_puts(b, "");
	while (*p != '\0') {
		unsigned char c = (unsigned char)*p;

		switch (c) {
		case '&': buf_puts(b, "&amp;"); p++; continue;
		case '<': buf_puts(b, "&lt;"); p++; continue;
		case '>': buf_puts(b, "&gt;"); p++; continue;
		case '"': buf_puts(b, "&quot;"); p++; continue;
		case '\'': buf_puts(b, "&#39;"); p++; continue;
		case '\t':
		case '\n': buf_append(b, p, 1); p++; continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			buf_puts(b, "?");
			p++;
			continue;
		}
		copy_char(b, &p);
	}
}

void
esc_prom_label(struct buf *b, const char *s)
{
	const char	*p = s == NULL ? "" : s;

	buf_puts(b, "");
	while (*p != '\0') {
		switch (*p) {
		case '\\': buf_puts(b, "\\\\"); p++; continue;
		case '"': buf_puts(b, "\\\""); p++; continue;
		case '\n': buf_puts(b, "\\n"); p++; continue;
		default:
			copy_char(b, &p);
		}
	}
}

#define FILE_NAME_MAX 200

void
esc_file_name(struct buf *b, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const char		*p = s == NULL ? "" : s;
	struct buf		 out = { 0 };
	unsigned char		 sum[32];
	char			 tail[18];

	buf_puts(&out, "");
	for (; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' ||
		    (c == '.' && out.len > 0)) {
			buf_append(&out, p, 1);
			continue;
		}
		buf_printf(&out, "_%c%c", hex[c >> 4], hex[c & 15]);
	}
	/* An empty name still needs a file name. */
	if (out.len == 0)
		buf_puts(&out, "_");
	if (out.len > FILE_NAME_MAX) {
		mbedtls_sha256_ret((const unsigned char *)s, strlen(s), sum, 0);
		tail[0] = '_';
		for (size_t i = 0; i < 8; i++) {
			tail[1 + i * 2] = hex[sum[i] >> 4];
			tail[2 + i * 2] = hex[sum[i] & 15];
		}
		tail[17] = '\0';
		buf_append(b, out.data, FILE_NAME_MAX - 17);
		buf_puts(b, tail);
	} else
		buf_append(b, out.data, out.len);
	buf_free(&out);
}
