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

char *
webhook_payload(const struct integration *in, const struct alert *a)
{
	json_t	*root;
	int	 http = a->kind == KIND_HTTP;

	(void)in;
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
	return json_dump_free(root);
}
