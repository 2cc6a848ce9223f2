/*
 * Integration-test harness: real redis-server, the project's testsrv
 * (tests/testsrv.c) and the peekl binary, run as child processes from
 * Criterion tests. Each child gets PR_SET_PDEATHSIG(SIGKILL), so it dies with
 * the test process even when an assertion ends the test early; each has its
 * own temp dir, removed by the matching stop/free function (and at exit for
 * anything a failed test left behind). Every wait polls with a deadline.
 * Setup failures are cr_assert failures: callers need not check for NULL,
 * except h_redis_start_ts(), h_env_start_ts(), h_read_file() and
 * h_webhook_body().
 *
 * Binaries: $PEEKL_BIN (peekl), $PEEKL_TESTSRV (testsrv), redis-server from
 * $PATH ($PEEKL_REDIS_SERVER overrides), $PEEKL_TEST_TS_MODULE (optional
 * RedisTimeSeries module .so).
 *
 *	Test(http, down_alerts) {
 *		struct h_redis *rd = h_redis_start();
 *		struct h_srv *web = h_srv_start((const char *[]){ "--tls",
 *		    "--days-left", "3", NULL });
 *		struct h_srv *hook = h_webhook_start();
 *		struct h_dir *d = h_dir_new();
 *		char *cfg = h_configf(d, "redis:\n  port: %d\n...url: https://"
 *		    "localhost:%d/status/503\n", h_redis_port(rd), h_srv_port(web));
 *		struct h_run r;
 *
 *		h_webhook_respond(hook, "500");
 *		h_run(&r, (const char *[]){ "run", "-c", cfg, NULL }, NULL);
 *		cr_assert_eq(r.status, 2, "stderr: %s", r.err);
 *		cr_assert_eq(h_webhook_count(hook, 500), 1);
 *		h_run_free(&r); free(cfg); h_dir_free(d);
 *		h_srv_stop(hook); h_srv_stop(web); h_redis_stop(rd);
 *	}
 */
#ifndef PEEKL_TESTS_HARNESS_H
#define PEEKL_TESTS_HARNESS_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include <hiredis/hiredis.h>

/* ---- temp dirs and files */

struct h_dir;

struct h_dir	*h_dir_new(void);		/* mkdtemp under $TMPDIR or /tmp; free with h_dir_free */
void		 h_dir_free(struct h_dir *);	/* removes the dir recursively; NULL ok */
const char	*h_dir_path(const struct h_dir *);	/* owned by the dir */
char		*h_path(const struct h_dir *, const char *name);	/* malloc'd "dir/name", caller frees */
void		 h_write_file(const struct h_dir *, const char *name,
		    const char *content);	/* mode 0644, atomically (tmp + rename) */
char		*h_read_file(const char *path);	/* malloc'd contents, NULL if absent; caller frees */
/* Compares got with the golden file tests/golden/NAME byte for byte
 * ($PEEKL_GOLDEN_DIR replaces tests/golden); with $PEEKL_GOLDEN_UPDATE set,
 * rewrites the file instead (review the diff). */
void		 h_golden(const char *name, const char *got);
char		*h_config(const struct h_dir *, const char *yaml);	/* writes dir/config.yaml (0600); malloc'd path */
char		*h_configf(const struct h_dir *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));	/* h_config with printf formatting */
char		*h_strf(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));	/* malloc'd formatted string, caller frees */
double		 h_now_ms(void);		/* CLOCK_MONOTONIC in ms */

/* ---- redis-server (127.0.0.1:port and a unix socket, no persistence) */

struct h_redis;

struct h_redis	*h_redis_start(void);		/* stop with h_redis_stop */
struct h_redis	*h_redis_start_ts(void);	/* with $PEEKL_TEST_TS_MODULE loaded; NULL if unset (cr_skip then) */
struct h_redis	*h_redis_start_opts(const char *const extra_args[]);	/* extra redis-server args, NULL-terminated,
		    e.g. { "--requirepass", "s3cret", NULL } */
int		 h_redis_port(const struct h_redis *);
const char	*h_redis_socket(const struct h_redis *);	/* unix socket path, owned by the redis */
redisContext	*h_redis_conn(const struct h_redis *);	/* fresh context, AUTHed if started with
		    --requirepass; caller redisFree()s */
