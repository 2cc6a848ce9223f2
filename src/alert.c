/* What an alert says: built from a transition, kept in Redis as JSON until it
 * is delivered, summarised in one line, and shown as labelled fields by
 * every integration's renderer (alert_slack.c, alert_discord.c,
 * alert_webhook.c). */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "alert.h"
#include "alert_int.h"
#include "jsonstr.h"
#include "log.h"
#include "util.h"

/* The state words an alert may carry, and the colour family of each. */
static const struct {
	const char	*word;
	enum alert_tone	 tone;
} alert_words[] = {
	{ "DOWN", TONE_DANGER },
	{ "CRITICAL", TONE_DANGER },
	{ "WARNING", TONE_WARNING },
	{ "UP", TONE_GOOD },
	{ "OK", TONE_GOOD },
};

/* Returns the index of word in alert_words, or -1. */
static int
word_index(const char *word)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(alert_words); i++)
		if (strcmp(alert_words[i].word, word) == 0)
			return (int)i;
	return -1;
}

static char *
site_url(const struct site *site)
{
	char	url[2048];

	return xstrdup(redact_site_url(site->url, url, sizeof(url)));
}

void
alert_from_http(struct alert *a, const struct site *site,
    const struct transition *tr, const struct http_result *r,
    const struct site_state *st, int64_t now)
{
	memset(a, 0, sizeof(*a));
	a->kind = KIND_HTTP;
	a->site = xstrdup(site->name);
	a->url = site_url(site);
	a->state = xstrdup(transition_word(tr));
	a->previous = xstrdup(http_state_name((enum http_state)tr->from));
	a->error = r->error[0] != '\0' ? xstrdup(r->error) : NULL;
	a->http_code = r->http_code;
	a->response_ms = r->response_ms;
	a->failures = st != NULL ? st->failures : 0;
	a->duration_ms = tr->duration_ms;
	a->timestamp_ms = now;
}

void
alert_from_cert(struct alert *a, const struct site *site,
    const struct transition *tr, const struct cert_result *r, int64_t now)
{
	memset(a, 0, sizeof(*a));
	a->kind = KIND_CERT;
	a->site = xstrdup(site->name);
	a->url = site_url(site);
	a->state = xstrdup(transition_word(tr));
	a->previous = xstrdup(cert_state_name((enum cert_state)tr->from));
	a->error = r->error[0] != '\0' ? xstrdup(r->error) : NULL;
	a->response_ms = -1;
	a->have_cert = r->have_cert;
	a->days_left = r->days_left;
	a->not_after = r->not_after;
	a->duration_ms = tr->duration_ms;
	a->timestamp_ms = now;
}

void
alert_clear(struct alert *a)
{
	if (a == NULL)
		return;
	free(a->site);
	free(a->url);
	free(a->state);
	free(a->previous);
	free(a->error);
	memset(a, 0, sizeof(*a));
}

/* --- JSON helpers shared by the renderers --- */


void
alert_iso_ms(int64_t ms, char *out, size_t outsz)
{
	struct tm	tm;
	char		base[32];
	time_t		t = (time_t)(ms / 1000);
	int64_t		frac = ms % 1000;

	if (frac < 0) {
		frac += 1000;
		t--;
	}
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(out, outsz, "1970-01-01T00:00:00.000Z");
		return;
	}
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outsz, "%s.%03" PRId64 "Z", base, frac);
}

/* Writes unix seconds as the date shown to people, "2026-12-07". */
static void
date_s(int64_t s, char *out, size_t outsz)
{
	char	iso[32];

	format_iso8601(s, iso, sizeof(iso));
	snprintf(out, outsz, "%.10s", iso);
}

char *
alert_dump(json_t *root)
{
	char	*s;

	if (root == NULL) {
		log_error("alert: cannot build the JSON payload");
		return NULL;
	}
	/* Fifteen digits print 41.2 as "41.2", not "41.200000000000003". */
	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));
	json_decref(root);
	if (s == NULL)
		log_error("alert: cannot serialise the JSON payload");
	return s;
}

enum alert_tone
alert_tone(const struct alert *a)
{
	int	i = word_index(a->state);

	return i == -1 ? TONE_DANGER : alert_words[i].tone;
}

/* --- the summary --- */

/* Returns "1 day", "12 days" or "less than a day" for a count of days. */
static void
days_phrase(long days, char *out, size_t outsz)
{
	if (days <= 0)
		snprintf(out, outsz, "less than a day");
	else
		snprintf(out, outsz, "%ld day%s", days, days == 1 ? "" : "s");
}

