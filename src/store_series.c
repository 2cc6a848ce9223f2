/* Measurements: the points a run records in its MULTI, as RedisTimeSeries
 * samples or entries of the per-site stream that replaces them, and
 * reading them back as history. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis.h>

#include "log.h"
#include "state.h"
#include "store.h"
#include "store_int.h"
#include "store_keys.h"
#include "util.h"

/* History never returns more than this many points (a month of checks
 * every few seconds), so a huge series cannot exhaust memory. */
#define HISTORY_MAX	1000000
/* Stream entries read per XRANGE round trip. */
#define XRANGE_BATCH	10000

/* --- measurements --- */

/*
 * Writes name as a label value: RedisTimeSeries refuses ',', '(' and ')'
 * there ("Couldn't parse LABELS"), so they become '_'. The key keeps the
 * exact name; only the label that filters find it by is changed.
 */
void
series_label_value(const char *name, char *out, size_t outsz)
{
	strlcpy_trunc(out, name, outsz);
	for (char *p = out; *p != '\0'; p++)
		if (*p == ',' || *p == '(' || *p == ')')
			*p = '_';
}

/* Queues one TS.ADD; the options only take effect when it creates the
 * series, which is how every series gets its retention and labels. */
static int
append_ts(struct store *st, struct batch *b, const char *name,
    enum metric metric, int64_t t, double v)
{
	struct cmd	cmd = { 0 };
	char		label[1024];

	cmd_add(&cmd, "TS.ADD");
	cmd_take(&cmd, key_ts(st, name, metric));
	cmd_add(&cmd, "%" PRId64, t);
	cmd_add(&cmd, "%.17g", v);
	cmd_add(&cmd, "RETENTION");
	cmd_add(&cmd, "%" PRId64, st->retention_ms);
	cmd_add(&cmd, "DUPLICATE_POLICY");
	cmd_add(&cmd, "LAST");
	cmd_add(&cmd, "LABELS");
	cmd_add(&cmd, "peekl");
	cmd_add(&cmd, "1");
	series_label_value(name, label, sizeof(label));
	cmd_add(&cmd, "site");
	cmd_add(&cmd, "%s", label);
	cmd_add(&cmd, "metric");
	cmd_add(&cmd, "%s", metric_names[metric]);
	if (st->location != NULL) {
		cmd_add(&cmd, "location");
		cmd_add(&cmd, "%s", st->location);
	}
	return batch_append(st, b, &cmd);
}

/*
 * Starts an XADD on the site's stream. Trimming is exact (MINID, not
 * MINID ~): `~` only drops whole radix-tree nodes of 100 entries, so a
 * small stream would never lose its expired entries; exact trimming costs
 * O(entries trimmed), about one per write for a steadily checked site.
 */
static void
start_xadd(struct store *st, struct cmd *cmd, const char *name)
{
	cmd_add(cmd, "XADD");
	cmd_take(cmd, key_history(st, name));
	if (st->retention_ms > 0) {
		cmd_add(cmd, "MINID");
		cmd_add(cmd, "%" PRId64, now_ms() - st->retention_ms);
	}
	cmd_add(cmd, "*");
}

/* Adds the location field to a stream entry, when there is one. */
static void
add_location(struct store *st, struct cmd *cmd)
{
	if (st->location == NULL)
		return;
	cmd_add(cmd, "%s", entry_fields[EF_LOCATION]);
	cmd_add(cmd, "%s", st->location);
}

/* Queues the points of an HTTP check. */
static int
append_http_points(struct store *st, struct batch *b, const char *name,
    const struct http_result *r)
{
	struct cmd	cmd = { 0 };

	if (st->use_ts)
		return append_ts(st, b, name, METRIC_RESPONSE_MS, r->started_ms,
		    r->response_ms) == -1 ||
		    append_ts(st, b, name, METRIC_HTTP_CODE, r->started_ms,
		    r->http_code) == -1 ||
		    append_ts(st, b, name, METRIC_UP, r->started_ms,
		    r->ok ? 1 : 0) == -1 ? -1 : 0;
	start_xadd(st, &cmd, name);
	cmd_add(&cmd, "%s", entry_fields[EF_KIND]);
	cmd_add(&cmd, "http");
	cmd_add(&cmd, "%s", entry_fields[EF_UP]);
	cmd_add(&cmd, "%d", r->ok ? 1 : 0);
	cmd_add(&cmd, "%s", entry_fields[EF_HTTP_CODE]);
	cmd_add(&cmd, "%d", r->http_code);
	cmd_add(&cmd, "%s", entry_fields[EF_RESPONSE_MS]);
	cmd_add(&cmd, "%.3f", r->response_ms);
	/* Stream IDs are the server's clock at write time; t is when the
	 * check started, the time history is about. */
	cmd_add(&cmd, "%s", entry_fields[EF_T]);
	cmd_add(&cmd, "%" PRId64, r->started_ms);
	add_location(st, &cmd);
	return batch_append(st, b, &cmd);
}

