/* Mail and header text: RFC 2047 encoded words, RFC 5322 dates and the
 * address inside "Name <addr>". Pure string functions, no I/O. */
#ifndef PEEKL_MIME_H
#define PEEKL_MIME_H

#include <stddef.h>
#include <stdint.h>

/* Returns 1 when s is printable ASCII only (no control, no 8-bit byte). */
int	mime_is_plain(const char *s);

/*
 * Returns s as a header value (malloc'd): itself when plain ASCII, else
 * RFC 2047 "=?UTF-8?B?...?=" words of at most 75 characters, split on
 * UTF-8 character boundaries and joined by fold ("\r\n " for a mail
 * header, " " for one line). Control characters become spaces first, so
 * the result can never end a header early.
 */
char	*mime_header_value(const char *s, const char *fold);

/* Writes the addr-spec of "Name <a@b>" or "a@b" into out; returns 0, or -1
 * when s holds no plausible address (none, two "<", spaces in it...). */
int	mime_addr(const char *s, char *out, size_t outsz);

/* Writes unix ms as an RFC 5322 date in UTC ("Wed, 25 Nov 2026 09:00:00
 * +0000") into out. */
void	mime_date(int64_t ms, char *out, size_t outsz);

/* Returns s with every byte other than unreserved ones (A-Z a-z 0-9 -._~)
 * written as %XX, for one URL path segment; malloc'd. */
char	*mime_pct_encode(const char *s);

/* Copies at most max UTF-8 characters of s (malloc'd). */
char	*mime_utf8_prefix(const char *s, size_t max);

#endif
