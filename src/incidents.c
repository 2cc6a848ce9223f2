/* Incidents: time spent down and degraded, outages, recoveries. Pure. */
#include <stdio.h>
#include <string.h>

#include "incidents.h"
#include "state.h"

#define DAY_MS	(86400LL * 1000)

int64_t
incidents_first_check(const struct incident *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].kind == KIND_HTTP && v[i].from == HTTP_UNKNOWN)
			return v[i].t;
	return 0;
}

/* Returns the HTTP state just before instant t and sets *next to the
 * index of the first change at or after t: a change at the window's
 * first instant belongs to the window. */
static int
state_at(const struct incident *v, size_t n, int64_t t, int current,
    size_t *next)
{
	int	state = -1, first = -1;
	size_t	i;

	for (i = 0; i < n; i++) {
		if (v[i].kind != KIND_HTTP)
			continue;
		if (v[i].t >= t) {
			if (first == -1)
				first = v[i].from;
			break;
		}
		state = v[i].to;
	}
	*next = i;
	if (state != -1)
		return state;
	return first != -1 ? first : current;
}

void
incidents_downtime(const struct incident *v, size_t n, int64_t from,
    int64_t to, int64_t first_check, int current, struct downtime *out)
{
	int64_t	start = from > first_check ? from : first_check;
	int64_t	cursor, down_since;
	int	state, counted;
	size_t	i;

	memset(out, 0, sizeof(*out));
	out->start = start;
	if (start >= to)
		return;
	out->window_ms = to - start;
	state = state_at(v, n, start, current, &i);
	cursor = down_since = start;
	/* An outage already running at the start is not one of the window's
	 * incidents, but its part in the window is time down. */
	counted = 0;
	for (; i < n && v[i].t < to; i++) {
		int64_t	t = v[i].t;

		if (v[i].kind != KIND_HTTP || v[i].to == state)
			continue;
		if (state == HTTP_DOWN)
			out->down_ms += t - cursor;
		else if (state == HTTP_DEGRADED)
			out->degraded_ms += t - cursor;
		if (state == HTTP_DOWN) {
			if (t - down_since > out->longest_ms)
				out->longest_ms = t - down_since;
			if (counted) {
				out->recovered++;
				out->recovered_ms += t - down_since;
			}
		} else if (v[i].to == HTTP_DOWN) {
			out->downs++;
			down_since = t;
			counted = 1;
		}
		state = v[i].to;
		cursor = t;
	}
	if (state == HTTP_DOWN) {
		out->down_ms += to - cursor;
		if (to - down_since > out->longest_ms)
			out->longest_ms = to - down_since;
	} else if (state == HTTP_DEGRADED)
		out->degraded_ms += to - cursor;
}

double
downtime_uptime_pct(const struct downtime *d)
{
	if (d->window_ms <= 0)
		return -1;
	return 100.0 * (1.0 - (double)d->down_ms / (double)d->window_ms);
}

int64_t
downtime_mttr_ms(const struct downtime *d)
{
	if (d->recovered == 0)
		return -1;
	return d->recovered_ms / d->recovered;
}

void
incidents_daily(const struct incident *v, size_t n, int64_t day0,
    size_t ndays, int64_t first_check, int current, struct downtime *out)
{
	for (size_t i = 0; i < ndays; i++)
		incidents_downtime(v, n, day0 + (int64_t)i * DAY_MS,
		    day0 + (int64_t)(i + 1) * DAY_MS, first_check, current,
		    &out[i]);
}

size_t
incident_next(const struct incident *v, size_t n, size_t i)
{
	for (size_t j = i + 1; j < n; j++)
		if (v[j].kind == v[i].kind)
			return j;
	return n;
}

const char *
incident_state_name(enum check_kind kind, int state)
{
	if (kind == KIND_HTTP)
		return http_state_name((enum http_state)state);
	return cert_state_name((enum cert_state)state);
}

void
incident_days_reason(long days_left, char *out, size_t outsz)
{
	if (days_left < 0)
		snprintf(out, outsz, "certificate expired %ld day%s ago",
		    -days_left, days_left == -1 ? "" : "s");
	else
		snprintf(out, outsz, "certificate expires in %ld day%s",
		    days_left, days_left == 1 ? "" : "s");
}