static char *
http_reason(const struct alert *a)
{
	char	 dur[32], code[16];
	const char *what;

	if (strcmp(a->state, "UP") == 0) {
		if (a->duration_ms <= 0)
			return xstrdup("back up");
		format_duration(a->duration_ms, dur, sizeof(dur));
		return xasprintf("back after %s", dur);
	}
	snprintf(code, sizeof(code), "HTTP %d", a->http_code);
	if (a->error != NULL)
		what = a->error;
	else if (a->http_code > 0)
		what = code;
	else
		what = "check failed";
	if (a->failures <= 0)
		return xstrdup(what);
	return xasprintf("%s, %d failed check%s", what, a->failures,
	    a->failures == 1 ? "" : "s");
}

static char *
cert_reason(const struct alert *a)
{
	char	 date[16], left[32];
	int64_t	 ago;

	if (!a->have_cert) {
		/* "timeout" alone would not say which check timed out. */
		if (a->error != NULL)
			return xasprintf("certificate check failed: %s", a->error);
		return xstrdup(strcmp(a->state, "OK") == 0 ?
		    "certificate valid" : "certificate check failed");
	}
	date_s(a->not_after, date, sizeof(date));
	if (a->days_left < 0) {
		/* -days_left, so the text agrees with the "Days left" field
		 * and with peekl's own output. */
		ago = -(int64_t)a->days_left;
		return xasprintf("certificate expired %" PRId64 " day%s ago "
		    "(%s)", ago, ago == 1 ? "" : "s", date);
	}
	days_phrase(a->days_left, left, sizeof(left));
	if (a->error != NULL)
		return xasprintf("%s, expires in %s", a->error, left);
	if (strcmp(a->state, "OK") == 0) {
		if (a->days_left <= 0)
			return xasprintf("certificate valid for less than a "
			    "day (%s)", date);
		return xasprintf("certificate valid for %ld more day%s (%s)",
		    a->days_left, a->days_left == 1 ? "" : "s", date);
	}
	return xasprintf("certificate expires in %s (%s)", left, date);
}

char *
alert_reason(const struct alert *a)
{
	return a->kind == KIND_CERT ? cert_reason(a) : http_reason(a);
}

char *
alert_text(const struct alert *a)
{
	char	*reason, *text;

	reason = alert_reason(a);
	text = xasprintf("%s %s (%s): %s", a->state, a->site, a->url, reason);
	free(reason);
	return text;
}

/* --- fields --- */

/* Appends a field whose value is a's own string; returns the next slot. */
static struct alert_field *
field_str(struct alert_field *f, const char *title, const char *value,
    int is_short)
{
	f->title = title;
	f->value = value;
	f->is_short = is_short;
	return f + 1;
}

