/*
 * Grouped alerts: when one run would queue more than group_threshold alerts
 * for one instance, they travel as one alert (spec/alerting.md, "Alert
 * storms"). A group is a first-class alert: it has a queue form (its
 * members' queue forms, in order), is read back by alert_decode, and is
 * made ready to show here: the worst member's word and tone, the text
 * "12 alerts: DOWN api, DOWN shop, ... and 2 more", one line per member.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alert.h"
#include "log.h"
#include "util.h"

json_t *
alert_group_to_json(const struct alert *const *members, size_t n,
    int64_t now)
{
	json_t	*arr, *m;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (members[i]->event == ALERT_GROUP ||
		    (m = alert_to_json(members[i])) == NULL ||
		    json_array_append_new(arr, m) == -1) {
			json_decref(arr);
			log_error("alert: cannot encode a group of %zu alerts",
			    n);
			return NULL;
		}
	}
	return json_pack("{s:o, s:I}", "group", arr, "timestamp_ms",
	    (json_int_t)now);
}

char *
alert_group_encode(const struct alert *const *members, size_t n, int64_t now)
{
	json_t	*root = alert_group_to_json(members, n, now);
	char	*s;

	if (root == NULL)
		return NULL;
	s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (s == NULL)
		log_error("alert: cannot serialise a group of %zu alerts", n);
	return s;
}

int
alert_group_from_json(json_t *root, struct alert *g)
{
	json_t		*arr = json_object_get(root, "group"), *ts;
	json_int_t	 t;
	size_t		 n, i;

	memset(g, 0, sizeof(*g));
	ts = json_object_get(root, "timestamp_ms");
	if (!json_is_array(arr) || !json_is_integer(ts))
		return -1;
	n = json_array_size(arr);
	t = json_integer_value(ts);
	if (n == 0 || n > ALERT_GROUP_MAX || t < 0 || t > TIME_MS_MAX)
		return -1;
	g->event = ALERT_GROUP;
	g->timestamp_ms = t;
	g->response_ms = -1;
	g->members = xcalloc(n, sizeof(*g->members));
	for (i = 0; i < n; i++) {
		if (alert_from_json(json_array_get(arr, i),
		    &g->members[i]) == -1) {
			alert_clear(g);
			return -1;
		}
		g->nmembers++;
	}
	alert_finish(g);
	return 0;
}

void
alert_group(struct alert *g, const struct alert *const *members, size_t n,
    int64_t now)
{
	json_t	*root;

	/* A deep copy through the queue form, so the group reads exactly
	 * as it will after the queue. */
	memset(g, 0, sizeof(*g));
	if ((root = alert_group_to_json(members, n, now)) == NULL ||
	    alert_group_from_json(root, g) == -1) {
		memset(g, 0, sizeof(*g));
		g->event = ALERT_GROUP;
		g->timestamp_ms = now;
		alert_finish(g);
	}
	json_decref(root);
}

/* Returns the member shown first among the worst: the first of the most
 * severe tone. */
static const struct alert *
worst_member(const struct alert *g)
{
	const struct alert	*w = &g->members[0];

	/* TONE_DANGER < TONE_WARNING < TONE_GOOD. */
	for (size_t i = 1; i < g->nmembers; i++)
		if (g->members[i].tone < w->tone)
			w = &g->members[i];
	return w;
}

void
alert_group_finish(struct alert *g)
{
	struct buf	 text = { 0 }, lines = { 0 };
	const struct alert *w;
	size_t		 i, shown;

	g->kind = KIND_HTTP;
	g->previous_word = "";
	if (g->nmembers == 0) {
		g->word = alert_event_word(ALERT_GROUP);
		g->tone = alert_event_tone(ALERT_GROUP);
		g->text = xstrdup("0 alerts");
		g->reason = xstrdup("");
		return;
	}
	w = worst_member(g);
	g->word = w->word;
	g->tone = w->tone;
	buf_printf(&text, "%zu alerts: ", g->nmembers);
	shown = g->nmembers < ALERT_GROUP_NAMES ? g->nmembers :
	    ALERT_GROUP_NAMES;
	for (i = 0; i < shown; i++)
		buf_printf(&text, "%s%s %s", i ? ", " : "", g->members[i].word,
		    g->members[i].site);
	if (g->nmembers > shown)
		buf_printf(&text, ", ... and %zu more", g->nmembers - shown);
	buf_puts(&lines, "");
	for (i = 0; i < g->nmembers; i++)
		buf_printf(&lines, "%s%s", i ? "\n" : "", g->members[i].text);
	g->text = text.data;
	g->reason = lines.data;
}
