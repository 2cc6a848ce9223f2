/*
 * The arithmetic of maintenance windows. The C library converts between
 * instants and wall times for one timezone at a time, the one TZ names: we
 * point TZ at the window's zoneinfo file for the length of one question
 * and put it back, so the rest of peekl (log lines) keeps the host's. A run
 * asks once per window, after its threads have ended.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"
#include "window.h"

#define DAY_S	86400

int
window_tz_valid(const char *name)
{
	char	 path[512], magic[4];
	FILE	*f;
	size_t	 n;

	if (name == NULL || name[0] == '\0' || name[0] == '/' ||
	    strstr(name, "..") != NULL || strlen(name) > 128)
		return -1;
	/* Without its file the C library still knows UTC. */
	if (strcmp(name, "UTC") == 0)
		return 0;
	for (const char *p = name; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("/_+-", *p) != NULL))
			return -1;
	snprintf(path, sizeof(path), "%s/%s", WINDOW_ZONEINFO, name);
	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	return n == 4 && memcmp(magic, "TZif", 4) == 0 ? 0 : -1;
}

/* The TZ this process had before tz_use, restored by tz_done. */
struct tz_saved {
	char	*old;		/* NULL: TZ was unset */
};

static void
tz_use(const char *tz, struct tz_saved *sv)
{
	const char	*old = getenv("TZ");
	char		*val;

	sv->old = old != NULL ? xstrdup(old) : NULL;
	val = xasprintf(":%s/%s", WINDOW_ZONEINFO, tz);
	setenv("TZ", val, 1);
	free(val);
	tzset();
}

static void
tz_done(struct tz_saved *sv)
{
	if (sv->old != NULL)
		setenv("TZ", sv->old, 1);
	else
		unsetenv("TZ");
	free(sv->old);
	tzset();
}

/* Returns the UTC offset (seconds east) in force at instant t. */
static long
offset_at(int64_t t)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/* Returns the wall time W (seconds, as if UTC) of y-mo-d h:mi. */
static int64_t
wall_of(int y, int mo, int d, int h, int mi)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm);
}

/*
 * The first instant whose wall time is w, under the TZ in force. The
 * offsets a day either side are the only ones around w (no zone changes
 * twice in two days): an instant made with one of them that reads back as
 * w is a real one, and the earlier such wins (a fall-back's first
 * occurrence). When neither reads back, w is in a spring-forward gap: the
 * window starts at the change itself, found by bisection.
 */
static int64_t
first_instant(int64_t w)
{
	long	o1 = offset_at(w - DAY_S), o2 = offset_at(w + DAY_S);
	int64_t	t1 = w - o1, t2 = w - o2, best = INT64_MAX, lo, hi;

	if (t1 + offset_at(t1) == w)
		best = t1;
	if (t2 + offset_at(t2) == w && t2 < best)
		best = t2;
	if (best != INT64_MAX)
		return best;
	/* In the gap: o2 > o1, so t2 < t1; the change lies between. */
	lo = t2 < t1 ? t2 : t1;
	hi = t2 < t1 ? t1 : t2;
	while (hi - lo > 1) {
		int64_t mid = lo + (hi - lo) / 2;

		if (offset_at(mid) == o1)
			lo = mid;
		else
			hi = mid;
	}
	return offset_at(lo) == o2 ? lo : hi;
}

int64_t
window_local_start(const char *tz, int y, int mo, int d, int h, int mi)
{
	struct tz_saved	sv;
	int64_t		t;

	tz_use(tz, &sv);
	t = first_instant(wall_of(y, mo, d, h, mi));
	tz_done(&sv);
	return t;
}

int
window_open(const struct maintenance *m, int64_t now_s, int64_t *end_s)
{
	struct tz_saved	sv;
	struct tm	tm;
	time_t		tt = (time_t)now_s;
	int64_t		dur = m->duration_ms / 1000, start, best = -1;
	int		back;

	tz_use(m->timezone != NULL ? m->timezone : "UTC", &sv);
	if (localtime_r(&tt, &tm) == NULL)
		goto out;
	/* Every window that may still be open started on one of the last
	 * days its duration spans (one more for DST shifts), today included. */
	back = (int)(dur / DAY_S) + 1;
	for (int k = back; k >= 0; k--) {
		struct tm	day = tm;
		int64_t		wday_w;

		day.tm_mday -= k;
		day.tm_hour = 12;	/* noon: away from any change */
		day.tm_min = day.tm_sec = 0;
		day.tm_isdst = -1;
		if (mktime(&day) == (time_t)-1)
			continue;
		if (!(m->days & (1u << day.tm_wday)))
			continue;
		wday_w = wall_of(day.tm_year + 1900, day.tm_mon + 1,
		    day.tm_mday, m->start_min / 60, m->start_min % 60);
		start = first_instant(wday_w);
		if (start <= now_s && now_s < start + dur &&
		    start + dur > best)
			best = start + dur;
	}
out:
	tz_done(&sv);
	if (best < 0)
		return 0;
	*end_s = best;
	return 1;
}
