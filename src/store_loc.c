/*
 * What several locations share in Redis (spec/locations.md): the list of
 * locations and each one's heartbeat, the leases under which a verdict or
 * a location's DOWN/UP is decided, and the reads those decisions need.
 * Writes are staged here and land in the run's one MULTI (store_write).
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

/* --- staged writes --- */

/* Keeps cmd (emptied) for the next store_write's transaction. */
static void
stage(struct store *st, struct cmd *cmd)
{
	st->staged = xrealloc(st->staged, (st->nstaged + 1) *
	    sizeof(*st->staged));
	st->staged[st->nstaged++] = *cmd;
	memset(cmd, 0, sizeof(*cmd));
}

int
staged_append(struct store *st, struct batch *b)
{
	int	ret = 0;

	for (size_t i = 0; i < st->nstaged; i++)
		if (ret == 0 && batch_append(st, b, &st->staged[i]) == -1)
			ret = -1;
	staged_clear(st);
	return ret;
}

void
staged_clear(struct store *st)
{
	for (size_t i = 0; i < st->nstaged; i++)
		cmd_clear(&st->staged[i]);
	free(st->staged);
	st->staged = NULL;
	st->nstaged = 0;
}

void
store_stage_heartbeat(struct store *st, const char *location,
    int64_t last_run, const char *host, const char *version)
{
	struct cmd	cmd = { 0 };

	cmd_add(&cmd, "HSET");
	cmd_take(&cmd, key_location(st, location));
	cmd_add(&cmd, "%s", location_fields[LF_LAST_RUN]);
	cmd_add(&cmd, "%" PRId64, last_run);
	cmd_add(&cmd, "%s", location_fields[LF_HOST]);
	cmd_add(&cmd, "%s", host);
	cmd_add(&cmd, "%s", location_fields[LF_VERSION]);
	cmd_add(&cmd, "%s", version);
	stage(st, &cmd);
	cmd_add(&cmd, "SADD");
	cmd_take(&cmd, key_locations(st));
	cmd_add(&cmd, "%s", location);
	stage(st, &cmd);
}

void
store_stage_silent(struct store *st, const char *location,
    int64_t silent_since)
{
	struct cmd	cmd = { 0 };

	cmd_add(&cmd, silent_since > 0 ? "HSET" : "HDEL");
	cmd_take(&cmd, key_location(st, location));
	cmd_add(&cmd, "%s", location_fields[LF_SILENT_SINCE]);
	if (silent_since > 0)
		cmd_add(&cmd, "%" PRId64, silent_since);
	stage(st, &cmd);
}

/* --- heartbeats --- */

/* Fills b's times from an HGETALL reply of its hash. */
static void
parse_beat(const redisReply *r, struct beat *b)
{
	long long	n;

	b->last_run = b->silent_since = 0;
	if (r == NULL || r->type != REDIS_REPLY_ARRAY)
		return;
	for (size_t i = 0; i + 1 < r->elements; i += 2) {
		const char	*f = store_reply_str(r->element[i]);
		const char	*v = store_reply_str(r->element[i + 1]);

		if (f == NULL || v == NULL ||
		    parse_ll(v, 0, TIME_MS_MAX, &n) == -1)
			continue;
		if (strcmp(f, location_fields[LF_LAST_RUN]) == 0)
			b->last_run = n;
		else if (strcmp(f, location_fields[LF_SILENT_SINCE]) == 0)
			b->silent_since = n;
	}
}

/* Orders locations by name, so lists and texts read the same everywhere. */
static int
beat_cmp(const void *a, const void *b)
{
	return strcmp(((const struct beat *)a)->name,
	    ((const struct beat *)b)->name);
}

int
store_read_beats(struct store *st, struct beat **out, size_t *nout)
{
	redisReply	 *set, **r = NULL;
	struct beat	 *b = NULL;
	size_t		  n = 0;
	char		 *key = key_locations(st);
	int		  ret = -1;

	*out = NULL;
	*nout = 0;
	set = store_reply_ok(st, store_command(st, "reading locations",
	    "SMEMBERS %s", key), key);
	if (set == NULL)
		goto out;
	if (set->type != REDIS_REPLY_ARRAY) {
		log_error("redis: %s: %s is not a set", st->where, key);
		goto out;
	}
	b = xcalloc(set->elements + 1, sizeof(*b));
	for (size_t i = 0; i < set->elements && n < LOCATIONS_MAX; i++) {
		const char *name = store_reply_str(set->element[i]);

		/* Only names peekl could have written are read back. */
		if (name == NULL || config_location_invalid(name) != NULL)
			continue;
		b[n++].name = xstrdup(name);
	}
	if (n == 0) {
		ret = 0;
		goto out;
	}
	qsort(b, n, sizeof(*b), beat_cmp);
	for (size_t i = 0; i < n; i++) {
		char	*k = key_location(st, b[i].name);
		int	 rc = redisAppendCommand(st->c, "HGETALL %s", k);

		free(k);
		if (rc != REDIS_OK) {
			store_io_error(st, "reading locations");
			goto out;
		}
	}
	if (store_replies(st, n, &r, "reading locations") == -1)
		goto out;
	for (size_t i = 0; i < n; i++)
		parse_beat(r[i], &b[i]);
	store_free_replies(r, n);
	ret = 0;
out:
	if (set != NULL)
		freeReplyObject(set);
	free(key);
	if (ret == 0 && n > 0) {
		*out = b;
		*nout = n;
	} else
		store_beats_free(b, n);
	return ret;
}

