/*
 * PagerDuty Events API v2: a failure triggers, a recovery resolves, both
 * under the dedup_key "peekl/SITE/KIND" so the recovery closes the
 * incident its failure opened:
 *
 *   {"routing_key":"...","event_action":"trigger","dedup_key":"peekl/api/http",
 *    "payload":{"summary":"DOWN api (https://...): HTTP 503, 2 failed checks",
 *      "source":"https://api.example.com/health","severity":"critical",
 *      "component":"api","timestamp":"2026-11-25T09:00:00.048Z",
 *      "custom_details":{"Website":"https://...","Status code":"503", ...}}}
 *
 * Success is 202. PagerDuty refuses a summary over 1024 characters.
 */
#include <stdlib.h>

#include <jansson.h>

#include "alert.h"
#include "jsonstr.h"
#include "log.h"
#include "mime.h"
#include "notify.h"
#include "util.h"

#define PD_SUMMARY_MAX	1024	/* characters */

static const char *const pd_severity[TONE__MAX] = {
	"critical",	/* DOWN, CRITICAL */
	"warning",	/* DEGRADED, WARNING */
	"info",		/* recoveries */
};

char *
pagerduty_payload(const struct integration *in, const struct alert *a)
{
	char	*key, *summary;
	json_t	*root;

	/* One incident per site: notify.c's table never lets a storm be
	 * grouped for this type, so a group here is a bug, not an alert. */
	if (a->event == ALERT_GROUP) {
		log_error("pagerduty: a grouped alert cannot be sent");
		return NULL;
	}
	key = notify_dedup_key(a);
	summary = mime_utf8_prefix(a->text, PD_SUMMARY_MAX);
	root = json_pack("{s:o, s:s, s:o, s:{s:o, s:o, s:s, s:o, s:s, s:o}}",
	    "routing_key", json_text(in->secret, 0),
	    "event_action", a->tone == TONE_GOOD ? "resolve" : "trigger",
	    "dedup_key", json_text(key, 0),
	    "payload",
	    "summary", json_text(summary, 0),
	    "source", json_text(a->url, 0),
	    "severity", pd_severity[a->tone],
	    "component", json_text(a->site, 0),
	    "timestamp", a->timestamp_iso,
	    "custom_details", notify_fields_object(a));
	free(key);
	free(summary);
	return json_dump_free(root);
}
