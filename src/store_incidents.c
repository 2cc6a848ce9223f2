/*
 * Incidents in Redis: every state change a run makes is appended, in the
 * run's MULTI, to the site's stream PREFIX:incidents:NAME; the commands
 * that show incidents, reports and status pages read them back.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "incidents.h"
#include "log.h"
#include "state.h"
#include "store.h"
#include "store_int.h"
#include "store_keys.h"
#include "util.h"

/* A site's incidents read at most (years of a flapping site). */
#define INCIDENTS_MAX	100000
/* Entries read per XRANGE round trip. */
#define XRANGE_BATCH	10000
/* Changes looked at before the window to find the state at its start. */
#define BEFORE_MAX	200

/*
 * Appends one change (KEYS[1] the stream, ARGV[1] the change's ms, ARGV[2]
 * the MINID to trim to, then field/value pairs). The ID is "MS-*": Redis
 * numbers changes of one millisecond (a site's http and cert in one run)
 * MS-0, MS-1. If the stream already holds a later entry (another host's
 * clock runs ahead), that ID is refused and the change goes just after
 * it, in the newest entry's millisecond, so no change is ever lost to a
 * clock and the stream stays in order.
 */
static const char append_script[] =
	"local f = {}\n"
	"for i = 3, #ARGV do f[#f + 1] = ARGV[i] end\n"
	"local r = redis.pcall('XADD', KEYS[1], 'MINID', ARGV[2],\n"
	"    ARGV[1] .. '-*', unpack(f))\n"
	"if type(r) == 'table' and r.err then\n"
	"  local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)\n"
	"  local id = '*'\n"
	"  if top[1] then id = string.match(top[1][1], '^(%d+)') .. '-*' end\n"
	"  return redis.call('XADD', KEYS[1], 'MINID', ARGV[2], id, unpack(f))\n"
	"end\n"
	"return r\n";

/* Returns the change of its site's state that judged check c made, or
 * NULL. judge fills c->tr on every change, alerted or not (from != to);
 * with a location, the site's state is the quorum verdict, and agree fills
 * c->vtr (a location's own changes are in its history, not here; nor is a
 * verdict this run did not decide). */
static const struct transition *
changed(const struct store *st, const struct check *c)
{
	const struct transition *tr = st->location != NULL ? &c->vtr : &c->tr;

	if (!c->judged || (st->location != NULL && c->verdict == NULL))
		return NULL;
	return tr->from != tr->to ? tr : NULL;
}

int
incidents_append(struct store *st, const struct check *c, struct batch *b)
{
	const struct transition	*tr;
	const struct site_state	*s;
	struct cmd		 cmd = { 0 };
	const char		*reason;
	char			 days[64];
	int64_t			 t, minid;
	long			 left;
	int			 have;

	if ((tr = changed(st, c)) == NULL)
		return 0;
	s = c->verdict != NULL ? c->verdict : c->state;
	if (c->kind == KIND_HTTP) {
		t = s->since;
		reason = c->verdict != NULL ? c->vreason : c->state->error;
	} else {
		t = s->cert_since;
		reason = c->verdict != NULL ? c->vreason :
		    cert_result_reason(&c->cert);
		have = c->verdict != NULL ? s->have_cert : c->cert.have_cert;
		left = c->verdict != NULL ? s->cert_days_left :
		    c->cert.days_left;
		/* A warning the days alone decide still says why. */
		if (reason[0] == '\0' && have && tr->to != CERT_OK) {
			incident_days_reason(left, days, sizeof(days));
			reason = days;
		}
	}
	minid = t - st->incident_retention_ms;
	cmd_add(&cmd, "EVAL");
	cmd_add(&cmd, "%s", append_script);
	cmd_add(&cmd, "1");
	cmd_take(&cmd, key_incidents(st, c->site->name));
	cmd_add(&cmd, "%" PRId64, t);
	cmd_add(&cmd, "%" PRId64, minid > 0 ? minid : 0);
	cmd_add(&cmd, "%s", incident_fields[IF_KIND]);
	cmd_add(&cmd, "%s", check_kind_name(c->kind));
	cmd_add(&cmd, "%s", incident_fields[IF_FROM]);
	cmd_add(&cmd, "%s", incident_state_name(c->kind, tr->from));
	cmd_add(&cmd, "%s", incident_fields[IF_TO]);
	cmd_add(&cmd, "%s", incident_state_name(c->kind, tr->to));
	cmd_add(&cmd, "%s", incident_fields[IF_REASON]);
	cmd_add(&cmd, "%s", reason);
	return batch_append(st, b, &cmd);
}

/* --- reading --- */

struct incidents {
	struct incident	*v;
	size_t		 n;
	size_t		 cap;
};

/* Returns a new zeroed incident at the end of l, or NULL once it holds
 * INCIDENTS_MAX. */
