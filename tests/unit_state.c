/* The state machine's every rule, without servers. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "state.h"

#define T0 1764077404048LL	/* 2025-11-25 13:30:04.048 UTC */

static struct site
mksite(int retry)
{
	struct site s;

	memset(&s, 0, sizeof(s));
	s.name = (char *)"api";
	s.url = (char *)"https://api.example.com/health";
	s.interval_ms = 30000;
	s.retry = retry;
	s.retry_interval_ms = 10000;
	s.cert_interval_ms = 30000;
	s.cert_warning = 30;
	s.cert_critical = 5;
	return s;
}

static struct http_result
ok(int64_t t)
{
	struct http_result r = { .done = 1, .ok = 1, .http_code = 200,
	    .response_ms = 38, .started_ms = t };
	return r;
}

static struct http_result
fail(int64_t t)
{
	struct http_result r = { .done = 1, .ok = 0, .http_code = 503,
	    .response_ms = 41, .started_ms = t };
	snprintf(r.error, sizeof(r.error), "%s", "HTTP 503");
	return r;
}

Test(due, never_checked_is_due)
{
	cr_assert(state_due(0, 30000, T0));
}

Test(due, tolerance_is_one_second)
{
	cr_assert(state_due(T0, 30000, T0 + 29000));
	cr_assert_not(state_due(T0, 30000, T0 + 28999));
	cr_assert(state_due(T0, 30000, T0 + 31000));
}

Test(due, tolerance_is_half_a_short_interval)
{
	/* interval 1 s: min(1 s, 0.5 s) = 0.5 s */
	cr_assert(state_due(T0, 1000, T0 + 500));
	cr_assert_not(state_due(T0, 1000, T0 + 499));
}

Test(due, future_last_check_after_clock_step_is_due)
{
	cr_assert(state_due(T0 + 3600000, 30000, T0));
}

Test(due, retry_interval_while_confirming)
{
	struct site		s = mksite(2);
	struct site_state	st = { .last_check = T0, .failures = 1 };

	cr_assert(state_http_due(&st, &s, T0 + 9000));	/* 10 s - 1 s */
	cr_assert_not(state_http_due(&st, &s, T0 + 8000));
	st.failures = 2;
	cr_assert(state_http_due(&st, &s, T0 + 9000));
	/* failures == retry + 1: confirmed down, back to the interval */
	st.failures = 3;
	cr_assert_not(state_http_due(&st, &s, T0 + 9000));
	cr_assert(state_http_due(&st, &s, T0 + 29000));
	st.failures = 0;
	cr_assert_not(state_http_due(&st, &s, T0 + 9000));
}

Test(http, new_site_up_sends_nothing)
{
	struct site		s = mksite(1);
	struct site_state	st = { 0 };
	struct transition	tr;
	struct http_result	r = ok(T0);

	cr_assert_eq(state_apply_http(&st, &s, &r, T0, &tr), 0);
	cr_assert_eq(st.state, HTTP_UP);
	cr_assert_eq(st.since, T0);
	cr_assert_eq(st.last_check, T0);
	cr_assert_eq(st.failures, 0);
}

Test(http, retry_one_alerts_on_second_failure)
{
	struct site		s = mksite(1);
	struct site_state	st = { .state = HTTP_UP, .since = T0 - 100000 };
	struct transition	tr;
	struct http_result	r = fail(T0);

	cr_assert_eq(state_apply_http(&st, &s, &r, T0, &tr), 0);
	cr_assert_eq(st.state, HTTP_UP);
	cr_assert_eq(st.failures, 1);
	cr_assert_str_eq(st.error, "HTTP 503");
	r = fail(T0 + 10000);
	cr_assert_eq(state_apply_http(&st, &s, &r, T0 + 10000, &tr), 1);
	cr_assert_eq(st.state, HTTP_DOWN);
	cr_assert_eq(st.failures, 2);
	cr_assert_eq(tr.kind, KIND_HTTP);
	cr_assert_eq(tr.from, HTTP_UP);
	cr_assert_eq(tr.to, HTTP_DOWN);
	cr_assert_str_eq(alert_event_word(tr.event), "DOWN");
	cr_assert_eq(st.since, T0 + 10000);
}

Test(http, retry_zero_alerts_on_first_failure)
{
	struct site		s = mksite(0);
	struct site_state	st = { .state = HTTP_UP, .since = 1 };
	struct transition	tr;
	struct http_result	r = fail(T0);

	cr_assert_eq(state_apply_http(&st, &s, &r, T0, &tr), 1);
	cr_assert_eq(st.state, HTTP_DOWN);
}

