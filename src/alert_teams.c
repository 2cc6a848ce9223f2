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
 * A grouped alert has one fact per member alert ("DOWN api": its reason).
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

/* Returns a grouped alert's members as facts: "DOWN api", its reason. */
static json_t *
teams_group_facts(const struct alert *a)
{
	json_t	*arr, *o;
	char	*title;
	size_t	 i;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; i < a->nmembers; i++) {
		title = xasprintf("%s %s", a->members[i].word,
		    a->members[i].site);
		o = json_pack("{s:o, s:o}", "title", json_text(title, 0),
		    "value", json_text(a->members[i].reason, 0));
		free(title);
		if (json_array_append_new(arr, o) == -1) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
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
	    "facts", a->event == ALERT_GROUP ? teams_group_facts(a) :
	    notify_fields_json(a, "title", "value", NULL, teams_value));
	return json_dump_free(root);
}