/* Appends a field whose value is formatted into the field itself. */
static struct alert_field *
field_fmt(struct alert_field *f, const char *title, int is_short,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct alert_field *
field_fmt(struct alert_field *f, const char *title, int is_short,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(f->buf, sizeof(f->buf), fmt, ap);
	va_end(ap);
	return field_str(f, title, f->buf, is_short);
}

/* Returns 1 when the error only repeats the status code ("HTTP 503"). */
static int
error_is_code(const struct alert *a)
{
	char	code[16];

	snprintf(code, sizeof(code), "HTTP %d", a->http_code);
	return a->http_code > 0 && strcmp(a->error, code) == 0;
}

static struct alert_field *
http_fields(const struct alert *a, struct alert_field *f)
{
	char	dur[32];

	if (a->http_code > 0)
		f = field_fmt(f, "Status code", 1, "%d", a->http_code);
	if (a->error != NULL && !error_is_code(a))
		f = field_str(f, "Error", a->error, 1);
	if (a->response_ms >= 0)
		f = field_fmt(f, "Response time", 1, "%.0f ms", a->response_ms);
	if (strcmp(a->state, "UP") == 0) {
		if (a->duration_ms > 0) {
			format_duration(a->duration_ms, dur, sizeof(dur));
			f = field_fmt(f, "Outage duration", 1, "%s", dur);
		}
	} else
		f = field_fmt(f, "Failures", 1, "%d", a->failures);
	return f;
}

static struct alert_field *
cert_fields(const struct alert *a, struct alert_field *f)
{
	char	iso[32];

	if (a->error != NULL)
		f = field_str(f, "Error", a->error, 0);
	if (a->have_cert) {
		format_iso8601(a->not_after, iso, sizeof(iso));
		f = field_fmt(f, "Days left", 1, "%ld", a->days_left);
		f = field_fmt(f, "Expires", 1, "%.10s %.5s UTC", iso, iso + 11);
	}
	return f;
}

size_t
alert_fields(const struct alert *a, struct alert_field *f)
{
	struct alert_field	*end;

	end = field_str(f, "Website", a->url, 0);
	if (a->kind == KIND_CERT)
		end = cert_fields(a, end);
	else
		end = http_fields(a, end);
	return (size_t)(end - f);
}

json_t *
alert_fields_json(const struct alert *a, const char *title_key,
    const char *value_key, const char *short_key,
    json_t *(*text)(const char *value))
{
	struct alert_field	 f[ALERT_FIELDS_MAX];
	json_t			*arr, *o;
	size_t			 i, n;

	if ((arr = json_array()) == NULL)
		return NULL;
	n = alert_fields(a, f);
	for (i = 0; i < n; i++) {
		o = json_pack("{s:s, s:o, s:b}", title_key, f[i].title,
		    value_key, text(f[i].value), short_key, f[i].is_short);
		if (json_array_append_new(arr, o) == -1) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* --- the queue form --- */

char *
alert_encode(const struct alert *a)
{
	json_t	*root;
	char	*s;

	root = json_pack("{s:s, s:o, s:o, s:s, s:s, s:o, s:i, s:f, s:i, s:b,"
	    " s:I, s:I, s:I, s:I}",
	    "kind", check_kind_name(a->kind),
	    "site", json_text(a->site, 0),
	    "url", json_text(a->url, 0),
	    "state", a->state,
	    "previous", a->previous,
	    "error", a->error ? json_text(a->error, 0) : json_null(),
	    "http_code", a->http_code,
	    "response_ms", isfinite(a->response_ms) ? a->response_ms : -1.0,
	    "failures", a->failures,
	    "have_cert", a->have_cert,
	    "days_left", (json_int_t)a->days_left,
	    "not_after", (json_int_t)a->not_after,
	    "duration_ms", (json_int_t)a->duration_ms,
	    "timestamp_ms", (json_int_t)a->timestamp_ms);
	if (root == NULL) {
		log_error("alert: cannot encode the %s alert of %s", a->state,
		    a->site);
		return NULL;
	}
	/* Default precision: a double must survive the round trip. */
	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (s == NULL)
		log_error("alert: cannot serialise the %s alert of %s",
		    a->state, a->site);
	return s;
}

/* Returns 0 when the decoded numbers are within their meaning. */
static int
decode_check(json_int_t code, double resp, json_int_t failures,
    json_int_t days, json_int_t dur, json_int_t ts)
{
	if (code < 0 || code > 999 || !isfinite(resp) ||
	    failures < 0 || failures > INT_MAX ||
	    days < -1000000 || days > 1000000 || dur < 0 || ts < 0)
		return -1;
	return 0;
}

int
alert_decode(const char *json, struct alert *a)
{
	json_t		*root = NULL, *err = NULL;
	json_error_t	 je;
	const char	*kind, *site, *url, *state, *prev;
	json_int_t	 code, failures, days, not_after, dur, ts;
	double		 resp;
	int		 have_cert, rc = -1;

	memset(a, 0, sizeof(*a));
	if (json == NULL ||
	    (root = json_loads(json, JSON_REJECT_DUPLICATES, &je)) == NULL)
		goto out;
	if (json_unpack(root, "{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:F, s:I,"
	    " s:b, s:I, s:I, s:I, s:I}",
	    "kind", &kind, "site", &site, "url", &url, "state", &state,
	    "previous", &prev, "error", &err, "http_code", &code,
	    "response_ms", &resp, "failures", &failures,
	    "have_cert", &have_cert, "days_left", &days,
	    "not_after", &not_after, "duration_ms", &dur,
	    "timestamp_ms", &ts) == -1)
		goto out;
	if (!json_is_null(err) && !json_is_string(err))
		goto out;
	if (word_index(state) == -1 || *site == '\0' ||
	    decode_check(code, resp, failures, days, dur, ts) == -1)
		goto out;
	if (strcmp(kind, check_kind_name(KIND_HTTP)) == 0)
		a->kind = KIND_HTTP;
	else if (strcmp(kind, check_kind_name(KIND_CERT)) == 0)
		a->kind = KIND_CERT;
	else
		goto out;
	a->site = xstrdup(site);
	a->url = xstrdup(url);
	a->state = xstrdup(state);
	a->previous = xstrdup(prev);
	a->error = json_is_string(err) ? xstrdup(json_string_value(err)) : NULL;
	a->http_code = (int)code;
	a->response_ms = resp;
	a->failures = (int)failures;
	a->have_cert = have_cert;
	a->days_left = (long)days;
	a->not_after = not_after;
	a->duration_ms = dur;
	a->timestamp_ms = ts;
	rc = 0;
out:
	json_decref(root);
	if (rc == -1)
		alert_clear(a);
	return rc;
}

char *
alert_payload(const struct integration *in, const struct alert *a)
{
	switch (in->kind) {
	case INTEG_SLACK:
		return slack_payload(in, a);
	case INTEG_DISCORD:
		return discord_payload(in, a);
	case INTEG_WEBHOOK:
		return webhook_payload(in, a);
	default:
		break;
	}
	log_error("alert: integration %d has no renderer", (int)in->kind);
	return NULL;
}
