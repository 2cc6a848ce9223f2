/*
 * Alerts: the one-line summaries, every integration's payload compared
 * byte for byte with tests/golden/NAME.json (lowdown's regress style; run
 * with PEEKL_GOLDEN_UPDATE=1 to rewrite the files after a deliberate
 * change, then review the diff), escaping of hostile strings, and the
 * queue form's round trip.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "alert.h"
#include "alert_fixtures.h"
#include "harness.h"
#include "notify.h"
#include "state.h"
#include "util.h"

static struct integration slack = {
	.type = ITYPE_SLACK,
	.url = STR("https://hooks.slack.com/services/T0/B0/X"),
};
static struct integration discord = {
	.type = ITYPE_DISCORD, .url = STR("https://discord.com/api/webhooks/1/x"),
};
static struct integration discord_named = {
	.type = ITYPE_DISCORD, .url = STR("https://discord.com/api/webhooks/1/x"),
	.username = STR("Peekl"),
};
static struct integration webhook = {
	.type = ITYPE_WEBHOOK, .url = STR("https://alerts.example.com/peekl"),
};
static const struct integration *const all_integrations[] = {
	&slack, &discord, &webhook
};

/* make_down of api with HTTP 503, the alert most tests use. */
static void
make_api_down(struct alert *a)
{
	fx_down(a, &fx_api, "HTTP 503");
}

static void
make_up(struct alert *a)
{
	struct transition	tr = { KIND_HTTP, ALERT_UP, HTTP_DOWN, HTTP_UP,
	    250000 };
	struct http_result	r = { .done = 1, .ok = 1, .http_code = 200,
				      .response_ms = 38.0 };
	struct site_state	st = { .state = HTTP_UP };

	alert_from_http(a, &fx_api, &tr, &r, &st, T0_MS);
}

/* Critical from the start: valid for 80 more days but not trusted. */
static void
make_untrusted(struct alert *a)
{
	fx_cert(a, CERT_UNKNOWN, CERT_CRITICAL, 80, 1802512800,
	    "certificate not trusted");
}

/* Compares got (plus a final newline) with tests/golden/name.json
 * (h_golden). */
static void
golden(const char *name, const char *got)
{
	char	*file, *text;

	cr_assert_not_null(got, "%s: no payload", name);
	file = h_strf("%s.json", name);
	text = h_strf("%s\n", got);
	h_golden(file, text);
	free(text);
	free(file);
}

/* Builds an alert with make, renders it for in and compares that with the
 * golden file name. */
static void
golden_payload(const char *name, const struct integration *in,
    void (*make)(struct alert *))
{
	struct alert	 a;
	char		*p;

	make(&a);
	p = alert_payload(in, &a);
	golden(name, p);
	free(p);
	alert_clear(&a);
}

/* One test per golden file, named after it: the payload for integration
 * in of the alert that make builds. */
