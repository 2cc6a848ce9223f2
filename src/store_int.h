/* What the store files share: the connection itself, argv-built commands,
 * pipelined reply collection, and the pieces of the one MULTI/EXEC that
 * records a run. Not part of the store.h interface. */
#ifndef PEEKL_STORE_INT_H
#define PEEKL_STORE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis.h>

#include "store.h"

struct cmd;

struct store {
	redisContext	*c;
	char		*prefix;	/* key namespace */
	char		*where;		/* "host:port" or socket path, for messages */
	char		 token[33];	/* this run's lease token, 32 hex chars */
	int		 use_ts;	/* measurements go to RedisTimeSeries */
	int		 have_ts;	/* the server has RedisTimeSeries */
	int64_t		 retention_ms;
	int64_t		 hourly_ms;	/* redis.retention's hourly, 0: none */
	int64_t		 daily_ms;	/* its daily, 0: none */
	int64_t		 incident_retention_ms;
	char		*location;	/* NULL, or this run's location
					 * (spec/locations.md) */
	struct cmd	*staged;	/* writes for the next store_write */
	size_t		 nstaged;
};

/* One command built argument by argument, so a name with spaces, quotes or
 * newlines is always exactly one argument. */
struct cmd {
	char	**argv;
	size_t	 *lens;
	int	  argc;
	int	  cap;
};

