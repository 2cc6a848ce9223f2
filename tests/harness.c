/*
 * Integration-test harness: child processes (redis-server, testsrv, peekl),
 * temp dirs and log readers for Criterion tests. See harness.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cert_verify.h"
#include "config.h"
#include "harness.h"
#include "net.h"
#include "probe.h"

#define START_TIMEOUT_MS	10000	/* for a port file or a redis PING */
#define STOP_GRACE_MS		3000	/* SIGTERM, then SIGKILL */
#define RUN_TIMEOUT_MS		60000
#define MAX_CHILDREN		64

extern char **environ;

struct h_dir {
	char		*path;
	struct h_dir	*next;		/* in live_dirs */
};

struct h_redis {
	struct h_dir	*dir;
	pid_t		 pid;
	int		 port;
	char		*sock;		/* unix socket path */
	char		*password;	/* from --requirepass, or NULL */
};

struct h_srv {
	struct h_dir	*dir;
	pid_t		 pid;
	int		 port;
	int		 tls;		/* started with --tls */
};

struct h_proc {
	pid_t		 pid;
	int		 out, err;	/* read ends of the child's stdout/stderr */
	double		 start_ms;
};

struct buf {
	char	*p;
	size_t	 len, cap;
};

/* What a failed test left running or on disk; cleaned at exit. */
static struct h_dir *live_dirs;
static pid_t live_pids[MAX_CHILDREN];

/* ------------------------------------------------------------- helpers */

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = realloc(b->p, cap);
		cr_assert_not_null(b->p, "out of memory");
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Returns a malloc'd empty string when b never got any bytes. */
static char *
buf_take(struct buf *b)
{
	if (b->p == NULL)
		buf_add(b, "", 0);
	return b->p;
}

static char *
vstrf(const char *fmt, va_list ap)
{
	char *s = NULL;

	cr_assert_geq(vasprintf(&s, fmt, ap), 0, "out of memory");
	return s;
}

char *
h_strf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vstrf(fmt, ap);
	va_end(ap);
	return s;
}

double
h_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---------------------------------------------------- dirs and files */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void
rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Kills children and removes dirs that a test ending early left behind. */
static void
cleanup_at_exit(void)
{
	for (int i = 0; i < MAX_CHILDREN; i++) {
		if (live_pids[i] > 0) {
			kill(live_pids[i], SIGKILL);
			waitpid(live_pids[i], NULL, 0);
		}
	}
	for (struct h_dir *d = live_dirs; d != NULL; d = d->next)
		rm_tree(d->path);
}

static void
register_cleanup(void)
{
	static int done;

	if (!done && atexit(cleanup_at_exit) == 0)
		done = 1;
}

struct h_dir *
h_dir_new(void)
{
	const char *tmp = getenv("TMPDIR");
	struct h_dir *d = calloc(1, sizeof(*d));

	cr_assert_not_null(d);
	d->path = h_strf("%s/peekl-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(d->path), "mkdtemp %s: %s", d->path,
	    strerror(errno));
	register_cleanup();
	d->next = live_dirs;
	live_dirs = d;
	return d;
}

