/* Unit tests of util.c and log.c's redaction: the bounded parsers every
 * value from outside goes through, and what a secret looks like in print. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "log.h"
#include "util.h"

Test(util, parse_ll_accepts_whole_numbers_in_range)
{
	long long	v = 0;

	cr_assert_eq(parse_ll("0", 0, 10, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(parse_ll("10", 0, 10, &v), 0);
	cr_assert_eq(v, 10);
	cr_assert_eq(parse_ll("-5", -10, 10, &v), 0);
	cr_assert_eq(v, -5);
	cr_assert_eq(parse_ll("9223372036854775807", 0, INT64_MAX, &v), 0);
	cr_assert_eq(v, INT64_MAX);
}

Test(util, parse_ll_rejects_garbage_and_range)
{
	long long	v = 42;

	cr_assert_eq(parse_ll("11", 0, 10, &v), -1);
	cr_assert_eq(parse_ll("-1", 0, 10, &v), -1);
	cr_assert_eq(parse_ll("", 0, 10, &v), -1);
	cr_assert_eq(parse_ll(NULL, 0, 10, &v), -1);
	cr_assert_eq(parse_ll("5x", 0, 10, &v), -1);
	cr_assert_eq(parse_ll(" 5", 0, 10, &v), -1);
	cr_assert_eq(parse_ll("5 ", 0, 10, &v), -1);
	cr_assert_eq(parse_ll("0x5", 0, 10, &v), -1);
	cr_assert_eq(parse_ll("99999999999999999999", 0, INT64_MAX, &v), -1);
	cr_assert_eq(v, 42, "a failed parse must not touch the output");
}

Test(util, parse_double_takes_finite_numbers_only)
{
	double	v = 42;

	cr_assert_eq(parse_double("41.25", &v), 0);
	cr_assert_float_eq(v, 41.25, 1e-9);
	cr_assert_eq(parse_double("-3e2", &v), 0);
	cr_assert_float_eq(v, -300.0, 1e-9);
	v = 42;
	cr_assert_eq(parse_double(NULL, &v), -1);
	cr_assert_eq(parse_double("", &v), -1);
	cr_assert_eq(parse_double("12ms", &v), -1);
	cr_assert_eq(parse_double("inf", &v), -1);
	cr_assert_eq(parse_double("nan", &v), -1);
	cr_assert_eq(parse_double("1e999", &v), -1);
	cr_assert_float_eq(v, 42.0, 1e-9, "a refused number leaves *out");
}

struct pair {
	int	a, b;
};

Test(util, array_add_grows_zeroes_and_stops_at_max)
{
	struct pair	*v = NULL, *p;
	size_t		 n = 0, cap = 0;

	for (int i = 0; i < 100; i++) {
		p = array_add(&v, &n, &cap, sizeof(*v), 100);
		cr_assert_not_null(p);
		cr_assert_eq(p->a, 0);
		cr_assert_eq(p->b, 0);
		p->a = i;
		p->b = -i;
	}
	cr_assert_eq(n, 100);
	cr_assert_leq(cap, 100, "the room never exceeds max");
	cr_assert_null(array_add(&v, &n, &cap, sizeof(*v), 100));
	cr_assert_eq(n, 100);
	for (int i = 0; i < 100; i++)
		cr_assert(v[i].a == i && v[i].b == -i, "element %d kept", i);
	free(v);
}

Test(util, parse_duration_units)
{
	int64_t	ms = 0;

	/* Nine fraction digits of a year: refused without overflowing. */
	cr_assert_eq(parse_duration_ms("0.999999875y", &ms), -1);
	cr_assert_eq(parse_duration_ms("0.5y", &ms), 0);
	cr_assert_eq(ms, 365LL * 86400 * 1000 / 2);
	cr_assert_eq(parse_duration_ms("30", &ms), 0);
	cr_assert_eq(ms, 30000);
	cr_assert_eq(parse_duration_ms("90s", &ms), 0);
	cr_assert_eq(ms, 90000);
	cr_assert_eq(parse_duration_ms("5m", &ms), 0);
	cr_assert_eq(ms, 300000);
	cr_assert_eq(parse_duration_ms("2h", &ms), 0);
	cr_assert_eq(ms, 7200000);
	cr_assert_eq(parse_duration_ms("30d", &ms), 0);
	cr_assert_eq(ms, 30LL * 86400 * 1000);
	cr_assert_eq(parse_duration_ms("0", &ms), 0);
	cr_assert_eq(ms, 0);
}

