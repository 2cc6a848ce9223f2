/* The alerts the renderer tests share; see alert_fixtures.h. */
#include <stdio.h>

#include "alert_fixtures.h"
#include "state.h"

struct site	fx_api = {
	.name = STR("api"), .url = STR("https://api.example.com/health"),
};
struct site	fx_example = {
	.name = STR("example.com"), .url = STR("https://example.com"),
};

void
fx_down(struct alert *a, const struct site *site, const char *error)
{
	struct transition	tr = { KIND_HTTP, ALERT_DOWN, HTTP_UP, HTTP_DOWN,
	    3600000 };
	struct http_result	r = { .done = 1, .http_code = 503,
				      .response_ms = 41.2 };
	struct site_state	st = { .state = HTTP_DOWN, .failures = 2 };

	snprintf(r.error, sizeof(r.error), "%s", error);
	alert_from_http(a, site, &tr, &r, &st, T0_MS);
}

void
fx_cert(struct alert *a, int from, int to, long days, int64_t not_after,
    const char *error)
{
	struct transition	tr = { KIND_CERT,
	    to == CERT_WARNING ? ALERT_WARNING : to == CERT_CRITICAL ?
	    ALERT_CRITICAL : ALERT_OK, from, to, 86400000 };
	struct cert_result	r = { .done = 1, .have_cert = 1,
				      .days_left = days, .not_after = not_after };

	snprintf(r.error, sizeof(r.error), "%s", error);
	alert_from_cert(a, &fx_example, &tr, &r, T0_MS);
}

void
fx_warning(struct alert *a)
{
	/* 2026-12-07T10:00:00Z, 12 days and an hour later. */
	fx_cert(a, CERT_OK, CERT_WARNING, 12, 1796637600, "");
}

void
fx_expired(struct alert *a)
{
	/* Expired three and a half days ago: floor() says -4. */
	fx_cert(a, CERT_WARNING, CERT_CRITICAL, -4,
	    T0_S - 3 * DAY_S - DAY_S / 2, "certificate expired");
}

void
fx_ok(struct alert *a)
{
	/* 2027-02-13T10:00:00Z. */
	fx_cert(a, CERT_CRITICAL, CERT_OK, 80, 1802512800, "");
}
