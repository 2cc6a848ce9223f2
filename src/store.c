/* Redis: the connection, commands and replies, the one MULTI/EXEC that
 * records a run, and leases. What that MULTI holds comes from the site
 * hash (store_site.c), measurements (store_series.c) and alert queues
 * (store_queue.c); store_keys.c names every key and field. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <unistd.h>

#include <hiredis.h>

#include "log.h"
#include "state.h"
#include "store.h"
#include "store_int.h"
#include "store_keys.h"
#include "util.h"

/* Connecting and each command are bounded so a dead or hung Redis fails the
 * run within seconds instead of holding the timer's next tick. */
#define CONNECT_TIMEOUT_S	3
#define COMMAND_TIMEOUT_S 3	/* per command: SIGTERM must end a run within 5 s */

/* Deletes a lease only while it still holds our token: a run that
 * outlived its lease must not free the lease a newer run took since. */
const char store_release_script[] =
    "if redis.call('get',KEYS[1])==ARGV[1] then "
    "return redis.call('del',KEYS[1]) else return 0 end";

/* --- commands and replies --- */

void
cmd_add(struct cmd *cmd, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	cmd_take(cmd, p);
}

void
cmd_take(struct cmd *cmd, char *p)
{
	if (cmd->argc == cmd->cap) {
		cmd->cap = cmd->cap ? cmd->cap * 2 : 16;
		cmd->argv = xrealloc(cmd->argv, cmd->cap * sizeof(*cmd->argv));
		cmd->lens = xrealloc(cmd->lens, cmd->cap * sizeof(*cmd->lens));
	}
	cmd->argv[cmd->argc] = p;
	cmd->lens[cmd->argc++] = strlen(p);
}

void
cmd_clear(struct cmd *cmd)
{
	for (int i = 0; i < cmd->argc; i++)
		free(cmd->argv[i]);
	free(cmd->argv);
	free(cmd->lens);
	memset(cmd, 0, sizeof(*cmd));
}

int
cmd_append(struct store *st, struct cmd *cmd)
{
	int	rc;

	rc = redisAppendCommandArgv(st->c, cmd->argc,
	    (const char **)cmd->argv, cmd->lens);
	if (rc != REDIS_OK)
		store_io_error(st, cmd->argv[0]);
	cmd_clear(cmd);
	return rc == REDIS_OK ? 0 : -1;
}

int
batch_append(struct store *st, struct batch *b, struct cmd *cmd)
{
	int	eval = strcmp(cmd->argv[0], "EVAL") == 0;
	int	keyarg = eval ? 3 : 1;
	/* The scripts store_write queues trim a queue, or append to a
	 * stream of history (incidents, rollups), which is a measurement. */
	int	trim = eval && keyarg < cmd->argc &&
		    key_queue_integration(st, cmd->argv[keyarg]) != NULL;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->keys = xrealloc(b->keys, b->cap * sizeof(*b->keys));
		b->trims = xrealloc(b->trims, b->cap * sizeof(*b->trims));
		b->soft = xrealloc(b->soft, b->cap * sizeof(*b->soft));
	}
	b->soft[b->n] = strcmp(cmd->argv[0], "TS.ADD") == 0 ||
	    strcmp(cmd->argv[0], "XADD") == 0 || (eval && !trim);
	b->trims[b->n] = trim;
	b->keys[b->n++] = xstrdup(keyarg < cmd->argc ? cmd->argv[keyarg] : "");
	return cmd_append(st, cmd);
}

void
batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->keys[i]);
	free(b->keys);
	free(b->trims);
	free(b->soft);
	memset(b, 0, sizeof(*b));
}

void
store_io_error(struct store *st, const char *what)
{
	redisContext	*c = st->c;

	/* hiredis reports a command timeout as EAGAIN's text, which says
	 * nothing to a user. */
	if (c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK))
		log_error("redis: %s: %s: no answer within %d s", st->where,
		    what, COMMAND_TIMEOUT_S);
	else
		log_error("redis: %s: %s: %s", st->where, what,
		    c->errstr[0] ? c->errstr : "connection error");
}

int
store_replies(struct store *st, size_t n, redisReply ***out, const char *what)
{
	redisReply	**r;
	void		 *one;

	*out = NULL;
	r = xcalloc(n, sizeof(*r));
	for (size_t i = 0; i < n; i++) {
		if (redisGetReply(st->c, &one) != REDIS_OK) {
			store_io_error(st, what);
			store_free_replies(r, n);
			return -1;
		}
		r[i] = one;
	}
	*out = r;
	return 0;
}

void
store_free_replies(redisReply **r, size_t n)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		if (r[i] != NULL)
			freeReplyObject(r[i]);
	free(r);
}

