#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util.h"

void
cert_result_clear(struct cert_result *r)
{
	struct cert_details	*d;
	size_t			 i;

	if (r == NULL)
		return;
	d = &r->d;
	free(d->subject);
	free(d->issuer);
	for (i = 0; i < d->nsans; i++)
		free(d->sans[i]);
	free(d->sans);
	free(d->serial);
	free(d->sha256);
	free(d->key);
	free(d->signature);
	for (i = 0; i < d->nchain; i++) {
		free(d->chain[i].subject);
		free(d->chain[i].issuer);
	}
	free(d->chain);
	for (i = 0; i < d->ncrl_urls; i++)
		free(d->crl_urls[i]);
	free(d->crl_urls);
	free(r->chain_pem);
	memset(r, 0, sizeof(*r));
}

void
cert_intermediate_reason(const char *subject, long days_left, char *out,
    size_t outsz)
{
	char	*s;

	if (days_left < 0)
		s = xasprintf("intermediate certificate \"%s\" expired %ld "
		    "day%s ago", subject, -days_left, days_left == -1 ? "" : "s");
	else if (days_left == 0)
		s = xasprintf("intermediate certificate \"%s\" expires in "
		    "less than a day", subject);
	else
		s = xasprintf("intermediate certificate \"%s\" expires in %ld "
		    "day%s", subject, days_left, days_left == 1 ? "" : "s");
	strlcpy_trunc(out, s, outsz);
	free(s);
}

const char *
cert_result_reason(const struct cert_result *r)
{
	return r->reason[0] != '\0' ? r->reason : r->error;
}

const char *
check_kind_name(enum check_kind kind)
{
	switch (kind) {
	case KIND_HTTP:
		return "http";
	case KIND_CERT:
		return "cert";
	default:
		return "unknown";
	}
}

const char *
severity_name(enum severity sev)
{
	switch (sev) {
	case SEV_OK:
		return "ok";
	case SEV_WARNING:
		return "warning";
	case SEV_CRITICAL:
		return "critical";
	default:
		return "unknown";
	}
}

int
check_done(const struct check *c)
{
	return c->kind == KIND_HTTP ? c->http.done : c->cert.done;
}

/* Returns v within [lo, hi]; NaN gives lo. Every clamp below goes through
 * it, so no double is ever converted to an integer it does not fit. */
static double
clamp(double v, double lo, double hi)
{
	if (isnan(v) || v < lo)
		return lo;
	return v > hi ? hi : v;
}

long
clamp_days(double days)
{
	return (long)clamp(days, -(double)DAYS_LEFT_MAX, (double)DAYS_LEFT_MAX);
}

int64_t
clamp_duration_ms(int64_t ms)
{
	if (ms < 0)
		return 0;
	return ms > TIME_MS_MAX ? TIME_MS_MAX : ms;
}

int64_t
clamp_time_ms(double ms)
{
	return (int64_t)clamp(ms, 0, (double)TIME_MS_MAX);
}

double
clamp_response_ms(double ms)
{
	return clamp(ms, 0, RESPONSE_MS_MAX);
}

int
clamp_http_code(double code)
{
	return (int)clamp(code, 0, HTTP_CODE_MAX);
}