Test(http, stays_down_without_realerting)
{
	struct site		s = mksite(1);
	struct site_state	st = { .state = HTTP_DOWN, .failures = 2,
	    .since = T0 };
	struct transition	tr;

	for (int i = 1; i <= 5; i++) {
		struct http_result r = fail(T0 + i * 30000);

		cr_assert_eq(state_apply_http(&st, &s, &r, T0 + i * 30000, &tr), 0);
		cr_assert_eq(st.state, HTTP_DOWN);
		cr_assert_eq(st.failures, 2 + i);
		cr_assert_eq(st.since, T0);
	}
}

Test(http, recovery_alerts_once_with_outage_length)
{
	struct site		s = mksite(1);
	struct site_state	st = { .state = HTTP_DOWN, .failures = 4,
	    .since = T0 };
	struct transition	tr;
	struct http_result	r = ok(T0 + 250000);

	cr_assert_eq(state_apply_http(&st, &s, &r, T0 + 250000, &tr), 1);
	cr_assert_eq(st.state, HTTP_UP);
	cr_assert_eq(st.failures, 0);
	cr_assert_eq(tr.duration_ms, 250000);
	cr_assert_str_eq(alert_event_word(tr.event), "UP");
	cr_assert_str_eq(st.error, "");
	r = ok(T0 + 280000);
	cr_assert_eq(state_apply_http(&st, &s, &r, T0 + 280000, &tr), 0);
}

Test(http, new_site_failing_goes_down_after_retry_plus_one)
{
	struct site		s = mksite(2);
	struct site_state	st = { 0 };
	struct transition	tr;

	for (int i = 0; i < 2; i++) {
		struct http_result r = fail(T0 + i);

		cr_assert_eq(state_apply_http(&st, &s, &r, T0 + i, &tr), 0);
		cr_assert_eq(st.state, HTTP_UNKNOWN);
	}
	struct http_result r = fail(T0 + 2);
	cr_assert_eq(state_apply_http(&st, &s, &r, T0 + 2, &tr), 1);
	cr_assert_eq(tr.from, HTTP_UNKNOWN);
	cr_assert_eq(st.state, HTTP_DOWN);
}

Test(http, a_success_resets_the_counter)
{
	struct site		s = mksite(1);
	struct site_state	st = { .state = HTTP_UP, .since = 1 };
	struct transition	tr;
	struct http_result	f = fail(T0), o = ok(T0 + 1);

	state_apply_http(&st, &s, &f, T0, &tr);
	state_apply_http(&st, &s, &o, T0 + 1, &tr);
	cr_assert_eq(st.failures, 0);
	state_apply_http(&st, &s, &f, T0 + 2, &tr);
	cr_assert_eq(st.state, HTTP_UP, "one failure after a success is not down");
}

Test(http, severity_is_critical_even_before_retry_is_used)
{
	struct http_result f = fail(T0), o = ok(T0);

	cr_assert_eq(http_severity(&f), SEV_CRITICAL);
	cr_assert_eq(http_severity(&o), SEV_OK);
}

static struct cert_result
cert(long days, const char *error)
{
	struct cert_result r = { .done = 1, .have_cert = 1, .days_left = days,
	    .not_after = 1800000000 };
	snprintf(r.error, sizeof(r.error), "%s", error);
	return r;
}

Test(cert, classify_thresholds_follow_the_original)
{
	struct site		s = mksite(1);
	struct cert_result	r;

	r = cert(30, "");
	cr_assert_eq(cert_classify(&r, &s), CERT_OK);
	r = cert(29, "");
	cr_assert_eq(cert_classify(&r, &s), CERT_WARNING);
	r = cert(5, "");
	cr_assert_eq(cert_classify(&r, &s), CERT_WARNING);
	r = cert(4, "");
	cr_assert_eq(cert_classify(&r, &s), CERT_CRITICAL);
	r = cert(-3, "certificate expired");
	cr_assert_eq(cert_classify(&r, &s), CERT_CRITICAL);
	r = cert(200, "certificate not trusted");
	cr_assert_eq(cert_classify(&r, &s), CERT_CRITICAL);
	r = cert(200, "");
	r.have_cert = 0;
	cr_assert_eq(cert_classify(&r, &s), CERT_CRITICAL);
}

