/* Alert queues: PREFIX:alerts:INSTANCE lists, oldest first. A run pushes
 * and trims them inside its MULTI; delivery reads and pops them under a
 * lease, sets poison entries aside in PREFIX:alerts:INSTANCE:dead, and a
 * hold key honours Retry-After. Entries are bytes with a length (%b), never
 * C strings: one holding a NUL must still be compared and moved whole. */
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

/* Pops the head only if it is still the alert that was delivered: another
 * run may have popped it and exposed a newer one meanwhile. */
static const char pop_script[] =
    "if redis.call('lindex',KEYS[1],0)==ARGV[1] then "
    "redis.call('lpop',KEYS[1]) return 1 end return 0";

/* Moves the head to the set-aside list KEYS[2], kept to its newest ARGV[2]
 * entries, only if it is still the entry that was read; one script, so the
 * entry is never in both lists nor in neither. */
static const char set_aside_script[] =
    "if redis.call('lindex',KEYS[1],0)==ARGV[1] then "
    "redis.call('lpop',KEYS[1]) redis.call('rpush',KEYS[2],ARGV[1]) "
    "redis.call('ltrim',KEYS[2],-tonumber(ARGV[2]),-1) return 1 end "
    "return 0";

/* Keeps a queue to its newest ARGV[1] alerts; returns how many it dropped. */
static const char trim_script[] =
    "local n=redis.call('llen',KEYS[1])-tonumber(ARGV[1]) "
    "if n>0 then redis.call('ltrim',KEYS[1],-tonumber(ARGV[1]),-1) "
    "return n end return 0";

/* --- pushing, inside the run's MULTI --- */

int
queue_append_alerts(struct store *st, const struct queued_alert *alerts,
    size_t nalerts, struct batch *b)
{
	struct cmd	 cmd = { 0 };
	const char	**touched;
	size_t		 ntouched = 0, i, j;
	int		 rc = -1;

	/* The distinct queues, each trimmed once; there are as many as
	 * configured instances, so the scan stays short. */
	touched = xcalloc(nalerts ? nalerts : 1, sizeof(*touched));
	for (i = 0; i < nalerts; i++) {
		const char *inst = alerts[i].integration;

		if (inst == NULL)
			continue;
		cmd_add(&cmd, "RPUSH");
		cmd_take(&cmd, key_queue(st, inst));
		cmd_add(&cmd, "%s", alerts[i].json);
		if (batch_append(st, b, &cmd) == -1)
			goto out;
		for (j = 0; j < ntouched; j++)
			if (touched[j] == inst || strcmp(touched[j], inst) == 0)
				break;
		if (j == ntouched)
			touched[ntouched++] = inst;
	}
	for (i = 0; i < ntouched; i++) {
		cmd_add(&cmd, "EVAL");
		cmd_add(&cmd, "%s", trim_script);
		cmd_add(&cmd, "1");
		cmd_take(&cmd, key_queue(st, touched[i]));
		cmd_add(&cmd, "%d", STORE_QUEUE_MAX);
		if (batch_append(st, b, &cmd) == -1)
			goto out;
	}
	rc = 0;
out:
	free(touched);
	return rc;
}

void
queue_judge_trim(const struct store *st, const char *key, const redisReply *r)
{
	const char	*queue;

	if (r->type == REDIS_REPLY_INTEGER && r->integer > 0 &&
	    (queue = key_queue_integration(st, key)) != NULL)
		log_warn("alerts: the %s queue is over %d alerts: "
		    "dropped the %lld oldest", queue, STORE_QUEUE_MAX,
		    r->integer);
}

/* --- delivering: lease, hold, head, pop --- */

/* Runs script on key (malloc'd, freed here) with the len bytes of arg, a
 * byte string; 0, or -1 (logged). */
static int
queue_eval(struct store *st, char *key, const char *script, const char *arg,
    size_t len)
{
	redisReply	*r;
	int		 ret = -1;

	r = store_command(st, key, "EVAL %s 1 %s %b", script, key, arg, len);
	if ((r = store_reply_ok(st, r, key)) == NULL)
		goto out;
	freeReplyObject(r);
	ret = 0;
out:
	free(key);
	return ret;
}

