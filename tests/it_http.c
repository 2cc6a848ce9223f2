/*
 * Integration tests of the HTTP checker: probe_run against the
 * project's loopback test server, with real sockets, real TLS and real
 * libcurl. Every test starts its own servers (Criterion runs them in
 * parallel forks).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "config.h"
#include "harness.h"
#include "net.h"
#include "probe.h"
#include "util.h"

/* non_acceptable_status's default, as config.c fills it in. */
static struct status_range default_bad[] = { { 400, 410 } };

/* A site with every default of the config, as config_load would build it. */
static void
site_init(struct site *s, char *url)
{
	memset(s, 0, sizeof(*s));
	s->name = strdup("test");
	s->url = url;		/* the site takes ownership */
	s->host = strdup("127.0.0.1");
	s->interval_ms = 30000;
	s->retry = 1;
	s->retry_interval_ms = 30000;
	s->timeout_ms = 10000;
	s->cert_interval_ms = 30000;
	s->cert_warning = 30;
	s->cert_critical = 5;
	s->bad_status = default_bad;
	s->nbad_status = ARRAY_LEN(default_bad);
	s->method = strdup("GET");
	s->follow_redirects = 1;
}

static void
site_clear(struct site *s)
{
	size_t	i;

	free(s->name);
	free(s->url);
	free(s->host);
	free(s->method);
	free(s->keyword);
	free(s->ca_file);
	for (i = 0; i < s->nheaders; i++) {
		free(s->headers[i].name);
		free(s->headers[i].value);
	}
	free(s->headers);
}

/* Replaces the malloc'd string *field of a site with a copy of value. */
static void
set_str(char **field, const char *value)
{
	free(*field);
	*field = strdup(value);
}

/* Replaces *field with owned, a malloc'd string the site takes over. */
static void
set_own(char **field, char *owned)
{
	free(*field);
	*field = owned;
}

/* Adds the header name: value to s. */
static void
site_add_header(struct site *s, const char *name, const char *value)
{
	s->headers = realloc(s->headers,
	    (s->nheaders + 1) * sizeof(*s->headers));
	cr_assert_not_null(s->headers);
	s->headers[s->nheaders].name = strdup(name);
	s->headers[s->nheaders].value = strdup(value);
	s->nheaders++;
}

/* Runs one check of site; returns its result (the probe must succeed). */
static struct http_result
check_one(const struct site *s)
{
	struct check	c = { .site = s, .kind = KIND_HTTP, .due = 1 };

	cr_assert_eq(h_probe(&c, 1, 100, NULL), 0);
	cr_assert_eq(c.http.done, 1);
	return c.http;
}

/* check_one of a site that must pass; returns its result. */
static struct http_result
expect_ok(const struct site *s)
{
	struct http_result	r = check_one(s);

	cr_assert(r.ok, "error: %s", r.error);
	return r;
}

/* check_one of a site that must fail with error; returns its result. */
static struct http_result
expect_error(const struct site *s, const char *error)
{
	struct http_result	r = check_one(s);

	cr_assert_not(r.ok);
	cr_assert_str_eq(r.error, error);
	return r;
}

/* Runs a check of url (taken over) with the default site and keyword (NULL
 * for none); returns its result. */
static struct http_result
check_url(char *url, const char *keyword)
{
	struct site		s;
	struct http_result	res;

	site_init(&s, url);
	if (keyword != NULL)
		s.keyword = strdup(keyword);
	res = check_one(&s);
	site_clear(&s);
	return res;
}

/* Runs a check of path on srv with the default site; returns its result. */
static struct http_result
check_path(const struct h_srv *srv, const char *path, const char *keyword)
{
	return check_url(h_srv_url(srv, path), keyword);
}

static struct h_srv *
start_http(void)
{
	return h_srv_start((const char *[]){ NULL });
}

/* Checks path (with keyword, NULL for none) on a fresh plain testsrv and
 * asserts the outcome: its HTTP code, and error ("" for a pass). Returns
 * the result. */
static struct http_result
expect_path(const char *path, const char *keyword, int code,
    const char *error)
{
	struct h_srv		*srv = start_http();
	struct http_result	 r = check_path(srv, path, keyword);

	if (*error == '\0') {
		cr_assert(r.ok, "error: %s", r.error);
	} else {
		cr_assert_not(r.ok);
		cr_assert_str_eq(r.error, error);
	}
	cr_assert_eq(r.http_code, code);
	h_srv_stop(srv);
	return r;
}