void		 h_redis_stop(struct h_redis *);	/* SIGTERM, then SIGKILL after 3 s; removes its dir; NULL ok */

/* One command on a fresh connection, formatted as hiredis does (each %s is
 * one argument, spaces and all; %b is not for these). A lost connection is
 * a cr_assert failure. */
redisReply	*h_redis_cmd(const struct h_redis *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));	/* the reply, any type (errors
		    included); caller freeReplyObject()s */
long long	 h_redis_int(const struct h_redis *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));	/* integer reply; any other
		    type is a cr_assert failure */
char		*h_redis_str(const struct h_redis *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));	/* malloc'd string (or status)
		    reply, NULL for nil; an error or other type is a cr_assert
		    failure; caller frees */

/* ---- testsrv (see tests/testsrv.c for modes, routes and log formats) */

struct h_srv;

/* Runs $PEEKL_TESTSRV args... and adds, unless args already hold them,
 * --port-file, --dir, --log, --headers-log and --control pointing into its
 * own temp dir (files "port", ca.pem..., "log", "headers.log", "control").
 * Waits up to 10 s for the port. Stop with h_srv_stop. */
struct h_srv	*h_srv_start(const char *const args[]);
int		 h_srv_port(const struct h_srv *);
const char	*h_srv_dir(const struct h_srv *);	/* owned by the server */
char		*h_srv_file(const struct h_srv *, const char *name);	/* malloc'd "dir/name", e.g. "ca.pem" */
char		*h_srv_url(const struct h_srv *, const char *path);	/* malloc'd http://127.0.0.1:PORT/path,
		    or https://localhost:PORT/path with --tls */
int		 h_srv_hits(const struct h_srv *, const char *path_prefix);	/* http-mode requests whose target
		    starts with path_prefix (NULL = all) */
void		 h_srv_stop(struct h_srv *);	/* SIGTERM, SIGKILL after 3 s; removes its dir; NULL ok */

/* ---- webhook receiver: testsrv --mode webhook */

struct h_srv	*h_webhook_start(void);		/* stop with h_srv_stop */
void		 h_webhook_respond(struct h_srv *, const char *control_line);	/* "500", "429 60", "hang";
		    "" = 200 ok. Applies to the next request */
int		 h_webhook_count(const struct h_srv *, int status);	/* requests answered with status
		    (0 = hang); -1 = all requests */
char		*h_webhook_body(const struct h_srv *, int n);	/* malloc'd, unescaped body of the n-th
		    (0-based) request answered 2xx; NULL if none; caller frees */
char		*h_webhook_headers(const struct h_srv *, int n);	/* malloc'd "Name: value | ..." of the n-th
		    request (any status); NULL if none; caller frees */
/* One request the receiver logged, whatever its answer. */
struct h_request {
	int	 status;	/* what the receiver answered (0: hung) */
	char	*target;	/* "/path?query" */
	char	*ctype;		/* Content-Type */
	char	*body;		/* unescaped */
	char	*headers;	/* "Name: value | ..." */
};
int		 h_webhook_request(const struct h_srv *, int n, struct h_request *);	/* the n-th (0-based)
		    request, any status; 0, or -1 if none. h_request_free frees it */
void		 h_request_free(struct h_request *);
int		 h_webhook_wait(const struct h_srv *, int n, int timeout_ms);	/* waits until >= n requests are
		    logged; returns the count then */

/* Returns 1 once 127.0.0.1:port accepts a TCP connection, 0 after
 * timeout_ms: for servers the tests start that write no port file
 * (openssl s_server). */
int		 h_wait_port(int port, double timeout_ms);

/* ---- the usual end-to-end set: a Redis, a web server (testsrv, http
 * mode), a webhook receiver and a temp dir for configs */

struct h_env {
	struct h_redis	*rd;
	struct h_srv	*web;
	struct h_srv	*hook;
	struct h_dir	*d;
};

void		 h_env_start(struct h_env *);	/* stop with h_env_stop */
/* The same with a RedisTimeSeries server: -1 (nothing started) when the
 * module is not available (PEEKL_TEST_TS_MODULE). */
int		 h_env_start_ts(struct h_env *);
void		 h_env_stop(struct h_env *);

/* ---- the config loader in-process */

