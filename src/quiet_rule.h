/* The rules of quiet times (spec/alerting.md), pure: is a site quiet now
 * (silenced, in a maintenance window, a parent down), and what becomes of
 * a check's alert, given the state of the last alert queued for it. */
#ifndef PEEKL_QUIET_RULE_H
#define PEEKL_QUIET_RULE_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "config.h"
#include "silence.h"
#include "state.h"

/* What one run knows about quiet times. */
struct quiet_view {
	const struct config	*cfg;
	const struct site_state	*states;	/* per site, as recorded by this run */
	const struct silence	*silences;	/* per site; until 0 when none */
	const struct silence	*all;		/* `silence all`, or NULL */
	const unsigned char	*open;		/* per maintenance window: open now */
	int64_t			 now_s;
};

/*
 * Returns 1 when site i is quiet, writing why into why: "silenced: deploy"
 * ("silenced" without a reason), "maintenance: NAME", "gateway down" (the
 * first parent down, in depends_on order). A silence of the site comes
 * first, then `silence all`, the windows in config order, the parents.
 */
int	quiet_site(const struct quiet_view *v, size_t i, char *why,
	    size_t whysz);

enum quiet_action {
	QUIET_NONE,	/* no alert, nothing held back */
	QUIET_SEND,	/* queue the check's alert */
	QUIET_DROP,	/* quiet: the check's alert is suppressed */
	QUIET_HOLD,	/* quiet: no alert, but the state differs from the
			 * last alert queued (one is held back) */
	QUIET_STALE,	/* the alert says what the last one queued said
			 * (a change and back while quiet): dropped */
	QUIET_RELEASE	/* not quiet: queue one alert for the current state,
			 * which differs from the last alert queued */
};

/*
 * Decides for one judged check. alerted and current are the state of the
 * last alert queued and the current state (enum http_state or cert_state
 * by kind); has_alert says judge gave the check an alert, transition that
 * it is for a change of state (a reminder is not). A state never alerted
 * (unknown) counts as up, or ok, as a new healthy site says nothing.
 */
enum quiet_action quiet_decide(enum check_kind kind, int quiet, int alerted,
	    int current, int has_alert, int transition);

/*
 * Returns when the last silence or open maintenance window covering site i
 * ends (unix s; ends[k] is window k's end when open), writing its reason
 * into why: the silence's ("" when none was given) or "maintenance: NAME".
 * Returns 0 when the site is not silenced. For `status`.
 */
int64_t	quiet_silenced_until(const struct quiet_view *v, const int64_t *ends,
	    size_t i, char *why, size_t whysz);

/* Returns the event of an alert for entering state s of kind. */
enum alert_event quiet_state_event(enum check_kind kind, int s);

#endif