Test(cert, first_ok_is_silent_first_warning_alerts)
{
	struct site		s = mksite(1);
	struct site_state	st = { 0 };
	struct transition	tr;
	struct cert_result	r = cert(80, "");

	cr_assert_eq(state_apply_cert(&st, &s, &r, T0, &tr), 0);
	cr_assert_eq(st.cert_state, CERT_OK);
	cr_assert_eq(st.cert_days_left, 80);
	memset(&st, 0, sizeof(st));
	r = cert(12, "");
	cr_assert_eq(state_apply_cert(&st, &s, &r, T0, &tr), 1);
	cr_assert_str_eq(alert_event_word(tr.event), "WARNING");
}

Test(cert, every_change_alerts_both_ways)
{
	struct site		s = mksite(1);
	struct site_state	st = { .cert_state = CERT_OK };
	struct transition	tr;
	struct cert_result	r;
	static const struct { long days; int alert; enum cert_state to;
	    const char *word; } steps[] = {
		{ 40, 0, CERT_OK, NULL },
		{ 20, 1, CERT_WARNING, "WARNING" },
		{ 19, 0, CERT_WARNING, NULL },
		{ 3, 1, CERT_CRITICAL, "CRITICAL" },
		{ 2, 0, CERT_CRITICAL, NULL },
		{ 90, 1, CERT_OK, "OK" },
		{ 3, 1, CERT_CRITICAL, "CRITICAL" },
		{ 20, 1, CERT_WARNING, "WARNING" },
	};

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		r = cert(steps[i].days, "");
		cr_assert_eq(state_apply_cert(&st, &s, &r, T0 + (int64_t)i, &tr),
		    steps[i].alert, "step %zu", i);
		cr_assert_eq(st.cert_state, steps[i].to, "step %zu", i);
		if (steps[i].alert)
			cr_assert_str_eq(alert_event_word(tr.event), steps[i].word);
	}
}

Test(cert, failed_check_keeps_last_known_expiry)
{
	struct site		s = mksite(1);
	struct site_state	st = { .cert_state = CERT_OK, .have_cert = 1,
	    .cert_days_left = 80, .cert_not_after = 1800000000 };
	struct transition	tr;
	struct cert_result	r = { .done = 1 };

	snprintf(r.error, sizeof(r.error), "%s", "timeout");
	cr_assert_eq(state_apply_cert(&st, &s, &r, T0, &tr), 1);
	cr_assert_eq(st.cert_state, CERT_CRITICAL);
	cr_assert_eq(st.cert_days_left, 80);
	cr_assert_eq(st.cert_last_check, T0);
}

Test(cert, severity)
{
	cr_assert_eq(cert_severity(CERT_OK), SEV_OK);
	cr_assert_eq(cert_severity(CERT_WARNING), SEV_WARNING);
	cr_assert_eq(cert_severity(CERT_CRITICAL), SEV_CRITICAL);
}

Test(names, round_trip)
{
	for (int i = 0; i < HTTP__MAX; i++)
		cr_assert_eq(http_state_parse(http_state_name(i)), i);
	for (int i = 0; i < CERT__MAX; i++)
		cr_assert_eq(cert_state_parse(cert_state_name(i)), i);
	cr_assert_eq(http_state_parse("garbage"), HTTP_UNKNOWN);
	cr_assert_eq(http_state_parse(NULL), HTTP_UNKNOWN);
}

/* --- slow responses and the degraded state (spec/checks.md) --- */

static struct http_result
slowr(int64_t t, double ms)
{
	struct http_result r = { .done = 1, .ok = 1, .http_code = 200,
	    .response_ms = ms, .started_ms = t };
	return r;
}

/* One row of the table: a state and counters, an outcome, what follows. */
struct slow_row {
	enum http_state	 from;
	int		 failures, slow;	/* before */
	char		 outcome;		/* 'o' ok, 's' slow, 'f' failed */
	int		 retry;
	enum http_state	 to;
	int		 failures_after, slow_after;
	int		 alert;			/* -1: none, else the event */
};

