/* Alert queues: peekl:alerts:INTEGRATION lists, oldest first, with a
 * delivery lease and a hold key that honours Retry-After. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* Pops the head only if it is still the alert that was delivered: another
 * run may have popped it and exposed a newer one meanwhile. */
static const char pop_script[] =
    "if redis.call('lindex',KEYS[1],0)==ARGV[1] then "
    "redis.call('lpop',KEYS[1]) return 1 end return 0";

/* Writes the queue's key (with suffix, e.g. ":lease") into out. */
static const char *
queue_key(const struct store *st, enum integration_kind ik,
    const char *suffix, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s:alerts:%s%s", st->prefix,
	    integration_name(ik), suffix);
	return out;
}

/* Runs script on the queue's key (with suffix) and arg; 0, or -1 (logged). */
static int
queue_eval(struct store *st, enum integration_kind ik, const char *suffix,
    const char *script, const char *arg)
{
	redisReply	*r;
	char		 key[512];

	queue_key(st, ik, suffix, key, sizeof(key));
	r = store_command(st, key, "EVAL %s 1 %s %s", script, key, arg);
	if ((r = store_reply_ok(st, r, key)) == NULL)
		return -1;
	freeReplyObject(r);
	return 0;
}

int
store_queue_lease(struct store *st, enum integration_kind ik, int64_t ttl_ms)
{
	redisReply	*r;
	char		 key[512];
	int		 granted;

	queue_key(st, ik, ":lease", key, sizeof(key));
	r = store_command(st, key, "SET %s %s NX PX %lld", key, st->token,
	    (long long)(ttl_ms > 0 ? ttl_ms : 1));
	if ((r = store_reply_ok(st, r, key)) == NULL)
		return -1;
	granted = r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0;
	freeReplyObject(r);
	return granted;
}

int
store_queue_unlease(struct store *st, enum integration_kind ik)
{
	return queue_eval(st, ik, ":lease", store_release_script, st->token);
}

int64_t
store_queue_held(struct store *st, enum integration_kind ik)
{
	redisReply	*r;
	char		 key[512];
	int64_t		 ms;

	queue_key(st, ik, ":hold", key, sizeof(key));
	r = store_command(st, key, "PTTL %s", key);
	if ((r = store_reply_ok(st, r, key)) == NULL)
		return -1;
	/* -2 (no key) and -1 (no expiry, which peekl never sets) are both
	 * "not held": a hold without an end must not block a queue forever. */
	ms = r->type == REDIS_REPLY_INTEGER && r->integer > 0 ?
	    (int64_t)r->integer : 0;
	freeReplyObject(r);
	return ms;
}

int
store_queue_hold(struct store *st, enum integration_kind ik, int64_t ms)
{
	redisReply	*r;
	char		 key[512];

	if (ms <= 0)
		return 0;
	queue_key(st, ik, ":hold", key, sizeof(key));
	r = store_command(st, key, "SET %s 1 PX %lld", key, (long long)ms);
	if ((r = store_reply_ok(st, r, key)) == NULL)
		return -1;
	freeReplyObject(r);
	return 0;
}

int
store_queue_head(struct store *st, enum integration_kind ik, char **json)
{
	redisReply	*r;
	char		 key[512];

	*json = NULL;
	queue_key(st, ik, "", key, sizeof(key));
	r = store_command(st, key, "LINDEX %s 0", key);
	if ((r = store_reply_ok(st, r, key)) == NULL)
		return -1;
	if (r->type == REDIS_REPLY_STRING)
		*json = xstrndup(r->str, r->len);
	freeReplyObject(r);
	return 0;
}

int
store_queue_pop(struct store *st, enum integration_kind ik, const char *json)
{
	return queue_eval(st, ik, "", pop_script, json);
}

long
store_queue_len(struct store *st, enum integration_kind ik)
{
	redisReply	*r;
	char		 key[512];
	long		 n;

	queue_key(st, ik, "", key, sizeof(key));
	r = store_command(st, key, "LLEN %s", key);
	if ((r = store_reply_ok(st, r, key)) == NULL)
		return -1;
	n = r->type == REDIS_REPLY_INTEGER ? (long)r->integer : 0;
	freeReplyObject(r);
	return n;
}
