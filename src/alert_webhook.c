/*
 * The generic webhook: a JSON POST of every fact of the alert to `url`, with
 * the configured `headers`. The body, one object per alert:
 *
 *   site            string   the site's name
 *   url             string   the site's URL (a password in it shown as ***)
 *   kind            string   "http" or "cert"; "location" for a location
 *                            that stopped running (site: its name, url "")
 *   state           string   "DOWN", "UP", "WARNING", "CRITICAL" or "OK"
 *   previous_state  string   "unknown", "up", "down" (http);
 *                            "unknown", "ok", "warning", "critical" (cert)
 *   error           string   why the check failed ("timeout", "HTTP 503",
 *                            "certificate not trusted", ...), or null
 *   http_code       integer  the response's status, null when none came
 *                            and for cert alerts
 *   response_ms     number   how long the HTTP check took (0.1 ms
 *                            resolution), null for cert alerts
 *   days_left       integer  whole days until the certificate expires,
 *                            negative once expired; null for http alerts
 *                            and when no certificate was read
 *   not_after       string   the certificate's expiry, ISO 8601 UTC
 *                            ("2026-12-07T10:00:00Z"), or null like days_left
 *   failures        integer  consecutive failed checks (http), null for cert
 *   duration_s      integer  seconds spent in previous_state (for UP: how
 *                            long the outage lasted), null when unknown
 *   timestamp       string   when the change was seen, ISO 8601 UTC with
 *                            milliseconds ("2026-11-25T13:20:04.048Z")
 *   text            string   the one-line summary, as sent to Slack
 *   event           string   only in a reminder: "reminder"; state is
 *                            then the state the site is still in, and
 *                            duration_s the time it has been in it
 *
 * A grouped alert (an alert storm) is one object with "event":"group",
 * "count", "state" (the worst member's), "timestamp", "text" ("12 alerts:
 * DOWN api, ...") and "alerts", the array of the objects above.
 *
 * Example:
 *   {"site":"api","url":"https://api.example.com/health","kind":"http",
 *    "state":"DOWN","previous_state":"up","error":"HTTP 503",
 *    "http_code":503,"response_ms":41.2,"days_left":null,"not_after":null,
 *    "failures":2,"duration_s":3600,"timestamp":"2026-11-25T13:20:04.048Z",
 *    "text":"DOWN api (https://api.example.com/health): HTTP 503, 2 failed checks"}
 */
#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "alert.h"
#include "jsonstr.h"
#include "notify.h"
#include "util.h"

/* Returns n as a JSON integer, or null when it does not apply. */
static json_t *
int_or_null(int applies, json_int_t n)
{
	return applies ? json_integer(n) : json_null();
}

static json_t *
not_after_json(const struct alert *a)
{
	if (a->kind != KIND_CERT || !a->have_cert)
		return json_null();
	return json_string(a->not_after_iso);
}

static json_t *
response_json(const struct alert *a)
{
	if (a->kind != KIND_HTTP || !(a->response_ms >= 0) ||
	    !isfinite(a->response_ms))
		return json_null();
	return json_real(round(a->response_ms * 10) / 10);
}

/* Returns the body object of one alert (not a group), NULL on error. */
static json_t *
webhook_json(const struct alert *a)
{
	json_t	*root;
	int	 http = a->kind == KIND_HTTP;

	root = json_pack("{s:o, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o,"
	    " s:o, s:o, s:s, s:o}",
	    "site", json_text(a->site, 0),
	    "url", json_text(a->url, 0),
	    "kind", a->is_location ? "location" : check_kind_name(a->kind),
	    "state", a->word,
	    "previous_state", a->previous_word,
	    "error", a->error ? json_text(a->error, 0) : json_null(),
	    "http_code", int_or_null(http && a->http_code > 0, a->http_code),
	    "response_ms", response_json(a),
	    "days_left", int_or_null(!http && a->have_cert, a->days_left),
	    "not_after", not_after_json(a),
	    "failures", int_or_null(http, a->failures),
	    "duration_s", int_or_null(a->duration_ms > 0,
	    a->duration_ms / 1000),
	    "timestamp", a->timestamp_iso,
	    "text", json_text(a->text, 0));
	/* Only in a reminder, so that every other body stays as it was. */
	if (root != NULL && a->event == ALERT_REMINDER &&
	    json_object_set_new(root, "event", json_string("reminder")) == -1) {
		json_decref(root);
		root = NULL;
	}
	return root;
}

/* Returns the body object of grouped alert a, NULL on error. */
static json_t *
webhook_group_json(const struct alert *a)
{
	json_t	*arr, *m;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (size_t i = 0; i < a->nmembers; i++)
		if ((m = webhook_json(&a->members[i])) == NULL ||
		    json_array_append_new(arr, m) == -1) {
			json_decref(arr);
			return NULL;
		}
	return json_pack("{s:s, s:I, s:s, s:s, s:o, s:o}",
	    "event", "group",
	    "count", (json_int_t)a->nmembers,
	    "state", a->word,
	    "timestamp", a->timestamp_iso,
	    "text", json_text(a->text, 0),
	    "alerts", arr);
}

char *
webhook_payload(const struct integration *in, const struct alert *a)
{
	(void)in;
	return json_dump_free(a->event == ALERT_GROUP ? webhook_group_json(a) :
	    webhook_json(a));
}