int
store_reply_failed(const struct store *st, const redisReply *r,
    const char *key)
{
	if (r == NULL) {
		log_error("redis: %s: %s: no reply", st->where, key);
		return 1;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		log_error("redis: %s: %s: %s", st->where, key, r->str);
		return 1;
	}
	return 0;
}

redisReply *
store_reply_ok(const struct store *st, redisReply *r, const char *key)
{
	if (r != NULL && store_reply_failed(st, r, key)) {
		freeReplyObject(r);
		return NULL;
	}
	return r;
}

const char *
store_reply_str(const redisReply *r)
{
	if (r == NULL || (r->type != REDIS_REPLY_STRING &&
	    r->type != REDIS_REPLY_STATUS))
		return NULL;
	return r->str;
}

redisReply *
store_command(struct store *st, const char *what, const char *fmt, ...)
{
	va_list		 ap;
	redisReply	*r;

	va_start(ap, fmt);
	r = redisvCommand(st->c, fmt, ap);
	va_end(ap);
	if (r == NULL)
		store_io_error(st, what);
	return r;
}

/* --- connecting --- */

/* Fills buf with 32 random hex characters; -1 if no randomness came. */
static int
make_token(char *buf, size_t bufsz)
{
	unsigned char	 raw[16];
	ssize_t		 n;
	int		 fd;

	n = getrandom(raw, sizeof(raw), 0);
	if (n != (ssize_t)sizeof(raw)) {
		if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
		n = read(fd, raw, sizeof(raw));
		close(fd);
		if (n != (ssize_t)sizeof(raw))
			return -1;
	}
	for (size_t i = 0; i < sizeof(raw) && 2 * i + 2 < bufsz; i++)
		snprintf(buf + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

/* Returns the context, or NULL (logged) when Redis cannot be reached. */
static redisContext *
connect_redis(struct store *st, const struct redis_conf *rc)
{
	redisContext	*c;
	char		 why[256];

	c = store_connect_to(rc->host, rc->port, rc->socket,
	    CONNECT_TIMEOUT_S * 1000, COMMAND_TIMEOUT_S * 1000, why,
	    sizeof(why));
	if (c == NULL)
		log_error("redis: cannot connect to %s: %s", st->where, why);
	return c;
}

redisContext *
store_connect_to(const char *host, int port, const char *socket,
    int connect_ms, int command_ms, char *why, size_t whysz)
{
	struct timeval	 ctv = { connect_ms / 1000, (connect_ms % 1000) * 1000 };
	struct timeval	 tv = { command_ms / 1000, (command_ms % 1000) * 1000 };
	redisContext	*c;

	if (socket != NULL)
		c = redisConnectUnixWithTimeout(socket, ctv);
	else
		c = redisConnectWithTimeout(host, port, ctv);
	if (c == NULL)
		snprintf(why, whysz, "out of memory");
	else if (c->err)
		snprintf(why, whysz, "%s", c->errstr);
	else if (redisSetTimeout(c, tv) != REDIS_OK)
		snprintf(why, whysz, "cannot set a timeout: %s", c->errstr);
	else
		return c;
	if (c != NULL)
		redisFree(c);
	return NULL;
}

int
store_authenticate(struct store *st, const struct redis_conf *rc)
{
	redisReply	*r;
	int		 ret = -1;

	if (rc->password == NULL)
		return 0;
	if (rc->username != NULL)
		r = store_command(st, "AUTH", "AUTH %s %s", rc->username,
		    rc->password);
	else
		r = store_command(st, "AUTH", "AUTH %s", rc->password);
	if (r == NULL)
		return -1;
	/* Redis's refusal texts never echo the password, so they are safe
	 * to show and say which of user, password or config is wrong. */
	if (r->type == REDIS_REPLY_ERROR)
		log_error("redis: authentication failed for %s: %s",
		    st->where, r->str);
	else
		ret = 0;
	freeReplyObject(r);
	return ret;
}

/* Selects the db and detects RedisTimeSeries, in one round trip; 0 or -1. */
static int
select_and_probe(struct store *st, const struct redis_conf *rc)
{
	redisReply	**r = NULL;
	const redisReply *info;
	int		  ret = -1;

	if (redisAppendCommand(st->c, "SELECT %d", rc->db) != REDIS_OK ||
	    redisAppendCommand(st->c, "COMMAND INFO TS.ADD") != REDIS_OK) {
		store_io_error(st, "SELECT");
		return -1;
	}
	if (store_replies(st, 2, &r, "SELECT") == -1)
		return -1;
	if (r[0]->type == REDIS_REPLY_ERROR &&
	    strncmp(r[0]->str, "NOAUTH", 6) == 0) {
		log_error("redis: %s requires authentication: set "
		    "redis.password", st->where);
		goto out;
	}
	if (store_reply_failed(st, r[0], "SELECT"))
		goto out;
	info = r[1];
	/* COMMAND INFO answers [nil] for an unknown command. */
	st->have_ts = info->type == REDIS_REPLY_ARRAY && info->elements == 1 &&
	    info->element[0]->type == REDIS_REPLY_ARRAY;
	ret = 0;
out:
	store_free_replies(r, 2);
	return ret;
}

/* Chooses streams or RedisTimeSeries; 0, or -1 when `on` cannot be met. */
static int
choose_series(struct store *st, const struct redis_conf *rc)
{
	switch (rc->timeseries) {
	case TS_ON:
		if (!st->have_ts) {
			log_error("redis: timeseries is on but %s has no "
			    "RedisTimeSeries (TS.ADD unknown); load the module, "
			    "use Redis 8, or set redis.timeseries: auto",
			    st->where);
			return -1;
		}
		st->use_ts = 1;
		break;
	case TS_OFF:
		st->use_ts = 0;
		break;
	default:
		st->use_ts = st->have_ts;
		if (!st->have_ts) {
			char	*key = key_history(st, "NAME");

			log_debug("RedisTimeSeries not available, recording to "
			    "streams (%s)", key);
			free(key);
		}
		break;
	}
	return 0;
}

int
store_open(const struct redis_conf *rc, struct store **out)
{
	struct store	*st;
	int		 ret = -1;

	*out = NULL;
	st = xcalloc(1, sizeof(*st));
	st->prefix = xstrdup(rc->prefix != NULL ? rc->prefix : "peekl");
	st->retention_ms = rc->retention_ms;
	st->hourly_ms = rc->hourly_ms;
	st->daily_ms = rc->daily_ms;
	st->incident_retention_ms = rc->incident_retention_ms;
	if (rc->socket != NULL)
		st->where = xstrdup(rc->socket);
	else
		st->where = store_addr_name(rc->host, rc->port);
	if (make_token(st->token, sizeof(st->token)) == -1) {
		log_error("redis: cannot read random bytes for a lease token: "
		    "%s", strerror(errno));
		goto out;
	}
	/* With sentinels, the master they name is connected and
	 * authenticated by store_sentinel.c. */
	if (rc->nsentinels > 0) {
		if (sentinel_connect(st, rc) == -1)
			goto out;
	} else if ((st->c = connect_redis(st, rc)) == NULL ||
	    store_authenticate(st, rc) == -1)
		goto out;
	if (select_and_probe(st, rc) == -1 || choose_series(st, rc) == -1)
		goto out;
	*out = st;
	st = NULL;
	ret = 0;
out:
	store_close(st);
	return ret;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->c != NULL)
		redisFree(st->c);
	staged_clear(st);
	free(st->prefix);
	free(st->where);
	free(st->location);
	free(st);
}

char *
store_addr_name(const char *host, int port)
{
	if (strchr(host, ':') != NULL)
		return xasprintf("[%s]:%d", host, port);
	return xasprintf("%s:%d", host, port);
}

void
store_set_location(struct store *st, const char *location)
{
	free(st->location);
	st->location = location != NULL ? xstrdup(location) : NULL;
}

int
store_uses_timeseries(const struct store *st)
{
	return st->use_ts;
}

void
store_note_backend(const struct store *st)
{
	char	*key;

	if (st->use_ts)
		return;
	key = key_history(st, "NAME");
	log_info("RedisTimeSeries not available, recording to streams (%s)",
	    key);
	free(key);
}

/* --- recording a run --- */

/*
 * Judges EXEC's reply array: logs every failed command with its key and
 * every queue that overflowed. Redis does not roll a transaction back, so
 * a failed measurement (a series or stream key of the wrong type) only
 * loses that point: the state and the alerts it goes with were written.
 * Returns 0, or -1 if a state or queue write failed.
 */
static int
check_exec(struct store *st, const redisReply *exec, const struct batch *b)
{
	int	ret = 0;

	if (exec->type == REDIS_REPLY_ERROR) {
		log_error("redis: %s: recording results: %s", st->where,
		    exec->str);
		return -1;
	}
	if (exec->type != REDIS_REPLY_ARRAY || exec->elements != b->n) {
		log_error("redis: %s: recording results: transaction aborted",
		    st->where);
		return -1;
	}
	for (size_t i = 0; i < b->n; i++) {
		const redisReply *r = exec->element[i];
		const char	 *key = b->keys[i];

		if (store_reply_failed(st, r, key)) {
			if (!b->soft[i])
				ret = -1;
			continue;
		}
		if (b->trims[i])
			queue_judge_trim(st, key, r);
	}
	return ret;
}

int
store_write(struct store *st, const struct check *checks, size_t n,
    const struct queued_alert *alerts, size_t nalerts)
{
	struct batch	  b = { 0 };
	redisReply	**r = NULL;
	size_t		  nr = 0;
	int		  ret = -1;

	size_t		  njudged = 0;

	for (size_t i = 0; i < n; i++)
		njudged += (size_t)checks[i].judged;
	if (njudged == 0 && nalerts == 0 && st->nstaged == 0)
		return 0;
	if (redisAppendCommand(st->c, "MULTI") != REDIS_OK) {
		store_io_error(st, "MULTI");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (checks[i].judged &&
		    (site_append_write(st, &checks[i], &b) == -1 ||
		    rollup_append(st, &checks[i], &b) == -1 ||
		    series_append_points(st, &checks[i], &b) == -1 ||
		    incidents_append(st, &checks[i], &b) == -1))
			goto out;
	if (staged_append(st, &b) == -1)
		goto out;
	if (queue_append_alerts(st, alerts, nalerts, &b) == -1)
		goto out;
	if (redisAppendCommand(st->c, "EXEC") != REDIS_OK) {
		store_io_error(st, "EXEC");
		goto out;
	}
	/* MULTI's +OK, one +QUEUED (or a queueing error) each, EXEC's array. */
	nr = b.n + 2;
	if (store_replies(st, nr, &r, "recording results") == -1)
		goto out;
	for (size_t i = 1; i + 1 < nr; i++)
		if (r[i]->type == REDIS_REPLY_ERROR) {
			log_error("redis: %s: %s: %s", st->where,
			    b.keys[i - 1], r[i]->str);
			goto out;
		}
	ret = check_exec(st, r[nr - 1], &b);
out:
	store_free_replies(r, nr);
	batch_free(&b);
	return ret;
}

/* --- leases --- */

int
store_take_leases(struct store *st, struct check *checks, size_t n)
{
	redisReply	**r = NULL;
	size_t		  sent = 0, j = 0;
	int		  ret = -1;

	for (size_t i = 0; i < n; i++) {
		char	*key;
		char	 ttl[32];
		int	 rc;

		checks[i].leased = 0;
		if (!checks[i].due)
			continue;
		key = key_lease(st, checks[i].site->name, checks[i].kind);
		snprintf(ttl, sizeof(ttl), "%" PRId64,
		    checks[i].lease_ttl_ms > 0 ? checks[i].lease_ttl_ms : 1);
		rc = redisAppendCommand(st->c, "SET %s %s NX PX %s", key,
		    st->token, ttl);
		free(key);
		if (rc != REDIS_OK ||
		    site_append_read(st, checks[i].site->name) == -1) {
			store_io_error(st, "taking leases");
			return -1;
		}
		sent++;
	}
	if (sent == 0)
		return 0;
	if (store_replies(st, 2 * sent, &r, "taking leases") == -1)
		return -1;
	/* Every reply is judged, even after an error, so the caller knows
	 * every lease it holds and can release them. */
	ret = 0;
	for (size_t i = 0; i < n; i++) {
		struct check	 *c = &checks[i];
		const redisReply *set;
		const char	 *ok;

		if (!c->due)
			continue;
		set = r[2 * j];
		ok = store_reply_str(set);
		if (set->type == REDIS_REPLY_ERROR) {
			char	*key = key_lease(st, c->site->name, c->kind);

			log_error("redis: %s: %s: %s", st->where, key,
			    set->str);
			free(key);
			ret = -1;
		} else {
			c->leased = ok != NULL && strcmp(ok, "OK") == 0;
			/* The state re-read behind the lease is the one to
			 * decide on: another run may have checked the site
			 * meanwhile. */
			if (c->leased)
				site_parse(st, r[2 * j + 1], c->site->name,
				    c->state);
		}
		j++;
	}
	store_free_replies(r, 2 * sent);
	return ret;
}

int
store_release_leases(struct store *st, const struct check *checks, size_t n)
{
	redisReply	**r = NULL;
	size_t		  sent = 0;
	int		  ret = 0;

	for (size_t i = 0; i < n; i++) {
		char	*key;
		int	 rc;

		if (!checks[i].leased)
			continue;
		key = key_lease(st, checks[i].site->name, checks[i].kind);
		rc = redisAppendCommand(st->c, "EVAL %s 1 %s %s",
		    store_release_script, key, st->token);
		free(key);
		if (rc != REDIS_OK) {
			store_io_error(st, "releasing leases");
			return -1;
		}
		sent++;
	}
	if (sent == 0)
		return 0;
	if (store_replies(st, sent, &r, "releasing leases") == -1)
		return -1;
	for (size_t i = 0; i < sent; i++)
		if (store_reply_failed(st, r[i], "releasing a lease"))
			ret = -1;
	store_free_replies(r, sent);
	return ret;
}
