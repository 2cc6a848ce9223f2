/* The decisions of several locations (spec/locations.md): the quorum
 * verdict on a site from every location's state, and whether a location
 * went silent or came back. Pure functions, no I/O, unit-tested. */
#ifndef PEEKL_QUORUM_H
#define PEEKL_QUORUM_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "config.h"
#include "state.h"

/* One location's view of one check of a site, from its state hash. */
struct loc_view {
	const char	*name;		/* borrowed */
	int		 state;		/* enum http_state or enum cert_state */
	int64_t		 last_check;	/* unix ms, 0 never */
};

/* A verdict and the locations behind it. */
struct verdict {
	int		 state;		/* enum http_state or enum cert_state;
					 * UNKNOWN when no location knows */
	int		 quorum;	/* the quorum that applied */
	int		 total;		/* locations that reported in time */
	size_t		 agree[LOCATIONS_MAX]; /* indexes into the views of the
					 * locations that carried the verdict
					 * (for up/ok: those that see it so) */
	size_t		 nagree;
};

/* The quorum used for total reporting locations: configured (site's,
 * else the top level's), else a majority; at least 1. */
int	quorum_for(const struct config *cfg, const struct site *site,
	    int total);

/*
 * Decides the verdict of kind over n views (n <= LOCATIONS_MAX): only the
 * locations whose last_check is within window_ms of now count. HTTP: down
 * when at least quorum see it down, degraded when at least quorum see it
 * degraded or down, up otherwise; certificates: critical, warning, ok the
 * same way. A verdict nobody knows anything about is UNKNOWN.
 */
void	quorum_decide(const struct config *cfg, const struct site *site,
	    enum check_kind kind, const struct loc_view *views, size_t n,
	    int64_t window_ms, int64_t now, struct verdict *out);

/* The window a location's last check must fall in to count: 3 x the
 * check's interval. */
int64_t	quorum_window(const struct site *site, enum check_kind kind);

/*
 * Returns 1 and fills tr when a change of verdict from `from` (since
 * since_ms) to v deserves an alert; 0 when the verdict stays (or becomes
 * up/ok from unknown, which is news to nobody, or UNKNOWN, which keeps
 * the old one).
 */
int	quorum_transition(enum check_kind kind, int from, int64_t since_ms,
	    const struct verdict *v, int64_t now, struct transition *tr);

/* --- heartbeats --- */

enum loc_change {
	LOC_SAME,	/* nothing to say */
	LOC_DOWN,	/* silent for longer than location_timeout: DOWN */
	LOC_UP		/* was declared down and runs again: UP */
};

/* The location_timeout: the configured one, else 3 x the smallest
 * interval of any site but at least 90 s. */
int64_t	location_timeout(const struct config *cfg);

/* What one location's heartbeat means now: last_run (0 never), and
 * silent_since (> 0 while it is declared down). */
enum loc_change location_change(int64_t last_run, int64_t silent_since,
	    int64_t timeout_ms, int64_t now);

#endif