/* Queues the point of a certificate check that read a certificate. */
static int
append_cert_point(struct store *st, struct batch *b, const char *name,
    const struct cert_result *r)
{
	struct cmd	cmd = { 0 };

	if (!r->have_cert)
		return 0;
	if (st->use_ts)
		return append_ts(st, b, name, METRIC_CERT_DAYS_LEFT,
		    r->started_ms, (double)r->days_left);
	start_xadd(st, &cmd, name);
	cmd_add(&cmd, "%s", entry_fields[EF_KIND]);
	cmd_add(&cmd, "cert");
	cmd_add(&cmd, "%s", entry_fields[EF_DAYS_LEFT]);
	cmd_add(&cmd, "%ld", r->days_left);
	cmd_add(&cmd, "%s", entry_fields[EF_T]);
	cmd_add(&cmd, "%" PRId64, r->started_ms);
	add_location(st, &cmd);
	return batch_append(st, b, &cmd);
}

int
series_append_points(struct store *st, const struct check *c,
    struct batch *b)
{
	if (c->kind == KIND_HTTP)
		return append_http_points(st, b, c->site->name, &c->http);
	return append_cert_point(st, b, c->site->name, &c->cert);
}

/* --- history --- */

/* A growable list of points. */
struct points {
	struct point	*v;
	size_t		 n;
	size_t		 cap;
};

/* Returns a new point at the end of pts (zeroed), or NULL once the list
 * holds HISTORY_MAX points. */
static struct point *
points_add(struct points *pts)
{
	return array_add(&pts->v, &pts->n, &pts->cap, sizeof(*pts->v),
	    HISTORY_MAX);
}

long
ts_range_parse(const struct store *st, const redisReply *r, const char *key,
    struct ts_sample **out)
{
	struct ts_sample *s;
	size_t		 n = 0;

	*out = NULL;
	if (r->type == REDIS_REPLY_ERROR) {
		if (strstr(r->str, "not exist") != NULL)
			return 0;
		log_error("redis: %s: %s: %s", st->where, key, r->str);
		return -1;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements == 0)
		return 0;
	s = xcalloc(r->elements, sizeof(*s));
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i];

		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
		    e->element[0]->type != REDIS_REPLY_INTEGER)
			continue;
		if (e->element[1]->type == REDIS_REPLY_INTEGER)
			s[n].v = (double)e->element[1]->integer;
		else if (parse_double(store_reply_str(e->element[1]),
		    &s[n].v) == -1)
			continue;
		s[n++].t = e->element[0]->integer;
	}
	*out = s;
	return (long)n;
}

/* The value of series s at time t (its cursor *i advanced past it), or 0
 * when s has no sample at t. */
static double
sample_at(const struct ts_sample *s, long n, long *i, int64_t t)
{
	if (*i < n && s[*i].t == t)
		return s[(*i)++].v;
	return 0;
}

/* Merges the up, http_code and response_ms series (each sorted by time)
 * into HTTP points: the three samples of one check share its timestamp. */
static void
merge_http(struct points *pts, struct ts_sample *up, long nup,
    struct ts_sample *code, long ncode, struct ts_sample *ms, long nms)
{
	long	 i = 0, j = 0, k = 0;

	while (i < nup || j < ncode || k < nms) {
		int64_t		 t = INT64_MAX;
		struct point	*p;

		if (i < nup && up[i].t < t)
			t = up[i].t;
		if (j < ncode && code[j].t < t)
			t = code[j].t;
		if (k < nms && ms[k].t < t)
			t = ms[k].t;
		if ((p = points_add(pts)) == NULL)
			return;
		p->t = t;
		p->kind = KIND_HTTP;
		p->up = sample_at(up, nup, &i, t) != 0;
		p->http_code = clamp_http_code(sample_at(code, ncode, &j, t));
		p->response_ms = clamp_response_ms(sample_at(ms, nms, &k, t));
	}
}

/* Reads one site's timeseries of location loc (NULL: those without one)
 * since since_ms into pts; 0 or -1. */
