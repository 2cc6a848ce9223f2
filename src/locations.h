/* A run among several locations (spec/locations.md): the heartbeats that
 * watch every location, and the quorum verdict on every site this run
 * checked, each decided under its lease. Called by run.c's agree stage;
 * the decisions themselves are quorum.c's. */
#ifndef PEEKL_LOCATIONS_H
#define PEEKL_LOCATIONS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "config.h"

struct store;
struct alert;
struct beat;

/* What the location steps of one run hold until record is written. */
struct loc_run {
	struct beat	*beats;		/* every known location, by name */
	size_t		 nbeats;
	const char	**beat_leases;	/* locations whose lease we hold */
	size_t		 nbeat_leases;
	const char	**verdict_leases; /* sites whose verdict lease we hold */
	size_t		 nverdict_leases;
	struct alert	**alerts;	/* DOWN/UP location alerts (owned) */
	size_t		 nalerts;
};

/* This run's location's name: the configured one, or "default". */
const char *locations_self(const struct config *cfg);

/*
 * Reads every location's heartbeat; for each location silent longer than
 * location_timeout (or back from such a silence) takes its lease, decides
 * again and adds the DOWN/UP alert to lr->alerts; stages this run's
 * heartbeat. A dry run only reads. Returns 0, or -1 on a Redis error.
 */
int	locations_watch(struct loc_run *lr, struct store *st,
	    const struct config *cfg, int64_t now, int dry_run);

/*
 * With a location: takes the verdict lease of every site among the judged
 * checks (all or none, waiting a few seconds for other runs), re-reads
 * every location's state, and gives each judged check its verdict (to
 * write) and, when the verdict changed, its alert, or its reminder when
 * one is due (reminder.c's rule on the verdict). A dry run decides
 * without leases. Returns 0, or -1 on a Redis error.
 */
int	locations_verdicts(struct loc_run *lr, struct store *st,
	    const struct config *cfg, struct check *checks, size_t n,
	    int64_t now, int dry_run, const volatile sig_atomic_t *stop);

/* Releases the leases lr holds and frees it (the alerts too). */
void	locations_done(struct loc_run *lr, struct store *st);

#endif
