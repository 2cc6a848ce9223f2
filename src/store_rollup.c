/*
 * Long retention: hourly and daily history, kept when redis.retention is
 * a mapping. With RedisTimeSeries the server compacts (TS.CREATERULE from
 * each raw series to PREFIX:ts:NAME:METRIC:1h and :1d); without it, each
 * run adds its HTTP checks to the streams PREFIX:rollup:NAME:1h and :1d.
 * Both are written in the run's MULTI; both are read back here for
 * `history` and `report` when the raw points no longer cover a window.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "store_keys.h"
#include "util.h"

/* Buckets read at most: five years of hours. */
#define ROLLUPS_MAX	50000

/*
 * Adds one HTTP check to its bucket in each rollup stream KEYS[k]
 * (ARGV[1] 1 if up, ARGV[2] its response ms, ARGV[3..6] the field names
 * checks, up, sum_ms, max_ms; for KEYS[k], ARGV[5 + 2k] the bucket's
 * start and ARGV[6 + 2k] the MINID to trim to). A bucket is one entry
 * whose ID is its start, MS-SEQ: the script reads the newest entry, and if
 * it is this bucket (or a later one: a check that arrives late joins the
 * newest bucket, since a stream cannot insert before its end) deletes it
 * and adds the sums as MS-*, the next SEQ. Being one script, the read and
 * the rewrite are one atomic step, so two runs can never both add to the
 * old sums.
 */
static const char bucket_script[] =
	"local ms = tonumber(ARGV[2])\n"
	"for k = 1, #KEYS do\n"
	"  local start, minid = ARGV[5 + 2 * k], ARGV[6 + 2 * k]\n"
	"  local id = start .. '-*'\n"
	"  local n, up, sum, max = 0, 0, 0, 0\n"
	"  local top = redis.call('XREVRANGE', KEYS[k], '+', '-', 'COUNT', 1)\n"
	"  if top[1] then\n"
	"    local t = string.match(top[1][1], '^(%d+)')\n"
	"    if tonumber(t) >= tonumber(start) then\n"
	"      local f = top[1][2]\n"
	"      for i = 1, #f, 2 do\n"
	"        local v = tonumber(f[i + 1]) or 0\n"
	"        if f[i] == ARGV[3] then n = v\n"
	"        elseif f[i] == ARGV[4] then up = v\n"
	"        elseif f[i] == ARGV[5] then sum = v\n"
	"        elseif f[i] == ARGV[6] then max = v end\n"
	"      end\n"
	"      redis.call('XDEL', KEYS[k], top[1][1])\n"
	"      id = t .. '-*'\n"
	"    end\n"
	"  end\n"
	"  if ms > max then max = ms end\n"
	"  redis.call('XADD', KEYS[k], 'MINID', minid, id,\n"
	"      ARGV[3], string.format('%d', n + 1),\n"
	"      ARGV[4], string.format('%d', up + tonumber(ARGV[1])),\n"
	"      ARGV[5], string.format('%.3f', sum + ms),\n"
	"      ARGV[6], string.format('%.3f', max))\n"
	"end\n"
	"return #KEYS\n";

/*
 * Creates the compactions of a check's series once. For each metric i
 * (from 0): KEYS[3i + 1] the raw series, KEYS[3i + 2] and KEYS[3i + 3]
 * the hourly and daily ones, ARGV[10 + 2i] the metric's name and ARGV[11 +
 * 2i] its aggregation. ARGV[1..3] are the raw, hourly and daily
 * retentions, ARGV[4..5] the resolutions' names, ARGV[6..7] their bucket
 * ms, ARGV[8] the site's label, ARGV[9] the location's ("" for none). A
 * compaction that exists is left alone, so every run may ask; the raw
 * series is created here as TS.ADD would create it (same retention,
 * policy and labels), because a rule needs both ends. Returns the number
 * of rules created.
 */
