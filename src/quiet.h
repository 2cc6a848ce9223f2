/* The quiet stage of a run, between judge and record: alerts of sites that
 * are silenced, in a maintenance window or behind a parent that is down
 * are dropped (the check says why), and a site that is no longer quiet
 * gets one alert for its current state when it differs from the last
 * alert queued for it. */
#ifndef PEEKL_QUIET_H
#define PEEKL_QUIET_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "config.h"
#include "quiet_rule.h"
#include "silence.h"
#include "state.h"

struct store;

/*
 * Applies quiet times to every judged check: reads the silences of their
 * sites (one round trip; skipped when store is NULL), asks each
 * maintenance window once, then drops, keeps or adds each check's alert
 * and sets its site's alerted / cert_alerted for record. states has one
 * entry per site, as this run will record them: a depends_on parent's is
 * read there (plan reads every site's state), so no extra round trip;
 * with a location, the parents' quorum verdicts are read instead (one
 * round trip), this run's fresh ones first. Returns 0, or -1 when the
 * silences or verdicts could not be read (logged; windows and
 * dependencies still apply).
 */
int	quiet_apply(struct store *st, const struct config *cfg,
	    const struct site_state *states, struct check *checks, size_t n,
	    int64_t now_ms);

/*
 * What is quiet right now, without a run: every silence (one round trip)
 * and every maintenance window asked once. status, metrics and the page
 * read it; quiet_now_until says for how long site i stays silenced.
 */
struct quiet_now {
	struct quiet_view	 v;
	struct silence		*sil;	/* per site */
	struct silence		 all;
	unsigned char		*open;	/* per window */
	int64_t			*ends;	/* per window, when open */
};

/* Fills q; returns 0, or -1 on a Redis error (logged). Free with
 * quiet_now_free either way. */
int	quiet_now_read(struct store *store, const struct config *cfg,
	    struct quiet_now *q);

/* Returns when site i's silence or open window ends (unix s, the latest
 * that applies), writing its reason into why; 0 when it is not silenced. */
int64_t	quiet_now_until(const struct quiet_now *q, size_t i, char *why,
	    size_t whysz);

void	quiet_now_free(struct quiet_now *q);

#endif
