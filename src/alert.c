/* What an alert says: built from a transition, kept in Redis as JSON until it
 * is delivered, and made ready to show (summary, fields, tone) once, here,
 * so that every integration's renderer (notify.c's table) only reads it. */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "alert.h"
#include "jsonstr.h"
#include "log.h"
#include "util.h"

/* The word each event is known by (in the summary, the queue and the
 * webhook's "state") and the colour family it is shown in. */
static const struct {
	const char	*word;
	enum alert_tone	 tone;
} alert_events[ALERT__MAX] = {
	[ALERT_DOWN] =		{ "DOWN", TONE_DANGER },
	[ALERT_UP] =		{ "UP", TONE_GOOD },
	[ALERT_WARNING] =	{ "WARNING", TONE_WARNING },
	[ALERT_CRITICAL] =	{ "CRITICAL", TONE_DANGER },
	[ALERT_OK] =		{ "OK", TONE_GOOD },
	[ALERT_DEGRADED] =	{ "DEGRADED", TONE_WARNING },
	/* A reminder is shown with the word and tone of the state it is
	 * about (alert_finish); this word is its name in the queue. */
	[ALERT_REMINDER] =	{ "REMINDER", TONE_DANGER },
	/* A group is shown with the word and tone of its worst member. */
	[ALERT_GROUP] =		{ "GROUP", TONE_DANGER },
};

const char *
alert_event_word(enum alert_event ev)
{
	return (unsigned)ev < ALERT__MAX ? alert_events[ev].word : "ALERT";
}

enum alert_tone
alert_event_tone(enum alert_event ev)
{
	return (unsigned)ev < ALERT__MAX ? alert_events[ev].tone : TONE_DANGER;
}

int
alert_event_parse(const char *word, enum alert_event *ev)
{
	size_t	i;

	for (i = 0; word != NULL && i < ALERT__MAX; i++)
		if (strcmp(alert_events[i].word, word) == 0) {
			*ev = (enum alert_event)i;
			return 0;
		}
	return -1;
}

/* Returns the event a is shown as: its own, or for a reminder that of the
 * state it is still in (DOWN, DEGRADED, WARNING, CRITICAL). */
static enum alert_event
shown_event(const struct alert *a)
{
	if (a->event != ALERT_REMINDER)
		return a->event;
	if (a->kind == KIND_CERT)
		return a->previous.cert == CERT_WARNING ? ALERT_WARNING :
		    ALERT_CRITICAL;
	return a->previous.http == HTTP_DEGRADED ? ALERT_DEGRADED : ALERT_DOWN;
}

/* Returns the name of the state a left: "up", "unknown", "ok", ... (for a
 * reminder, the state it is still in). */
static const char *
previous_name(const struct alert *a)
{
	if (a->kind == KIND_CERT)
		return cert_state_name(a->previous.cert);
	return http_state_name(a->previous.http);
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
	a->event = tr->event;
	a->previous.http = (enum http_state)tr->from;
	a->site = xstrdup(site->name);
	a->url = site_url(site);
	a->error = r->error[0] != '\0' ? xstrdup(r->error) : NULL;
	a->http_code = r->http_code;
	a->response_ms = clamp_response_ms(r->response_ms);
	a->failures = st != NULL ? st->failures : 0;
	a->slow = st != NULL ? st->slow : 0;
	a->duration_ms = tr->duration_ms;
	a->timestamp_ms = now;
	alert_finish(a);
}

void
alert_from_cert(struct alert *a, const struct site *site,
    const struct transition *tr, const struct cert_result *r, int64_t now)
{
	memset(a, 0, sizeof(*a));
	a->kind = KIND_CERT;
	a->event = tr->event;
	a->previous.cert = (enum cert_state)tr->from;
	a->site = xstrdup(site->name);
	a->url = site_url(site);
	a->error = cert_result_reason(r)[0] != '\0' ?
	    xstrdup(cert_result_reason(r)) : NULL;
	a->response_ms = -1;
	a->have_cert = r->have_cert;
	a->days_left = clamp_days((double)r->days_left);
	a->not_after = r->not_after;
	if (r->have_cert && r->d.issuer != NULL && r->d.issuer[0] != '\0')
		a->issuer = xstrdup(r->d.issuer);
	if (r->have_cert && r->d.have_chain_days &&
	    r->d.chain_days_left < r->days_left &&
	    r->d.chain_min < r->d.nchain) {
		a->intermediate = xstrdup(r->d.chain[r->d.chain_min].subject);
		a->chain_days_left = clamp_days((double)r->d.chain_days_left);
	}
	a->duration_ms = tr->duration_ms;
	a->timestamp_ms = now;
	alert_finish(a);
}