static struct incident *
incidents_add(struct incidents *l)
{
	if (l->n >= INCIDENTS_MAX)
		return NULL;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* Fills out from one stream entry; returns 0, or -1 for an entry that is
 * not a peekl incident (skipped). */
static int
parse_incident(const redisReply *e, struct incident *out)
{
	const redisReply	*id, *fields;
	const char		*kind = NULL, *from = NULL, *to = NULL;
	long long		 ms;
	char			*end;

	memset(out, 0, sizeof(*out));
	if (e->type != REDIS_REPLY_ARRAY || e->elements != 2)
		return -1;
	id = e->element[0];
	fields = e->element[1];
	if (store_reply_str(id) == NULL || fields->type != REDIS_REPLY_ARRAY)
		return -1;
	errno = 0;
	ms = strtoll(id->str, &end, 10);
	if (errno != 0 || end == id->str || ms < 0 || ms > TIME_MS_MAX)
		return -1;
	out->t = ms;
	for (size_t i = 0; i + 1 < fields->elements; i += 2) {
		const char	*f = store_reply_str(fields->element[i]);
		const char	*v = store_reply_str(fields->element[i + 1]);

		if (f == NULL || v == NULL)
			continue;
		if (strcmp(f, incident_fields[IF_KIND]) == 0)
			kind = v;
		else if (strcmp(f, incident_fields[IF_FROM]) == 0)
			from = v;
		else if (strcmp(f, incident_fields[IF_TO]) == 0)
			to = v;
		else if (strcmp(f, incident_fields[IF_REASON]) == 0)
			strlcpy_trunc(out->reason, v, sizeof(out->reason));
	}
	if (kind == NULL || from == NULL || to == NULL)
		return -1;
	if (strcmp(kind, "http") == 0) {
		out->kind = KIND_HTTP;
		out->from = http_state_parse(from);
		out->to = http_state_parse(to);
	} else if (strcmp(kind, "cert") == 0) {
		out->kind = KIND_CERT;
		out->from = cert_state_parse(from);
		out->to = cert_state_parse(to);
	} else
		return -1;
	return 0;
}

/* Returns the reply to `XRANGE/XREVRANGE key a b COUNT count`, NULL after
 * logging an I/O error; a key of another type reads as empty. */
static redisReply *
range(struct store *st, const char *cmd, const char *key, const char *a,
    const char *b, int count)
{
	redisReply	*r;

	r = redisCommand(st->c, "%s %s %s %s COUNT %d", cmd, key, a, b, count);
	if (r == NULL)
		store_io_error(st, "reading incidents");
	return r;
}

/* Adds the last change of each kind before since to l, newest first.
 * Returns 0, or -1 (logged). */
static int
read_before(struct store *st, const char *key, int64_t since,
    struct incidents *l)
{
	redisReply	*r;
	char		 end[32];
	int		 seen[KIND__MAX] = { 0 };
	int		 ret = 0;

	if (since <= 0)
		return 0;
	snprintf(end, sizeof(end), "%" PRId64, since - 1);
	if ((r = range(st, "XREVRANGE", key, end, "-", BEFORE_MAX)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "WRONGTYPE", 9) != 0)
		ret = store_reply_failed(st, r, key) ? -1 : 0;
	else if (r->type == REDIS_REPLY_ARRAY)
		for (size_t i = 0; i < r->elements; i++) {
			struct incident	 in, *p;

			if (parse_incident(r->element[i], &in) == -1 ||
			    seen[in.kind])
				continue;
			seen[in.kind] = 1;
			if ((p = incidents_add(l)) != NULL)
				*p = in;
		}
	freeReplyObject(r);
	return ret;
}

int
store_read_incidents(struct store *st, const char *name, int64_t since,
    int64_t until, struct incident **out, size_t *nout)
{
	struct incidents l = { 0 };
	redisReply	*r;
	char		*key = key_incidents(st, name);
	char		 start[160], end[32], last[128] = "";
	size_t		 nbefore, got;
	int		 ret = -1;

	*out = NULL;
	*nout = 0;
	if (since < 0)
		since = 0;
	if (read_before(st, key, since, &l) == -1)
		goto out;
	nbefore = l.n;
	snprintf(start, sizeof(start), "%" PRId64, since);
	snprintf(end, sizeof(end), "%" PRId64, until);
	do {
		if ((r = range(st, "XRANGE", key, start, end, XRANGE_BATCH)) ==
		    NULL)
			goto out;
		got = 0;
		if (r->type == REDIS_REPLY_ERROR &&
		    strncmp(r->str, "WRONGTYPE", 9) != 0) {
			store_reply_failed(st, r, key);
			freeReplyObject(r);
			goto out;
		}
		if (r->type == REDIS_REPLY_ARRAY)
			got = r->elements;
		for (size_t i = 0; i < got; i++) {
			const redisReply	*e = r->element[i];
			struct incident		 in, *p;

			if (e->type == REDIS_REPLY_ARRAY && e->elements == 2 &&
			    store_reply_str(e->element[0]) != NULL)
				strlcpy_trunc(last, e->element[0]->str,
				    sizeof(last));
			if (parse_incident(e, &in) == -1)
				continue;
			if ((p = incidents_add(&l)) == NULL)
				break;
			*p = in;
		}
		freeReplyObject(r);
		/* "(ID" starts the next batch just after the last entry. */
		snprintf(start, sizeof(start), "(%s", last);
	} while (got == XRANGE_BATCH && l.n < INCIDENTS_MAX);
	/* The changes before the window came newest first; the stream's IDs
	 * keep the rest in order. */
	for (size_t i = 0; i < nbefore / 2; i++) {
		struct incident	tmp = l.v[i];

		l.v[i] = l.v[nbefore - 1 - i];
		l.v[nbefore - 1 - i] = tmp;
	}
	*out = l.v;
	*nout = l.n;
	l.v = NULL;
	ret = 0;
out:
	free(l.v);
	free(key);
	return ret;
}
