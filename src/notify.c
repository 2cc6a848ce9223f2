/*
 * The notifiers: which renderer makes the request body for each kind of
 * integration. Adding one is a renderer file that reads struct alert, its
 * prototype in notify.h and a line in the table below (and, being
 * configuration, its keys in config.c, which owns the integration names).
 */
#include <stddef.h>

#include <jansson.h>

#include "alert.h"
#include "config.h"
#include "log.h"
#include "notify.h"
#include "util.h"

static const struct notifier {
	enum integration_kind	 kind;
	char			*(*payload)(const struct integration *,
				    const struct alert *);
} notifiers[] = {
	{ INTEG_SLACK,		slack_payload },
	{ INTEG_DISCORD,	discord_payload },
	{ INTEG_WEBHOOK,	webhook_payload },
};

char *
alert_payload(const struct integration *in, const struct alert *a)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(notifiers); i++)
		if (notifiers[i].kind == in->kind)
			return notifiers[i].payload(in, a);
	log_error("alert: integration %d has no renderer", (int)in->kind);
	return NULL;
}

json_t *
notify_fields_json(const struct alert *a, const char *title_key,
    const char *value_key, const char *short_key,
    json_t *(*text)(const char *value))
{
	json_t	*arr, *o;
	size_t	 i;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; i < a->nfields; i++) {
		o = json_pack("{s:s, s:o, s:b}", title_key, a->fields[i].title,
		    value_key, text(a->fields[i].value),
		    short_key, a->fields[i].is_short);
		if (json_array_append_new(arr, o) == -1) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}