static const char rule_script[] =
	"local made = 0\n"
	"for i = 0, #KEYS / 3 - 1 do\n"
	"  local raw, metric, agg = KEYS[3 * i + 1], ARGV[10 + 2 * i],\n"
	"      ARGV[11 + 2 * i]\n"
	"  local lab = {'peekl', '1', 'site', ARGV[8], 'metric', metric}\n"
	"  if ARGV[9] ~= '' then\n"
	"    lab[#lab + 1] = 'location'\n"
	"    lab[#lab + 1] = ARGV[9]\n"
	"  end\n"
	"  for r = 1, 2 do\n"
	"    local dest = KEYS[3 * i + 1 + r]\n"
	"    if redis.call('EXISTS', dest) == 0 then\n"
	"      if redis.call('EXISTS', raw) == 0 then\n"
	"        redis.call('TS.CREATE', raw, 'RETENTION', ARGV[1],\n"
	"            'DUPLICATE_POLICY', 'LAST', 'LABELS', unpack(lab))\n"
	"      end\n"
	"      local dl = {unpack(lab)}\n"
	"      dl[#dl + 1] = 'resolution'\n"
	"      dl[#dl + 1] = ARGV[3 + r]\n"
	"      redis.call('TS.CREATE', dest, 'RETENTION', ARGV[1 + r],\n"
	"          'LABELS', unpack(dl))\n"
	"      redis.call('TS.CREATERULE', raw, dest, 'AGGREGATION', agg,\n"
	"          ARGV[5 + r])\n"
	"      made = made + 1\n"
	"    end\n"
	"  end\n"
	"end\n"
	"return made\n";

/* How each metric is compacted. */
static const char *const aggregation[METRIC__MAX] = {
	[METRIC_RESPONSE_MS] = "avg",
	[METRIC_HTTP_CODE] = "last",
	[METRIC_UP] = "avg",		/* reads as the uptime ratio */
	[METRIC_CERT_DAYS_LEFT] = "min",
};

/* Returns how long resolution res is kept; 0 when it is not. */
static int64_t
kept_ms(const struct store *st, enum resolution res)
{
	return res == RES_HOUR ? st->hourly_ms : st->daily_ms;
}

/* Queues the creation of the compactions of the n metrics m, if
 * missing: one script for all of a check's series. */
static int
append_rules(struct store *st, struct batch *b, const char *name,
    const enum metric *m, size_t n)
{
	struct cmd	cmd = { 0 };
	char		label[1024];
	size_t		i;
	int		res;

	series_label_value(name, label, sizeof(label));
	cmd_add(&cmd, "EVAL");
	cmd_add(&cmd, "%s", rule_script);
	cmd_add(&cmd, "%zu", n * 3);
	for (i = 0; i < n; i++) {
		cmd_take(&cmd, key_ts(st, name, m[i]));
		for (res = 0; res < RES__MAX; res++)
			cmd_take(&cmd, key_ts_rollup(st, name, m[i],
			    (enum resolution)res));
	}
	cmd_add(&cmd, "%" PRId64, st->retention_ms);
	for (res = 0; res < RES__MAX; res++)
		cmd_add(&cmd, "%" PRId64, kept_ms(st, (enum resolution)res));
	for (res = 0; res < RES__MAX; res++)
		cmd_add(&cmd, "%s", resolution_names[res]);
	for (res = 0; res < RES__MAX; res++)
		cmd_add(&cmd, "%" PRId64, resolution_ms[res]);
	cmd_add(&cmd, "%s", label);
	cmd_add(&cmd, "%s", st->location != NULL ? st->location : "");
	for (i = 0; i < n; i++) {
		cmd_add(&cmd, "%s", metric_names[m[i]]);
		cmd_add(&cmd, "%s", aggregation[m[i]]);
	}
	return batch_append(st, b, &cmd);
}

/* Queues the addition of one HTTP check to its hourly and daily buckets,
 * one script for both. */
static int
append_buckets(struct store *st, struct batch *b, const char *name,
    const struct http_result *r)
{
	struct cmd	cmd = { 0 };
	int64_t		t = r->started_ms;
	int		res;

	cmd_add(&cmd, "EVAL");
	cmd_add(&cmd, "%s", bucket_script);
	cmd_add(&cmd, "%d", RES__MAX);
	for (res = 0; res < RES__MAX; res++)
		cmd_take(&cmd, key_rollup(st, name, (enum resolution)res));
	cmd_add(&cmd, "%d", r->ok ? 1 : 0);
	cmd_add(&cmd, "%.3f", r->response_ms);
	for (int f = 0; f < RF__MAX; f++)
		cmd_add(&cmd, "%s", rollup_fields[f]);
	for (res = 0; res < RES__MAX; res++) {
		int64_t	w = resolution_ms[res];
		int64_t	minid = t - kept_ms(st, (enum resolution)res);

		cmd_add(&cmd, "%" PRId64, t - t % w);
		cmd_add(&cmd, "%" PRId64, minid > 0 ? minid : 0);
	}
	return batch_append(st, b, &cmd);
}

