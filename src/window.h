/* Maintenance windows in time: whether a window is open at an instant, in
 * its IANA timezone, across midnight and daylight-saving changes. No I/O
 * but the system's zoneinfo files, which the C library reads. */
#ifndef PEEKL_WINDOW_H
#define PEEKL_WINDOW_H

#include <stdint.h>

#include "config.h"

#define WINDOW_ZONEINFO	"/usr/share/zoneinfo"
#define WINDOW_MAX_MS	(7LL * 86400 * 1000)	/* a window lasts at most a week */

/* Returns 0 when name is an IANA timezone found in WINDOW_ZONEINFO, else
 * -1 (a path outside it, a missing or non-TZif file). */
int	window_tz_valid(const char *name);

/*
 * Returns 1 when window m is open at now_s (unix seconds), setting *end_s
 * to when it closes, else 0. "days" names the day a window starts; a start
 * that a spring-forward skips begins at the first instant after the gap,
 * one that a fall-back repeats at its first occurrence; the duration is
 * elapsed time.
 */
int	window_open(const struct maintenance *m, int64_t now_s,
	    int64_t *end_s);

/* Returns the instant (unix seconds) local wall time y-mo-d h:mi starts in
 * timezone tz, by the rules above (mo 1-12). For tests and window_open. */
int64_t	window_local_start(const char *tz, int y, int mo, int d, int h,
	    int mi);

#endif
