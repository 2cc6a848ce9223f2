/* The renderers, one file each (alert_slack.c, alert_discord.c,
 * alert_webhook.c), that alert_payload finds in notify.c's table. Each
 * reads a finished struct alert and calls nothing in alert.c, so the
 * model never depends on how an integration shows it. */
#ifndef PEEKL_NOTIFY_H
#define PEEKL_NOTIFY_H

#include <jansson.h>

#include "alert.h"
#include "config.h"

/* The type table (notify.c). The name of a type ("slack"; "unknown" when
 * out of range); its value for a name (0, or -1 for none); whether alerts
 * for it may be grouped in a storm. */
const char	*integration_type_name(enum integration_type t);
int		 integration_type_parse(const char *name,
		    enum integration_type *t);
int		 integration_type_groupable(enum integration_type t);

/* The request body of a for integration in (malloc'd), NULL on error. */
char	*slack_payload(const struct integration *in, const struct alert *a);
char	*discord_payload(const struct integration *in, const struct alert *a);
char	*webhook_payload(const struct integration *in, const struct alert *a);

/* Returns a's fields as a JSON array of objects keyed title_key, value_key
 * and short_key, each value made by text() (a renderer's escaping and
 * length limit); NULL on error. Slack and Discord differ only in these. */
json_t	*notify_fields_json(const struct alert *a, const char *title_key,
	    const char *value_key, const char *short_key,
	    json_t *(*text)(const char *value));

#endif