/* Most tests: one testsrv and one site with the config's defaults on it. */
struct env {
	struct h_srv	*srv;
	struct site	 s;
};

/* Starts testsrv with args (NULL for plain HTTP) and points e->s at path
 * on it. */
static void
env_start(struct env *e, const char *const args[], const char *path)
{
	e->srv = args != NULL ? h_srv_start(args) : start_http();
	site_init(&e->s, h_srv_url(e->srv, path));
}

/* env_start of a --tls server with args, its CA trusted through ca_file. */
static void
env_tls(struct env *e, const char *const args[], const char *path)
{
	env_start(e, args, path);
	e->s.ca_file = h_srv_file(e->srv, "ca.pem");
}

static void
env_stop(struct env *e)
{
	site_clear(&e->s);
	h_srv_stop(e->srv);
}

static const char *const tls_args[] = { "--tls", NULL };

/* Returns a loopback port nobody listens on. */
static int
free_port(void)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		len = sizeof(sin);
	int			fd, port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

Test(http, ok_200)
{
	struct http_result	r = expect_path("ok", NULL, 200, "");

	cr_assert_str_empty(r.error);
	cr_assert(r.response_ms > 0 && r.response_ms < 2000, "%f", r.response_ms);
	cr_assert(r.started_ms > 1600000000000LL);
}

Test(http, status_503_fails)
{
	struct http_result	r = expect_path("status/503", NULL, 503,
				    "HTTP 503");

	cr_assert(r.response_ms > 0);
}

Test(http, any_5xx_fails_even_unlisted)
{
	struct env	e;

	env_start(&e, NULL, "status/599");
	e.s.nbad_status = 0;
	expect_error(&e.s, "HTTP 599");
	env_stop(&e);
}

Test(http, listed_404_fails)
{
	expect_path("status/404", NULL, 404, "HTTP 404");
}

Test(http, unlisted_418_is_ok)
{
	expect_path("status/418", NULL, 418, "");
}

Test(http, connection_refused)
{
	struct http_result	r;

	r = check_url(h_strf("http://127.0.0.1:%d/", free_port()), NULL);
	cr_assert_not(r.ok);
	cr_assert_eq(r.http_code, 0);
	cr_assert_str_eq(r.error, "connection refused");
	cr_assert(r.response_ms < 2000, "%f", r.response_ms);
}

Test(http, error_never_shows_userinfo)
{
	struct http_result	r;

	r = check_url(h_strf("http://alice:s3cret@127.0.0.1:%d/", free_port()),
	    NULL);
	cr_assert_not(r.ok);
	cr_assert_null(strstr(r.error, "s3cret"), "%s", r.error);
	cr_assert_null(strstr(r.error, "alice"), "%s", r.error);
}

Test(http, hang_times_out)
{
	struct env		e;
	struct http_result	r;
	double			t0 = h_now_ms();

	env_start(&e, NULL, "hang");
	e.s.timeout_ms = 1000;
	r = expect_error(&e.s, "timeout");
	cr_assert_eq(r.http_code, 0);
	cr_assert(r.response_ms >= 900 && r.response_ms <= 3000, "%f",
	    r.response_ms);
	cr_assert(h_now_ms() - t0 < 3000);
	env_stop(&e);
}