void
alert_from_verdict(struct alert *a, const struct site *site,
    const struct transition *tr, const struct site_state *st,
    const char *names, int count, int total, int64_t now)
{
	memset(a, 0, sizeof(*a));
	a->kind = tr->kind;
	a->event = tr->event;
	a->site = xstrdup(site->name);
	a->url = site_url(site);
	a->response_ms = -1;
	if (tr->kind == KIND_HTTP) {
		a->previous.http = (enum http_state)tr->from;
		a->error = st->error[0] != '\0' ? xstrdup(st->error) : NULL;
		a->http_code = st->http_code;
		a->response_ms = clamp_response_ms(st->response_ms);
	} else {
		a->previous.cert = (enum cert_state)tr->from;
		a->have_cert = st->have_cert;
		a->days_left = clamp_days((double)st->cert_days_left);
		a->not_after = st->cert_not_after;
		if (st->cert_issuer[0] != '\0')
			a->issuer = xstrdup(st->cert_issuer);
		a->error = st->cert_error[0] != '\0' ?
		    xstrdup(st->cert_error) : NULL;
	}
	a->duration_ms = tr->duration_ms;
	a->timestamp_ms = now;
	a->locations = xstrdup(names);
	a->loc_count = count;
	a->loc_total = total;
	alert_finish(a);
}

void
alert_from_location(struct alert *a, const char *location, int up,
    int64_t silent_ms, int64_t now)
{
	memset(a, 0, sizeof(*a));
	a->kind = KIND_HTTP;
	a->is_location = 1;
	a->event = up ? ALERT_UP : ALERT_DOWN;
	a->previous.http = up ? HTTP_DOWN : HTTP_UP;
	a->site = xstrdup(location);
	a->url = xstrdup("");
	a->response_ms = -1;
	a->duration_ms = clamp_duration_ms(silent_ms);
	a->timestamp_ms = now;
	alert_finish(a);
}

/* Frees what alert_finish built, leaving the facts. */
static void
unfinish(struct alert *a)
{
	size_t	i;

	for (i = 0; i < a->nfields; i++)
		free(a->fields[i].value);
	a->nfields = 0;
	free(a->reason);
	free(a->text);
	a->reason = a->text = NULL;
}

void
alert_clear(struct alert *a)
{
	if (a == NULL)
		return;
	unfinish(a);
	free(a->site);
	free(a->url);
	free(a->error);
	free(a->issuer);
	free(a->intermediate);
	for (size_t i = 0; i < a->nmembers; i++)
		alert_clear(&a->members[i]);
	free(a->members);
	free(a->locations);
	memset(a, 0, sizeof(*a));
}

char *
alert_what(const struct alert *a)
{
	if (a->event == ALERT_GROUP)
		return xasprintf("%zu grouped alerts", a->nmembers);
	return xasprintf("%s %s%s", a->word != NULL ? a->word :
	    alert_event_word(a->event), a->site,
	    a->event == ALERT_REMINDER ? " (reminder)" : "");
}

/* --- times --- */

/* Writes unix milliseconds as ISO 8601 UTC, "2026-11-25T13:20:04.048Z". */
static void
iso_ms(int64_t ms, char *out, size_t outsz)
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

	if (a->event == ALERT_UP) {
		/* Leaving degraded is about speed, not an outage. */
		if (a->previous.http == HTTP_DEGRADED) {
			if (a->duration_ms <= 0)
				return xstrdup("fast again");
			format_duration(a->duration_ms, dur, sizeof(dur));
			return xasprintf("fast again after %s", dur);
		}
		if (a->duration_ms <= 0)
			return xstrdup("back up");
		format_duration(a->duration_ms, dur, sizeof(dur));
		return xasprintf("back after %s", dur);
	}
	if (a->event == ALERT_REMINDER && a->previous.http == HTTP_DEGRADED)
		return xstrdup(a->error != NULL ? a->error : "slow");
	if (a->event == ALERT_DEGRADED)
		return xasprintf("%s, %d slow check%s", a->error != NULL ?
		    a->error : "slow", a->slow, a->slow == 1 ? "" : "s");
	snprintf(code, sizeof(code), "HTTP %d", a->http_code);
	if (a->error != NULL)
		what = a->error;
	else if (a->http_code > 0)
		what = code;
	else
		what = "check failed";
	/* A reminder says what is wrong; how long is in its own words. */
	if (a->failures <= 0 || a->event == ALERT_REMINDER)
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
		return xstrdup(a->event == ALERT_OK ?
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
	/* An intermediate's expiry says it all; the leaf's days would read
	 * as the same certificate's. */
	if (a->error != NULL && strncmp(a->error, "intermediate ", 13) == 0)
		return xstrdup(a->error);
	if (a->error != NULL)
		return xasprintf("%s, expires in %s", a->error, left);
	if (a->event == ALERT_OK) {
		if (a->days_left <= 0)
			return xasprintf("certificate valid for less than a "
			    "day (%s)", date);
		return xasprintf("certificate valid for %ld more day%s (%s)",
		    a->days_left, a->days_left == 1 ? "" : "s", date);
	}
	return xasprintf("certificate expires in %s (%s)", left, date);
}