int
rollup_append(struct store *st, const struct check *c, struct batch *b)
{
	if (!c->judged || st->hourly_ms <= 0 || st->daily_ms <= 0)
		return 0;
	if (st->use_ts) {
		static const enum metric http[] = {
			METRIC_RESPONSE_MS, METRIC_HTTP_CODE, METRIC_UP,
		};
		static const enum metric cert[] = { METRIC_CERT_DAYS_LEFT };

		if (c->kind == KIND_CERT)
			return c->cert.have_cert ? append_rules(st, b,
			    c->site->name, cert, ARRAY_LEN(cert)) : 0;
		return append_rules(st, b, c->site->name, http,
		    ARRAY_LEN(http));
	}
	if (c->kind != KIND_HTTP)
		return 0;
	return append_buckets(st, b, c->site->name, &c->http);
}

/* --- reading --- */

int
store_resolution(const struct store *st, int64_t since, int64_t at)
{
	int64_t	span = at - since;

	if (span <= st->retention_ms || st->hourly_ms <= 0)
		return -1;
	if (span <= st->hourly_ms)
		return RES_HOUR;
	return RES_DAY;
}

/* A growable list of buckets. */
struct rollups {
	struct rollup	*v;
	size_t		 n, cap;
};

static struct rollup *
rollups_add(struct rollups *l)
{
	return array_add(&l->v, &l->n, &l->cap, sizeof(*l->v), ROLLUPS_MAX);
}

/* Reads the rollup stream's buckets in [since, until] into l. */
static int
read_stream_rollups(struct store *st, const char *key, int64_t since,
    int64_t until, struct rollups *l)
{
	redisReply	*r;
	int		 ret = 0;

	r = redisCommand(st->c, "XRANGE %s %lld %lld COUNT %d", key,
	    (long long)since, (long long)until, ROLLUPS_MAX);
	if (r == NULL) {
		store_io_error(st, "reading rollups");
		return -1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		if (strncmp(r->str, "WRONGTYPE", 9) != 0)
			ret = store_reply_failed(st, r, key) ? -1 : 0;
		freeReplyObject(r);
		return ret;
	}
	for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements;
	    i++) {
		const redisReply	*e = r->element[i], *f;
		struct rollup		 b = { 0 };
		double			 v;

		if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
		    store_reply_str(e->element[0]) == NULL ||
		    (f = e->element[1])->type != REDIS_REPLY_ARRAY)
			continue;
		b.t = clamp_time_ms(strtod(e->element[0]->str, NULL));
		for (size_t j = 0; j + 1 < f->elements; j += 2) {
			const char *name = store_reply_str(f->element[j]);

			if (name == NULL ||
			    parse_double(store_reply_str(f->element[j + 1]), &v) == -1 ||
			    v < 0)
				continue;
			if (strcmp(name, rollup_fields[RF_CHECKS]) == 0)
				b.checks = v;
			else if (strcmp(name, rollup_fields[RF_UP]) == 0)
				b.up = v;
			else if (strcmp(name, rollup_fields[RF_SUM_MS]) == 0)
				b.sum_ms = v;
			else if (strcmp(name, rollup_fields[RF_MAX_MS]) == 0)
				b.max_ms = v;
		}
		if (b.checks < 1 || b.up > b.checks)
			continue;
		b.counted = 1;
		if (rollups_add(l) == NULL)
			break;
		l->v[l->n - 1] = b;
	}
	freeReplyObject(r);
	return 0;
}

/*
 * Returns the reply of TS.RANGE over [since, until] of the compaction
 * key, with LATEST: a compaction holds a bucket only once it is closed,
 * and the current hour or day is what a reader wants most. A module older
 * than 1.8 refuses LATEST; it is asked again without. NULL on an I/O
 * error (the caller logs it).
 */
static redisReply *
ts_range(struct store *st, const char *key, int64_t since, int64_t until)
{
	redisReply	*r;

	r = redisCommand(st->c, "TS.RANGE %s %lld %lld LATEST COUNT %d", key,
	    (long long)since, (long long)until, ROLLUPS_MAX);
	if (r == NULL || r->type != REDIS_REPLY_ERROR ||
	    strstr(r->str, "not exist") != NULL)
		return r;
	freeReplyObject(r);
	return redisCommand(st->c, "TS.RANGE %s %lld %lld COUNT %d", key,
	    (long long)since, (long long)until, ROLLUPS_MAX);
}

/* Reads location loc's (NULL: those without one) up and response_ms
 * compactions in [since, until] into l: a bucket per compacted sample,
 * its checks unknown (the averages stand for one check each). */
static int
read_ts_rollups_at(struct store *st, const char *name, const char *loc,
    enum resolution res, int64_t since, int64_t until, struct rollups *l)
{
	char		*kup, *kms;
	redisReply	*rup = NULL, *rms = NULL;
	struct ts_sample *up = NULL, *ms = NULL;
	long		 nup = 0, nms = 0, j = 0;
	int		 ret = -1;