Test(util, parse_duration_milliseconds_and_fractions)
{
	int64_t	ms = 0;

	cr_assert_eq(parse_duration_ms("800ms", &ms), 0);
	cr_assert_eq(ms, 800);
	cr_assert_eq(parse_duration_ms("1.5s", &ms), 0);
	cr_assert_eq(ms, 1500);
	cr_assert_eq(parse_duration_ms("0.25", &ms), 0);
	cr_assert_eq(ms, 250);
	cr_assert_eq(parse_duration_ms("1.5h", &ms), 0);
	cr_assert_eq(ms, 5400000);
	cr_assert_eq(parse_duration_ms("0.001s", &ms), 0);
	cr_assert_eq(ms, 1);
	cr_assert_eq(parse_duration_ms("2.5m", &ms), 0);
	cr_assert_eq(ms, 150000);
}

Test(util, parse_duration_rejects_malformed)
{
	int64_t	ms = 7;

	cr_assert_eq(parse_duration_ms("soon", &ms), -1);
	cr_assert_eq(parse_duration_ms("", &ms), -1);
	cr_assert_eq(parse_duration_ms(NULL, &ms), -1);
	cr_assert_eq(parse_duration_ms("s", &ms), -1);
	cr_assert_eq(parse_duration_ms("-5", &ms), -1);
	cr_assert_eq(parse_duration_ms("5 m", &ms), -1);
	cr_assert_eq(parse_duration_ms("5mss", &ms), -1);
	cr_assert_eq(parse_duration_ms(".5s", &ms), -1);
	cr_assert_eq(parse_duration_ms("5.s", &ms), -1);
	cr_assert_eq(parse_duration_ms("1.2.3s", &ms), -1);
	cr_assert_eq(parse_duration_ms("1.0005s", &ms), -1);
	cr_assert_eq(parse_duration_ms("0.5ms", &ms), -1);
	cr_assert_eq(parse_duration_ms("5w", &ms), -1);
	/* Beyond ten years is refused rather than overflowing. */
	cr_assert_eq(parse_duration_ms("99999999999d", &ms), -1);
	cr_assert_eq(parse_duration_ms("999999999999999999999", &ms), -1);
	cr_assert_eq(ms, 7);
}

Test(util, format_duration_picks_two_units)
{
	char	out[32];

	format_duration(0, out, sizeof(out));
	cr_assert_str_eq(out, "0s");
	format_duration(59999, out, sizeof(out));
	cr_assert_str_eq(out, "59s");
	format_duration(250000, out, sizeof(out));
	cr_assert_str_eq(out, "4m 10s");
	format_duration((2 * 3600 + 3 * 60 + 9) * 1000LL, out, sizeof(out));
	cr_assert_str_eq(out, "2h 3m");
	format_duration((3 * 86400 + 4 * 3600 + 59) * 1000LL, out, sizeof(out));
	cr_assert_str_eq(out, "3d 4h");
	format_duration(-5000, out, sizeof(out));
	cr_assert_str_eq(out, "0s");
}

Test(util, format_duration_truncates_safely)
{
	char	out[4];

	format_duration(250000, out, sizeof(out));
	cr_assert_str_eq(out, "4m ");
}

