/*
 * Microsoft Teams, through a Workflows webhook: one Adaptive Card with the
 * summary in bold, coloured by severity, and a FactSet of the fields:
 *
 *   {"type":"message","attachments":[{
 *     "contentType":"application/vnd.microsoft.card.adaptive",
 *     "content":{"type":"AdaptiveCard","version":"1.4","body":[
 *       {"type":"TextBlock","text":"DOWN api (...): HTTP 503, 2 failed checks",
 *        "weight":"Bolder","wrap":true,"color":"attention"},
 *       {"type":"FactSet","facts":[{"title":"Website","value":"https://..."}, ...]}]}}]}
 *
 * Success is any 2xx.
 */
#include <stdlib.h>

#include <jansson.h>

#include "alert.h"
#include "jsonstr.h"
#include "notify.h"
#include "util.h"

static const char *const teams_colors[TONE__MAX] = {
	"attention",	/* DOWN, CRITICAL */
	"warning",	/* DEGRADED, WARNING */
	"good",		/* recoveries */
};

static json_t *
teams_value(const char *value)
{
	return json_text(value, 0);
}

char *
teams_payload(const struct integration *in, const struct alert *a)
{
	json_t	*root;

	(void)in;
	root = json_pack("{s:s, s:[{s:s, s:{s:s, s:s, s:["
	    "{s:s, s:o, s:s, s:b, s:s}, {s:s, s:o}]}}]}",
	    "type", "message",
	    "attachments",
	    "contentType", "application/vnd.microsoft.card.adaptive",
	    "content",
	    "type", "AdaptiveCard",
	    "version", "1.4",
	    "body",
	    "type", "TextBlock",
	    "text", json_text(a->text, 0),
	    "weight", "Bolder",
	    "wrap", 1,
	    "color", teams_colors[a->tone],
	    "type", "FactSet",
	    "facts", notify_fields_json(a, "title", "value", NULL,
	    teams_value));
	return json_dump_free(root);
}
