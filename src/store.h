/* Redis: connection, pipelined state reads and writes, leases, timeseries
 * (RedisTimeSeries or streams), alert queues. Every function logs its own
 * errors with context and returns -1; callers only propagate. */
#ifndef PEEKL_STORE_H
#define PEEKL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "config.h"
#include "state.h"

struct store;

/*
 * Connects (TCP or unix socket, connect and command timeouts of a few
 * seconds), AUTHs, SELECTs the db, and detects RedisTimeSeries according to
 * rc->timeseries (TS_ON without the module is an error). Returns 0 and sets
 * *out (free with store_close), or -1 (logged: "authentication failed" for a
 * refused AUTH, never the password).
 */
int	store_open(const struct redis_conf *rc, struct store **out);
void	store_close(struct store *st);

/* Makes st work as one location (spec/locations.md): its leases, state
 * hashes and series become the location's own. NULL: none. */
void	store_set_location(struct store *st, const char *location);

/* Returns 1 when measurements go to RedisTimeSeries, 0 for streams. */
int	store_uses_timeseries(const struct store *st);

/* Says (INFO) where measurements go when RedisTimeSeries was not found. */
void	store_note_backend(const struct store *st);

/* Reads every site's state hash in one round trip; out has cfg->nsites
 * entries. Absent hashes give a zeroed, UNKNOWN state. */
int	store_read_states(struct store *st, const struct config *cfg,
	    struct site_state *out);

/*
 * Takes a lease (PREFIX:lease:NAME:KIND, SET NX PX lease_ttl_ms under this
 * run's token) for every check that is due, setting its `leased`, and in
 * the same round trip re-reads the state of each check whose lease was
 * granted into its `state` (so a check another run made meanwhile is seen).
 */
int	store_take_leases(struct store *st, struct check *checks, size_t n);

/* Releases the leases this run still holds (`leased`; compare-and-delete),
 * in one round trip. */
int	store_release_leases(struct store *st, const struct check *checks,
	    size_t n);

/* An alert to append to one integration instance's queue. */
struct queued_alert {
	const char		*integration;	/* the instance name */
	const char		*json;	/* alert_encode() output */
};

/*
 * Writes every judged check (the state hash fields of its kind, timeseries
 * points or stream entries) and appends every alert to its queue, in one MULTI/EXEC
 * round trip, so a run's results land whole or not at all. Queues are capped
 * at STORE_QUEUE_MAX entries, dropping the oldest with a warning.
 */
#define STORE_QUEUE_MAX 1000
int	store_write(struct store *st, const struct check *checks, size_t n,
	    const struct queued_alert *alerts, size_t nalerts);

/* --- alert queues (peekl:alerts:INSTANCE) --- */

/* Takes the queue's delivery lease (peekl:alerts:INSTANCE:lease); returns
 * 1 if granted, 0 if another run holds it, -1 on error. */
int	store_queue_lease(struct store *st, const char *inst,
	    int64_t ttl_ms);
int	store_queue_unlease(struct store *st, const char *inst);

/* Returns the milliseconds the queue is held for (Retry-After), 0 if not. */
int64_t	store_queue_held(struct store *st, const char *inst);
int	store_queue_hold(struct store *st, const char *inst,
	    int64_t ms);

/* Sets *entry to a malloc'd copy of the oldest queued entry (*len bytes,
 * which may hold a NUL, plus a terminating NUL; caller frees), or NULL
 * when the queue is empty. */
int	store_queue_head(struct store *st, const char *inst,
	    char **entry, size_t *len);

/* Removes the oldest entry if it is still exactly entry (it was
 * delivered); 0, or -1 (logged). */
int	store_queue_pop(struct store *st, const char *inst,
	    const char *entry, size_t len);

/* Moves the oldest entry, if it is still exactly entry, to the queue's
 * set-aside list (peekl:alerts:INSTANCE:dead), which keeps the newest
 * STORE_DEAD_MAX; one atomic step. 0, or -1 (logged). */
#define STORE_DEAD_MAX 1000
int	store_queue_set_aside(struct store *st, const char *inst,
	    const char *entry, size_t len);

/* Number of set-aside entries, or -1. */
long	store_queue_dead_len(struct store *st, const char *inst);
/* The set-aside list's key name, for messages (malloc'd, caller frees). */
char	*store_queue_dead_name(const struct store *st,
	    const char *inst);

/* Number of queued alerts, or -1. */
long	store_queue_len(struct store *st, const char *inst);

/* --- history --- */

struct point {
	int64_t		 t;		/* unix ms */
	enum check_kind	 kind;
	int		 up;		/* http */
	int		 http_code;	/* http */
	double		 response_ms;	/* http */
	long		 days_left;	/* cert */
	double		 checks;	/* http: 0 for one check, else the checks
					 * an hourly or daily bucket holds */
	double		 nup;		/* http bucket: of which up (a
					 * compaction: the uptime ratio) */
};

/* Reads one site's points since since_ms, oldest first, from whichever
 * store holds them: the raw points, or hourly or daily buckets (see
 * store_resolution) when the window, from since_ms to at_ms (the instant
 * that fixed it), is longer than the raw retention and redis.retention is
 * a mapping. *pts is malloc'd (caller frees). */
int	store_read_history(struct store *st, const struct config *cfg,
	    const struct site *site, int64_t since_ms, int64_t at_ms,
	    struct point **pts, size_t *npts);

/*
 * Reads the cached CRLs of urls: out[i] gets a malloc'd copy (caller frees)
 * and lens[i] its length, or NULL when none is cached. One round trip.
 * Returns 0, or -1 on a Redis error (logged).
 */
