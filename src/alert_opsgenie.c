/*
 * Opsgenie Alert API: a failure creates an alert, a recovery closes it,
 * both by the alias "peekl/SITE/KIND":
 *
 *   POST URL/v2/alerts   Authorization: GenieKey KEY
 *   {"message":"DOWN api (https://...): HTTP 503, 2 failed checks",
 *    "alias":"peekl/api/http","description":"...","priority":"P1",
 *    "source":"peekl","tags":["peekl","api"],"details":{"Website":"...", ...}}
 *
 *   POST URL/v2/alerts/peekl%2Fapi%2Fhttp/close?identifierType=alias
 *   {"source":"peekl","note":"UP api (https://...): ..."}
 *
 * Success is 202 (the request was accepted; Opsgenie works it off later).
 * Opsgenie cuts a message at 130 characters; we do it ourselves so the
 * cut is on a character boundary.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alert.h"
#include "jsonstr.h"
#include "log.h"
#include "mime.h"
#include "notify.h"
#include "util.h"

#define OG_MESSAGE_MAX		130	/* characters */
#define OG_DESCRIPTION_MAX	15000	/* characters */

char *
opsgenie_payload(const struct integration *in, const struct alert *a)
{
	char	*alias, *message, *fields, *desc, *cut;
	json_t	*root;

	/* One incident per site: notify.c's table never lets a storm be
	 * grouped for this type, so a group here is a bug, not an alert. */
	if (a->event == ALERT_GROUP) {
		log_error("opsgenie: a grouped alert cannot be sent");
		return NULL;
	}
	alias = notify_dedup_key(a);
	(void)in;
	if (a->tone == TONE_GOOD) {
		root = json_pack("{s:s, s:o}", "source", "peekl",
		    "note", json_text(a->text, 0));
		free(alias);
		return json_dump_free(root);
	}
	message = mime_utf8_prefix(a->text, OG_MESSAGE_MAX);
	fields = notify_fields_text(a, "\n");
	desc = xasprintf("%s\n\n%s", a->text, fields);
	if (desc[strlen(desc) - 1] == '\n')
		desc[strlen(desc) - 1] = '\0';
	cut = mime_utf8_prefix(desc, OG_DESCRIPTION_MAX);
	root = json_pack("{s:o, s:o, s:o, s:s, s:s, s:[s, o], s:o}",
	    "message", json_text(message, 0),
	    "alias", json_text(alias, 0),
	    "description", json_text(cut, 0),
	    "priority", a->tone == TONE_DANGER ? "P1" : "P3",
	    "source", "peekl",
	    "tags", "peekl", json_text(a->site, 0),
	    "details", notify_fields_object(a));
	free(alias);
	free(message);
	free(fields);
	free(desc);
	free(cut);
	return json_dump_free(root);
}

int
opsgenie_request(const struct integration *in, const struct alert *a,
    struct notify_req *rq)
{
	const char	*base = in->url;
	size_t		 len = strlen(base);
	char		*alias, *enc;

	/* https://api.opsgenie.com and https://api.opsgenie.com/ alike. */
	if (len > 0 && base[len - 1] == '/')
		len--;
	if (a->tone == TONE_GOOD) {
		alias = notify_dedup_key(a);
		enc = mime_pct_encode(alias);
		rq->url = xasprintf("%.*s/v2/alerts/%s/close?identifierType="
		    "alias", (int)len, base, enc);
		free(alias);
		free(enc);
	} else
		rq->url = xasprintf("%.*s/v2/alerts", (int)len, base);
	if (notify_req_header(rq, "Content-Type: application/json") == -1 ||
	    notify_req_header(rq, "Authorization: GenieKey %s", in->secret))
		return -1;
	return 0;
}
