/*
 * Incidents: a site's state changes, as PREFIX:incidents:NAME keeps them
 * (store_read_incidents reads them), and the pure computations made from
 * them: how long a site spent down and degraded in a window, how often it
 * went down, how long it took to recover, and the same per day. No I/O,
 * so every rule is unit-tested without servers.
 *
 * The HTTP state at an instant is the `to` of the last HTTP change at or
 * before it; before the first change it is that change's `from`; with no
 * HTTP change at all, the current state given by the caller. A window is
 * clipped to the site's first check (incidents_first_check), so a site
 * added last week is not credited with a month of uptime.
 */
#ifndef PEEKL_INCIDENTS_H
#define PEEKL_INCIDENTS_H

#include <stddef.h>
#include <stdint.h>

#include "check.h"

/* One state change. */
struct incident {
	int64_t		 t;		/* unix ms of the change (its entry ID's) */
	enum check_kind	 kind;
	int		 from;		/* enum http_state or enum cert_state */
	int		 to;
	char		 reason[ERROR_LEN]; /* "HTTP 503", "timeout"; "" when none */
};

/* What a window of a site's HTTP history adds up to. */
struct downtime {
	int64_t	 start;		/* the window's start after clipping (unix ms) */
	int64_t	 window_ms;	/* its length; 0 when the site was not checked
				 * in it yet */
	int64_t	 down_ms;	/* time spent down in the window */
	int64_t	 degraded_ms;	/* time spent degraded in the window */
	long	 downs;		/* times it went down in the window */
	long	 recovered;	/* of those, how many ended in it */
	int64_t	 recovered_ms;	/* their total length, for the MTTR */
	int64_t	 longest_ms;	/* the longest time down in the window (an
				 * outage that started before it or still lasts
				 * counts its part in the window) */
};

/* Returns the time of the site's first check as its incidents (oldest
 * first) know it, the first HTTP change out of "unknown"; 0 when they do
 * not reach back that far (no clipping then). */
int64_t	incidents_first_check(const struct incident *v, size_t n);

/*
 * Sums the HTTP incidents v (n, oldest first, any kinds mixed) over the
 * window [from, to), clipped to first_check (0: not clipped). current is
 * the site's HTTP state (enum http_state), used only when v holds no HTTP
 * change. Fills out.
 */
void	incidents_downtime(const struct incident *v, size_t n, int64_t from,
	    int64_t to, int64_t first_check, int current,
	    struct downtime *out);

/* Returns 100 x (1 - down / window), or -1 when the window is empty. Not
 * rounded: print it with two decimals. */
double	downtime_uptime_pct(const struct downtime *d);

/* Returns the mean time to recovery in ms of the outages that ended, or
 * -1 when none did. */
int64_t	downtime_mttr_ms(const struct downtime *d);

/*
 * Fills out[0..ndays-1] with the downtime of each UTC day (86,400,000 ms)
 * starting at day0 (a day's first ms), as incidents_downtime would: the
 * 90-day bar of a status page.
 */
void	incidents_daily(const struct incident *v, size_t n, int64_t day0,
	    size_t ndays, int64_t first_check, int current,
	    struct downtime *out);

/* Returns the index of the next change of the same kind as v[i] after it
 * (v oldest first), or n when v[i] is the current state. */
size_t	incident_next(const struct incident *v, size_t n, size_t i);

/* Writes the reason of a certificate change that only the leaf's days
 * left decide: "certificate expires in 12 days", "certificate expired 3
 * days ago". */
void	incident_days_reason(long days_left, char *out, size_t outsz);

/* Returns the name of an incident's from/to state for its kind: "down",
 * "warning", ... */
const char *incident_state_name(enum check_kind kind, int state);

#endif