static char *verdict_reason(const struct alert *a);

/* Returns what a reminder says: "still down after 4h 2m, HTTP 503"; of a
 * quorum verdict, "still down after 4h 2m, down from 2 of 3 locations
 * (fra, nyc): HTTP 503". */
static char *
reminder_reason(const struct alert *a)
{
	char	 dur[32], *base, *r;

	if (a->locations != NULL)
		base = verdict_reason(a);
	else
		base = a->kind == KIND_CERT ? cert_reason(a) : http_reason(a);
	format_duration(a->duration_ms, dur, sizeof(dur));
	r = xasprintf("still %s after %s, %s", previous_name(a), dur, base);
	free(base);
	return r;
}

/* Writes a duration as format_duration does, without a trailing zero
 * unit: "7m", "5m 12s", "2h". */
static void
short_duration(int64_t ms, char *out, size_t outsz)
{
	size_t	len;

	format_duration(ms, out, outsz);
	len = strlen(out);
	if (len > 3 && out[len - 3] == ' ' && out[len - 2] == '0')
		out[len - 3] = '\0';
}

/* The reason of a location's own alert. */
static char *
location_reason(const struct alert *a)
{
	char	dur[32];

	short_duration(a->duration_ms, dur, sizeof(dur));
	if (a->event == ALERT_UP)
		return xasprintf("running again after %s", dur);
	return xasprintf("no run for %s", dur);
}

/* The reason of a verdict: "down from 2 of 3 locations (fra, nyc):
 * timeout". The failure's own count means nothing across locations. */
static char *
verdict_reason(const struct alert *a)
{
	char		*base, *r;
	const char	*state;
	char		 code[16];
	enum alert_event ev = shown_event(a);

	state = a->kind == KIND_CERT ?
	    cert_state_name(ev == ALERT_CRITICAL ? CERT_CRITICAL :
	    ev == ALERT_WARNING ? CERT_WARNING : CERT_OK) :
	    http_state_name(ev == ALERT_DOWN ? HTTP_DOWN :
	    ev == ALERT_DEGRADED ? HTTP_DEGRADED : HTTP_UP);
	snprintf(code, sizeof(code), "HTTP %d", a->http_code);
	if (a->kind == KIND_CERT)
		base = cert_reason(a);
	else if (a->event == ALERT_UP)
		base = http_reason(a);
	else
		base = xstrdup(a->error != NULL ? a->error :
		    a->http_code > 0 ? code : "check failed");
	r = xasprintf("%s from %d of %d location%s (%s): %s", state,
	    a->loc_count, a->loc_total, a->loc_total == 1 ? "" : "s",
	    a->locations, base);
	free(base);
	return r;
}

/* Returns the reason of a, whatever it is about; malloc'd. */
static char *
alert_reason(const struct alert *a)
{
	if (a->is_location)
		return location_reason(a);
	if (a->event == ALERT_REMINDER)
		return reminder_reason(a);
	if (a->locations != NULL)
		return verdict_reason(a);
	return a->kind == KIND_CERT ? cert_reason(a) : http_reason(a);
}

/* Returns the summary of a with the given reason; malloc'd. */
static char *
summary(const struct alert *a, const char *reason)
{
	if (a->is_location)
		return xasprintf("%s location %s: %s",
		    alert_event_word(a->event), a->site, reason);
	return xasprintf("%s %s (%s): %s", alert_event_word(shown_event(a)),
	    a->site, a->url, reason);
}