static int
read_ts_at(struct store *st, const char *name, const char *loc,
    int64_t since_ms, struct points *pts)
{
	static const enum metric metrics[4] = {
		METRIC_UP, METRIC_HTTP_CODE, METRIC_RESPONSE_MS,
		METRIC_CERT_DAYS_LEFT,
	};
	struct ts_sample	 *s[4] = { NULL };
	long		  ns[4] = { 0 };
	redisReply	**r = NULL;
	int		  ret = -1;

	for (size_t i = 0; i < ARRAY_LEN(metrics); i++) {
		char	*key = key_ts_at(st, name, metrics[i], loc);
		int	 rc;

		rc = redisAppendCommand(st->c, "TS.RANGE %s %lld + COUNT %d",
		    key, (long long)since_ms, HISTORY_MAX);
		free(key);
		if (rc != REDIS_OK) {
			store_io_error(st, "reading history");
			return -1;
		}
	}
	if (store_replies(st, ARRAY_LEN(metrics), &r, "reading history") == -1)
		return -1;
	for (size_t i = 0; i < ARRAY_LEN(metrics); i++) {
		char	*key = key_ts_at(st, name, metrics[i], loc);

		ns[i] = ts_range_parse(st, r[i], key, &s[i]);
		free(key);
		if (ns[i] == -1)
			goto out;
	}
	merge_http(pts, s[0], ns[0], s[1], ns[1], s[2], ns[2]);
	for (long i = 0; i < ns[3]; i++) {
		struct point	*p = points_add(pts);

		if (p == NULL)
			break;
		p->t = s[3][i].t;
		p->kind = KIND_CERT;
		p->days_left = clamp_days(s[3][i].v);
	}
	ret = 0;
out:
	for (size_t i = 0; i < ARRAY_LEN(s); i++)
		free(s[i]);
	store_free_replies(r, ARRAY_LEN(metrics));
	return ret;
}

/* Reads one site's timeseries since since_ms into pts: this location's
 * own with a location set, else every location's (each one known in
 * PREFIX:locations) and those written without one, as the stream holds
 * them all. 0 or -1. */
static int
read_ts(struct store *st, const char *name, int64_t since_ms,
    struct points *pts)
{
	struct beat	*b = NULL;
	size_t		 nb = 0;
	int		 ret;

	if (st->location != NULL)
		return read_ts_at(st, name, st->location, since_ms, pts);
	if (store_read_beats(st, &b, &nb) == -1)
		return -1;
	ret = read_ts_at(st, name, NULL, since_ms, pts);
	for (size_t i = 0; ret == 0 && i < nb; i++)
		ret = read_ts_at(st, name, b[i].name, since_ms, pts);
	store_beats_free(b, nb);
	return ret;
}

/* Fills p from one stream entry's fields; returns 0, or -1 to skip an
 * entry that is not a peekl point, or (with a location set) one that
 * another location measured. */
static int
parse_entry(const struct store *st, const redisReply *id,
    const redisReply *fields, struct point *p)
{
	const char	*kind = NULL;
	double		 v;
	long long	 idms;

	memset(p, 0, sizeof(*p));
	if (store_reply_str(id) == NULL || fields->type != REDIS_REPLY_ARRAY)
		return -1;
	/* The ID's milliseconds stand in for a missing t. */
	errno = 0;
	idms = strtoll(id->str, NULL, 10);
	p->t = errno == 0 && idms > 0 ? idms : 0;
	for (size_t i = 0; i + 1 < fields->elements; i += 2) {
		const char	*f = store_reply_str(fields->element[i]);
		const char	*s = store_reply_str(fields->element[i + 1]);

		if (f == NULL || s == NULL)
			continue;
		if (strcmp(f, entry_fields[EF_LOCATION]) == 0) {
			if (st->location != NULL &&
			    strcmp(s, st->location) != 0)
				return -1;
			continue;
		}
		if (strcmp(f, entry_fields[EF_KIND]) == 0)
			kind = s;
		else if (parse_double(s, &v) == -1)
			continue;
		else if (strcmp(f, entry_fields[EF_T]) == 0 && v > 0)
			p->t = clamp_time_ms(v);
		else if (strcmp(f, entry_fields[EF_UP]) == 0)
			p->up = v != 0;
		else if (strcmp(f, entry_fields[EF_HTTP_CODE]) == 0 &&
		    v >= 0 && v <= HTTP_CODE_MAX)
			p->http_code = clamp_http_code(v);
		else if (strcmp(f, entry_fields[EF_RESPONSE_MS]) == 0 &&
		    v >= 0)
			p->response_ms = clamp_response_ms(v);
		else if (strcmp(f, entry_fields[EF_DAYS_LEFT]) == 0)
			p->days_left = clamp_days(v);
	}
	if (kind != NULL && strcmp(kind, "http") == 0)
		p->kind = KIND_HTTP;
	else if (kind != NULL && strcmp(kind, "cert") == 0)
		p->kind = KIND_CERT;
	else
		return -1;
	return 0;
}

