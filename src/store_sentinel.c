/*
 * Redis Sentinel discovery (spec/locations.md, "Redis Sentinel"): ask each
 * configured sentinel in turn where the master is, connect there, and
 * believe it only when the node itself says ROLE master. A sentinel that
 * is down, slow, does not know the master, or names a node that is not a
 * master (it missed a failover) costs a WARNING and the next sentinel is
 * asked; only when none leads to a master does the store fail to open.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "log.h"
#include "store_int.h"
#include "util.h"

/* A sentinel answers from memory: one that needs longer is as good as
 * down, and three of them must not hold a run for long. The data node
 * gets the same bounds as a directly configured Redis. */
#define SENTINEL_CONNECT_MS	2000
#define SENTINEL_COMMAND_MS	2000
#define NODE_CONNECT_MS		3000
#define NODE_COMMAND_MS		3000

/* Writes why the command on c failed (no reply) into why. */
static void
io_reason(const redisContext *c, int timeout_ms, char *why, size_t whysz)
{
	if (c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK))
		snprintf(why, whysz, "no answer within %d s", timeout_ms / 1000);
	else
		snprintf(why, whysz, "%s", c->errstr[0] ? c->errstr :
		    "connection error");
}

/*
 * Asks the sentinel s for the master's address: *host (malloc'd, caller
 * frees) and *port. Returns 0, or -1 after a WARNING saying why this
 * sentinel is skipped.
 */
static int
ask_sentinel(const struct redis_conf *rc, const struct redis_addr *s,
    char **host, int *port)
{
	redisContext	*c;
	redisReply	*r = NULL;
	char		 why[512], *name = store_addr_name(s->host, s->port);
	long long	 p;
	int		 ret = -1;

	*host = NULL;
	c = store_connect_to(s->host, s->port, NULL, SENTINEL_CONNECT_MS,
	    SENTINEL_COMMAND_MS, why, sizeof(why));
	if (c == NULL) {
		log_warn("redis: sentinel %s: cannot connect: %s; skipped",
		    name, why);
		goto out;
	}
	if (rc->sentinel_password != NULL) {
		r = redisCommand(c, "AUTH %s", rc->sentinel_password);
		if (r == NULL) {
			io_reason(c, SENTINEL_COMMAND_MS, why, sizeof(why));
			log_warn("redis: sentinel %s: AUTH: %s; skipped", name,
			    why);
			goto out;
		}
		/* Sentinel's refusal never echoes the password. */
		if (r->type == REDIS_REPLY_ERROR) {
			log_warn("redis: sentinel %s: authentication failed: "
			    "%s; skipped", name, r->str);
			goto out;
		}
		freeReplyObject(r);
	}
	r = redisCommand(c, "SENTINEL GET-MASTER-ADDR-BY-NAME %s", rc->master);
	if (r == NULL) {
		io_reason(c, SENTINEL_COMMAND_MS, why, sizeof(why));
		log_warn("redis: sentinel %s: %s; skipped", name, why);
	} else if (r->type == REDIS_REPLY_ERROR)
		log_warn("redis: sentinel %s: %s; skipped", name, r->str);
	else if (r->type == REDIS_REPLY_NIL)
		log_warn("redis: sentinel %s does not know a master named "
		    "\"%s\"; skipped", name, rc->master);
	else if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_STRING ||
	    r->element[1]->type != REDIS_REPLY_STRING ||
	    r->element[0]->len == 0 || r->element[0]->len > 253 ||
	    parse_ll(r->element[1]->str, 1, 65535, &p) == -1)
		log_warn("redis: sentinel %s: unexpected answer to SENTINEL "
		    "GET-MASTER-ADDR-BY-NAME; skipped", name);
	else {
		*host = xstrdup(r->element[0]->str);
		*port = (int)p;
		ret = 0;
	}
out:
	if (r != NULL)
		freeReplyObject(r);
	if (c != NULL)
		redisFree(c);
	free(name);
	return ret;
}

/*
 * Connects st to host:port, which sentinel names as the master, and
 * checks it says so itself. Returns 0 (st->c and st->where set), or -1
 * after a WARNING (st->c unset).
 */
static int
try_master(struct store *st, const struct redis_conf *rc, const char *sname,
    const char *host, int port)
{
	redisReply	*r = NULL;
	const char	*role;
	char		 why[512];
	int		 ret = -1;

	free(st->where);
	st->where = store_addr_name(host, port);
	st->c = store_connect_to(host, port, NULL, NODE_CONNECT_MS,
	    NODE_COMMAND_MS, why, sizeof(why));
	if (st->c == NULL) {
		log_warn("redis: sentinel %s names %s as master \"%s\", but "
		    "it cannot be reached: %s; skipped", sname, st->where,
		    rc->master, why);
		return -1;
	}
	if (store_authenticate(st, rc) == -1)
		goto out;
	if ((r = redisCommand(st->c, "ROLE")) == NULL) {
		io_reason(st->c, NODE_COMMAND_MS, why, sizeof(why));
		log_warn("redis: %s: ROLE: %s; skipped", st->where, why);
		goto out;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		log_warn("redis: %s: ROLE: %s; skipped", st->where, r->str);
		goto out;
	}
	role = r->type == REDIS_REPLY_ARRAY && r->elements > 0 ?
	    store_reply_str(r->element[0]) : NULL;
	if (role == NULL || strcmp(role, "master") != 0) {
		/* Redis still answers "slave"; the docs say replica. */
		if (role != NULL && strcmp(role, "slave") == 0)
			role = "replica";
		log_warn("redis: sentinel %s names %s as master \"%s\", but "
		    "it is a %s; skipped", sname, st->where, rc->master,
		    role != NULL ? role : "node that does not say its role");
		goto out;
	}
	ret = 0;
out:
	if (r != NULL)
		freeReplyObject(r);
	if (ret == -1) {
		redisFree(st->c);
		st->c = NULL;
	}
	return ret;
}

int
sentinel_connect(struct store *st, const struct redis_conf *rc)
{
	for (size_t i = 0; i < rc->nsentinels; i++) {
		const struct redis_addr	*s = &rc->sentinels[i];
		char			*host, *sname;
		int			 port, rc2;

		if (ask_sentinel(rc, s, &host, &port) == -1)
			continue;
		sname = store_addr_name(s->host, s->port);
		rc2 = try_master(st, rc, sname, host, port);
		if (rc2 == 0)
			log_debug("redis: master \"%s\" is %s (from sentinel "
			    "%s)", rc->master, st->where, sname);
		free(sname);
		free(host);
		if (rc2 == 0)
			return 0;
	}
	log_error("redis: no sentinel leads to a master \"%s\" (%zu asked)",
	    rc->master, rc->nsentinels);
	return -1;
}