char *
alert_text(const struct alert *a)
{
	char	*reason, *text;

	if (a->text != NULL)
		return xstrdup(a->text);
	if (a->event == ALERT_GROUP)
		return xasprintf("%zu alerts", a->nmembers);
	/* Not finished (a const alert cannot be): build it once more. */
	reason = alert_reason(a);
	text = summary(a, reason);
	free(reason);
	return text;
}

/* --- fields --- */

/* Appends a field whose value (malloc'd) a now owns. */
static void
field_add(struct alert *a, const char *title, int is_short, char *value)
{
	struct alert_field	*f;

	/* The builders below add at most six; never write past the end. */
	if (a->nfields == ALERT_FIELDS_MAX) {
		free(value);
		return;
	}
	f = &a->fields[a->nfields++];
	f->title = title;
	f->value = value;
	f->is_short = is_short;
}

/* Returns 1 when the error only repeats the status code ("HTTP 503"). */
static int
error_is_code(const struct alert *a)
{
	char	code[16];

	snprintf(code, sizeof(code), "HTTP %d", a->http_code);
	return a->http_code > 0 && strcmp(a->error, code) == 0;
}

static void
http_fields(struct alert *a)
{
	enum alert_event ev = shown_event(a);
	char	dur[32];

	if (a->http_code > 0)
		field_add(a, "Status code", 1, xasprintf("%d", a->http_code));
	if (a->error != NULL && !error_is_code(a))
		field_add(a, "Error", 1, xstrdup(a->error));
	if (a->response_ms >= 0)
		field_add(a, "Response time", 1,
		    xasprintf("%.0f ms", a->response_ms));
	if (ev == ALERT_UP) {
		if (a->duration_ms > 0) {
			format_duration(a->duration_ms, dur, sizeof(dur));
			field_add(a, a->previous.http == HTTP_DEGRADED ?
			    "Slow for" : "Outage duration", 1, xstrdup(dur));
		}
	} else if (ev == ALERT_DEGRADED)
		field_add(a, "Slow checks", 1, xasprintf("%d", a->slow));
	else
		field_add(a, "Failures", 1, xasprintf("%d", a->failures));
	if (a->event == ALERT_REMINDER) {
		format_duration(a->duration_ms, dur, sizeof(dur));
		field_add(a, ev == ALERT_DOWN ? "Down for" : "Slow for", 1,
		    xstrdup(dur));
	}
}

/* Needs a->not_after_iso. */
static void
cert_fields(struct alert *a)
{
	const char	*iso = a->not_after_iso;

	if (a->error != NULL)
		field_add(a, "Error", 0, xstrdup(a->error));
	if (a->have_cert) {
		field_add(a, "Days left", 1, xasprintf("%ld", a->days_left));
		/* An unprintable date is "", which has no time part. */
		field_add(a, "Expires", 1, xasprintf("%.10s %.5s UTC", iso,
		    strlen(iso) > 11 ? iso + 11 : ""));
	}
	if (a->issuer != NULL)
		field_add(a, "Issuer", 0, xstrdup(a->issuer));
	if (a->event == ALERT_REMINDER) {
		char	dur[32];

		format_duration(a->duration_ms, dur, sizeof(dur));
		field_add(a, "In this state for", 1, xstrdup(dur));
	}
	if (a->intermediate != NULL)
		field_add(a, "Intermediate", 0, a->chain_days_left < 0 ?
		    xasprintf("%s, expired %ld day%s ago", a->intermediate,
		    -a->chain_days_left, a->chain_days_left == -1 ? "" : "s") :
		    xasprintf("%s, %ld day%s left", a->intermediate,
		    a->chain_days_left, a->chain_days_left == 1 ? "" : "s"));
}

void
alert_finish(struct alert *a)
{
	unfinish(a);
	if (a->event == ALERT_GROUP) {
		iso_ms(a->timestamp_ms, a->timestamp_iso,
		    sizeof(a->timestamp_iso));
		a->not_after_iso[0] = '\0';
		alert_group_finish(a);
		return;
	}
	a->word = alert_event_word(shown_event(a));
	a->tone = alert_event_tone(shown_event(a));
	a->previous_word = previous_name(a);
	iso_ms(a->timestamp_ms, a->timestamp_iso, sizeof(a->timestamp_iso));
	a->not_after_iso[0] = '\0';
	if (a->have_cert)
		format_iso8601(a->not_after, a->not_after_iso,
		    sizeof(a->not_after_iso));
	a->reason = alert_reason(a);
	a->text = summary(a, a->reason);
	if (a->is_location) {
		field_add(a, "Location", 1, xstrdup(a->site));
		return;
	}
	field_add(a, "Website", 0, xstrdup(a->url));
	if (a->locations != NULL)
		field_add(a, "Locations", 0, xasprintf("%d of %d: %s",
		    a->loc_count, a->loc_total, a->locations));
	if (a->kind == KIND_CERT)
		cert_fields(a);
	else
		http_fields(a);
}

