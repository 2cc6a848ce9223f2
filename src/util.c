#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

int
parse_ll(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
parse_double(const char *s, double *out)
{
	char	*end;
	double	 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/*
 * Reads "30", "90s", "800ms", "1.5s", "5m", "2h", "30d" into milliseconds.
 * A fraction must come to a whole number of milliseconds ("1.0005s" does
 * not). Returns 0, or -1 for anything else, or beyond ten years.
 */
int
parse_duration_ms(const char *s, int64_t *out)
{
	static const struct {
		const char	*suffix;
		long long	 ms;
	} units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60 * 1000 },
		{ "h", 3600 * 1000 }, { "d", 86400LL * 1000 },
		/* For long retentions: a year of 365 days. */
		{ "y", 365 * 86400LL * 1000 },
	};
	const long long	 max = 10LL * 366 * 86400 * 1000;
	const char	*p = s, *dot = NULL, *end;
	long long	 whole = 0, frac = 0, scale = 1, unit = 1000;
	size_t		 i, ndig = 0, nfrac = 0;

	if (s == NULL)
		return -1;
	for (; isdigit((unsigned char)*p) || (*p == '.' && dot == NULL); p++) {
		if (*p == '.') {
			dot = p;
			continue;
		}
		/* Thirteen digits are beyond ten years in any unit. */
		if (++ndig > 13 || (dot != NULL && ++nfrac > 9))
			return -1;
		if (dot == NULL)
			whole = whole * 10 + (*p - '0');
		else {
			frac = frac * 10 + (*p - '0');
			scale *= 10;
		}
	}
	end = p;
	/* "5", "5.5", but neither ".5" nor "5." nor "." */
	if (end == s || !isdigit((unsigned char)s[0]) ||
	    (dot != NULL && nfrac == 0))
		return -1;
	if (*end != '\0') {
		for (i = 0; i < ARRAY_LEN(units); i++)
			if (strcmp(end, units[i].suffix) == 0)
				break;
		if (i == ARRAY_LEN(units))
			return -1;
		unit = units[i].ms;
	}
	/* Nine fraction digits of a year would overflow frac * unit. */
	if (whole > max / unit || frac > LLONG_MAX / unit ||
	    (frac * unit) % scale != 0)
		return -1;
	whole = whole * unit + frac * unit / scale;
	if (whole > max)
		return -1;
	*out = (int64_t)whole;
	return 0;
}

void
format_duration(int64_t ms, char *out, size_t outsz)
{
	int64_t	s = ms / 1000;

	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(out, outsz, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(out, outsz, "%" PRId64 "m %" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, outsz, "%" PRId64 "h %" PRId64 "m", s / 3600,
		    (s % 3600) / 60);
	else
		snprintf(out, outsz, "%" PRId64 "d %" PRId64 "h", s / 86400,
		    (s % 86400) / 3600);
}

/*
 * PEEKL_TEST_NOW_MS, when set to a unix time in ms, is "now" for the whole
 * process: tests pin it to replay runs at chosen instants (an outage of ten
 * minutes without waiting ten minutes) and to compare reports byte for
 * byte. It is for tests only; operators never set it.
 */
int64_t
now_ms(void)
{
	static int	 pinned = -1;
	static int64_t	 pin;
	struct timespec	 ts;

	if (pinned == -1) {
		const char	*s = getenv("PEEKL_TEST_NOW_MS");
		long long	 v;

		pinned = s != NULL && parse_ll(s, 1, 253402300799999LL, &v) == 0;
		pin = pinned ? (int64_t)v : 0;
	}
	if (pinned)
		return pin;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
oom(void)
{
	fputs("peekl: out of memory\n", stderr);
	abort();
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n ? n : 1, size ? size : 1)) == NULL)
		oom();
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	if ((p = realloc(p, size ? size : 1)) == NULL)
		oom();
	return p;
}

void *
array_add(void *arrayp, size_t *n, size_t *cap, size_t size, size_t max)
{
	char	*v;

	if (*n >= max)
		return NULL;
	/* Through memcpy: arrayp is a struct T **, which a char ** may not
	 * alias. */
	memcpy(&v, arrayp, sizeof(v));
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if (*cap > max)
			*cap = max;
		v = xrealloc(v, *cap * size);
		memcpy(arrayp, &v, sizeof(v));
	}
	memset(v + *n * size, 0, size);
	return v + (*n)++ * size;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		oom();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*p;

	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void
buf_append(struct buf *b, const char *data, size_t len)
{
	if (b->len + len + 1 > b->cap) {
		size_t	ncap = b->cap ? b->cap : 64;

		while (ncap < b->len + len + 1)
			ncap *= 2;
		b->data = xrealloc(b->data, ncap);
		b->cap = ncap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	buf_puts(b, p);
	free(p);
}

void
buf_free(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int
strlcpy_trunc(char *dst, const char *src, size_t dstsz)
{
	size_t	len = strlen(src);

	if (dstsz == 0)
		return 1;
	if (len >= dstsz) {
		len = dstsz - 1;
		/* Never cut a UTF-8 character in half: back off to its lead
		 * byte, so truncated text stays valid where it was valid. */
		while (len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80)
			len--;
		memcpy(dst, src, len);
		dst[len] = '\0';
		return 1;
	}
	memcpy(dst, src, len + 1);
	return 0;
}

void
format_iso8601(int64_t secs, char *out, size_t outsz)
{
	time_t		t = (time_t)secs;
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		strlcpy_trunc(out, "", outsz);
}

int
parse_iso8601(const char *s, int64_t *secs)
{
	struct tm	 tm;
	const char	*end;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0')
		return -1;
	*secs = (int64_t)timegm(&tm);
	return 0;
}