int	store_crl_get(struct store *st, char *const *urls, size_t n,
	    unsigned char **out, size_t *lens);

/* Caches the CRL fetched from url for ttl_ms. Returns 0, or -1 (logged). */
int	store_crl_put(struct store *st, const char *url,
	    const unsigned char *crl, size_t len, int64_t ttl_ms);

/* --- silences (PREFIX:silence:NAME, PREFIX:silence:all) --- */

struct silence;

/*
 * Reads, in one round trip, the silence of `all` into *all and those of
 * the sites with want[i] set (every site when want is NULL) into out (one
 * per site; until 0 for none). Returns 0, or -1 on a Redis error (logged).
 */
int	store_read_silences(struct store *st, const struct config *cfg,
	    const unsigned char *want, struct silence *out,
	    struct silence *all);

/* Sets silence s on each of names (NULL stands for `all`) for ttl_ms, in
 * one round trip. Returns 0, or -1 (logged). */
int	store_set_silences(struct store *st, const char *const *names,
	    size_t n, const struct silence *s, int64_t ttl_ms);

/* Deletes the silences of names (NULL for `all`); returns how many
 * existed, or -1 (logged). */
long	store_clear_silences(struct store *st, const char *const *names,
	    size_t n);
/* --- long retention (store_rollup.c) --- */

/* The coarser resolutions history is kept at, when redis.retention is a
 * mapping: hourly and daily. */
enum resolution {
	RES_HOUR,
	RES_DAY,
	RES__MAX
};

/* One bucket of HTTP checks at a coarser resolution. */
struct rollup {
	int64_t	 t;		/* the bucket's start, unix ms */
	double	 checks;	/* HTTP checks in it; 1 for a compaction
				 * (RedisTimeSeries keeps no count) */
	double	 up;		/* of which up; a compaction's uptime ratio */
	double	 sum_ms;	/* their response times summed; a
				 * compaction's average */
	double	 max_ms;	/* the slowest; a compaction's average */
	int	 counted;	/* checks and up are counts (rollup streams) */
};

/* Returns the finest resolution whose retention still covers a window
 * from since, fixed at the instant at (its end, for a window up to now;
 * never a later clock reading, or a window of exactly the raw retention
 * would miss it): -1 for the raw points, else an enum resolution. Raw
 * points when no coarser history is kept. */
int	store_resolution(const struct store *st, int64_t since, int64_t at);

/* Reads the site's buckets at resolution res overlapping [since, until],
 * oldest first, from the rollup streams or the compactions. *out is
 * malloc'd (caller frees). Returns 0, or -1 (logged). */
int	store_read_rollups(struct store *st, const char *name,
	    enum resolution res, int64_t since, int64_t until,
	    struct rollup **out, size_t *n);

/* --- incidents (store_incidents.c) --- */

struct incident;

/*
 * Reads the state changes of the site called name (both kinds) made in
 * [since, until] (unix ms), oldest first, preceded by the last change of
 * each kind before since, so the state at since is known (callers listing
 * the window skip those: their t is before since). *out is malloc'd
 * (caller frees). Returns 0, or -1 (logged).
 */
int	store_read_incidents(struct store *st, const char *name,
	    int64_t since, int64_t until, struct incident **out, size_t *n);
/* --- locations (store_loc.c, spec/locations.md) --- */

/* One location's heartbeat, PREFIX:location:NAME. */
struct beat {
	char		*name;		/* malloc'd */
	int64_t		 last_run;	/* unix ms, 0 unknown */
	int64_t		 silent_since;	/* > 0 while declared down */
};

/* Reads every location in PREFIX:locations (at most LOCATIONS_MAX, sorted
 * by name) with its heartbeat. *out is malloc'd, NULL when there is none;
 * free with store_beats_free. 0, or -1 (logged). */
int	store_read_beats(struct store *st, struct beat **out, size_t *n);
void	store_beats_free(struct beat *b, size_t n);

/* Takes the lease under which b's DOWN/UP is decided (PREFIX:location:
 * NAME:lease) and re-reads b behind it. 1 granted, 0 held elsewhere, -1
 * on error (logged). */
int	store_beat_lease(struct store *st, struct beat *b, int64_t ttl_ms);
int	store_beat_unlease(struct store *st, const char *const *names,
	    size_t n);

/* Stage writes for the next store_write's transaction: this run's
 * heartbeat (and its name in PREFIX:locations), and a location declared
 * down (silent_since > 0) or back (0). */
void	store_stage_heartbeat(struct store *st, const char *location,
	    int64_t last_run, const char *host, const char *version);
void	store_stage_silent(struct store *st, const char *location,
	    int64_t silent_since);

/* Takes the verdict leases of every site named (PREFIX:lease:NAME:verdict),
 * all or none. 1 granted, 0 one is held elsewhere (none kept), -1 on
 * error (logged). */
int	store_verdict_leases(struct store *st, const char *const *sites,
	    size_t n, int64_t ttl_ms);
int	store_verdict_unlease(struct store *st, const char *const *sites,
	    size_t n);

/* Reads, for each site, its verdict hash (PREFIX:site:NAME) into
 * verdicts[i] and the state of location j into views[i * nlocs + j], in
 * one round trip. 0, or -1 (logged). */
int	store_read_verdicts(struct store *st, const char *const *sites,
	    size_t nsites, const char *const *locs, size_t nlocs,
	    struct site_state *verdicts, struct site_state *views);

#endif