/* --- the queue form --- */

json_t *
alert_to_json(const struct alert *a)
{
	json_t	*root;

	root = json_pack("{s:s, s:o, s:o, s:s, s:s, s:o, s:i, s:f, s:i, s:b,"
	    " s:I, s:I, s:I, s:I}",
	    "kind", a->is_location ? "location" : check_kind_name(a->kind),
	    "site", json_text(a->site, 0),
	    "url", json_text(a->url, 0),
	    "state", alert_event_word(a->event),
	    "previous", previous_name(a),
	    "error", a->error ? json_text(a->error, 0) : json_null(),
	    "http_code", a->http_code,
	    "response_ms", isfinite(a->response_ms) ? a->response_ms : -1.0,
	    "failures", a->failures,
	    "have_cert", a->have_cert,
	    "days_left", (json_int_t)a->days_left,
	    "not_after", (json_int_t)a->not_after,
	    "duration_ms", (json_int_t)a->duration_ms,
	    "timestamp_ms", (json_int_t)a->timestamp_ms);
	/* Only when there is one, so a queue an older peekl reads back
	 * holds nothing it does not know. */
	if (root != NULL && a->slow > 0 &&
	    json_object_set_new(root, "slow", json_integer(a->slow)) == -1) {
		json_decref(root);
		root = NULL;
	}
	/* The chain's facts, added so that an older queue entry without
	 * them still decodes. */
	if (root != NULL && a->issuer != NULL)
		json_object_set_new(root, "issuer", json_text(a->issuer, 0));
	if (root != NULL && a->intermediate != NULL) {
		json_object_set_new(root, "intermediate",
		    json_text(a->intermediate, 0));
		json_object_set_new(root, "chain_days_left",
		    json_integer(a->chain_days_left));
	}
	if (root != NULL && a->locations != NULL) {
		json_object_set_new(root, "locations",
		    json_text(a->locations, 0));
		json_object_set_new(root, "location_count",
		    json_integer(a->loc_count));
		json_object_set_new(root, "location_total",
		    json_integer(a->loc_total));
	}
	if (root == NULL)
		log_error("alert: cannot encode the %s alert of %s",
		    alert_event_word(a->event), a->site);
	return root;
}

char *
alert_encode(const struct alert *a)
{
	json_t	*root;
	char	*s;

	if (a->event == ALERT_GROUP) {
		const struct alert **m = xcalloc(a->nmembers + 1,
		    sizeof(*m));

		for (size_t i = 0; i < a->nmembers; i++)
			m[i] = &a->members[i];
		root = alert_group_to_json(m, a->nmembers, a->timestamp_ms);
		free(m);
	} else
		root = alert_to_json(a);
	if (root == NULL)
		return NULL;
	/* Default precision: a double must survive the round trip. */
	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (s == NULL)
		log_error("alert: cannot serialise the %s alert", a->word ?
		    a->word : alert_event_word(a->event));
	return s;
}

/* Returns 0 when the decoded numbers are within their meaning. */
static int
decode_check(json_int_t code, double resp, json_int_t failures,
    json_int_t days, json_int_t not_after, json_int_t dur, json_int_t ts)
{
	/* The ranges of check.h, which every producer clamps to; -1 is a
	 * response time that does not apply. */
	if (code < 0 || code > HTTP_CODE_MAX ||
	    !(resp == -1 || (resp >= 0 && resp <= RESPONSE_MS_MAX)) ||
	    failures < 0 || failures > INT_MAX ||
	    days < -DAYS_LEFT_MAX || days > DAYS_LEFT_MAX ||
	    not_after < -TIME_S_MAX || not_after > TIME_S_MAX ||
	    dur < 0 || dur > TIME_MS_MAX || ts < 0 || ts > TIME_MS_MAX)
		return -1;
	return 0;
}

/* Reads the optional chain facts of a certificate alert; ones that are
 * not what this version writes are left out, not a reason to set the
 * alert aside. */