#define GOLDEN_TEST(name, in, make) \
	Test(alert_golden, name) { golden_payload(#name, &in, make); }

GOLDEN_TEST(slack_down, slack, make_api_down)
GOLDEN_TEST(slack_up, slack, make_up)
GOLDEN_TEST(slack_cert_warning, slack, fx_warning)
GOLDEN_TEST(slack_cert_critical_expired, slack, fx_expired)
GOLDEN_TEST(slack_cert_ok, slack, fx_ok)
GOLDEN_TEST(discord_down, discord, make_api_down)
GOLDEN_TEST(discord_cert_warning, discord, fx_warning)
GOLDEN_TEST(webhook_down, webhook, make_api_down)
GOLDEN_TEST(webhook_up, webhook, make_up)
GOLDEN_TEST(webhook_cert_critical, webhook, make_untrusted)

/* A reminder of api's outage, 4 h 2 min in (spec/alerting.md). */
static void
make_reminder(struct alert *a)
{
	struct transition	tr = { KIND_HTTP, ALERT_REMINDER, HTTP_DOWN,
	    HTTP_DOWN, (4 * 60 + 2) * 60000 };
	struct http_result	r = { .done = 1, .http_code = 503,
				      .response_ms = 41.2 };
	struct site_state	st = { .state = HTTP_DOWN, .failures = 480 };

	snprintf(r.error, sizeof(r.error), "HTTP 503");
	alert_from_http(a, &fx_api, &tr, &r, &st, T0_MS);
}

/* A storm of three: api down, example.com's certificate warning, and api
 * down again under another name, grouped. */
static void
make_group(struct alert *a)
{
	struct alert		 m[3];
	const struct alert	*p[3] = { &m[0], &m[1], &m[2] };
	struct site		 shop = {
		.name = STR("shop"), .url = STR("https://shop.example.com/"),
	};

	make_api_down(&m[0]);
	fx_warning(&m[1]);
	fx_down(&m[2], &shop, "timeout");
	alert_group(a, p, 3, T0_MS);
	for (int i = 0; i < 3; i++)
		alert_clear(&m[i]);
}

GOLDEN_TEST(slack_reminder, slack, make_reminder)
GOLDEN_TEST(webhook_reminder, webhook, make_reminder)
GOLDEN_TEST(slack_group, slack, make_group)
GOLDEN_TEST(discord_group, discord, make_group)
GOLDEN_TEST(webhook_group, webhook, make_group)

/* --- the one-line summary --- */

static void
text_is(struct alert *a, const char *want)
{
	char	*got = alert_text(a);

	cr_assert_str_eq(got, want);
	free(got);
	alert_clear(a);
}

Test(alert_text, http)
{
	struct alert		a;
	struct transition	tr = { KIND_HTTP, ALERT_DOWN, HTTP_UNKNOWN,
	    HTTP_DOWN, 0 };
	struct http_result	r = { .done = 1, .response_ms = 10000 };
	struct site_state	st = { .failures = 1 };

	make_api_down(&a);
	text_is(&a, "DOWN api (https://api.example.com/health): HTTP 503, "
	    "2 failed checks");
	make_up(&a);
	text_is(&a, "UP api (https://api.example.com/health): back after "
	    "4m 10s");
	snprintf(r.error, sizeof(r.error), "timeout");
	alert_from_http(&a, &fx_api, &tr, &r, &st, T0_MS);
	cr_assert_eq(a.previous.http, HTTP_UNKNOWN);
	cr_assert_eq(a.http_code, 0);
	text_is(&a, "DOWN api (https://api.example.com/health): timeout, "
	    "1 failed check");
}

Test(alert_text, cert)
{
	struct alert		a;
	struct transition	tr = { KIND_CERT, ALERT_CRITICAL, CERT_OK,
	    CERT_CRITICAL, 0 };
	struct cert_result	r = { .done = 1 };

	fx_warning(&a);
	text_is(&a, "WARNING example.com (https://example.com): certificate "
	    "expires in 12 days (2026-12-07)");
	fx_expired(&a);
	text_is(&a, "CRITICAL example.com (https://example.com): certificate "
	    "expired 4 days ago (2026-11-21)");
	make_untrusted(&a);
	text_is(&a, "CRITICAL example.com (https://example.com): certificate "
	    "not trusted, expires in 80 days");
	fx_ok(&a);
	text_is(&a, "OK example.com (https://example.com): certificate valid "
	    "for 80 more days (2027-02-13)");
	fx_cert(&a, CERT_WARNING, CERT_CRITICAL, 1, 1795597200 + DAY_S + 60,
	    "");
	text_is(&a, "CRITICAL example.com (https://example.com): certificate "
	    "expires in 1 day (2026-11-26)");
	/* No certificate at all: the check's error is the reason. */
	snprintf(r.error, sizeof(r.error), "connection refused");
	alert_from_cert(&a, &fx_example, &tr, &r, T0_MS);
	cr_assert_eq(a.response_ms < 0, 1);
	text_is(&a, "CRITICAL example.com (https://example.com): certificate "
	    "check failed: connection refused");
}

Test(alert_text, password_redacted)
{
	struct site	s = { .name = STR("intranet"),
			      .url = STR("https://bob:hunter2@intra.example/") };
	struct alert	a;

	fx_down(&a, &s, "HTTP 503");
	cr_assert_null(strstr(a.url, "hunter2"));
	text_is(&a, "DOWN intranet (https://bob:***@intra.example/): "
	    "HTTP 503, 2 failed checks");
}

/* --- escaping --- */

/* Parses a payload back; fails the test if it is not JSON. */
static json_t *
parse(const char *payload)
{
	json_error_t	 je;
	json_t		*j;

	cr_assert_not_null(payload);
	j = json_loads(payload, 0, &je);
	cr_assert_not_null(j, "invalid JSON (%s): %s", je.text, payload);
	return j;
}

/* Returns the payload of a for in, parsed; json_decref it. */
static json_t *
payload_json(const struct integration *in, const struct alert *a)
{
	char	*p = alert_payload(in, a);
	json_t	*j = parse(p);

	free(p);
	return j;
}

/* Returns the string member key of j, NULL when there is none. */
static const char *
str_of(const json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

Test(alert_escape, quote_and_backslash)
{
	struct site	 s = { .name = STR("odd"),
			       .url = STR("https://x.example/a\"b\\c") };
	struct alert	 a;
	json_t		*j;
	size_t		 i;

	fx_down(&a, &s, "HTTP 503");
	for (i = 0; i < ARRAY_LEN(all_integrations); i++) {
		j = payload_json(all_integrations[i], &a);
		if (all_integrations[i]->type == ITYPE_WEBHOOK)
			cr_assert_str_eq(str_of(j, "url"),
			    "https://x.example/a\"b\\c");
		cr_assert_str_eq(str_of(j,
		    all_integrations[i]->type == ITYPE_DISCORD ? "content" :
		    "text"), "DOWN odd (https://x.example/a\"b\\c): HTTP 503, "
		    "2 failed checks");
		json_decref(j);
	}
	alert_clear(&a);
}

Test(alert_escape, non_ascii_passes_through)
{
	struct alert	 a;
	char		*p;
	json_t		*j;

	fx_down(&a, &fx_api, "délai dépassé");
	p = alert_payload(&webhook, &a);
	cr_assert_not_null(strstr(p, "\"error\":\"délai dépassé\""), "%s", p);
	j = parse(p);
	free(p);
	cr_assert_str_eq(str_of(j, "text"),
	    "DOWN api (https://api.example.com/health): délai dépassé, "
	    "2 failed checks");
	json_decref(j);
	alert_clear(&a);
}

Test(alert_escape, invalid_utf8_becomes_valid_json)
{
	struct alert	 a;
	char		*p;
	json_t		*j;
	size_t		 i;

	/* A stray byte, a truncated sequence, an overlong "/", a surrogate,
	 * and a sequence cut by the end of the string. */
	fx_down(&a, &fx_api, "bad \xff x \xc3 y \xc0\xaf z \xed\xa0\x80 end\xe2\x82");
	for (i = 0; i < ARRAY_LEN(all_integrations); i++) {
		j = payload_json(all_integrations[i], &a);
		if (all_integrations[i]->type == ITYPE_WEBHOOK)
			cr_assert_str_eq(str_of(j, "error"),
			    "bad ? x ? y ?? z ??? end??");
		json_decref(j);
	}
	p = alert_encode(&a);
	j = parse(p);
	json_decref(j);
	free(p);
	alert_clear(&a);
}

Test(alert_escape, slack_control_characters)
{
	struct alert	 a;
	json_t		*j;

	fx_down(&a, &fx_api, "<!channel> & <b>");
	j = payload_json(&slack, &a);
	cr_assert_str_eq(str_of(j, "text"),
	    "DOWN api (https://api.example.com/health): &lt;!channel&gt; "
	    "&amp; &lt;b&gt;, 2 failed checks");
	json_decref(j);
	alert_clear(&a);
}

Test(alert_escape, discord_limits)
{
	struct site	 s = { .name = STR("long"), .url = NULL };
	struct alert	 a;
	char		*url;
	json_t		*j, *embed;

	url = xcalloc(1, 3001);
	memcpy(url, "https://x.example/", 18);
	memset(url + 18, 'a', 2982);
	s.url = url;
	fx_down(&a, &s, "HTTP 503");
	j = payload_json(&discord_named, &a);
	cr_assert_str_eq(str_of(j, "username"), "Peekl");
	cr_assert_leq(strlen(str_of(j, "content")), 2000);
	embed = json_array_get(json_object_get(j, "embeds"), 0);
	cr_assert_leq(strlen(str_of(json_array_get(json_object_get(embed,
	    "fields"), 0), "value")), 1024);
	json_decref(j);
	free(url);
	alert_clear(&a);
}

/* --- the queue form --- */

static void
assert_same(const struct alert *x, const struct alert *y)
{
	cr_assert_eq(x->kind, y->kind);
	cr_assert_str_eq(x->site, y->site);
	cr_assert_str_eq(x->url, y->url);
	cr_assert_eq(x->event, y->event);
	if (x->kind == KIND_CERT)
		cr_assert_eq(x->previous.cert, y->previous.cert);
	else
		cr_assert_eq(x->previous.http, y->previous.http);
	if (x->error == NULL)
		cr_assert_null(y->error);
	else
		cr_assert_str_eq(x->error, y->error);
	cr_assert_eq(x->http_code, y->http_code);
	cr_assert_eq(x->response_ms, y->response_ms);
	cr_assert_eq(x->failures, y->failures);
	cr_assert_eq(x->have_cert, y->have_cert);
	cr_assert_eq(x->days_left, y->days_left);
	cr_assert_eq(x->not_after, y->not_after);
	cr_assert_eq(x->duration_ms, y->duration_ms);
	cr_assert_eq(x->timestamp_ms, y->timestamp_ms);
}

static void
round_trip(struct alert *a)
{
	struct alert	 b;
	char		*json = alert_encode(a);

	cr_assert_not_null(json);
	cr_assert_eq(alert_decode(json, strlen(json), &b), 0,
	    "cannot decode %s", json);
	assert_same(a, &b);
	free(json);
	alert_clear(&b);
	alert_clear(a);
}

Test(alert_queue, round_trip)
{
	struct alert	a;

	fx_down(&a, &fx_api, "délai \"dépassé\"");
	a.response_ms = 41.234567891;
	round_trip(&a);
	make_up(&a);
	round_trip(&a);
	fx_expired(&a);
	round_trip(&a);
	fx_ok(&a);
	round_trip(&a);
}

/* Asserts that json does not decode and leaves a empty. */
static void
rejects(const char *json, struct alert *a)
{
	cr_assert_eq(alert_decode(json, strlen(json), a), -1, "accepted %s", json);
	cr_assert_null(a->site);
}

/* Returns s with its first from replaced by to, malloc'd. */
static char *
replaced(const char *s, const char *from, const char *to)
{
	const char	*at = strstr(s, from);

	cr_assert_not_null(at, "no %s in %s", from, s);
	return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

Test(alert_queue, decode_rejects_garbage)
{
	/* A valid alert, and the same with one field broken at a time. */
	static const char good[] =
	    "{\"kind\":\"http\",\"site\":\"a\",\"url\":\"u\",\"state\":\"DOWN\","
	    "\"previous\":\"up\",\"error\":null,\"http_code\":0,"
	    "\"response_ms\":1,\"failures\":1,\"have_cert\":false,"
	    "\"days_left\":0,\"not_after\":0,\"duration_ms\":0,"
	    "\"timestamp_ms\":1}";
	static const char *const breaks[][2] = {
		{ "\"kind\":\"http\"", "\"kind\":\"dns\"" },
		{ "\"state\":\"DOWN\"", "\"state\":\"MAYBE\"" },
		{ "\"http_code\":0", "\"http_code\":\"503\"" },
		{ "\"error\":null", "\"error\":7" },
		{ "\"failures\":1", "\"failures\":-1" },
		{ ",\"timestamp_ms\":1", "" },
	};
	static const char *const bad[] = {
		"", "null", "[]", "{}", "42", "\"DOWN\"", "{\"kind\":",
		"not json at all",
	};
	struct alert	 a;
	char		*broken;
	size_t		 i;

	for (i = 0; i < ARRAY_LEN(bad); i++)
		rejects(bad[i], &a);
	for (i = 0; i < ARRAY_LEN(breaks); i++) {
		broken = replaced(good, breaks[i][0], breaks[i][1]);
		rejects(broken, &a);
		free(broken);
	}
	cr_assert_eq(alert_decode(NULL, 0, &a), -1);
	/* The control: the same object, unbroken, decodes. */
	cr_assert_eq(alert_decode(good, strlen(good), &a), 0);
	cr_assert_str_eq(a.site, "a");
	cr_assert_null(a.error);
	alert_clear(&a);
}

/* Written by the version before the alert model held enums: both must
 * still decode, and encode again to the same bytes. */
/* An entry is its bytes: a NUL anywhere makes it no alert, and nothing
 * after the given length is read. */
Test(alert_queue, decode_is_by_length_and_refuses_nul)
{
	static const char good[] =
	    "{\"kind\":\"http\",\"site\":\"a\",\"url\":\"u\",\"state\":\"DOWN\","
	    "\"previous\":\"up\",\"error\":null,\"http_code\":0,"
	    "\"response_ms\":1,\"failures\":1,\"have_cert\":false,"
	    "\"days_left\":0,\"not_after\":0,\"duration_ms\":0,"
	    "\"timestamp_ms\":1}";
	char		 buf[sizeof(good) + 2];
	struct alert	 a;
	size_t		 n = sizeof(good) - 1;

	/* The entry: a valid alert followed by "\0x". */
	memcpy(buf, good, n);
	memcpy(buf + n, "\0x", 3);
	cr_assert_eq(alert_decode(buf, n + 2, &a), -1);
	cr_assert_eq(alert_decode("not json\0tail", 13, &a), -1);
	cr_assert_eq(alert_decode(buf, n + 1, &a), -1);
	/* The same bytes, up to the NUL only: an alert. */
	cr_assert_eq(alert_decode(buf, n, &a), 0);
	cr_assert_str_eq(a.site, "a");
	alert_clear(&a);
	/* Bytes after the length are not read (no NUL terminator needed). */
	memcpy(buf + n, "xy", 2);
	cr_assert_eq(alert_decode(buf, n, &a), 0);
	alert_clear(&a);
}

Test(alert_queue, earlier_version_form)
{
	static const char *const queued[] = {
	    "{\"kind\":\"http\",\"site\":\"api\",\"url\":"
	    "\"https://api.example.com/health\",\"state\":\"DOWN\","
	    "\"previous\":\"up\",\"error\":\"HTTP 503\",\"http_code\":503,"
	    "\"response_ms\":41.200000000000003,\"failures\":2,"
	    "\"have_cert\":false,\"days_left\":0,\"not_after\":0,"
	    "\"duration_ms\":3600000,\"timestamp_ms\":1795597200048}",
	    "{\"kind\":\"cert\",\"site\":\"example.com\",\"url\":"
	    "\"https://example.com\",\"state\":\"CRITICAL\","
	    "\"previous\":\"unknown\",\"error\":\"certificate not trusted\","
	    "\"http_code\":0,\"response_ms\":-1.0,\"failures\":0,"
	    "\"have_cert\":true,\"days_left\":80,\"not_after\":1802512800,"
	    "\"duration_ms\":86400000,\"timestamp_ms\":1795597200048}",
	};
	struct alert	 a;
	char		*json;
	size_t		 i;

	for (i = 0; i < ARRAY_LEN(queued); i++) {
		cr_assert_eq(alert_decode(queued[i], strlen(queued[i]), &a), 0);
		json = alert_encode(&a);
		cr_assert_str_eq(json, queued[i]);
		free(json);
		alert_clear(&a);
	}
	cr_assert_eq(alert_decode(queued[0], strlen(queued[0]), &a), 0);
	cr_assert_eq(a.event, ALERT_DOWN);
	cr_assert_eq(a.previous.http, HTTP_UP);
	alert_clear(&a);
	cr_assert_eq(alert_decode(queued[1], strlen(queued[1]), &a), 0);
	cr_assert_eq(a.event, ALERT_CRITICAL);
	cr_assert_eq(a.previous.cert, CERT_UNKNOWN);
	alert_clear(&a);
}

/* --- the model: events, and what is built once for every renderer --- */

Test(alert_model, event_words_and_tones)
{
	static const struct {
		enum alert_event	 ev;
		const char		*word;
		enum alert_tone		 tone;
	} want[] = {
		{ ALERT_DOWN, "DOWN", TONE_DANGER },
		{ ALERT_UP, "UP", TONE_GOOD },
		{ ALERT_WARNING, "WARNING", TONE_WARNING },
		{ ALERT_CRITICAL, "CRITICAL", TONE_DANGER },
		{ ALERT_OK, "OK", TONE_GOOD },
		{ ALERT_DEGRADED, "DEGRADED", TONE_WARNING },
		{ ALERT_REMINDER, "REMINDER", TONE_DANGER },
		{ ALERT_GROUP, "GROUP", TONE_DANGER },
	};
	enum alert_event	 ev;
	size_t			 i;
	int			 e;

	cr_assert_eq(ARRAY_LEN(want), ALERT__MAX, "an event has no test row");
	for (i = 0; i < ARRAY_LEN(want); i++) {
		cr_assert_str_eq(alert_event_word(want[i].ev), want[i].word);
		cr_assert_eq(alert_event_tone(want[i].ev), want[i].tone);
	}
	/* Every event has a word, and its word parses back to it. */
	for (e = 0; e < ALERT__MAX; e++) {
		cr_assert_not_null(alert_event_word((enum alert_event)e));
		cr_assert_eq(alert_event_parse(
		    alert_event_word((enum alert_event)e), &ev), 0);
		cr_assert_eq(ev, e);
		cr_assert_lt(alert_event_tone((enum alert_event)e), TONE__MAX);
	}
	cr_assert_eq(alert_event_parse("down", &ev), -1, "upper case only");
	cr_assert_eq(alert_event_parse("MAYBE", &ev), -1);
	cr_assert_eq(alert_event_parse(NULL, &ev), -1);
}

/* Asserts that what alert_finish built is the same in x and y. */
static void
assert_same_shown(const struct alert *x, const struct alert *y)
{
	size_t	i;

	cr_assert_str_eq(x->word, y->word);
	cr_assert_str_eq(x->previous_word, y->previous_word);
	cr_assert_eq(x->tone, y->tone);
	cr_assert_str_eq(x->reason, y->reason);
	cr_assert_str_eq(x->text, y->text);
	cr_assert_str_eq(x->timestamp_iso, y->timestamp_iso);
	cr_assert_str_eq(x->not_after_iso, y->not_after_iso);
	cr_assert_eq(x->nfields, y->nfields);
	for (i = 0; i < x->nfields; i++) {
		cr_assert_str_eq(x->fields[i].title, y->fields[i].title);
		cr_assert_str_eq(x->fields[i].value, y->fields[i].value);
		cr_assert_eq(x->fields[i].is_short, y->fields[i].is_short);
	}
}

Test(alert_model, decoded_shows_what_was_built)
{
	static void (*const makers[])(struct alert *) = {
		make_api_down, make_up, fx_warning, fx_expired, fx_ok,
		make_untrusted,
	};
	struct alert	 a, b;
	char		*json, *text;
	size_t		 i;

	for (i = 0; i < ARRAY_LEN(makers); i++) {
		makers[i](&a);
		cr_assert_not_null(json = alert_encode(&a));
		cr_assert_eq(alert_decode(json, strlen(json), &b), 0, "%s", json);
		assert_same_shown(&a, &b);
		text = alert_text(&b);
		cr_assert_str_eq(text, a.text);
		free(text);
		free(json);
		alert_clear(&a);
		alert_clear(&b);
	}
}

Test(alert_model, what_is_built)
{
	struct alert	a;

	make_api_down(&a);
	cr_assert_str_eq(a.word, "DOWN");
	cr_assert_str_eq(a.previous_word, "up");
	cr_assert_eq(a.tone, TONE_DANGER);
	cr_assert_str_eq(a.reason, "HTTP 503, 2 failed checks");
	cr_assert_str_eq(a.timestamp_iso, "2026-11-25T09:00:00.048Z");
	cr_assert_str_eq(a.not_after_iso, "");
	/* Website, Status code, Response time, Failures: the error only
	 * repeats the code, so it has no field. */
	cr_assert_eq(a.nfields, 4);
	cr_assert_str_eq(a.fields[0].title, "Website");
	cr_assert_str_eq(a.fields[0].value, "https://api.example.com/health");
	cr_assert_eq(a.fields[0].is_short, 0);
	cr_assert_str_eq(a.fields[2].value, "41 ms");
	alert_clear(&a);

	fx_warning(&a);
	cr_assert_str_eq(a.previous_word, "ok");
	cr_assert_eq(a.tone, TONE_WARNING);
	cr_assert_str_eq(a.not_after_iso, "2026-12-07T10:00:00Z");
	cr_assert_eq(a.nfields, 3);
	cr_assert_str_eq(a.fields[2].title, "Expires");
	cr_assert_str_eq(a.fields[2].value, "2026-12-07 10:00 UTC");
	alert_clear(&a);
}

/* Facts set by hand, then finished (twice: the second rebuild must free
 * the first, which the ASan run checks), show like a constructed alert. */
Test(alert_model, finish_by_hand)
{
	struct alert	 a, b = { 0 };

	make_up(&a);
	b.kind = KIND_HTTP;
	b.event = ALERT_UP;
	b.previous.http = HTTP_DOWN;
	b.site = xstrdup("api");
	b.url = xstrdup("https://api.example.com/health");
	b.http_code = 200;
	b.response_ms = 38.0;
	b.duration_ms = 250000;
	b.timestamp_ms = T0_MS;
	alert_finish(&b);
	alert_finish(&b);
	assert_same_shown(&a, &b);
	alert_clear(&a);
	alert_clear(&b);
}

/* Every kind of integration has a renderer in the notifier table. */
Test(alert_model, every_integration_renders)
{
	struct integration	 in = { .url = STR("https://x.example/"),
	    .from = STR("peekl@example.com") };
	struct alert		 a;
	char			*p;
	int			 k;

	make_api_down(&a);
	for (k = 0; k < ITYPE__MAX; k++) {
		in.type = (enum integration_type)k;
		p = alert_payload(&in, &a);
		cr_assert_not_null(p, "no payload for %s",
		    integration_type_name(in.type));
		free(p);
	}
	alert_clear(&a);
}

/* ---- one range for every number (what peekl writes, it reads back) */

/* A certificate valid until 9999-12-31 (RFC 5280's "no expiry") has about
 * 2.9 million days left; its CRITICAL alert survives the queue. */
Test(alert_ranges, far_future_certificate_round_trips)
{
	struct alert	a, b;
	int64_t		not_after = 253402300799LL;	/* 9999-12-31T23:59:59Z */
	long		days = (long)((not_after - T0_S) / DAY_S);
	char		*enc;

	cr_assert_gt(days, 2900000);
	fx_cert(&a, CERT_UNKNOWN, CERT_CRITICAL, days, not_after,
	    "certificate not trusted");
	cr_assert_eq(a.days_left, days);
	cr_assert_not_null(enc = alert_encode(&a));
	cr_assert_eq(alert_decode(enc, strlen(enc), &b), 0,
	    "not decoded: %s", enc);
	cr_assert_eq(b.days_left, days);
	cr_assert_eq(b.event, ALERT_CRITICAL);
	cr_assert_str_eq(b.text, a.text);
	free(enc);
	alert_clear(&a);
	alert_clear(&b);
}

/* A `since` in the future (clock skew between hosts) gives an outage of
 * zero, never a negative one the decoder would refuse. */
Test(alert_ranges, since_in_the_future_recovers)
{
	struct site		 s = { .name = STR("api"),
				       .url = STR("https://api.example.com/") };
	struct site_state	 st = { .state = HTTP_DOWN, .failures = 3,
				       .since = T0_MS + 86400000 };
	struct http_result	 r = { .done = 1, .ok = 1, .http_code = 200,
				       .response_ms = 12, .started_ms = T0_MS };
	struct transition	 tr;
	struct alert		 a, b;
	char			*enc;

	s.retry = 1;
	cr_assert_eq(state_apply_http(&st, &s, &r, T0_MS, &tr), 1);
	cr_assert_eq(tr.event, ALERT_UP);
	cr_assert_eq(tr.duration_ms, 0);
	alert_from_http(&a, &s, &tr, &r, &st, T0_MS);
	cr_assert_not_null(enc = alert_encode(&a));
	cr_assert_eq(alert_decode(enc, strlen(enc), &b), 0,
	    "not decoded: %s", enc);
	cr_assert_eq(b.event, ALERT_UP);
	free(enc);
	alert_clear(&a);
	alert_clear(&b);
}

/* Numbers outside the ranges no producer writes are not an alert: the
 * entry will be set aside, not rendered as infinity or an unreadable
 * date. */
Test(alert_ranges, decoder_refuses_what_no_producer_writes)
{
	static const struct {
		const char	*key;
		double		 value;
	} bad[] = {
		{ "response_ms", 1e308 }, { "not_after", 9e18 },
		{ "days_left", 4e6 }, { "duration_ms", -1 },
		{ "timestamp_ms", 3e14 }, { "http_code", 1000 },
	};
	struct alert	 a, b;
	char		*enc;

	fx_down(&a, &fx_api, "HTTP 503");
	cr_assert_not_null(enc = alert_encode(&a));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t	*root = json_loads(enc, 0, NULL);
		json_t	*v = strcmp(bad[i].key, "response_ms") == 0 ?
			    json_real(bad[i].value) :
			    json_integer((json_int_t)bad[i].value);
		char	*edited;

		cr_assert_not_null(root);
		json_object_set_new(root, bad[i].key, v);
		edited = json_dumps(root, JSON_COMPACT);
		cr_assert_eq(alert_decode(edited, strlen(edited), &b), -1,
		    "decoded: %s", edited);
		free(edited);
		json_decref(root);
	}
	free(enc);
	alert_clear(&a);
}

Test(alert_ranges, clamps)
{
	cr_assert_eq(clamp_days(1e300), DAYS_LEFT_MAX);
	cr_assert_eq(clamp_days(-1e300), -DAYS_LEFT_MAX);
	cr_assert_eq(clamp_days(NAN), -DAYS_LEFT_MAX);
	cr_assert_eq(clamp_days(12.9), 12);
	cr_assert_eq(clamp_duration_ms(-5), 0);
	cr_assert_eq(clamp_time_ms(1e300), TIME_MS_MAX);
	cr_assert_float_eq(clamp_response_ms(1e308), RESPONSE_MS_MAX, 1);
	cr_assert_float_eq(clamp_response_ms(NAN), 0, 0);
	cr_assert_eq(clamp_http_code(1e300), HTTP_CODE_MAX);
}

/* The chain's facts travel through the queue: issuer and the intermediate
 * that expires first are shown as fields after a decode as before it. */
Test(alert_queue, chain_facts_survive_the_queue)
{
	struct cert_link	links[2] = {
		{ (char *)"CN=api.example.com", (char *)"CN=Example Issuing CA",
		    0, 200 },
		{ (char *)"CN=Example Issuing CA", (char *)"CN=Example Root",
		    0, 4 },
	};
	struct transition	tr = { KIND_CERT, ALERT_CRITICAL, CERT_OK,
	    CERT_CRITICAL, 0 };
	struct cert_result	r = { .done = 1, .have_cert = 1,
	    .days_left = 200, .not_after = 1796637600 };
	struct alert		a, b;
	char			*json;
	size_t			 i, found = 0;

	r.d.issuer = (char *)"CN=Example Issuing CA";
	r.d.chain = links;
	r.d.nchain = 2;
	r.d.have_chain_days = 1;
	r.d.chain_days_left = 4;
	r.d.chain_min = 1;
	snprintf(r.reason, sizeof(r.reason), "intermediate certificate "
	    "\"CN=Example Issuing CA\" expires in 4 days");
	alert_from_cert(&a, &fx_example, &tr, &r, T0_MS);
	cr_assert(strstr(a.text, "): intermediate certificate \"CN=Example "
	    "Issuing CA\" expires in 4 days") != NULL, "%s", a.text);
	json = alert_encode(&a);
	cr_assert_eq(alert_decode(json, strlen(json), &b), 0, "%s", json);
	cr_assert_str_eq(b.text, a.text);
	for (i = 0; i < b.nfields; i++) {
		if (strcmp(b.fields[i].title, "Issuer") == 0) {
			cr_assert_str_eq(b.fields[i].value,
			    "CN=Example Issuing CA");
			found++;
		}
		if (strcmp(b.fields[i].title, "Intermediate") == 0) {
			cr_assert_str_eq(b.fields[i].value,
			    "CN=Example Issuing CA, 4 days left");
			found++;
		}
	}
	cr_assert_eq(found, 2);
	free(json);
	alert_clear(&a);
	alert_clear(&b);
}