void
store_beats_free(struct beat *b, size_t n)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(b[i].name);
	free(b);
}

int
store_beat_lease(struct store *st, struct beat *b, int64_t ttl_ms)
{
	redisReply	**r = NULL;
	char		 *lk = key_location_lease(st, b->name);
	char		 *hk = key_location(st, b->name);
	char		  ttl[32];
	const char	 *ok;
	int		  ret = -1;

	snprintf(ttl, sizeof(ttl), "%" PRId64, ttl_ms);
	if (redisAppendCommand(st->c, "SET %s %s NX PX %s", lk, st->token,
	    ttl) != REDIS_OK || redisAppendCommand(st->c, "HGETALL %s", hk) !=
	    REDIS_OK) {
		store_io_error(st, "taking a location lease");
		goto out;
	}
	if (store_replies(st, 2, &r, "taking a location lease") == -1)
		goto out;
	if (store_reply_failed(st, r[0], lk))
		goto out;
	ok = store_reply_str(r[0]);
	ret = ok != NULL && strcmp(ok, "OK") == 0;
	/* Decided again on what the lease protects. */
	if (ret == 1)
		parse_beat(r[1], b);
out:
	store_free_replies(r, 2);
	free(lk);
	free(hk);
	return ret;
}

/* Releases the lease keys made by keyf for each name; 0 or -1. */
static int
unlease(struct store *st, char *(*keyf)(const struct store *, const char *),
    const char *const *names, size_t n)
{
	redisReply	**r = NULL;
	int		  ret = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char	*key = keyf(st, names[i]);
		int	 rc = redisAppendCommand(st->c, "EVAL %s 1 %s %s",
			    store_release_script, key, st->token);

		free(key);
		if (rc != REDIS_OK) {
			store_io_error(st, "releasing leases");
			return -1;
		}
	}
	if (store_replies(st, n, &r, "releasing leases") == -1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (store_reply_failed(st, r[i], "releasing a lease"))
			ret = -1;
	store_free_replies(r, n);
	return ret;
}

int
store_beat_unlease(struct store *st, const char *const *names, size_t n)
{
	return unlease(st, key_location_lease, names, n);
}

/* --- verdicts --- */

int
store_verdict_leases(struct store *st, const char *const *sites, size_t n,
    int64_t ttl_ms)
{
	redisReply	**r = NULL;
	char		  ttl[32];
	const char	**got;
	size_t		  ngot = 0;
	int		  ret = -1;

	if (n == 0)
		return 1;
	snprintf(ttl, sizeof(ttl), "%" PRId64, ttl_ms);
	for (size_t i = 0; i < n; i++) {
		char	*key = key_verdict_lease(st, sites[i]);
		int	 rc = redisAppendCommand(st->c, "SET %s %s NX PX %s",
			    key, st->token, ttl);

		free(key);
		if (rc != REDIS_OK) {
			store_io_error(st, "taking verdict leases");
			return -1;
		}
	}
	if (store_replies(st, n, &r, "taking verdict leases") == -1)
		return -1;
	got = xcalloc(n, sizeof(*got));
	ret = 1;
	for (size_t i = 0; i < n; i++) {
		const char *ok = store_reply_str(r[i]);

		if (store_reply_failed(st, r[i], "taking a verdict lease"))
			ret = -1;
		else if (ok != NULL && strcmp(ok, "OK") == 0)
			got[ngot++] = sites[i];
		else if (ret == 1)
			ret = 0;
	}
	/* All or none: a run holding some while waiting for the rest could
	 * wait for a run that waits for it. */
	if (ret != 1 && store_verdict_unlease(st, got, ngot) == -1)
		ret = -1;
	free(got);
	store_free_replies(r, n);
	return ret;
}

int
store_verdict_unlease(struct store *st, const char *const *sites, size_t n)
{
	return unlease(st, key_verdict_lease, sites, n);
}

int
store_read_verdicts(struct store *st, const char *const *sites,
    size_t nsites, const char *const *locs, size_t nlocs,
    struct site_state *verdicts, struct site_state *views)
{
	redisReply	**r = NULL;
	size_t		  per = nlocs + 1, total = nsites * per;
	int		  ret = -1;

	if (total == 0)
		return 0;
	for (size_t i = 0; i < nsites; i++) {
		char	*key = key_site(st, sites[i]);
		int	 rc = redisAppendCommand(st->c, "HGETALL %s", key);

		free(key);
		for (size_t j = 0; rc == REDIS_OK && j < nlocs; j++) {
			key = key_site_loc(st, sites[i], locs[j]);
			rc = redisAppendCommand(st->c, "HGETALL %s", key);
			free(key);
		}
		if (rc != REDIS_OK) {
			store_io_error(st, "reading locations' states");
			return -1;
		}
	}
	if (store_replies(st, total, &r, "reading locations' states") == -1)
		return -1;
	for (size_t i = 0; i < nsites; i++) {
		/* An unreadable verdict (logged) leaves its site alone in
		 * this run; the others go on. */
		site_parse_verdict(st, r[i * per], sites[i], &verdicts[i]);
		/* Another location's hash of another type counts as silent. */
		for (size_t j = 0; j < nlocs; j++)
			site_parse(st, r[i * per + 1 + j], sites[i],
			    &views[i * nlocs + j]);
	}
	ret = 0;
	store_free_replies(r, total);
	return ret;
}
