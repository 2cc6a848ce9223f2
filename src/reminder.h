/* Reminders (spec/alerting.md): while a site stays down or degraded, or
 * its certificate warning or critical, one alert every remind_every after
 * the last alert for that state. Pure, like state.c. */
#ifndef PEEKL_REMINDER_H
#define PEEKL_REMINDER_H

#include <stdint.h>

#include "check.h"
#include "config.h"
#include "state.h"

/* Returns 1 when a reminder is due at now for a state entered at since
 * (its alert) and last reminded at reminded_at (0: never), every
 * every_ms (0: reminders off). */
int	reminder_due(int64_t every_ms, int64_t since, int64_t reminded_at,
	    int64_t now);

/*
 * Decides the reminder of the site's HTTP state (down or degraded) or of
 * its certificate's (warning or critical) after a check that left that
 * state unchanged. Returns 1, filling tr (event ALERT_REMINDER, from = to =
 * the state, duration_ms = the time in it) and setting st->reminded_at /
 * st->cert_reminded_at to now, when one is due; else 0.
 */
int	reminder_http(struct site_state *st, const struct site *site,
	    int64_t now, struct transition *tr);
int	reminder_cert(struct site_state *st, const struct site *site,
	    int64_t now, struct transition *tr);

#endif
