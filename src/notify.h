/* The renderers, one file each (alert_slack.c, alert_discord.c,
 * alert_webhook.c), that alert_payload finds in notify.c's table. Each
 * reads a finished struct alert and calls nothing in alert.c, so the
 * model never depends on how an integration shows it. */
#ifndef PEEKL_NOTIFY_H
#define PEEKL_NOTIFY_H

#include "alert.h"
#include "config.h"

/* The request body of a for integration in (malloc'd), NULL on error. */
char	*slack_payload(const struct integration *in, const struct alert *a);
char	*discord_payload(const struct integration *in, const struct alert *a);
char	*webhook_payload(const struct integration *in, const struct alert *a);

#endif
