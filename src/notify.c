/*
 * The notifiers: which renderer makes the request body for each kind of
 * integration. Adding one is a renderer file that reads struct alert, its
 * prototype in notify.h and a line in the table below (and, being
 * configuration, its keys in config.c, which owns the integration names).
 */
#include <stddef.h>

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
