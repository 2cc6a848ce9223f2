/* Reminder decisions: the period runs from the last alert for the state,
 * which is the state's own alert (since) or the last reminder, whichever
 * is later; a reminder from an earlier episode of the same state is older
 * than since and so never counts. */
#include <string.h>

#include "reminder.h"

int
reminder_due(int64_t every_ms, int64_t since, int64_t reminded_at,
    int64_t now)
{
	int64_t	last = reminded_at > since ? reminded_at : since;

	if (every_ms <= 0 || since <= 0)
		return 0;
	return now - last >= every_ms;
}

/* Fills tr for a reminder of state, entered at since, of a check of kind. */
static void
reminder_fill(struct transition *tr, enum check_kind kind, int state,
    int64_t since, int64_t now)
{
	memset(tr, 0, sizeof(*tr));
	tr->kind = kind;
	tr->event = ALERT_REMINDER;
	tr->from = state;
	tr->to = state;
	tr->duration_ms = clamp_duration_ms(now - since);
}

int
reminder_http(struct site_state *st, const struct site *site, int64_t now,
    struct transition *tr)
{
	if (st->state != HTTP_DOWN && st->state != HTTP_DEGRADED)
		return 0;
	if (!reminder_due(site->remind_every_ms, st->since, st->reminded_at,
	    now))
		return 0;
	reminder_fill(tr, KIND_HTTP, (int)st->state, st->since, now);
	st->reminded_at = now;
	return 1;
}

int
reminder_cert(struct site_state *st, const struct site *site, int64_t now,
    struct transition *tr)
{
	if (st->cert_state != CERT_WARNING && st->cert_state != CERT_CRITICAL)
		return 0;
	if (!reminder_due(site->remind_every_ms, st->cert_since,
	    st->cert_reminded_at, now))
		return 0;
	reminder_fill(tr, KIND_CERT, (int)st->cert_state, st->cert_since, now);
	st->cert_reminded_at = now;
	return 1;
}