static const struct slow_row slow_rows[] = {
	/* unknown, up + slow: slow + 1, failures 0, degraded at retry + 1 */
	{ HTTP_UNKNOWN, 0, 0, 's', 1, HTTP_UP, 0, 1, -1 },
	{ HTTP_UNKNOWN, 1, 0, 's', 1, HTTP_UP, 0, 1, -1 },
	{ HTTP_UNKNOWN, 0, 1, 's', 1, HTTP_DEGRADED, 0, 2, ALERT_DEGRADED },
	{ HTTP_UNKNOWN, 0, 0, 's', 0, HTTP_DEGRADED, 0, 1, ALERT_DEGRADED },
	{ HTTP_UP, 0, 0, 's', 1, HTTP_UP, 0, 1, -1 },
	{ HTTP_UP, 1, 0, 's', 1, HTTP_UP, 0, 1, -1 },
	{ HTTP_UP, 0, 1, 's', 1, HTTP_DEGRADED, 0, 2, ALERT_DEGRADED },
	{ HTTP_UP, 0, 0, 's', 0, HTTP_DEGRADED, 0, 1, ALERT_DEGRADED },
	{ HTTP_UP, 0, 2, 's', 3, HTTP_UP, 0, 3, -1 },
	{ HTTP_UP, 0, 3, 's', 3, HTTP_DEGRADED, 0, 4, ALERT_DEGRADED },
	/* degraded + ok: up, fast again */
	{ HTTP_DEGRADED, 0, 2, 'o', 1, HTTP_UP, 0, 0, ALERT_UP },
	{ HTTP_DEGRADED, 1, 0, 'o', 1, HTTP_UP, 0, 0, ALERT_UP },
	/* degraded + slow: stays, no alert */
	{ HTTP_DEGRADED, 0, 2, 's', 1, HTTP_DEGRADED, 0, 3, -1 },
	{ HTTP_DEGRADED, 0, 0, 's', 5, HTTP_DEGRADED, 0, 1, -1 },
	{ HTTP_DEGRADED, 1, 0, 's', 1, HTTP_DEGRADED, 0, 1, -1 },
	/* down + ok or slow: up, back after; slow = 1 if slow */
	{ HTTP_DOWN, 2, 0, 'o', 1, HTTP_UP, 0, 0, ALERT_UP },
	{ HTTP_DOWN, 2, 0, 's', 1, HTTP_UP, 0, 1, ALERT_UP },
	{ HTTP_DOWN, 1, 0, 's', 0, HTTP_UP, 0, 1, ALERT_UP },
	/* any + failed: failures + 1, slow 0, down at retry + 1 */
	{ HTTP_UNKNOWN, 0, 1, 'f', 1, HTTP_UNKNOWN, 1, 0, -1 },
	{ HTTP_UNKNOWN, 1, 0, 'f', 1, HTTP_DOWN, 2, 0, ALERT_DOWN },
	{ HTTP_UP, 0, 1, 'f', 1, HTTP_UP, 1, 0, -1 },
	{ HTTP_UP, 0, 0, 'f', 0, HTTP_DOWN, 1, 0, ALERT_DOWN },
	{ HTTP_DEGRADED, 0, 3, 'f', 1, HTTP_DEGRADED, 1, 0, -1 },
	{ HTTP_DEGRADED, 1, 0, 'f', 1, HTTP_DOWN, 2, 0, ALERT_DOWN },
	{ HTTP_DEGRADED, 0, 3, 'f', 0, HTTP_DOWN, 1, 0, ALERT_DOWN },
	{ HTTP_DOWN, 2, 0, 'f', 1, HTTP_DOWN, 3, 0, -1 },
	/* any + ok: failures 0, slow 0, up; silent from unknown or up */
	{ HTTP_UNKNOWN, 1, 1, 'o', 1, HTTP_UP, 0, 0, -1 },
	{ HTTP_UP, 1, 1, 'o', 1, HTTP_UP, 0, 0, -1 },
};

Test(slow, every_row_of_the_table)
{
	for (size_t i = 0; i < sizeof(slow_rows) / sizeof(slow_rows[0]); i++) {
		const struct slow_row	*w = &slow_rows[i];
		struct site		 s = mksite(w->retry);
		struct site_state	 st = { .state = w->from,
		    .failures = w->failures, .slow = w->slow, .since = T0 };
		struct http_result	 r;
		struct transition	 tr;
		int			 alerted;

		s.slow_ms = 800;
		r = w->outcome == 'f' ? fail(T0 + 60000) : w->outcome == 's' ?
		    slowr(T0 + 60000, 1240) : ok(T0 + 60000);
		http_judge_speed(&r, &s);
		cr_assert_eq(r.slow, w->outcome == 's', "row %zu", i);
		alerted = state_apply_http(&st, &s, &r, T0 + 60000, &tr);
		cr_assert_eq(st.state, w->to, "row %zu: state %s", i,
		    http_state_name(st.state));
		cr_assert_eq(st.failures, w->failures_after, "row %zu", i);
		cr_assert_eq(st.slow, w->slow_after, "row %zu: slow %d", i,
		    st.slow);
		cr_assert_eq(alerted, w->alert != -1, "row %zu", i);
		if (alerted)
			cr_assert_eq(tr.event, (enum alert_event)w->alert,
			    "row %zu", i);
	}
}