static void
decode_chain(json_t *root, struct alert *a)
{
	json_t		*v, *days;
	json_int_t	 d;

	if (json_is_string(v = json_object_get(root, "issuer")))
		a->issuer = xstrdup(json_string_value(v));
	v = json_object_get(root, "intermediate");
	days = json_object_get(root, "chain_days_left");
	if (json_is_string(v) && json_is_integer(days) &&
	    (d = json_integer_value(days)) >= -DAYS_LEFT_MAX &&
	    d <= DAYS_LEFT_MAX) {
		a->intermediate = xstrdup(json_string_value(v));
		a->chain_days_left = (long)d;
	}
}

/* Reads the optional locations of a verdict; incomplete ones are left
 * out, as decode_chain does. */
static void
decode_locations(json_t *root, struct alert *a)
{
	json_t		*v = json_object_get(root, "locations");
	json_t		*n = json_object_get(root, "location_count");
	json_t		*t = json_object_get(root, "location_total");

	if (!json_is_string(v) || !json_is_integer(n) || !json_is_integer(t) ||
	    json_integer_value(n) < 0 ||
	    json_integer_value(n) > LOCATIONS_MAX ||
	    json_integer_value(t) < 0 ||
	    json_integer_value(t) > LOCATIONS_MAX)
		return;
	a->locations = xstrdup(json_string_value(v));
	a->loc_count = (int)json_integer_value(n);
	a->loc_total = (int)json_integer_value(t);
}

int
alert_from_json(json_t *root, struct alert *a)
{
	json_t		*err = NULL;
	const char	*kind, *site, *url, *state, *prev;
	json_int_t	 code, failures, days, not_after, dur, ts, slow = 0;
	double		 resp;
	int		 have_cert, rc = -1;

	memset(a, 0, sizeof(*a));
	if (json_unpack(root, "{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:F, s:I,"
	    " s:b, s:I, s:I, s:I, s:I}",
	    "kind", &kind, "site", &site, "url", &url, "state", &state,
	    "previous", &prev, "error", &err, "http_code", &code,
	    "response_ms", &resp, "failures", &failures,
	    "have_cert", &have_cert, "days_left", &days,
	    "not_after", &not_after, "duration_ms", &dur,
	    "timestamp_ms", &ts) == -1 ||
	    json_unpack(root, "{s?I}", "slow", &slow) == -1 || slow < 0 ||
	    slow > INT_MAX)
		goto out;
	if (!json_is_null(err) && !json_is_string(err))
		goto out;
	/* A group is never a member of a group. */
	if (alert_event_parse(state, &a->event) == -1 ||
	    a->event == ALERT_GROUP || *site == '\0' ||
	    decode_check(code, resp, failures, days, not_after, dur, ts) == -1)
		goto out;
	/* The current version writes only the names of state.c; an unknown
	 * previous state is "unknown", not a reason to set the alert aside. */
	if (strcmp(kind, check_kind_name(KIND_HTTP)) == 0) {
		a->kind = KIND_HTTP;
		a->previous.http = http_state_parse(prev);
	} else if (strcmp(kind, check_kind_name(KIND_CERT)) == 0) {
		a->kind = KIND_CERT;
		a->previous.cert = cert_state_parse(prev);
	} else if (strcmp(kind, "location") == 0) {
		a->kind = KIND_HTTP;
		a->is_location = 1;
		a->previous.http = http_state_parse(prev);
	} else
		goto out;
	a->site = xstrdup(site);
	a->url = xstrdup(url);
	a->error = json_is_string(err) ? xstrdup(json_string_value(err)) : NULL;
	a->http_code = (int)code;
	a->response_ms = resp;
	a->failures = (int)failures;
	a->slow = (int)slow;
	a->have_cert = have_cert;
	a->days_left = (long)days;
	a->not_after = not_after;
	a->duration_ms = dur;
	a->timestamp_ms = ts;
	if (a->kind == KIND_CERT)
		decode_chain(root, a);
	decode_locations(root, a);
	alert_finish(a);
	rc = 0;
out:
	if (rc == -1)
		alert_clear(a);
	return rc;
}

int
alert_decode(const char *json, size_t len, struct alert *a)
{
	json_t		*root = NULL;
	json_error_t	 je;
	int		 rc = -1;

	memset(a, 0, sizeof(*a));
	/* A NUL is never part of an entry peekl wrote: whatever precedes it,
	 * the entry is not one alert. */
	if (json == NULL || memchr(json, '\0', len) != NULL ||
	    (root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
		goto out;
	if (json_object_get(root, "group") != NULL)
		rc = alert_group_from_json(root, a);
	else
		rc = alert_from_json(root, a);
out:
	json_decref(root);
	if (rc == -1)
		alert_clear(a);
	return rc;
}