/*
 * Appends one XRANGE batch's entries at or after since_ms to pts and sets
 * last to the batch's last ID. Returns the number of entries in the reply,
 * or -1 (logged).
 */
static long
parse_xrange(const struct store *st, const redisReply *r, int64_t since_ms,
    struct points *pts, char *last, size_t lastsz)
{
	struct point	pt;

	if (store_reply_failed(st, r, "XRANGE"))
		return -1;
	if (r->type != REDIS_REPLY_ARRAY)
		return 0;
	for (size_t i = 0; i < r->elements; i++) {
		const redisReply *e = r->element[i];
		struct point	 *p;

		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
			continue;
		if (store_reply_str(e->element[0]) != NULL)
			strlcpy_trunc(last, e->element[0]->str, lastsz);
		if (parse_entry(st, e->element[0], e->element[1], &pt) == -1 ||
		    pt.t < since_ms)
			continue;
		if ((p = points_add(pts)) == NULL)
			break;
		*p = pt;
	}
	return (long)r->elements;
}

/* Reads one site's stream since since_ms into pts, a batch per round
 * trip; 0 or -1. */
static int
read_stream(struct store *st, const char *name, int64_t since_ms,
    struct points *pts)
{
	redisReply	*r;
	char		*key;
	char		 start[160], last[128] = "";
	long		 n;
	int		 ret = -1;

	snprintf(start, sizeof(start), "%lld", (long long)since_ms);
	key = key_history(st, name);
	do {
		r = redisCommand(st->c, "XRANGE %s %s + COUNT %d", key, start,
		    XRANGE_BATCH);
		if (r == NULL) {
			store_io_error(st, "reading history");
			goto out;
		}
		if (r->type == REDIS_REPLY_ERROR &&
		    strncmp(r->str, "WRONGTYPE", 9) == 0)
			n = 0;
		else
			n = parse_xrange(st, r, since_ms, pts, last,
			    sizeof(last));
		freeReplyObject(r);
		if (n == -1)
			goto out;
		/* "(ID" starts the next batch just after the last entry. */
		snprintf(start, sizeof(start), "(%s", last);
	} while (n == XRANGE_BATCH && pts->n < HISTORY_MAX);
	ret = 0;
out:
	free(key);
	return ret;
}

/* Orders points by time, HTTP before cert at the same millisecond. */
static int
point_cmp(const void *a, const void *b)
{
	const struct point	*p = a, *q = b;

	if (p->t != q->t)
		return p->t < q->t ? -1 : 1;
	return (int)p->kind - (int)q->kind;
}

int
store_read_history(struct store *st, const struct config *cfg,
    const struct site *site, int64_t since_ms, int64_t at_ms,
    struct point **out, size_t *npts)
{
	struct points	pts = { 0 };
	int		ret, res;

	(void)cfg;
	*out = NULL;
	*npts = 0;
	if (since_ms < 0)
		since_ms = 0;
	/* Beyond the raw points' reach, the hourly or daily history. */
	if ((res = store_resolution(st, since_ms, at_ms)) != -1)
		return rollup_read_points(st, site->name, (enum resolution)res,
		    since_ms, out, npts);
	/* Read where this run records, then, if that is empty, where an
	 * earlier run with another timeseries setting recorded. */
	if (st->use_ts) {
		ret = read_ts(st, site->name, since_ms, &pts);
		if (ret == 0 && pts.n == 0)
			ret = read_stream(st, site->name, since_ms, &pts);
	} else {
		ret = read_stream(st, site->name, since_ms, &pts);
		if (ret == 0 && pts.n == 0 && st->have_ts)
			ret = read_ts(st, site->name, since_ms, &pts);
	}
	if (ret == -1) {
		free(pts.v);
		return -1;
	}
	if (pts.n > 1)
		qsort(pts.v, pts.n, sizeof(*pts.v), point_cmp);
	*out = pts.v;
	*npts = pts.n;
	return 0;
}