Test(slow, judged_against_the_threshold)
{
	struct site		s = mksite(1);
	struct http_result	r = slowr(T0, 800);

	cr_assert_eq(http_judge_speed(&r, &s), 0, "no slow: never slow");
	s.slow_ms = 800;
	cr_assert_eq(http_judge_speed(&r, &s), 0, "800 ms is not over 800");
	cr_assert_eq(http_severity(&r), SEV_OK);
	r.response_ms = 1240.4;
	cr_assert_eq(http_judge_speed(&r, &s), 1);
	cr_assert_str_eq(r.error, "slow: 1240 ms > 800 ms");
	cr_assert_eq(http_severity(&r), SEV_WARNING);
	r = fail(T0);
	r.response_ms = 5000;
	cr_assert_eq(http_judge_speed(&r, &s), 0, "a failure is not slow");
	cr_assert_str_eq(r.error, "HTTP 503");
	cr_assert_eq(http_severity(&r), SEV_CRITICAL);
}

Test(slow, degraded_then_fast_again_alert_texts)
{
	struct site		s = mksite(1);
	struct site_state	st = { 0 };
	struct http_result	r;
	struct transition	tr;
	struct alert		a;

	s.slow_ms = 800;
	r = ok(T0);
	state_apply_http(&st, &s, &r, T0, &tr);
	r = slowr(T0 + 30000, 1240);
	http_judge_speed(&r, &s);
	cr_assert_eq(state_apply_http(&st, &s, &r, T0 + 30000, &tr), 0);
	r = slowr(T0 + 60000, 1240);
	http_judge_speed(&r, &s);
	cr_assert_eq(state_apply_http(&st, &s, &r, T0 + 60000, &tr), 1);
	cr_assert_str_eq(st.error, "slow: 1240 ms > 800 ms");
	alert_from_http(&a, &s, &tr, &r, &st, T0 + 60000);
	cr_assert_str_eq(a.text, "DEGRADED api (https://api.example.com/health):"
	    " slow: 1240 ms > 800 ms, 2 slow checks");
	cr_assert_eq(a.tone, TONE_WARNING);
	alert_clear(&a);
	r = ok(T0 + 60000 + 250000);
	cr_assert_eq(state_apply_http(&st, &s, &r, T0 + 310000, &tr), 1);
	cr_assert_str_eq(st.error, "");
	alert_from_http(&a, &s, &tr, &r, &st, T0 + 310000);
	cr_assert_str_eq(a.text, "UP api (https://api.example.com/health): "
	    "fast again after 4m 10s");
	alert_clear(&a);
}

Test(slow, degraded_alert_survives_the_queue)
{
	struct site		s = mksite(0);
	struct site_state	st = { .state = HTTP_UP };
	struct http_result	r = slowr(T0, 1240);
	struct transition	tr;
	struct alert		a, b;
	char			*json;

	s.slow_ms = 800;
	http_judge_speed(&r, &s);
	cr_assert_eq(state_apply_http(&st, &s, &r, T0, &tr), 1);
	alert_from_http(&a, &s, &tr, &r, &st, T0);
	json = alert_encode(&a);
	cr_assert_not_null(json);
	cr_assert_eq(alert_decode(json, strlen(json), &b), 0);
	cr_assert_str_eq(b.text, a.text);
	cr_assert_str_eq(b.text, "DEGRADED api (https://api.example.com/health):"
	    " slow: 1240 ms > 800 ms, 1 slow check");
	free(json);
	alert_clear(&a);
	alert_clear(&b);
}

