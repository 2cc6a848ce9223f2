/*
 * The integration types: one row each, with the name that `type:` (or an
 * instance named after it) selects, the renderer that makes its request
 * body, and its rules. Adding a type is a row here, its renderer file
 * (reading struct alert only), its keys in config_alerting.c and, when it
 * is not a JSON POST to its URL, its delivery rule in alert_deliver.c.
 */
#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "alert.h"
#include "config.h"
#include "log.h"
#include "notify.h"
#include "util.h"

static const struct integ_type {
	const char	*name;		/* "slack": type: value, implied name */
	char		*(*payload)(const struct integration *,
			    const struct alert *);
	int		 groupable;	/* an alert storm may become one alert */
} integ_types[ITYPE__MAX] = {
	[ITYPE_SLACK] =		{ "slack", slack_payload, 1 },
	[ITYPE_DISCORD] =	{ "discord", discord_payload, 1 },
	[ITYPE_WEBHOOK] =	{ "webhook", webhook_payload, 1 },
};

const char *
integration_type_name(enum integration_type t)
{
	if ((unsigned)t >= ITYPE__MAX || integ_types[t].name == NULL)
		return "unknown";
	return integ_types[t].name;
}

int
integration_type_parse(const char *name, enum integration_type *t)
{
	for (size_t i = 0; name != NULL && i < ITYPE__MAX; i++)
		if (integ_types[i].name != NULL &&
		    strcmp(integ_types[i].name, name) == 0) {
			*t = (enum integration_type)i;
			return 0;
		}
	return -1;
}

int
integration_type_groupable(enum integration_type t)
{
	return (unsigned)t < ITYPE__MAX && integ_types[t].groupable;
}

const char *
integration_name(const struct integration *in)
{
	return in->name != NULL ? in->name : integration_type_name(in->type);
}

char *
alert_payload(const struct integration *in, const struct alert *a)
{
	if ((unsigned)in->type < ITYPE__MAX &&
	    integ_types[in->type].payload != NULL)
		return integ_types[in->type].payload(in, a);
	log_error("alert: %s: integration type %d has no renderer",
	    integration_name(in), (int)in->type);
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