void
h_dir_free(struct h_dir *d)
{
	struct h_dir **pp;

	if (d == NULL)
		return;
	for (pp = &live_dirs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	rm_tree(d->path);
	free(d->path);
	free(d);
}

const char *
h_dir_path(const struct h_dir *d)
{
	return d->path;
}

char *
h_path(const struct h_dir *d, const char *name)
{
	return h_strf("%s/%s", d->path, name);
}

/* Writes content to path via a temporary file and a rename, so a program
 * reading it concurrently (testsrv's control file) never sees half. */
static void
write_atomic(const char *path, const char *content, mode_t mode)
{
	char *tmp = h_strf("%s.tmp", path);
	size_t len = strlen(content);
	int fd;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	cr_assert_geq(fd, 0, "open %s: %s", tmp, strerror(errno));
	cr_assert_eq(write(fd, content, len), (ssize_t)len, "write %s", tmp);
	cr_assert_eq(fchmod(fd, mode), 0);	/* umask must not widen or narrow it */
	cr_assert_eq(close(fd), 0);
	cr_assert_eq(rename(tmp, path), 0, "rename %s: %s", tmp, strerror(errno));
	free(tmp);
}

void
h_write_file(const struct h_dir *d, const char *name, const char *content)
{
	char *path = h_path(d, name);

	write_atomic(path, content, 0644);
	free(path);
}

char *
h_read_file(const char *path)
{
	struct buf b = { 0 };
	char tmp[8192];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	while ((n = read(fd, tmp, sizeof(tmp))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			buf_add(&b, tmp, (size_t)n);
	close(fd);
	return buf_take(&b);
}

void
h_golden(const char *name, const char *got)
{
	const char *dir = getenv("PEEKL_GOLDEN_DIR");
	char *path = h_strf("%s/%s", dir ? dir : "tests/golden", name), *want;
	FILE *f;

	if (getenv("PEEKL_GOLDEN_UPDATE") != NULL) {
		cr_assert_not_null(f = fopen(path, "w"), "cannot write %s", path);
		fputs(got, f);
		cr_assert_eq(fclose(f), 0, "cannot write %s", path);
		free(path);
		return;
	}
	want = h_read_file(path);
	cr_assert_not_null(want, "cannot read %s (run from the repository root)",
	    path);
	cr_assert_str_eq(got, want, "%s differs:\nwant:\n%s\ngot:\n%s", path,
	    want, got);
	free(want);
	free(path);
}

char *
h_config(const struct h_dir *d, const char *yaml)
{
	char *path = h_path(d, "config.yaml");

	/* 0600: peekl warns about secrets in a config others can read. */
	write_atomic(path, yaml, 0600);
	return path;
}

char *
h_config_named(struct h_env *e, const char *name, char *yaml)
{
	char *path = h_path(e->d, name);

	write_atomic(path, yaml, 0600);
	free(yaml);
	return path;
}

char *
h_configf(const struct h_dir *d, const char *fmt, ...)
{
	va_list ap;
	char *yaml, *path;

	va_start(ap, fmt);
	yaml = vstrf(fmt, ap);
	va_end(ap);
	path = h_config(d, yaml);
	free(yaml);
	return path;
}

/* ---------------------------------------------------- child processes */

static void
track(pid_t pid, pid_t replace)
{
	for (int i = 0; i < MAX_CHILDREN; i++)
		if (live_pids[i] == replace) {
			live_pids[i] = pid;
			return;
		}
}

/* Returns a malloc'd envp: environ with extra ("K=V" sets, "K" unsets)
 * applied. The strings stay owned by environ and extra. */
static char **
env_build(const char *const extra[])
{
	size_t n = 0, m = 0, x = 0;
	char **envp;

	while (environ[n] != NULL)
		n++;
	while (extra != NULL && extra[x] != NULL)
		x++;
	envp = calloc(n + x + 1, sizeof(*envp));
	cr_assert_not_null(envp);
	for (size_t i = 0; i < n; i++) {
		size_t klen = strcspn(environ[i], "=");
		int overridden = 0;
		for (size_t j = 0; j < x && !overridden; j++)
			overridden = strncmp(extra[j], environ[i], klen) == 0 &&
			    (extra[j][klen] == '=' || extra[j][klen] == '\0');
		if (!overridden)
			envp[m++] = environ[i];
	}
	for (size_t j = 0; j < x; j++)
		if (strchr(extra[j], '=') != NULL)
			envp[m++] = (char *)(uintptr_t)extra[j];
	return envp;
}

/* Execs bin with argv in a child whose stdout/stderr go to out/err and
 * which dies with us. Returns its pid. */
static pid_t
spawn(const char *bin, const char *const args[], const char *const env[],
    int out, int err)
{
	size_t n = 0;
	const char **argv;
	char **envp = env_build(env);
	pid_t parent = getpid(), pid;

	while (args != NULL && args[n] != NULL)
		n++;
	argv = calloc(n + 2, sizeof(*argv));
	cr_assert_not_null(argv);
	argv[0] = bin;
	memcpy(argv + 1, args, n * sizeof(*argv));
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)	/* parent died before prctl */
			_exit(127);
		dup2(devnull, 0);
		dup2(out, 1);
		dup2(err, 2);
		closefrom(3);
		execvpe(bin, (char *const *)(uintptr_t)argv, envp);
		dprintf(2, "harness: exec %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	free(argv);
	free(envp);
	track(pid, 0);
	return pid;
}

/* Returns 1 and the status if pid has exited, 0 if it still runs. */
static int
reaped(pid_t pid, int *status)
{
	pid_t r;

	while ((r = waitpid(pid, status, WNOHANG)) < 0 && errno == EINTR)
		;
	if (r == pid)
		track(0, pid);
	return r == pid;
}

static int
exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

/* SIGTERM, a grace period, then SIGKILL. Returns -1 if the child was still
 * running, as it should be, or the exit code it had already died with. */
static int
stop_child(pid_t pid)
{
	double deadline = h_now_ms() + STOP_GRACE_MS;
	int status;

	if (pid <= 0)
		return -1;
	if (reaped(pid, &status))
		return exit_code(status);
	kill(pid, SIGTERM);
	while (!reaped(pid, &status)) {
		if (h_now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			track(0, pid);
			break;
		}
		sleep_ms(10);
	}
	return -1;
}

/* Starts a server with stdout and stderr appended to dir/name. */
static pid_t
spawn_logged(const char *bin, const char *const args[], const struct h_dir *d,
    const char *name)
{
	char *path = h_path(d, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	pid_t pid;

	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	pid = spawn(bin, args, NULL, fd, fd);
	close(fd);
	free(path);
	return pid;
}

/* ---------------------------------------------------------------- redis */

/* Returns a loopback port that was free a moment ago. Another process may
 * take it before redis binds; h_redis_start_opts retries then. */
static int
free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	cr_assert_geq(fd, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static redisContext *
redis_connect(int port, const char *password, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
	redisReply *r;

	if (c == NULL || c->err || password == NULL)
		return c;
	r = redisCommand(c, "AUTH %s", password);
	freeReplyObject(r);
	return c;
}

/* Returns 1 when the redis on rd->port answers and is our child (another
 * test's redis may hold the port we picked). */
static int
redis_ready(const struct h_redis *rd)
{
	redisContext *c = redis_connect(rd->port, rd->password, 200);
	redisReply *r = NULL;
	char want[64];
	int ok = 0;

	if (c == NULL || c->err)
		goto out;
	if ((r = redisCommand(c, "INFO server")) == NULL ||
	    r->type != REDIS_REPLY_STRING)
		goto out;
	snprintf(want, sizeof(want), "process_id:%d\r", (int)rd->pid);
	ok = strstr(r->str, want) != NULL;
out:
	freeReplyObject(r);
	redisFree(c);
	return ok;
}

/* Starts redis-server on a fresh port and waits for it. Returns 1, or 0
 * if it exited early because the port was taken. */
static int
redis_try(struct h_redis *rd, const char *const extra[], const char *module)
{
	const char *bin = getenv("PEEKL_REDIS_SERVER");
	const char *args[64];
	char port[16], *logp;
	double deadline = h_now_ms() + START_TIMEOUT_MS;
	size_t n = 0;
	int status;

	snprintf(port, sizeof(port), "%d", rd->port = free_port());
	const char *base[] = { "--port", port, "--bind", "127.0.0.1",
	    "--unixsocket", rd->sock, "--unixsocketperm", "700", "--save", "",
	    "--appendonly", "no", "--dir", h_dir_path(rd->dir),
	    "--daemonize", "no", "--logfile", "", NULL };
	for (size_t i = 0; base[i] != NULL; i++)
		args[n++] = base[i];
	if (module != NULL) {
		args[n++] = "--loadmodule";
		args[n++] = module;
	}
	for (size_t i = 0; extra != NULL && extra[i] != NULL && n < 62; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	rd->pid = spawn_logged(bin && *bin ? bin : "redis-server", args, rd->dir,
	    "redis.log");
	while (!redis_ready(rd)) {
		if (reaped(rd->pid, &status)) {
			logp = h_path(rd->dir, "redis.log");
			char *log = h_read_file(logp);
			int taken = log && strstr(log, "Address already in use");
			if (!taken)
				cr_assert_fail("redis-server exited (%d): %s",
				    exit_code(status), log ? log : "");
			free(log);
			free(logp);
			rd->pid = 0;
			return 0;
		}
		cr_assert_lt(h_now_ms(), deadline, "redis-server did not answer in 10 s");
		sleep_ms(20);
	}
	return 1;
}

static struct h_redis *
redis_start(const char *const extra[], const char *module)
{
	struct h_redis *rd = calloc(1, sizeof(*rd));

	cr_assert_not_null(rd);
	rd->dir = h_dir_new();
	rd->sock = h_path(rd->dir, "redis.sock");
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
		if (strcmp(extra[i], "--requirepass") == 0 && extra[i + 1] != NULL)
			rd->password = strdup(extra[i + 1]);
	for (int attempt = 0; !redis_try(rd, extra, module); attempt++)
		cr_assert_lt(attempt, 5, "no free port for redis-server");
	return rd;
}

struct h_redis *
h_redis_start(void)
{
	return redis_start(NULL, NULL);
}

struct h_redis *
h_redis_start_ts(void)
{
	const char *module = getenv("PEEKL_TEST_TS_MODULE");

	if (module == NULL || *module == '\0')
		return NULL;
	return redis_start(NULL, module);
}

struct h_redis *
h_redis_start_opts(const char *const extra_args[])
{
	return redis_start(extra_args, NULL);
}

int
h_redis_port(const struct h_redis *rd)
{
	return rd->port;
}

const char *
h_redis_socket(const struct h_redis *rd)
{
	return rd->sock;
}

redisContext *
h_redis_conn(const struct h_redis *rd)
{
	redisContext *c = redis_connect(rd->port, rd->password, 5000);

	cr_assert(c != NULL && !c->err, "connect to redis on %d: %s", rd->port,
	    c ? c->errstr : "out of memory");
	return c;
}

void
h_redis_stop(struct h_redis *rd)
{
	if (rd == NULL)
		return;
	stop_child(rd->pid);
	h_dir_free(rd->dir);
	free(rd->sock);
	free(rd->password);
	free(rd);
}

/* Returns the reply to fmt/ap sent on a fresh connection to rd. */
static redisReply *
redis_vcmd(const struct h_redis *rd, const char *fmt, va_list ap)
{
	redisContext *c = h_redis_conn(rd);
	redisReply *r = redisvCommand(c, fmt, ap);

	cr_assert_not_null(r, "redis %s: %s", fmt, c->errstr);
	redisFree(c);
	return r;
}

redisReply *
h_redis_cmd(const struct h_redis *rd, const char *fmt, ...)
{
	va_list ap;
	redisReply *r;

	va_start(ap, fmt);
	r = redis_vcmd(rd, fmt, ap);
	va_end(ap);
	return r;
}

long long
h_redis_int(const struct h_redis *rd, const char *fmt, ...)
{
	va_list ap;
	redisReply *r;
	long long n;

	va_start(ap, fmt);
	r = redis_vcmd(rd, fmt, ap);
	va_end(ap);
	cr_assert_eq(r->type, REDIS_REPLY_INTEGER, "redis %s: %s", fmt,
	    r->type == REDIS_REPLY_ERROR ? r->str : "not an integer reply");
	n = r->integer;
	freeReplyObject(r);
	return n;
}

char *
h_redis_str(const struct h_redis *rd, const char *fmt, ...)
{
	va_list ap;
	redisReply *r;
	char *s = NULL;

	va_start(ap, fmt);
	r = redis_vcmd(rd, fmt, ap);
	va_end(ap);
	cr_assert(r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
	    r->type == REDIS_REPLY_NIL, "redis %s: %s", fmt,
	    r->type == REDIS_REPLY_ERROR ? r->str : "not a string reply");
	if (r->type != REDIS_REPLY_NIL) {
		s = strdup(r->str);
		cr_assert_not_null(s, "out of memory");
	}
	freeReplyObject(r);
	return s;
}

/* -------------------------------------------------------------- testsrv */

static int
has_arg(const char *const args[], const char *name)
{
	for (size_t i = 0; args != NULL && args[i] != NULL; i++)
		if (strcmp(args[i], name) == 0)
			return 1;
	return 0;
}

/* Returns the port in the server's port file, 0 if not written yet. */
static int
read_port(const struct h_srv *s)
{
	char *path = h_path(s->dir, "port"), *text = h_read_file(path), *end;
	long port = 0;

	if (text != NULL && strchr(text, '\n') != NULL) {
		port = strtol(text, &end, 10);
		if (*end != '\n' || port <= 0 || port > 65535)
			port = 0;
	}
	free(text);
	free(path);
	return (int)port;
}

struct h_srv *
h_srv_start(const char *const args[])
{
	static const char *const files[][2] = {
		{ "--port-file", "port" }, { "--dir", "." }, { "--log", "log" },
		{ "--headers-log", "headers.log" }, { "--control", "control" },
	};
	const char *bin = getenv("PEEKL_TESTSRV");
	struct h_srv *s = calloc(1, sizeof(*s));
	const char *argv[96];
	char *paths[5] = { 0 };
	double deadline = h_now_ms() + START_TIMEOUT_MS;
	size_t n = 0;
	int status;

	cr_assert(bin != NULL && *bin != '\0', "PEEKL_TESTSRV is not set");
	cr_assert_not_null(s);
	s->dir = h_dir_new();
	s->tls = has_arg(args, "--tls");
	for (size_t i = 0; args != NULL && args[i] != NULL && n < 80; i++)
		argv[n++] = args[i];
	for (size_t i = 0; i < 5; i++) {
		if (has_arg(args, files[i][0]))
			continue;
		paths[i] = h_path(s->dir, files[i][1]);
		argv[n++] = files[i][0];
		argv[n++] = paths[i];
	}
	argv[n] = NULL;
	s->pid = spawn_logged(bin, argv, s->dir, "testsrv.err");
	for (size_t i = 0; i < 5; i++)
		free(paths[i]);
	while ((s->port = read_port(s)) == 0) {
		if (reaped(s->pid, &status)) {
			char *p = h_path(s->dir, "testsrv.err"), *log = h_read_file(p);
			cr_assert_fail("testsrv exited (%d): %s", exit_code(status),
			    log ? log : "");
		}
		cr_assert_lt(h_now_ms(), deadline, "testsrv wrote no port in 10 s");
		sleep_ms(10);
	}
	return s;
}

int
h_srv_port(const struct h_srv *s)
{
	return s->port;
}

const char *
h_srv_dir(const struct h_srv *s)
{
	return h_dir_path(s->dir);
}

char *
h_srv_file(const struct h_srv *s, const char *name)
{
	return h_path(s->dir, name);
}

char *
h_srv_url(const struct h_srv *s, const char *path)
{
	if (*path == '/')
		path++;
	/* https uses "localhost", the name the default certificate is for. */
	return h_strf("%s://%s:%d/%s", s->tls ? "https" : "http",
	    s->tls ? "localhost" : "127.0.0.1", s->port, path);
}

void
h_srv_stop(struct h_srv *s)
{
	char *path, *err;
	int died;

	if (s == NULL)
		return;
	died = stop_child(s->pid);
	path = h_path(s->dir, "testsrv.err");
	err = h_read_file(path);
	/* testsrv is silent unless something is wrong (or a sanitizer spoke):
	 * show it before its dir goes, and never let a crash pass unnoticed. */
	if (err != NULL && *err != '\0')
		fprintf(stderr, "testsrv on port %d said:\n%s", s->port, err);
	free(err);
	free(path);
	h_dir_free(s->dir);
	free(s);
	cr_assert_eq(died, -1, "testsrv died on its own with status %d", died);
}

/* Reads the server's file name and returns its complete lines (a line still
 * being written has no newline yet) as a malloc'd array of pointers into
 * *text; *n gets the count. Both are freed by the caller. */
static char **
read_lines(const struct h_srv *s, const char *name, char **text, int *n)
{
	char *path = h_path(s->dir, name), *p, *nl;
	char **lines = NULL;
	int cap = 0;

	*n = 0;
	*text = h_read_file(path);
	free(path);
	for (p = *text; p != NULL && (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			lines = realloc(lines, (size_t)cap * sizeof(*lines));
			cr_assert_not_null(lines);
		}
		*nl = '\0';
		lines[(*n)++] = p;
	}
	return lines;
}

int
h_srv_hits(const struct h_srv *s, const char *prefix)
{
	char *text, **lines;
	int n, hits = 0;

	lines = read_lines(s, "log", &text, &n);
	for (int i = 0; i < n; i++) {
		char *target = strchr(lines[i], '\t');
		if (target != NULL && (prefix == NULL ||
		    strncmp(target + 1, prefix, strlen(prefix)) == 0))
			hits++;
	}
	free(lines);
	free(text);
	return hits;
}

/* -------------------------------------------------------------- webhook */

struct h_srv *
h_webhook_start(void)
{
	return h_srv_start((const char *const[]){ "--mode", "webhook", NULL });
}

void
h_webhook_respond(struct h_srv *s, const char *control_line)
{
	char *path = h_path(s->dir, "control"), *text = h_strf("%s\n", control_line);

	write_atomic(path, text, 0644);
	free(text);
	free(path);
}

/* Returns the status field of a webhook log line. */
static int
line_status(const char *line)
{
	return (int)strtol(line, NULL, 10);
}

int
h_webhook_count(const struct h_srv *s, int status)
{
	char *text, **lines;
	int n, count = 0;

	lines = read_lines(s, "log", &text, &n);
	for (int i = 0; i < n; i++)
		if (status == -1 || line_status(lines[i]) == status)
			count++;
	free(lines);
	free(text);
	return count;
}

/* Undoes testsrv's body escaping (\\ \n \r \t) into a malloc'd string. */
static char *
unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	cr_assert_not_null(out);
	for (; *s != '\0'; s++) {
		if (*s != '\\' || s[1] == '\0') {
			*o++ = *s;
			continue;
		}
		s++;
		*o++ = *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s == 't' ? '\t' : *s;
	}
	*o = '\0';
	return out;
}

char *
h_webhook_body(const struct h_srv *s, int n)
{
	char *text, **lines, *body = NULL;
	int count, seen = 0;

	lines = read_lines(s, "log", &text, &count);
	for (int i = 0; i < count && body == NULL; i++) {
		const char *field = lines[i];
		if (line_status(field) / 100 != 2 || seen++ != n)
			continue;
		for (int f = 0; f < 4 && field != NULL; f++)
			if ((field = strchr(field, '\t')) != NULL)
				field++;
		cr_assert_not_null(field, "malformed webhook log line: %s", lines[i]);
		body = unescape(field);
	}
	free(lines);
	free(text);
	return body;
}

int
h_webhook_request(const struct h_srv *s, int n, struct h_request *req)
{
	char *text, **lines, *f[5];
	int count;

	memset(req, 0, sizeof(*req));
	lines = read_lines(s, "log", &text, &count);
	if (n < 0 || n >= count) {
		free(lines);
		free(text);
		return -1;
	}
	f[0] = lines[n];
	for (int k = 1; k < 5; k++) {
		f[k] = strchr(f[k - 1], '\t');
		cr_assert_not_null(f[k], "malformed webhook log line");
		*f[k]++ = '\0';
	}
	req->status = line_status(f[0]);
	req->target = strdup(f[2]);
	req->ctype = strdup(f[3]);
	req->body = unescape(f[4]);
	req->headers = h_webhook_headers(s, n);
	free(lines);
	free(text);
	return 0;
}

void
h_request_free(struct h_request *req)
{
	free(req->target);
	free(req->ctype);
	free(req->body);
	free(req->headers);
}

char *
h_webhook_headers(const struct h_srv *s, int n)
{
	char *text, **lines, *line = NULL;
	int count;

	lines = read_lines(s, "headers.log", &text, &count);
	if (n >= 0 && n < count)
		line = strdup(lines[n]);
	free(lines);
	free(text);
	return line;
}

int
h_webhook_wait(const struct h_srv *s, int n, int timeout_ms)
{
	double deadline = h_now_ms() + timeout_ms;
	int count;

	while ((count = h_webhook_count(s, -1)) < n && h_now_ms() < deadline)
		sleep_ms(10);
	return count;
}

/* ---------------------------------------------------------- running peekl */

static const char *
peekl_bin(void)
{
	const char *bin = getenv("PEEKL_BIN");

	cr_assert(bin != NULL && *bin != '\0', "PEEKL_BIN is not set");
	return bin;
}

struct h_proc *
h_spawn_bin(const char *bin, const char *const argv[], const char *const env[])
{
	struct h_proc *p = calloc(1, sizeof(*p));
	int out[2], err[2];

	cr_assert_not_null(p);
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(err, O_CLOEXEC), 0);
	p->start_ms = h_now_ms();
	p->pid = spawn(bin, argv, env, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	p->out = out[0];
	p->err = err[0];
	return p;
}

struct h_proc *
h_spawn(const char *const argv[], const char *const env[])
{
	return h_spawn_bin(peekl_bin(), argv, env);
}

pid_t
h_proc_pid(const struct h_proc *p)
{
	return p->pid;
}

/* Reads whatever is ready on the pipes into out/err; closes a pipe at EOF
 * (setting its fd to -1). Waits at most wait_ms. */
static void
drain(struct h_proc *p, struct buf *out, struct buf *err, int wait_ms)
{
	struct pollfd pfd[2] = { { p->out, POLLIN, 0 }, { p->err, POLLIN, 0 } };
	int *fds[2] = { &p->out, &p->err };
	struct buf *bufs[2] = { out, err };
	char tmp[65536];
	ssize_t n;

	if (poll(pfd, 2, wait_ms) <= 0)
		return;
	for (int i = 0; i < 2; i++) {
		if (pfd[i].fd < 0 || pfd[i].revents == 0)
			continue;
		if ((n = read(pfd[i].fd, tmp, sizeof(tmp))) > 0)
			buf_add(bufs[i], tmp, (size_t)n);
		else if (n == 0 || errno != EINTR) {
			close(pfd[i].fd);
			*fds[i] = -1;
		}
	}
}

int
h_wait(struct h_proc *p, struct h_run *r)
{
	struct buf out = { 0 }, err = { 0 };
	double deadline = p->start_ms + RUN_TIMEOUT_MS;
	int status = 0, killed = 0, done = 0;

	/* Drain both pipes while waiting so a chatty child never blocks. */
	while (!done || p->out >= 0 || p->err >= 0) {
		if (!done)
			done = reaped(p->pid, &status);
		if (!killed && h_now_ms() > deadline) {
			if (!done)	/* a reaped pid may already be reused */
				kill(p->pid, SIGKILL);
			killed = 1;
			deadline = h_now_ms() + 2000;	/* for a grandchild's pipes */
		} else if (killed && h_now_ms() > deadline)
			break;
		if (p->out >= 0 || p->err >= 0)
			drain(p, &out, &err, 50);
		else if (!done)
			sleep_ms(5);
	}
	if (!done) {
		waitpid(p->pid, &status, 0);
		track(0, p->pid);
	}
	r->elapsed_ms = h_now_ms() - p->start_ms;
	r->status = exit_code(status);
	r->out = buf_take(&out);
	r->err = buf_take(&err);
	if (p->out >= 0)
		close(p->out);
	if (p->err >= 0)
		close(p->err);
	free(p);
	return r->status;
}

int
h_run_bin(struct h_run *r, const char *bin, const char *const argv[],
    const char *const env[])
{
	return h_wait(h_spawn_bin(bin, argv, env), r);
}

int
h_run(struct h_run *r, const char *const argv[], const char *const env[])
{
	return h_run_bin(r, peekl_bin(), argv, env);
}

void
h_run_free(struct h_run *r)
{
	if (r == NULL)
		return;
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

int
h_wait_port(int port, double timeout_ms)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	struct timespec		ts = { 0, 20 * 1000000L };
	double			deadline = h_now_ms() + timeout_ms;
	int			fd, ok;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	while (h_now_ms() < deadline) {
		cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
		ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
		close(fd);
		if (ok)
			return 1;
		nanosleep(&ts, NULL);
	}
	return 0;
}

int
h_probe(struct check *checks, size_t n, int max,
    const volatile sig_atomic_t *stop)
{
	struct net	*net;
	struct cert_cas	*cas = cert_cas_new();
	int		 rc;

	cr_assert_eq(net_open(&net), 0);
	rc = probe_run(net, cas, checks, n, max, stop);
	net_close(net);
	cert_cas_free(cas);
	return rc;
}

void
h_env_start(struct h_env *e)
{
	e->rd = h_redis_start();
	e->web = h_srv_start((const char *[]){ NULL });
	e->hook = h_webhook_start();
	e->d = h_dir_new();
}

int
h_env_start_ts(struct h_env *e)
{
	memset(e, 0, sizeof(*e));
	if ((e->rd = h_redis_start_ts()) == NULL)
		return -1;
	e->web = h_srv_start((const char *[]){ NULL });
	e->hook = h_webhook_start();
	e->d = h_dir_new();
	return 0;
}

void
h_env_stop(struct h_env *e)
{
	h_dir_free(e->d);
	h_srv_stop(e->hook);
	h_srv_stop(e->web);
	h_redis_stop(e->rd);
}

int
h_config_load(const char *path, struct config **cfg, char **err)
{
	FILE	*tmp = tmpfile();
	long	 len;
	int	 saved, rc;

	cr_assert_not_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	rc = config_load(path, cfg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	len = ftell(tmp);
	cr_assert_not_null(*err = calloc(1, (size_t)len + 1));
	rewind(tmp);
	cr_assert_eq(fread(*err, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	/* Shown when a test fails, so the actual messages are at hand. */
	if (**err != '\0')
		cr_log_info("stderr of config_load:\n%s", *err);
	return rc;
}

/* ------------------------------------------- replication and Sentinel */

struct h_redis *
h_redis_start_replica(const struct h_redis *master)
{
	char port[16];
	struct h_redis *rd;
	double deadline;

	/* Redis waits 5 s for more replicas before a diskless sync; one
	 * replica is all a test starts at a time. */
	freeReplyObject(h_redis_cmd(master,
	    "CONFIG SET repl-diskless-sync-delay 0"));
	snprintf(port, sizeof(port), "%d", master->port);
	rd = redis_start((const char *const[]){ "--replicaof", "127.0.0.1",
	    port, NULL }, NULL);
	/* A replica answers before its first sync; wait for the link. */
	deadline = h_now_ms() + START_TIMEOUT_MS;
	for (;;) {
		redisReply *r = h_redis_cmd(rd, "ROLE");
		int up = r->type == REDIS_REPLY_ARRAY && r->elements >= 4 &&
		    r->element[3]->type == REDIS_REPLY_STRING &&
		    strcmp(r->element[3]->str, "connected") == 0;

		freeReplyObject(r);
		if (up)
			break;
		cr_assert_lt(h_now_ms(), deadline,
		    "replica of %d did not connect in 10 s", master->port);
		sleep_ms(20);
	}
	return rd;
}

/* Writes rd's sentinel config (monitoring master as name) and starts
 * redis-sentinel on a fresh port. Returns 1, or 0 if the port was taken. */
static int
sentinel_try(struct h_redis *rd, const struct h_redis *master,
    const char *name, int quorum, const char *const conf[])
{
	const char *bin = getenv("PEEKL_REDIS_SENTINEL");
	double deadline = h_now_ms() + START_TIMEOUT_MS;
	char *path = h_path(rd->dir, "sentinel.conf"), *text, *all = NULL;
	int status;

	rd->port = free_port();
	/* A forced failover (SENTINEL FAILOVER) finishes in seconds with a
	 * short failover-timeout; down-after stays long enough that a busy
	 * machine (make test runs in parallel) never starts one unasked. */
	text = h_strf("port %d\nbind 127.0.0.1\ndir %s\n"
	    "sentinel monitor %s 127.0.0.1 %d %d\n"
	    "sentinel down-after-milliseconds %s 5000\n"
	    "sentinel failover-timeout %s 3000\n",
	    rd->port, h_dir_path(rd->dir), name, master->port, quorum, name,
	    name);
	for (size_t i = 0; conf != NULL && conf[i] != NULL; i++) {
		all = h_strf("%s%s\n", text, conf[i]);
		free(text);
		text = all;
	}
	if (master->password != NULL) {
		all = h_strf("%ssentinel auth-pass %s %s\n", text, name,
		    master->password);
		free(text);
		text = all;
	}
	/* Sentinel rewrites its config file, so it must be writable. */
	write_atomic(path, text, 0600);
	free(text);
	rd->pid = spawn_logged(bin && *bin ? bin : "redis-sentinel",
	    (const char *const[]){ path, "--logfile", "", NULL }, rd->dir,
	    "sentinel.log");
	free(path);
	while (!redis_ready(rd)) {
		if (reaped(rd->pid, &status)) {
			char *logp = h_path(rd->dir, "sentinel.log");
			char *log = h_read_file(logp);
			int taken = log && strstr(log, "Address already in use");
			if (!taken)
				cr_assert_fail("redis-sentinel exited (%d): %s",
				    exit_code(status), log ? log : "");
			free(log);
			free(logp);
			rd->pid = 0;
			return 0;
		}
		cr_assert_lt(h_now_ms(), deadline,
		    "redis-sentinel did not answer in 10 s");
		sleep_ms(20);
	}
	return 1;
}

struct h_redis *
h_sentinel_start(const struct h_redis *master, const char *name, int quorum,
    const char *const conf[])
{
	struct h_redis *rd = calloc(1, sizeof(*rd));

	cr_assert_not_null(rd);
	rd->dir = h_dir_new();
	for (size_t i = 0; conf != NULL && conf[i] != NULL; i++)
		if (strncmp(conf[i], "requirepass ", 12) == 0)
			rd->password = strdup(conf[i] + 12);
	for (int attempt = 0; !sentinel_try(rd, master, name, quorum, conf);
	    attempt++)
		cr_assert_lt(attempt, 5, "no free port for redis-sentinel");
	return rd;
}

/* Returns the number of elements of the array reply to SENTINEL what name,
 * or -1 when it is not an array (the sentinel does not know name yet). */
static long
sentinel_count(const struct h_redis *s, const char *what, const char *name)
{
	redisReply *r = h_redis_cmd(s, "SENTINEL %s %s", what, name);
	long n = r->type == REDIS_REPLY_ARRAY ? (long)r->elements : -1;

	freeReplyObject(r);
	return n;
}

void
h_sentinel_wait(const struct h_redis *s, const char *name, int replicas,
    int sentinels)
{
	double deadline = h_now_ms() + 20000;

	/* Replicas come from the master's INFO, other sentinels from hello
	 * messages every 2 s. */
	while (sentinel_count(s, "replicas", name) < replicas ||
	    sentinel_count(s, "sentinels", name) < sentinels) {
		cr_assert_lt(h_now_ms(), deadline, "sentinel on %d did not see "
		    "%d replicas and %d other sentinels in 20 s", s->port,
		    replicas, sentinels);
		sleep_ms(50);
	}
}

int
h_sentinel_master_port(const struct h_redis *s, const char *name)
{
	redisReply *r = h_redis_cmd(s, "SENTINEL GET-MASTER-ADDR-BY-NAME %s",
	    name);
	int port = 0;

	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[1]->type == REDIS_REPLY_STRING)
		port = atoi(r->element[1]->str);
	freeReplyObject(r);
	return port;
}

int
h_redis_is_master(const struct h_redis *rd)
{
	redisReply *r = h_redis_cmd(rd, "ROLE");
	int master = r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    strcmp(r->element[0]->str, "master") == 0;

	freeReplyObject(r);
	return master;
}

char *
h_which(const char *name)
{
	const char	*path = getenv("PATH");
	char		*copy, *dir, *save = NULL, *found = NULL;

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	copy = strdup(path);
	cr_assert_not_null(copy);
	for (dir = strtok_r(copy, ":", &save); dir != NULL && found == NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		char *p = h_strf("%s/%s", *dir ? dir : ".", name);

		if (access(p, X_OK) == 0)
			found = p;
		else
			free(p);
	}
	free(copy);
	return found;
}

/* ------------------------------------------------------------ locations */

void
h_loc_answer(struct h_env *e, const char *loc, const char *status)
{
	char	*path = h_strf("%s/loc-%s", h_srv_dir(e->web), loc);
	char	*tmp = h_strf("%s.tmp", path);
	FILE	*f;

	if (status == NULL) {
		cr_assert(unlink(path) == 0 || errno == ENOENT);
	} else {
		cr_assert_not_null(f = fopen(tmp, "w"));
		fprintf(f, "%s\n", status);
		cr_assert_eq(fclose(f), 0);
		cr_assert_eq(rename(tmp, path), 0);
	}
	free(path);
	free(tmp);
}