Test(slow, degraded_is_coloured_as_a_warning_everywhere)
{
	struct site		s = mksite(0);
	struct site_state	st = { .state = HTTP_UP };
	struct http_result	r = slowr(T0, 1240);
	struct transition	tr;
	struct alert		a;
	struct integration	in = { .url = (char *)"https://x.example/h",
	    .username = (char *)"Peekl" };
	char			*p;

	s.slow_ms = 800;
	http_judge_speed(&r, &s);
	cr_assert_eq(state_apply_http(&st, &s, &r, T0, &tr), 1);
	alert_from_http(&a, &s, &tr, &r, &st, T0);
	in.type = ITYPE_SLACK;
	p = alert_payload(&in, &a);
	cr_assert_not_null(strstr(p, "\"color\":\"#f9ab00\""), "%s", p);
	free(p);
	in.type = ITYPE_DISCORD;
	p = alert_payload(&in, &a);
	cr_assert_not_null(p);
	free(p);
	in.type = ITYPE_WEBHOOK;
	p = alert_payload(&in, &a);
	cr_assert_not_null(strstr(p, "\"DEGRADED\""), "%s", p);
	free(p);
	cr_assert_eq(a.tone, alert_event_tone(ALERT_WARNING));
	alert_clear(&a);
}

/* A result whose leaf has `leaf` days left and whose intermediate
 * "CN=Example Issuing CA" has `inter`, with an optional weak finding. */
static struct cert_result
chain_result(long leaf, long inter, const char *weak)
{
	static struct cert_link	links[2] = {
		{ (char *)"CN=api.example.com", (char *)"CN=Example Issuing CA",
		    0, 0 },
		{ (char *)"CN=Example Issuing CA", (char *)"CN=Example Root",
		    0, 0 },
	};
	struct cert_result	r;

	memset(&r, 0, sizeof(r));
	r.done = r.have_cert = 1;
	r.days_left = leaf;
	r.d.chain = links;
	r.d.nchain = 2;
	r.d.have_chain_days = 1;
	r.d.chain_days_left = inter;
	r.d.chain_min = 1;
	snprintf(r.d.weak, sizeof(r.d.weak), "%s", weak ? weak : "");
	return r;
}

Test(cert, verdict_follows_the_earliest_expiry)
{
	struct site		s = mksite(1);
	struct cert_result	r = chain_result(200, 4, NULL);
	char			why[ERROR_LEN];

	cr_assert_eq(cert_verdict(&r, &s, why, sizeof(why)), CERT_CRITICAL);
	cr_assert_str_eq(why, "intermediate certificate \"CN=Example Issuing "
	    "CA\" expires in 4 days");
	r = chain_result(200, 12, NULL);
	cr_assert_eq(cert_verdict(&r, &s, why, sizeof(why)), CERT_WARNING);
	r = chain_result(10, 100, NULL);
	cr_assert_eq(cert_verdict(&r, &s, why, sizeof(why)), CERT_WARNING);
	cr_assert_str_eq(why, "", "the leaf's own expiry has no reason");
	r = chain_result(200, 100, NULL);
	cr_assert_eq(cert_verdict(&r, &s, why, sizeof(why)), CERT_OK);
	cr_assert_str_eq(why, "");
	r = chain_result(200, 1, NULL);
	cert_verdict(&r, &s, why, sizeof(why));
	cr_assert_str_eq(why, "intermediate certificate \"CN=Example Issuing "
	    "CA\" expires in 1 day");
}

Test(cert, verdict_weak_crypto_levels_and_precedence)
{
	struct site		s = mksite(1);
	struct cert_result	r = chain_result(200, 300,
	    "weak signature: RSA with SHA1");
	char			why[ERROR_LEN];

	cr_assert_eq(cert_verdict(&r, &s, why, sizeof(why)), CERT_WARNING);
	cr_assert_str_eq(why, "weak signature: RSA with SHA1");
	s.weak_crypto = WEAK_CRITICAL;
	cr_assert_eq(cert_verdict(&r, &s, why, sizeof(why)), CERT_CRITICAL);
	s.weak_crypto = WEAK_IGNORE;
	cr_assert_eq(cert_verdict(&r, &s, why, sizeof(why)), CERT_OK);
	cr_assert_str_eq(why, "");
	/* A worse expiry wins and names itself. */
	s.weak_crypto = WEAK_WARNING;
	r = chain_result(200, 3, "weak key: RSA 1024");
	cr_assert_eq(cert_verdict(&r, &s, why, sizeof(why)), CERT_CRITICAL);
	cr_assert_str_eq(why, "intermediate certificate \"CN=Example Issuing "
	    "CA\" expires in 3 days");
	/* A trust problem is always the worst. */
	r = chain_result(200, 300, "weak key: RSA 1024");
	snprintf(r.error, sizeof(r.error), "certificate not trusted");
	cr_assert_eq(cert_verdict(&r, &s, why, sizeof(why)), CERT_CRITICAL);
	cr_assert_str_eq(why, "certificate not trusted");
}