Test(redact, secret_urls_keep_only_the_first_path_segment)
{
	char	out[256];

	cr_assert_str_eq(redact_secret_url(
	    "https://hooks.slack.com/services/T0/B0/XX", out, sizeof(out)),
	    "https://hooks.slack.com/services/***");
	cr_assert_str_eq(redact_secret_url(
	    "https://discord.com/api/webhooks/1/tok", out, sizeof(out)),
	    "https://discord.com/api/***");
	cr_assert_str_eq(redact_secret_url("https://user:pw@x.com/a/b", out,
	    sizeof(out)), "https://x.com/a/***");
	/* A lone segment may itself be the secret. */
	cr_assert_str_eq(redact_secret_url("https://x.com/tok3n", out,
	    sizeof(out)), "https://x.com/***");
	cr_assert_str_eq(redact_secret_url("https://x.com:8443/", out,
	    sizeof(out)), "https://x.com:8443/");
	cr_assert_str_eq(redact_secret_url("http://x.com", out, sizeof(out)),
	    "http://x.com");
	cr_assert_str_eq(redact_secret_url("https://x.com?token=abc", out,
	    sizeof(out)), "https://x.com/***");
}

Test(redact, secret_url_never_leaks_when_truncated)
{
	char	out[20];

	redact_secret_url("https://hooks.slack.com/services/T0/B0/XX", out,
	    sizeof(out));
	cr_assert_null(strstr(out, "T0"));
	cr_assert_eq(strlen(out), sizeof(out) - 1);
}

Test(redact, site_urls_hide_only_the_password)
{
	char	out[256];

	cr_assert_str_eq(redact_site_url("https://user:pw@x.com/a/b", out,
	    sizeof(out)), "https://user:***@x.com/a/b");
	cr_assert_str_eq(redact_site_url("https://user@x.com/a", out,
	    sizeof(out)), "https://user@x.com/a");
	cr_assert_str_eq(redact_site_url("https://x.com/a/b?c=d", out,
	    sizeof(out)), "https://x.com/a/b?c=d");
	/* An '@' in the path is not userinfo. */
	cr_assert_str_eq(redact_site_url("https://x.com/u:p@b", out,
	    sizeof(out)), "https://x.com/u:p@b");
}

Test(util, buf_grows_and_stays_terminated)
{
	struct buf	 b = { 0 };
	int		 i;

	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i % 10);
	cr_assert_eq(b.len, 2000);
	cr_assert_eq(strlen(b.data), 2000);
	cr_assert_eq(strncmp(b.data, "0,1,2,", 6), 0);
	buf_free(&b);
	cr_assert_null(b.data);
	cr_assert_eq(b.len, 0);
	buf_free(NULL);
}

Test(util, strlcpy_trunc_reports_truncation)
{
	char	out[4];

	cr_assert_eq(strlcpy_trunc(out, "abc", sizeof(out)), 0);
	cr_assert_str_eq(out, "abc");
	cr_assert_eq(strlcpy_trunc(out, "abcd", sizeof(out)), 1);
	cr_assert_str_eq(out, "abc");
}

Test(util, xasprintf_formats)
{
	char	*s = xasprintf("%s-%d", "a", 7);

	cr_assert_str_eq(s, "a-7");
	free(s);
}

Test(util, strlcpy_trunc_never_splits_a_utf8_character)
{
	char	out[5];

	/* "aé€" is a, c3 a9, e2 82 ac: 4 bytes fit, the euro sign does not. */
	cr_assert_eq(strlcpy_trunc(out, "a\xc3\xa9\xe2\x82\xac", sizeof(out)), 1);
	cr_assert_str_eq(out, "a\xc3\xa9");
	cr_assert_eq(strlcpy_trunc(out, "\xe2\x82\xac\xe2\x82\xac", sizeof(out)), 1);
	cr_assert_str_eq(out, "\xe2\x82\xac");
}

Test(redact, last_at_ends_the_userinfo)
{
	char	out[256];

	cr_assert_str_eq(redact_site_url("http://admin:pa@SECRET@host/x", out,
	    sizeof(out)), "http://admin:***@host/x");
	cr_assert_str_eq(redact_secret_url("http://u:p@SECRET@h:1/x/y", out,
	    sizeof(out)), "http://h:1/x/***");
}