int
store_queue_lease(struct store *st, const char *inst, int64_t ttl_ms)
{
	redisReply	*r;
	char		*key = key_queue_lease(st, inst);
	int		 granted = -1;

	r = store_command(st, key, "SET %s %s NX PX %lld", key, st->token,
	    (long long)(ttl_ms > 0 ? ttl_ms : 1));
	if ((r = store_reply_ok(st, r, key)) == NULL)
		goto out;
	granted = r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0;
	freeReplyObject(r);
out:
	free(key);
	return granted;
}

int
store_queue_unlease(struct store *st, const char *inst)
{
	return queue_eval(st, key_queue_lease(st, inst), store_release_script,
	    st->token, strlen(st->token));
}

int64_t
store_queue_held(struct store *st, const char *inst)
{
	redisReply	*r;
	char		*key = key_queue_hold(st, inst);
	int64_t		 ms = -1;

	r = store_command(st, key, "PTTL %s", key);
	if ((r = store_reply_ok(st, r, key)) == NULL)
		goto out;
	/* -2 (no key) and -1 (no expiry, which peekl never sets) are both
	 * "not held": a hold without an end must not block a queue forever. */
	ms = r->type == REDIS_REPLY_INTEGER && r->integer > 0 ?
	    (int64_t)r->integer : 0;
	freeReplyObject(r);
out:
	free(key);
	return ms;
}

int
store_queue_hold(struct store *st, const char *inst, int64_t ms)
{
	redisReply	*r;
	char		*key;
	int		 ret = -1;

	if (ms <= 0)
		return 0;
	key = key_queue_hold(st, inst);
	r = store_command(st, key, "SET %s 1 PX %lld", key, (long long)ms);
	if ((r = store_reply_ok(st, r, key)) == NULL)
		goto out;
	freeReplyObject(r);
	ret = 0;
out:
	free(key);
	return ret;
}

int
store_queue_head(struct store *st, const char *inst, char **entry,
    size_t *len)
{
	redisReply	*r;
	char		*key = key_queue(st, inst);
	int		 ret = -1;

	*entry = NULL;
	*len = 0;
	r = store_command(st, key, "LINDEX %s 0", key);
	if ((r = store_reply_ok(st, r, key)) == NULL)
		goto out;
	if (r->type == REDIS_REPLY_STRING) {
		*entry = xcalloc(1, r->len + 1);
		memcpy(*entry, r->str, r->len);
		*len = r->len;
	}
	freeReplyObject(r);
	ret = 0;
out:
	free(key);
	return ret;
}

int
store_queue_pop(struct store *st, const char *inst, const char *entry,
    size_t len)
{
	return queue_eval(st, key_queue(st, inst), pop_script, entry, len);
}

int
store_queue_set_aside(struct store *st, const char *inst,
    const char *entry, size_t len)
{
	redisReply	*r;
	char		*key = key_queue(st, inst), *dead = key_queue_dead(st, inst);
	int		 ret = -1;

	r = store_command(st, key, "EVAL %s 2 %s %s %b %d", set_aside_script,
	    key, dead, entry, len, STORE_DEAD_MAX);
	if ((r = store_reply_ok(st, r, key)) == NULL)
		goto out;
	freeReplyObject(r);
	ret = 0;
out:
	free(key);
	free(dead);
	return ret;
}

/* Returns the length of the list called key (freed here), or -1. */
static long
queue_llen(struct store *st, char *key)
{
	redisReply	*r;
	long		 n = -1;

	r = store_command(st, key, "LLEN %s", key);
	if ((r = store_reply_ok(st, r, key)) == NULL)
		goto out;
	n = r->type == REDIS_REPLY_INTEGER ? (long)r->integer : 0;
	freeReplyObject(r);
out:
	free(key);
	return n;
}

long
store_queue_dead_len(struct store *st, const char *inst)
{
	return queue_llen(st, key_queue_dead(st, inst));
}

char *
store_queue_dead_name(const struct store *st, const char *inst)
{
	return key_queue_dead(st, inst);
}

long
store_queue_len(struct store *st, const char *inst)
{
	return queue_llen(st, key_queue(st, inst));
}
