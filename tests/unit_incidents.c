/* The incident computations: time down and degraded, outages, MTTR, the
 * daily bar. */
#include <criterion/criterion.h>
#include <string.h>

#include "commands.h"
#include "incidents.h"
#include "state.h"

#define M	(60LL * 1000)
#define H	(60 * M)
#define D	(24 * H)

static struct incident
http(int64_t t, int from, int to)
{
	struct incident	in;

	memset(&in, 0, sizeof(in));
	in.t = t;
	in.kind = KIND_HTTP;
	in.from = from;
	in.to = to;
	return in;
}

Test(incidents_unit, window_clipped_to_first_check_and_outages_summed)
{
	struct incident	v[] = {
		http(1 * H, HTTP_UNKNOWN, HTTP_UP),
		http(2 * H, HTTP_UP, HTTP_DOWN),
		http(2 * H + 10 * M, HTTP_DOWN, HTTP_UP),
		http(3 * H, HTTP_UP, HTTP_DEGRADED),
		http(4 * H, HTTP_DEGRADED, HTTP_DOWN),
		http(5 * H, HTTP_DOWN, HTTP_UP),
		http(9 * H, HTTP_UP, HTTP_DOWN),
	};
	struct downtime	d;
	size_t		n = sizeof(v) / sizeof(v[0]);

	cr_assert_eq(incidents_first_check(v, n), 1 * H);
	incidents_downtime(v, n, 0, 11 * H, incidents_first_check(v, n),
	    HTTP_DOWN, &d);
	cr_assert_eq(d.start, 1 * H);
	cr_assert_eq(d.window_ms, 10 * H);
	cr_assert_eq(d.down_ms, 10 * M + 1 * H + 2 * H);
	cr_assert_eq(d.degraded_ms, 1 * H);
	cr_assert_eq(d.downs, 3);
	cr_assert_eq(d.recovered, 2);
	cr_assert_eq(downtime_mttr_ms(&d), (10 * M + 1 * H) / 2);
	cr_assert_eq(d.longest_ms, 2 * H, "the running outage counts");
	cr_assert_float_eq(downtime_uptime_pct(&d),
	    100.0 * (1 - (3 * H + 10 * M) / (double)(10 * H)), 1e-9);
}

Test(incidents_unit, outage_running_at_the_start_is_time_down_not_an_incident)
{
	struct incident	v[] = {
		http(1 * H, HTTP_UNKNOWN, HTTP_UP),
		http(2 * H, HTTP_UP, HTTP_DOWN),
		http(4 * H, HTTP_DOWN, HTTP_UP),
	};
	struct downtime	d;

	incidents_downtime(v, 3, 3 * H, 5 * H, 1 * H, HTTP_UP, &d);
	cr_assert_eq(d.window_ms, 2 * H);
	cr_assert_eq(d.down_ms, 1 * H);
	cr_assert_eq(d.downs, 0);
	cr_assert_eq(d.recovered, 0);
	cr_assert_eq(downtime_mttr_ms(&d), -1);
	cr_assert_eq(d.longest_ms, 1 * H);
}

Test(incidents_unit, no_change_uses_the_current_state_and_empty_window)
{
	struct downtime	d;

	incidents_downtime(NULL, 0, 0, 1 * H, 0, HTTP_DOWN, &d);
	cr_assert_eq(d.down_ms, 1 * H);
	incidents_downtime(NULL, 0, 0, 1 * H, 0, HTTP_UP, &d);
	cr_assert_eq(d.down_ms, 0);
	cr_assert_float_eq(downtime_uptime_pct(&d), 100.0, 1e-9);
	/* Not checked yet in the window: no uptime to speak of. */
	incidents_downtime(NULL, 0, 0, 1 * H, 2 * H, HTTP_UP, &d);
	cr_assert_eq(d.window_ms, 0);
	cr_assert_eq(downtime_uptime_pct(&d), -1);
}

Test(incidents_unit, daily_bar_splits_an_outage_across_midnight)
{
	struct incident	v[] = {
		http(1 * H, HTTP_UNKNOWN, HTTP_UP),
		http(D - 2 * H, HTTP_UP, HTTP_DOWN),
		http(D + 3 * H, HTTP_DOWN, HTTP_UP),
	};
	struct downtime	days[3];

	incidents_daily(v, 3, 0, 3, 1 * H, HTTP_UP, days);
	cr_assert_eq(days[0].window_ms, D - 1 * H);
	cr_assert_eq(days[0].down_ms, 2 * H);
	cr_assert_eq(days[1].down_ms, 3 * H);
	cr_assert_eq(days[1].downs, 0);
	cr_assert_eq(days[2].down_ms, 0);
	cr_assert_float_eq(downtime_uptime_pct(&days[2]), 100.0, 1e-9);
}

Test(incidents_unit, next_change_of_the_same_kind)
{
	struct incident	v[3];

	v[0] = http(1, HTTP_UNKNOWN, HTTP_UP);
	v[1] = http(2, CERT_UNKNOWN, CERT_OK);
	v[1].kind = KIND_CERT;
	v[2] = http(3, HTTP_UP, HTTP_DOWN);
	cr_assert_eq(incident_next(v, 3, 0), 2);
	cr_assert_eq(incident_next(v, 3, 1), 3);
	cr_assert_eq(incident_next(v, 3, 2), 3);
	cr_assert_str_eq(incident_state_name(KIND_CERT, CERT_WARNING),
	    "warning");
}

Test(incidents_unit, a_first_check_that_finds_it_down_is_an_incident)
{
	struct incident	v[] = {
		http(1 * H, HTTP_UNKNOWN, HTTP_DOWN),
		http(2 * H, HTTP_DOWN, HTTP_UP),
	};
	struct downtime	d;

	incidents_downtime(v, 2, 0, 3 * H, incidents_first_check(v, 2),
	    HTTP_UP, &d);
	cr_assert_eq(d.window_ms, 2 * H);
	cr_assert_eq(d.downs, 1);
	cr_assert_eq(d.recovered, 1);
	cr_assert_eq(downtime_mttr_ms(&d), 1 * H);
	cr_assert_float_eq(downtime_uptime_pct(&d), 50.0, 1e-9);
}

Test(incidents_unit, days_reason)
{
	char	buf[64];

	incident_days_reason(12, buf, sizeof(buf));
	cr_assert_str_eq(buf, "certificate expires in 12 days");
	incident_days_reason(1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "certificate expires in 1 day");
	incident_days_reason(-3, buf, sizeof(buf));
	cr_assert_str_eq(buf, "certificate expired 3 days ago");
}

Test(incidents_unit, report_month_is_a_utc_calendar_month)
{
	int64_t	from, to;

	cr_assert_eq(parse_month("2026-12", &from, &to), 0);
	cr_assert_eq(from, 1796083200000LL);	/* 2026-12-01T00:00:00Z */
	cr_assert_eq(to, 1798761600000LL);	/* 2027-01-01T00:00:00Z */
	cr_assert_eq(parse_month("2024-02", &from, &to), 0);
	cr_assert_eq(to - from, 29 * D, "a leap February");
	cr_assert_eq(parse_month("2026-13", &from, &to), -1);
	cr_assert_eq(parse_month("2026-00", &from, &to), -1);
	cr_assert_eq(parse_month("2026-1", &from, &to), -1);
	cr_assert_eq(parse_month("2026-011", &from, &to), -1);
	cr_assert_eq(parse_month("26-11-1", &from, &to), -1);
	cr_assert_eq(parse_month("1969-12", &from, &to), -1);
	cr_assert_eq(parse_month("", &from, &to), -1);
}