	kup = key_ts_rollup_at(st, name, METRIC_UP, loc, res);
	kms = key_ts_rollup_at(st, name, METRIC_RESPONSE_MS, loc, res);
	rup = ts_range(st, kup, since, until);
	if (rup != NULL)
		rms = ts_range(st, kms, since, until);
	if (rup == NULL || rms == NULL) {
		store_io_error(st, "reading compactions");
		goto out;
	}
	if ((nup = ts_range_parse(st, rup, kup, &up)) == -1 ||
	    (nms = ts_range_parse(st, rms, kms, &ms)) == -1)
		goto out;
	for (long i = 0; i < nup; i++) {
		struct rollup *b;

		if ((b = rollups_add(l)) == NULL)
			break;
		b->t = up[i].t;
		b->checks = 1;
		b->up = up[i].v < 0 ? 0 : up[i].v > 1 ? 1 : up[i].v;
		while (j < nms && ms[j].t < up[i].t)
			j++;
		if (j < nms && ms[j].t == up[i].t)
			b->sum_ms = b->max_ms = clamp_response_ms(ms[j].v);
	}
	ret = 0;
out:
	free(up);
	free(ms);
	if (rup != NULL)
		freeReplyObject(rup);
	if (rms != NULL)
		freeReplyObject(rms);
	free(kup);
	free(kms);
	return ret;
}

static int
rollup_cmp(const void *a, const void *b)
{
	const struct rollup	*p = a, *q = b;

	return p->t < q->t ? -1 : p->t > q->t;
}

/* Reads the compactions in [since, until] into l: this location's own
 * with a location set, else those of every location in PREFIX:locations
 * and those written without one, the buckets of one start added up (each
 * location's average standing for one check). */
static int
read_ts_rollups(struct store *st, const char *name, enum resolution res,
    int64_t since, int64_t until, struct rollups *l)
{
	struct beat	*b = NULL;
	size_t		 nb = 0, k = 0;
	int		 ret;

	if (st->location != NULL)
		return read_ts_rollups_at(st, name, st->location, res, since,
		    until, l);
	if (store_read_beats(st, &b, &nb) == -1)
		return -1;
	ret = read_ts_rollups_at(st, name, NULL, res, since, until, l);
	for (size_t i = 0; ret == 0 && i < nb; i++)
		ret = read_ts_rollups_at(st, name, b[i].name, res, since, until,
		    l);
	store_beats_free(b, nb);
	if (ret == -1 || l->n < 2)
		return ret;
	qsort(l->v, l->n, sizeof(*l->v), rollup_cmp);
	for (size_t i = 1; i < l->n; i++) {
		struct rollup	*p = &l->v[k], *q = &l->v[i];

		if (q->t != p->t) {
			l->v[++k] = *q;
			continue;
		}
		p->checks += q->checks;
		p->up += q->up;
		p->sum_ms += q->sum_ms;
		if (q->max_ms > p->max_ms)
			p->max_ms = q->max_ms;
	}
	l->n = k + 1;
	return 0;
}

int
store_read_rollups(struct store *st, const char *name, enum resolution res,
    int64_t since, int64_t until, struct rollup **out, size_t *n)
{
	struct rollups	 l = { 0 };
	int64_t		 from = since - since % resolution_ms[res];
	char		*key;
	int		 ret;

	*out = NULL;
	*n = 0;
	if (from < 0)
		from = 0;
	if (st->use_ts)
		ret = read_ts_rollups(st, name, res, from, until, &l);
	else {
		key = key_rollup(st, name, res);
		ret = read_stream_rollups(st, key, from, until, &l);
		free(key);
	}
	if (ret == -1) {
		free(l.v);
		return -1;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int
rollup_read_points(struct store *st, const char *name, enum resolution res,
    int64_t since, struct point **out, size_t *n)
{
	struct rollup	*b;
	struct point	*p;
	size_t		 nb, k = 0;

	*out = NULL;
	*n = 0;
	if (store_read_rollups(st, name, res, since, TIME_MS_MAX, &b, &nb) ==
	    -1)
		return -1;
	p = xcalloc(nb, sizeof(*p));
	for (size_t i = 0; i < nb; i++) {
		if (b[i].checks <= 0)
			continue;
		p[k].t = b[i].t;
		p[k].kind = KIND_HTTP;
		p[k].checks = b[i].checks;
		p[k].nup = b[i].up;
		p[k].up = b[i].up * 2 >= b[i].checks;
		p[k++].response_ms = clamp_response_ms(b[i].sum_ms /
		    b[i].checks);
	}
	free(b);
	*out = p;
	*n = k;
	return 0;
}