void	cmd_add(struct cmd *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Appends p, a malloc'd string such as a key_*() name, which cmd frees. */
void	cmd_take(struct cmd *cmd, char *p);
/* Appends cmd to the pipeline and empties it; 0, or -1 (logged). */
int	cmd_append(struct store *st, struct cmd *cmd);
void	cmd_clear(struct cmd *cmd);

/* Compare-and-delete of a lease key (KEYS[1]) holding our token (ARGV[1]). */
extern const char store_release_script[];

/* Sends one command built from fmt (hiredis' %s/%b arguments) and returns
 * its reply, error replies included, or NULL on a connection error
 * (logged with `what`). */
redisReply *store_command(struct store *st, const char *what,
	    const char *fmt, ...);

/* Returns r, or NULL (freed, logged with key) when it is an error reply;
 * NULL stays NULL. */
redisReply *store_reply_ok(const struct store *st, redisReply *r,
	    const char *key);

/* Logs the connection's I/O error while doing `what`. */
void	store_io_error(struct store *st, const char *what);

/*
 * Reads n pipelined replies into a malloc'd array (free with
 * store_free_replies). Returns 0, or -1 on a connection error (logged);
 * error replies are returned as replies, for the caller to judge.
 */
int	store_replies(struct store *st, size_t n, redisReply ***out,
	    const char *what);
void	store_free_replies(redisReply **r, size_t n);

/* Returns 1 (and logs "redis: KEY: message") when r is missing or an
 * error reply, else 0. */
int	store_reply_failed(const struct store *st, const redisReply *r,
	    const char *key);

/* Returns a string or status reply's text (owned by r), or NULL. */
const char *store_reply_str(const redisReply *r);

/* The keys of the commands queued in one MULTI, in order, so an error in
 * EXEC's reply array can name the key it concerns. */
struct batch {
	char	**keys;
	int	 *trims;	/* 1 for a queue's trim script */
	int	 *soft;		/* 1 for a measurement (TS.ADD, XADD) */
	size_t	  n;
	size_t	  cap;
};

/* Appends cmd to the pipeline and notes its key (argv[1], argv[3] for
 * EVAL); 0, or -1 (logged). */
int	batch_append(struct store *st, struct batch *b, struct cmd *cmd);
void	batch_free(struct batch *b);

/* --- connecting (store.c, store_sentinel.c) --- */

/*
 * Connects to host:port (or the unix socket when not NULL) within
 * connect_ms, with command_ms as every command's timeout. Returns the
 * context, or NULL with why set to the reason ("Connection refused").
 */
redisContext *store_connect_to(const char *host, int port, const char *socket,
	    int connect_ms, int command_ms, char *why, size_t whysz);

/* AUTHs st->c with the data nodes' password, when one is configured; 0,
 * or -1 (logged: "authentication failed", never the password). */
int	store_authenticate(struct store *st, const struct redis_conf *rc);

/* Returns "host:port", or "[host]:port" for an IPv6 address (malloc'd,
 * caller frees). */
char	*store_addr_name(const char *host, int port);

/*
 * Asks each of rc->sentinels in turn for the address of rc->master,
 * connects to it, authenticates and checks with ROLE that it is a master;
 * sets st->c and st->where to it. A sentinel that is down, does not know
 * the master or leads to a node that is not one is skipped with a
 * WARNING. Returns 0, or -1 (logged) when none leads to a master.
 */
int	sentinel_connect(struct store *st, const struct redis_conf *rc);

/* --- the site hash (store_site.c) --- */

/* Appends the HGETALL of the site's hash to the pipeline; 0, or -1 (the
 * caller logs the I/O error). */
int	site_append_read(struct store *st, const char *name);

/* Fills out from the HGETALL reply r. A key that is not a hash is logged
 * and marks out unreadable; any other error reply gives the zeroed
 * UNKNOWN state. */
void	site_parse(const struct store *st, const redisReply *r,
	    const char *name, struct site_state *out);
/* The same for the quorum verdict, PREFIX:site:NAME. */
void	site_parse_verdict(const struct store *st, const redisReply *r,
	    const char *name, struct site_state *out);

/* Queues the HSET (and HDEL) of one judged check's state fields in b; 0,
 * or -1 (logged). */
int	site_append_write(struct store *st, const struct check *c,
	    struct batch *b);

/* --- measurements (store_series.c) --- */

/* Queues the measurement of one judged check in b (timeseries samples or
 * a stream entry); 0, or -1 (logged). */
int	series_append_points(struct store *st, const struct check *c,
	    struct batch *b);

/* --- pushing to the alert queues (store_queue.c) --- */

/* Queues the RPUSH of every alert in b, then one trim per queue touched
 * (to STORE_QUEUE_MAX); 0, or -1 (logged). */
int	queue_append_alerts(struct store *st, const struct queued_alert *alerts,
	    size_t nalerts, struct batch *b);

/* Warns when the trim script's reply r says it dropped alerts from the
 * queue called key. */
void	queue_judge_trim(const struct store *st, const char *key,
	    const redisReply *r);

/* Writes a site's name as a timeseries label value (',', '(' and ')'
 * become '_', which RedisTimeSeries refuses there). */
void	series_label_value(const char *name, char *out, size_t outsz);

/* One sample of a timeseries. */
struct ts_sample {
	int64_t	t;	/* unix ms */
	double	v;
};

/* Parses a TS.RANGE reply into *out (malloc'd, caller frees). A missing
 * series is empty; malformed samples are skipped. Returns the count, or -1
 * on an error reply (logged). */
long	ts_range_parse(const struct store *st, const redisReply *r,
	    const char *key, struct ts_sample **out);

/* --- hourly and daily history (store_rollup.c) --- */

/* Queues, for a judged check and when hourly and daily history is kept,
 * the creation of its series' compaction rules (RedisTimeSeries; before
 * its samples) or its addition to the rollup streams; 0, or -1 (logged). */
int	rollup_append(struct store *st, const struct check *c,
	    struct batch *b);

/* Reads the site's buckets at resolution res since since as HTTP points
 * (t the bucket's start, checks and nup set, response_ms the mean), oldest
 * first; *out malloc'd. 0, or -1 (logged). */
int	rollup_read_points(struct store *st, const char *name,
	    enum resolution res, int64_t since, struct point **out,
	    size_t *n);

/* --- incidents (store_incidents.c) --- */

/* Queues the append of the judged check c's state change, if it made one,
 * to its site's incidents stream; 0, or -1 (logged). */
int	incidents_append(struct store *st, const struct check *c,
	    struct batch *b);
/* --- staged writes (store_loc.c) --- */

/* Queues the staged writes in b and forgets them; 0, or -1 (logged). */
int	staged_append(struct store *st, struct batch *b);
/* Forgets the staged writes. */
void	staged_clear(struct store *st);

#endif