/* Returns the peak resident set of this process in KiB. */
static long
max_rss_kb(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

Test(http, endless_body_is_ok_and_quick)
{
	struct h_srv		*srv = start_http();
	long			 rss0 = max_rss_kb();
	double			 t0 = h_now_ms();
	struct http_result	 r = check_path(srv, "endless", NULL);

	cr_assert(r.ok, "error: %s", r.error);
	cr_assert_eq(r.http_code, 200);
	cr_assert(h_now_ms() - t0 < 3000);
	cr_assert(max_rss_kb() - rss0 < 32 * 1024, "grew %ld KiB",
	    max_rss_kb() - rss0);
	h_srv_stop(srv);
}

Test(http, endless_body_keyword_stops_at_1mib)
{
	struct h_srv		*srv = start_http();
	double			 t0 = h_now_ms();
	struct http_result	 r = check_path(srv, "endless", "NEEDLE");

	cr_assert_not(r.ok);
	cr_assert_eq(r.http_code, 200);
	cr_assert_str_eq(r.error, "keyword not found");
	cr_assert(h_now_ms() - t0 < 3000);
	h_srv_stop(srv);
}

Test(http, keyword_beyond_1mib_not_found)
{
	expect_path("big/5000000?tail=NEEDLE", "NEEDLE", 200,
	    "keyword not found");
}

Test(http, keyword_within_1mib_found)
{
	struct h_srv		*srv = start_http();
	struct http_result	 r;
	char			 path[64];
	int			 size;

	/* Sizes around the 16 KiB reads, so the keyword lands across a
	 * chunk boundary at one offset or another, up to the last byte of
	 * the first MiB. */
	for (size = 16380; size <= 16392; size++) {
		snprintf(path, sizeof(path), "big/%d?tail=NEEDLE", size);
		r = check_path(srv, path, "NEEDLE");
		cr_assert(r.ok, "size %d: %s", size, r.error);
	}
	r = check_path(srv, "big/1048576?tail=NEEDLE", "NEEDLE");
	cr_assert(r.ok, "error: %s", r.error);
	r = check_path(srv, "big/1048577?tail=NEEDLE", "NEEDLE");
	cr_assert_str_eq(r.error, "keyword not found");
	h_srv_stop(srv);
}

Test(http, keyword_present_and_absent)
{
	struct h_srv		*srv = start_http();
	struct http_result	 r;

	r = check_path(srv, "keyword/hello", "hello");
	cr_assert(r.ok, "error: %s", r.error);
	r = check_path(srv, "keyword/hello", "goodbye");
	cr_assert_not(r.ok);
	cr_assert_eq(r.http_code, 200);
	cr_assert_str_eq(r.error, "keyword not found");
	h_srv_stop(srv);
}

Test(http, head_with_keyword_not_found)
{
	struct env		e;
	struct http_result	r;

	env_start(&e, NULL, "keyword/hello");
	set_str(&e.s.method, "HEAD");
	r = expect_ok(&e.s);
	cr_assert_eq(r.http_code, 200);
	e.s.keyword = strdup("hello");
	r = check_one(&e.s);
	cr_assert_str_eq(r.error, "keyword not found");
	cr_assert_eq(h_srv_hits(e.srv, "/keyword/"), 2);
	env_stop(&e);
}

Test(http, redirects_followed)
{
	struct h_srv		*srv = start_http();
	struct http_result	 r = check_path(srv, "redirect/3", "redirected ok");

	cr_assert(r.ok, "error: %s", r.error);
	cr_assert_eq(r.http_code, 200);
	cr_assert_eq(h_srv_hits(srv, "/redirect/"), 4);
	h_srv_stop(srv);
}

Test(http, redirect_loop_fails)
{
	expect_path("redirect-loop", NULL, 302, "too many redirects");
}

Test(http, redirect_not_followed_judged_by_code)
{
	struct env		e;
	struct http_result	r;

	env_start(&e, NULL, "redirect/1");
	e.s.follow_redirects = 0;
	r = expect_ok(&e.s);
	cr_assert_eq(r.http_code, 302);
	cr_assert_eq(h_srv_hits(e.srv, "/redirect/"), 1);
	env_stop(&e);
}

Test(http, reset_fails)
{
	struct h_srv		*srv = start_http();
	struct http_result	 r = check_path(srv, "reset", NULL);

	cr_assert_not(r.ok);
	cr_assert_eq(r.http_code, 0);
	cr_assert(strcmp(r.error, "connection reset") == 0 ||
	    strcmp(r.error, "empty reply") == 0, "error: %s", r.error);
	h_srv_stop(srv);
}

Test(http, method_headers_and_user_agent_reach_server)
{
	/* What /echo must report back, one check each. */
	static const char *const	 keywords[] = { "\"method\":\"POST\"",
					    "\"X-Peekl-Test\":\"abc123\"",
					    "\"User-Agent\":\"peekl/" };
	struct env			 e;
	char				*logpath, *log;
	size_t				 i;

	env_start(&e, NULL, "echo");
	set_str(&e.s.method, "POST");
	site_add_header(&e.s, "X-Peekl-Test", "abc123");
	site_add_header(&e.s, "X-Empty", "");
	for (i = 0; i < ARRAY_LEN(keywords); i++) {
		set_str(&e.s.keyword, keywords[i]);
		expect_ok(&e.s);
	}
	/* The server's own log agrees, and we never ask for compression. */
	logpath = h_srv_file(e.srv, "log");
	log = h_read_file(logpath);
	cr_assert_not_null(log);
	cr_assert_not_null(strstr(log, "POST\t/echo"), "%s", log);
	cr_assert_not_null(strstr(log, "X-Peekl-Test: abc123"), "%s", log);
	cr_assert_not_null(strstr(log, "X-Empty:"), "%s", log);
	cr_assert_not_null(strstr(log, "User-Agent: peekl/"), "%s", log);
	cr_assert_null(strstr(log, "Accept-Encoding"), "%s", log);
	free(log);
	free(logpath);
	env_stop(&e);
}

Test(http, custom_method)
{
	struct env	e;

	env_start(&e, NULL, "echo");
	set_str(&e.s.method, "OPTIONS");
	e.s.keyword = strdup("\"method\":\"OPTIONS\"");
	expect_ok(&e.s);
	env_stop(&e);
}

Test(http, https_with_ca_file)
{
	struct env		e;
	struct http_result	r;

	env_tls(&e, tls_args, "ok");
	r = expect_ok(&e.s);
	cr_assert_eq(r.http_code, 200);
	env_stop(&e);
}

Test(http, https_untrusted_without_ca_file)
{
	struct h_srv		*srv = h_srv_start(tls_args);
	struct http_result	 r;

	unsetenv("SSL_CERT_FILE");
	r = check_path(srv, "ok", NULL);
	cr_assert_not(r.ok);
	cr_assert_eq(r.http_code, 0);
	cr_assert_str_eq(r.error, "tls error: certificate not trusted");
	h_srv_stop(srv);
}

Test(http, https_ssl_cert_file_env_is_honoured)
{
	struct h_srv		*srv = h_srv_start(tls_args);
	char			*ca = h_srv_file(srv, "ca.pem");
	struct http_result	 r;

	setenv("SSL_CERT_FILE", ca, 1);
	r = check_path(srv, "ok", NULL);
	cr_assert(r.ok, "error: %s", r.error);
	unsetenv("SSL_CERT_FILE");
	free(ca);
	h_srv_stop(srv);
}

Test(http, https_expired_certificate)
{
	struct env	e;

	env_tls(&e, (const char *[]){ "--tls", "--days-left", "-3", NULL },
	    "ok");
	expect_error(&e.s, "tls error: certificate expired");
	env_stop(&e);
}

Test(http, https_wrong_host)
{
	struct env	e;

	env_tls(&e, (const char *[]){ "--tls", "--cn", "other.example",
	    "--san", "other.example", NULL }, "ok");
	expect_error(&e.s, "tls error: hostname mismatch");
	env_stop(&e);
}

/* Fills jobs[0..n) with checks of path on srv; the sites go in sites. */
static void
jobs_init(struct check *jobs, struct site *sites, size_t n,
    const struct h_srv *srv, const char *path)
{
	size_t	i;

	memset(jobs, 0, n * sizeof(*jobs));
	for (i = 0; i < n; i++) {
		site_init(&sites[i], h_srv_url(srv, path));
		jobs[i].site = &sites[i];
		jobs[i].kind = KIND_HTTP;
		jobs[i].due = 1;
	}
}

/* Runs the n jobs, at most max at once; all must pass, and the batch must
 * take 2 to 3.5 s. Clears the sites. */
static void
run_all_ok(struct check *jobs, struct site *sites, size_t n, int max)
{
	double	t0 = h_now_ms(), elapsed;
	size_t	i;

	cr_assert_eq(h_probe(jobs, n, max, NULL), 0);
	elapsed = h_now_ms() - t0;
	cr_assert(elapsed >= 2000 && elapsed < 3500, "%f ms", elapsed);
	for (i = 0; i < n; i++) {
		cr_assert(jobs[i].http.done && jobs[i].http.ok, "job %zu: %s", i,
		    jobs[i].http.error);
		site_clear(&sites[i]);
	}
}

Test(http, slow_check_does_not_delay_the_others)
{
	struct h_srv		*srv = start_http();
	struct check		 jobs[11];
	struct site		 sites[11];

	jobs_init(jobs, sites, 1, srv, "slow/2000");
	jobs_init(jobs + 1, sites + 1, 10, srv, "ok");
	run_all_ok(jobs, sites, 11, 100);
	/* The fast ones finished long before the slow one. */
	cr_assert(jobs[0].http.response_ms >= 1900, "%f", jobs[0].http.response_ms);
	cr_assert(jobs[5].http.response_ms < 1000, "%f", jobs[5].http.response_ms);
	h_srv_stop(srv);
}

Test(http, concurrency_is_bounded)
{
	struct h_srv		*srv = start_http();
	struct check		 jobs[4];
	struct site		 sites[4];

	jobs_init(jobs, sites, 4, srv, "slow/1000");
	run_all_ok(jobs, sites, 4, 2);
	/* The second pair started when the first pair finished. */
	cr_assert(jobs[3].http.started_ms - jobs[0].http.started_ms >= 900);
	h_srv_stop(srv);
}

static volatile sig_atomic_t	stop_flag;

static void *
raise_stop(void *arg)
{
	struct timespec	ts = { 0, 300 * 1000 * 1000 };

	(void)arg;
	nanosleep(&ts, NULL);
	stop_flag = 1;
	return NULL;
}

Test(http, stop_flag_abandons_in_flight_checks)
{
	struct h_srv		*srv = start_http();
	struct check		 jobs[2];
	struct site		 sites[2];
	pthread_t		 th;
	double			 t0, elapsed;

	jobs_init(jobs, sites, 1, srv, "hang");
	jobs_init(jobs + 1, sites + 1, 1, srv, "ok");
	sites[0].timeout_ms = 30000;
	stop_flag = 0;
	cr_assert_eq(pthread_create(&th, NULL, raise_stop, NULL), 0);
	t0 = h_now_ms();
	cr_assert_eq(h_probe(jobs, 2, 100, &stop_flag), -1);
	elapsed = h_now_ms() - t0;
	pthread_join(th, NULL);
	cr_assert(elapsed >= 250 && elapsed < 2000, "%f ms", elapsed);
	cr_assert_eq(jobs[0].http.done, 0);
	/* The quick check finished before the stop and keeps its result. */
	cr_assert_eq(jobs[1].http.done, 1);
	cr_assert(jobs[1].http.ok, "%s", jobs[1].http.error);
	site_clear(&sites[0]);
	site_clear(&sites[1]);
	h_srv_stop(srv);
}

Test(http, empty_batch)
{
	cr_assert_eq(h_probe(NULL, 0, 100, NULL), 0);
}

/*
 * In-test servers for what testsrv cannot do: redirect to another port,
 * trickle the body of a failing answer, or act as an HTTPS proxy. Each is
 * one thread serving connections one after another on 127.0.0.1 until
 * tsrv_stop; what the clients sent is kept in seen, to read after the stop.
 */
enum tsrv_mode {
	TSRV_REDIRECT,	/* arg: Location; answers 302 after delay_ms */
	TSRV_TRICKLE,	/* arg: "503 Service Unavailable"; then a body that
			 * never ends, a byte every 50 ms */
	TSRV_PROXY	/* CONNECT to 127.0.0.1:port, then splices */
};

struct tsrv {
	enum tsrv_mode	 mode;
	char		 arg[256];
	int		 delay_ms;
	int		 fd;		/* listening socket */
	int		 port;
	pthread_t	 th;
	char		 seen[16384];	/* request heads, one after another */
	size_t		 seen_len;
};

static void
sleep_ms(int ms)
{
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Sends all of s; returns 0, or -1 once the peer is gone. */
static int
send_all(int fd, const char *s, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = send(fd, s, len, MSG_NOSIGNAL)) <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads a request head (up to the blank line) into ts->seen; returns a
 * pointer to it, NUL-terminated, or NULL if the client sent none. */
static const char *
read_head(struct tsrv *ts, int fd)
{
	char	*head = ts->seen + ts->seen_len;
	size_t	 room = sizeof(ts->seen) - ts->seen_len - 1, len = 0;
	ssize_t	 n;

	/* One byte at a time, so nothing after the head is swallowed. */
	while (len < room && (n = recv(fd, head + len, 1, 0)) == 1) {
		len++;
		if (len >= 4 && memcmp(head + len - 4, "\r\n\r\n", 4) == 0)
			break;
	}
	head[len] = '\0';
	ts->seen_len += len;
	return len > 0 ? head : NULL;
}

/* Copies bytes both ways between a and b until either side closes. */
static void
splice_fds(int a, int b)
{
	struct pollfd	pfd[2] = { { .fd = a, .events = POLLIN },
				   { .fd = b, .events = POLLIN } };
	char		buf[16384];
	ssize_t		n;
	int		i;

	while (poll(pfd, 2, 10000) > 0) {
		for (i = 0; i < 2; i++) {
			if (pfd[i].revents == 0)
				continue;
			n = recv(pfd[i].fd, buf, sizeof(buf), 0);
			if (n <= 0 || send_all(pfd[1 - i].fd, buf, (size_t)n))
				return;
		}
	}
}

/* Connects to 127.0.0.1:port; returns the socket or -1. */
static int
connect_local(int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	int			fd;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The proxy's side of one connection: "CONNECT host:port HTTP/1.1". */
static void
serve_proxy(struct tsrv *ts, int fd)
{
	const char	*head = read_head(ts, fd), *colon, *sp;
	const char	*bad = "HTTP/1.1 502 Bad Gateway\r\n\r\n";
	const char	*ok = "HTTP/1.1 200 Connection established\r\n\r\n";
	int		 up;

	if (head == NULL || strncmp(head, "CONNECT ", 8) != 0 ||
	    (sp = strchr(head + 8, ' ')) == NULL)
		return;
	colon = memrchr(head + 8, ':', (size_t)(sp - head - 8));
	if (colon == NULL || (up = connect_local((int)strtol(colon + 1, NULL, 10))) < 0) {
		send_all(fd, bad, strlen(bad));
		return;
	}
	if (send_all(fd, ok, strlen(ok)) == 0)
		splice_fds(fd, up);
	close(up);
}

static void
serve_one(struct tsrv *ts, int fd)
{
	char	buf[512];
	int	i;

	switch (ts->mode) {
	case TSRV_PROXY:
		serve_proxy(ts, fd);
		return;
	case TSRV_REDIRECT:
		read_head(ts, fd);
		sleep_ms(ts->delay_ms);
		snprintf(buf, sizeof(buf), "HTTP/1.1 302 Found\r\nLocation: "
		    "%s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		    ts->arg);
		send_all(fd, buf, strlen(buf));
		return;
	case TSRV_TRICKLE:
		read_head(ts, fd);
		snprintf(buf, sizeof(buf), "HTTP/1.1 %s\r\nContent-Type: "
		    "text/plain\r\nConnection: close\r\n\r\n", ts->arg);
		if (send_all(fd, buf, strlen(buf)) != 0)
			return;
		/* At most 10 s, and only until the client hangs up. */
		for (i = 0; i < 200; i++) {
			if (send_all(fd, "x", 1) != 0)
				return;
			sleep_ms(50);
		}
		return;
	}
}

static void *
tsrv_main(void *arg)
{
	struct tsrv	*ts = arg;
	struct timeval	 tv = { 10, 0 };
	int		 fd;

	/* accept fails once tsrv_stop shuts the socket down. */
	while ((fd = accept(ts->fd, NULL, NULL)) >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		serve_one(ts, fd);
		close(fd);
	}
	return NULL;
}

static struct tsrv *
tsrv_start(enum tsrv_mode mode, const char *arg, int delay_ms)
{
	struct tsrv		*ts = calloc(1, sizeof(*ts));
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	socklen_t		 len = sizeof(sin);

	cr_assert_not_null(ts);
	ts->mode = mode;
	snprintf(ts->arg, sizeof(ts->arg), "%s", arg != NULL ? arg : "");
	ts->delay_ms = delay_ms;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert((ts->fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	cr_assert_eq(bind(ts->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(ts->fd, 16), 0);
	cr_assert_eq(getsockname(ts->fd, (struct sockaddr *)&sin, &len), 0);
	ts->port = ntohs(sin.sin_port);
	cr_assert_eq(pthread_create(&ts->th, NULL, tsrv_main, ts), 0);
	return ts;
}

/* Stops the server; ts->seen stays readable until the caller frees ts. */
static void
tsrv_stop(struct tsrv *ts)
{
	shutdown(ts->fd, SHUT_RDWR);
	pthread_join(ts->th, NULL);
	close(ts->fd);
}

/* Returns the malloc'd line of srv's request log for "METHOD\tTARGET\t". */
static char *
srv_log_line(const struct h_srv *srv, const char *method, const char *target)
{
	char	*path = h_srv_file(srv, "log"), *log = h_read_file(path);
	char	*key = h_strf("%s\t%s\t", method, target), *p, *line = NULL;

	cr_assert_not_null(log, "no request log");
	for (p = log; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, strlen(key)) == 0) {
			line = strndup(p, strcspn(p, "\n"));
			break;
		}
	}
	free(key);
	free(log);
	free(path);
	return line;
}

/* Sends https traffic through the proxy on port, as a user's environment
 * would, with nothing exempt from it. */
static void
use_https_proxy(int port)
{
	char	url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	setenv("https_proxy", url, 1);
	setenv("HTTPS_PROXY", url, 1);
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
}

Test(http, https_proxy_connect_reply_is_not_the_answer)
{
	struct env		 e;
	struct tsrv		*px = tsrv_start(TSRV_PROXY, NULL, 0);
	struct http_result	 r;
	char			*want;

	use_https_proxy(px->port);
	env_tls(&e, tls_args, "status/503");
	site_add_header(&e.s, "X-Api-Key", "k3y");
	r = expect_error(&e.s, "HTTP 503");
	cr_assert_eq(r.http_code, 503);
	set_own(&e.s.url, h_srv_url(e.srv, "ok"));
	r = expect_ok(&e.s);
	cr_assert_eq(r.http_code, 200);
	/* The proxy accepts the tunnel but nobody listens behind it. */
	set_str(&e.s.url, "https://localhost:1/");
	r = check_one(&e.s);
	cr_assert_not(r.ok);
	cr_assert_eq(r.http_code, 0);
	cr_assert_str_neq(r.error, "");
	tsrv_stop(px);
	/* The checks went through the proxy, and the site's headers did not
	 * go to the proxy. */
	want = h_strf("CONNECT localhost:%d ", h_srv_port(e.srv));
	cr_assert_not_null(strstr(px->seen, want), "%s", px->seen);
	cr_assert_null(strstr(px->seen, "k3y"), "%s", px->seen);
	free(want);
	free(px);
	env_stop(&e);
}

Test(http, https_proxy_refusing_the_tunnel_fails)
{
	struct tsrv		*px = tsrv_start(TSRV_PROXY, NULL, 0);
	struct http_result	 r;

	use_https_proxy(px->port);
	r = check_url(h_strf("https://localhost:%d/", free_port()), NULL);
	cr_assert_not(r.ok);
	cr_assert_eq(r.http_code, 0);
	cr_assert_str_eq(r.error, "proxy error: HTTP 502");
	tsrv_stop(px);
	free(px);
}

Test(http, custom_headers_not_sent_to_another_origin)
{
	struct env		 e;
	struct tsrv		*rd;
	struct http_result	 r;
	char			*line;

	env_start(&e, NULL, "echo");
	rd = tsrv_start(TSRV_REDIRECT, e.s.url, 0);
	/* Same host, another port: another origin. */
	set_own(&e.s.url, h_strf("http://127.0.0.1:%d/start", rd->port));
	site_add_header(&e.s, "X-Api-Key", "k3y");
	r = expect_ok(&e.s);
	cr_assert_eq(r.http_code, 200);
	cr_assert_eq(h_srv_hits(e.srv, "/echo"), 1);
	line = srv_log_line(e.srv, "GET", "/echo");
	cr_assert_not_null(line);
	cr_assert_null(strstr(line, "X-Api-Key"), "%s", line);
	cr_assert_not_null(strstr(line, "User-Agent: peekl/"), "%s", line);
	tsrv_stop(rd);
	cr_assert_not_null(strstr(rd->seen, "X-Api-Key: k3y"), "%s", rd->seen);
	free(line);
	free(rd);
	env_stop(&e);
}

Test(http, custom_headers_kept_on_same_origin_redirect)
{
	struct env		e;
	struct http_result	r;
	char			*line;

	env_start(&e, NULL, "redirect/1");
	site_add_header(&e.s, "X-Api-Key", "k3y");
	r = expect_ok(&e.s);
	cr_assert_eq(r.http_code, 200);
	line = srv_log_line(e.srv, "GET", "/redirect/0");
	cr_assert_not_null(line);
	cr_assert_not_null(strstr(line, "X-Api-Key: k3y"), "%s", line);
	free(line);
	env_stop(&e);
}

Test(http, redirects_at_most_ten)
{
	struct h_srv		*srv = start_http();
	struct http_result	 r;

	r = check_path(srv, "redirect/10", "redirected ok");
	cr_assert(r.ok, "error: %s", r.error);
	cr_assert_eq(h_srv_hits(srv, "/redirect/"), 11);
	r = check_path(srv, "redirect/11", NULL);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.error, "too many redirects");
	cr_assert_eq(r.http_code, 302);
	h_srv_stop(srv);
}

Test(http, redirected_post_becomes_get)
{
	struct env	 e;
	char		*line;

	env_start(&e, NULL, "redirect/1");
	set_str(&e.s.method, "POST");
	expect_ok(&e.s);
	line = srv_log_line(e.srv, "GET", "/redirect/0");
	cr_assert_not_null(line, "the redirect was not followed with a GET");
	free(line);
	env_stop(&e);
}

Test(http, redirect_chain_shares_one_timeout)
{
	struct env		 e;
	struct tsrv		*rd;
	struct http_result	 r;

	env_start(&e, NULL, "slow/700");
	rd = tsrv_start(TSRV_REDIRECT, e.s.url, 700);
	/* Each hop alone fits in the timeout, both together do not. */
	set_own(&e.s.url, h_strf("http://127.0.0.1:%d/", rd->port));
	e.s.timeout_ms = 1000;
	r = expect_error(&e.s, "timeout");
	cr_assert(r.response_ms >= 900 && r.response_ms < 1500, "%f",
	    r.response_ms);
	/* With room for both, response_ms counts both. */
	e.s.timeout_ms = 5000;
	r = expect_ok(&e.s);
	cr_assert(r.response_ms >= 1350 && r.response_ms < 3000, "%f",
	    r.response_ms);
	tsrv_stop(rd);
	free(rd);
	env_stop(&e);
}

Test(http, https_ca_file_of_another_ca_not_trusted)
{
	struct env		 e;
	struct h_srv		*other = h_srv_start(tls_args);
	struct http_result	 r;

	env_start(&e, tls_args, "ok");
	e.s.ca_file = h_srv_file(other, "ca.pem");
	r = expect_error(&e.s, "tls error: certificate not trusted");
	cr_assert_eq(r.http_code, 0);
	set_own(&e.s.ca_file, h_srv_file(e.srv, "ca.pem"));
	expect_ok(&e.s);
	h_srv_stop(other);
	env_stop(&e);
}

/* Checks a trickling answer of status with a keyword; returns the result. */
static struct http_result
check_trickle(const char *status, double *elapsed)
{
	struct tsrv		*ts = tsrv_start(TSRV_TRICKLE, status, 0);
	struct site		 s;
	struct http_result	 r;
	double			 t0 = h_now_ms();

	site_init(&s, h_strf("http://127.0.0.1:%d/", ts->port));
	s.keyword = strdup("NEEDLE");
	s.timeout_ms = 2500;
	r = check_one(&s);
	*elapsed = h_now_ms() - t0;
	tsrv_stop(ts);
	free(ts);
	site_clear(&s);
	return r;
}

Test(http, failing_status_with_keyword_ends_at_the_headers)
{
	struct http_result	r;
	double			elapsed;

	r = check_trickle("503 Service Unavailable", &elapsed);
	cr_assert_str_eq(r.error, "HTTP 503");
	cr_assert_eq(r.http_code, 503);
	cr_assert(elapsed < 1500, "%f ms", elapsed);
	r = check_trickle("404 Not Found", &elapsed);
	cr_assert_str_eq(r.error, "HTTP 404");
	cr_assert(elapsed < 1500, "%f ms", elapsed);
	/* A good status still waits for the keyword. */
	r = check_trickle("200 OK", &elapsed);
	cr_assert_str_eq(r.error, "timeout");
	cr_assert(elapsed >= 2400, "%f ms", elapsed);
}

/* A Location that cannot be followed fails the check, as it did when
 * libcurl followed redirects; file: and ftp: are never fetched. */
Test(http, unusable_redirect_location_fails)
{
	static const char *const bad[] = {
		"mailto:x", "http:///", "ftp://127.0.0.1/x", "file:///etc/passwd",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tsrv		*rd = tsrv_start(TSRV_REDIRECT, bad[i], 0);
		struct http_result	 r = check_url(h_strf("http://127.0.0.1:%d/",
		    rd->port), NULL);

		cr_assert_not(r.ok, "Location %s passed", bad[i]);
		cr_assert_str_eq(r.error, "bad redirect location", "Location %s",
		    bad[i]);
		cr_assert_eq(r.http_code, 302, "Location %s", bad[i]);
		tsrv_stop(rd);
		free(rd);
	}
}