struct config;

/* Runs config_load on path with its stderr captured into *err (malloc'd,
 * caller frees; also logged, so a failing test shows the messages).
 * Returns config_load's result. */
int		 h_config_load(const char *path, struct config **cfg, char **err);

/* ---- the probe stage in-process */

struct check;

/* Runs probe_run over the n checks on a fresh engine and CA cache, at most
 * max at once; returns what it returned. */
int		 h_probe(struct check *checks, size_t n, int max,
		    const volatile sig_atomic_t *stop);

/* ---- optional tools (promtool, tidy, chromium) */

/* Returns the malloc'd path of the executable name found in $PATH
 * (caller frees), or NULL when there is none: tests that use such a tool
 * skip with a message without it. */
char		*h_which(const char *name);

/* ---- running peekl (or any program) */

struct h_run {
	int	 status;	/* exit code, or 128 + signal */
	char	*out;		/* all of stdout, NUL-terminated */
	char	*err;		/* all of stderr */
	double	 elapsed_ms;	/* from spawn to exit */
};

struct h_proc;

/* Runs $PEEKL_BIN with argv (arguments only, NULL-terminated) and the current
 * environment plus env ("K=V" sets, "K" unsets; env may be NULL). Captures
 * stdout and stderr, kills the program after 60 s. Returns r->status; free
 * r with h_run_free. */
int		 h_run(struct h_run *r, const char *const argv[], const char *const env[]);
int		 h_run_bin(struct h_run *r, const char *bin, const char *const argv[],
		    const char *const env[]);	/* the same for any program (looked up in $PATH) */
void		 h_run_free(struct h_run *);	/* frees out and err; NULL ok */
struct h_proc	*h_spawn(const char *const argv[], const char *const env[]);	/* starts $PEEKL_BIN, no wait;
		    collect with h_wait */
struct h_proc	*h_spawn_bin(const char *bin, const char *const argv[], const char *const env[]);
pid_t		 h_proc_pid(const struct h_proc *);	/* e.g. to send SIGTERM */
int		 h_wait(struct h_proc *, struct h_run *r);	/* waits (60 s from spawn, then SIGKILL),
		    fills r, frees the proc; returns r->status */

/* ---- Redis replication and Sentinel (redis-sentinel from $PATH,
 * $PEEKL_REDIS_SENTINEL overrides) */

/* Starts a redis-server replicating master (--replicaof) and waits until
 * its link to the master is up (setting the master's
 * repl-diskless-sync-delay to 0 first). Stop with h_redis_stop. */
struct h_redis	*h_redis_start_replica(const struct h_redis *master);

/*
 * Starts redis-sentinel on a fresh port with a generated config file:
 * it monitors master as name with quorum, down-after-milliseconds 5000,
 * failover-timeout 3000, sentinel auth-pass when master has a password,
 * then the extra lines conf (NULL-terminated, may be NULL; "requirepass X"
 * makes the harness AUTH with X). The result is an h_redis: h_redis_port,
 * h_redis_cmd... talk to the sentinel. Stop with h_redis_stop.
 */
struct h_redis	*h_sentinel_start(const struct h_redis *master, const char *name,
		    int quorum, const char *const conf[]);
/* Polls until the sentinel lists at least replicas replicas and sentinels
 * other sentinels for name (SENTINEL replicas / SENTINEL sentinels);
 * 20 s, then a cr_assert failure. */
void		 h_sentinel_wait(const struct h_redis *sentinel, const char *name,
		    int replicas, int sentinels);
/* The port SENTINEL GET-MASTER-ADDR-BY-NAME name answers, 0 if none. */
int		 h_sentinel_master_port(const struct h_redis *sentinel,
		    const char *name);
/* Returns 1 when the server answers ROLE with "master". */
int		 h_redis_is_master(const struct h_redis *);

/* Makes testsrv's /loc route answer location loc (the X-Loc header)
 * with status, e.g. "503", or 200 when status is NULL; atomically. */
void		 h_loc_answer(struct h_env *e, const char *loc,
		    const char *status);

/* Writes yaml (taken: freed) as the config file NAME of e's directory,
 * mode 0600; returns its path (malloc'd). */
char		*h_config_named(struct h_env *e, const char *name, char *yaml);

#endif
