/*
 * Integration tests of the HTTP checker: http_batch_run against the
 * project's loopback test server, with real sockets, real TLS and real
 * libcurl. Every test starts its own servers (Criterion runs them in
 * parallel forks).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "check_http.h"
#include "harness.h"
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

/* Runs one check of site; returns its result (the batch must succeed). */
static struct http_result
check_one(const struct site *s)
{
	struct http_job	job = { .site = s };

	cr_assert_eq(http_batch_run(&job, 1, 100, NULL), 0);
	cr_assert_eq(job.res.done, 1);
	return job.res;
}

/* Runs a check of path on srv with the default site; returns its result. */
static struct http_result
check_path(const struct h_srv *srv, const char *path, const char *keyword)
{
	struct site		s;
	struct http_result	res;

	site_init(&s, h_srv_url(srv, path));
	if (keyword != NULL)
		s.keyword = strdup(keyword);
	res = check_one(&s);
	site_clear(&s);
	return res;
}

static struct h_srv *
start_http(void)
{
	return h_srv_start((const char *[]){ NULL });
}

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
	struct h_srv		*srv = start_http();
	struct http_result	 r = check_path(srv, "ok", NULL);

	cr_assert(r.ok, "error: %s", r.error);
	cr_assert_eq(r.http_code, 200);
	cr_assert_str_empty(r.error);
	cr_assert(r.response_ms > 0 && r.response_ms < 2000, "%f", r.response_ms);
	cr_assert(r.started_ms > 1600000000000LL);
	h_srv_stop(srv);
}

Test(http, status_503_fails)
{
	struct h_srv		*srv = start_http();
	struct http_result	 r = check_path(srv, "status/503", NULL);

	cr_assert_not(r.ok);
	cr_assert_eq(r.http_code, 503);
	cr_assert_str_eq(r.error, "HTTP 503");
	cr_assert(r.response_ms > 0);
	h_srv_stop(srv);
}

Test(http, any_5xx_fails_even_unlisted)
{
	struct h_srv		*srv = start_http();
	struct site		 s;
	struct http_result	 r;

	site_init(&s, h_srv_url(srv, "status/599"));
	s.nbad_status = 0;
	r = check_one(&s);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.error, "HTTP 599");
	site_clear(&s);
	h_srv_stop(srv);
}

Test(http, listed_404_fails)
{
	struct h_srv		*srv = start_http();
	struct http_result	 r = check_path(srv, "status/404", NULL);

	cr_assert_not(r.ok);
	cr_assert_eq(r.http_code, 404);
	cr_assert_str_eq(r.error, "HTTP 404");
	h_srv_stop(srv);
}

Test(http, unlisted_418_is_ok)
{
	struct h_srv		*srv = start_http();
	struct http_result	 r = check_path(srv, "status/418", NULL);

	cr_assert(r.ok, "error: %s", r.error);
	cr_assert_eq(r.http_code, 418);
	h_srv_stop(srv);
}

Test(http, connection_refused)
{
	struct site		s;
	struct http_result	r;

	site_init(&s, h_strf("http://127.0.0.1:%d/", free_port()));
	r = check_one(&s);
	cr_assert_not(r.ok);
	cr_assert_eq(r.http_code, 0);
	cr_assert_str_eq(r.error, "connection refused");
	cr_assert(r.response_ms < 2000, "%f", r.response_ms);
	site_clear(&s);
}

Test(http, error_never_shows_userinfo)
{
	struct site		s;
	struct http_result	r;

	site_init(&s, h_strf("http://alice:s3cret@127.0.0.1:%d/", free_port()));
	r = check_one(&s);
	cr_assert_not(r.ok);
	cr_assert_null(strstr(r.error, "s3cret"), "%s", r.error);
	cr_assert_null(strstr(r.error, "alice"), "%s", r.error);
	site_clear(&s);
}

Test(http, hang_times_out)
{
	struct h_srv		*srv = start_http();
	struct site		 s;
	struct http_result	 r;
	double			 t0 = h_now_ms();

	site_init(&s, h_srv_url(srv, "hang"));
	s.timeout_ms = 1000;
	r = check_one(&s);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.error, "timeout");
	cr_assert_eq(r.http_code, 0);
	cr_assert(r.response_ms >= 900 && r.response_ms <= 3000, "%f",
	    r.response_ms);
	cr_assert(h_now_ms() - t0 < 3000);
	site_clear(&s);
	h_srv_stop(srv);
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
	struct h_srv		*srv = start_http();
	struct http_result	 r = check_path(srv, "big/5000000?tail=NEEDLE",
				    "NEEDLE");

	cr_assert_not(r.ok);
	cr_assert_eq(r.http_code, 200);
	cr_assert_str_eq(r.error, "keyword not found");
	h_srv_stop(srv);
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
	struct h_srv		*srv = start_http();
	struct site		 s;
	struct http_result	 r;

	site_init(&s, h_srv_url(srv, "keyword/hello"));
	free(s.method);
	s.method = strdup("HEAD");
	r = check_one(&s);
	cr_assert(r.ok, "error: %s", r.error);
	cr_assert_eq(r.http_code, 200);
	s.keyword = strdup("hello");
	r = check_one(&s);
	cr_assert_str_eq(r.error, "keyword not found");
	cr_assert_eq(h_srv_hits(srv, "/keyword/"), 2);
	site_clear(&s);
	h_srv_stop(srv);
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
	struct h_srv		*srv = start_http();
	struct http_result	 r = check_path(srv, "redirect-loop", NULL);

	cr_assert_not(r.ok);
	cr_assert_str_eq(r.error, "too many redirects");
	cr_assert_eq(r.http_code, 302);
	h_srv_stop(srv);
}

Test(http, redirect_not_followed_judged_by_code)
{
	struct h_srv		*srv = start_http();
	struct site		 s;
	struct http_result	 r;

	site_init(&s, h_srv_url(srv, "redirect/1"));
	s.follow_redirects = 0;
	r = check_one(&s);
	cr_assert(r.ok, "error: %s", r.error);
	cr_assert_eq(r.http_code, 302);
	cr_assert_eq(h_srv_hits(srv, "/redirect/"), 1);
	site_clear(&s);
	h_srv_stop(srv);
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
	struct h_srv		*srv = start_http();
	struct site		 s;
	struct http_result	 r;
	char			*logpath, *log;

	site_init(&s, h_srv_url(srv, "echo"));
	free(s.method);
	s.method = strdup("POST");
	s.headers = calloc(2, sizeof(*s.headers));
	s.headers[0].name = strdup("X-Peekl-Test");
	s.headers[0].value = strdup("abc123");
	s.headers[1].name = strdup("X-Empty");
	s.headers[1].value = strdup("");
	s.nheaders = 2;
	s.keyword = strdup("\"method\":\"POST\"");
	r = check_one(&s);
	cr_assert(r.ok, "error: %s", r.error);
	free(s.keyword);
	s.keyword = strdup("\"X-Peekl-Test\":\"abc123\"");
	r = check_one(&s);
	cr_assert(r.ok, "error: %s", r.error);
	free(s.keyword);
	s.keyword = strdup("\"User-Agent\":\"peekl/");
	r = check_one(&s);
	cr_assert(r.ok, "error: %s", r.error);
	/* The server's own log agrees, and we never ask for compression. */
	logpath = h_srv_file(srv, "log");
	log = h_read_file(logpath);
	cr_assert_not_null(log);
	cr_assert_not_null(strstr(log, "POST\t/echo"), "%s", log);
	cr_assert_not_null(strstr(log, "X-Peekl-Test: abc123"), "%s", log);
	cr_assert_not_null(strstr(log, "X-Empty:"), "%s", log);
	cr_assert_not_null(strstr(log, "User-Agent: peekl/"), "%s", log);
	cr_assert_null(strstr(log, "Accept-Encoding"), "%s", log);
	free(log);
	free(logpath);
	site_clear(&s);
	h_srv_stop(srv);
}

Test(http, custom_method)
{
	struct h_srv		*srv = start_http();
	struct site		 s;
	struct http_result	 r;

	site_init(&s, h_srv_url(srv, "echo"));
	free(s.method);
	s.method = strdup("OPTIONS");
	s.keyword = strdup("\"method\":\"OPTIONS\"");
	r = check_one(&s);
	cr_assert(r.ok, "error: %s", r.error);
	site_clear(&s);
	h_srv_stop(srv);
}

Test(http, https_with_ca_file)
{
	struct h_srv		*srv = h_srv_start((const char *[]){ "--tls", NULL });
	struct site		 s;
	struct http_result	 r;

	site_init(&s, h_srv_url(srv, "ok"));
	s.ca_file = h_srv_file(srv, "ca.pem");
	r = check_one(&s);
	cr_assert(r.ok, "error: %s", r.error);
	cr_assert_eq(r.http_code, 200);
	site_clear(&s);
	h_srv_stop(srv);
}

Test(http, https_untrusted_without_ca_file)
{
	struct h_srv		*srv = h_srv_start((const char *[]){ "--tls", NULL });
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
	struct h_srv		*srv = h_srv_start((const char *[]){ "--tls", NULL });
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
	struct h_srv		*srv = h_srv_start((const char *[]){ "--tls",
				    "--days-left", "-3", NULL });
	struct site		 s;
	struct http_result	 r;

	site_init(&s, h_srv_url(srv, "ok"));
	s.ca_file = h_srv_file(srv, "ca.pem");
	r = check_one(&s);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.error, "tls error: certificate expired");
	site_clear(&s);
	h_srv_stop(srv);
}

Test(http, https_wrong_host)
{
	struct h_srv		*srv = h_srv_start((const char *[]){ "--tls",
				    "--cn", "other.example", "--san",
				    "other.example", NULL });
	struct site		 s;
	struct http_result	 r;

	site_init(&s, h_srv_url(srv, "ok"));
	s.ca_file = h_srv_file(srv, "ca.pem");
	r = check_one(&s);
	cr_assert_not(r.ok);
	cr_assert_str_eq(r.error, "tls error: hostname mismatch");
	site_clear(&s);
	h_srv_stop(srv);
}

/* Fills jobs[0..n) with checks of path on srv; the sites go in sites. */
static void
jobs_init(struct http_job *jobs, struct site *sites, size_t n,
    const struct h_srv *srv, const char *path)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		site_init(&sites[i], h_srv_url(srv, path));
		jobs[i].site = &sites[i];
	}
}

Test(http, slow_check_does_not_delay_the_others)
{
	struct h_srv		*srv = start_http();
	struct http_job		 jobs[11];
	struct site		 sites[11];
	double			 t0, elapsed;
	size_t			 i;

	jobs_init(jobs, sites, 1, srv, "slow/2000");
	jobs_init(jobs + 1, sites + 1, 10, srv, "ok");
	t0 = h_now_ms();
	cr_assert_eq(http_batch_run(jobs, 11, 100, NULL), 0);
	elapsed = h_now_ms() - t0;
	cr_assert(elapsed >= 2000 && elapsed < 3500, "%f ms", elapsed);
	for (i = 0; i < 11; i++) {
		cr_assert(jobs[i].res.done && jobs[i].res.ok, "job %zu: %s", i,
		    jobs[i].res.error);
		site_clear(&sites[i]);
	}
	/* The fast ones finished long before the slow one. */
	cr_assert(jobs[0].res.response_ms >= 1900, "%f", jobs[0].res.response_ms);
	cr_assert(jobs[5].res.response_ms < 1000, "%f", jobs[5].res.response_ms);
	h_srv_stop(srv);
}

Test(http, concurrency_is_bounded)
{
	struct h_srv		*srv = start_http();
	struct http_job		 jobs[4];
	struct site		 sites[4];
	double			 t0, elapsed;
	size_t			 i;

	jobs_init(jobs, sites, 4, srv, "slow/1000");
	t0 = h_now_ms();
	cr_assert_eq(http_batch_run(jobs, 4, 2, NULL), 0);
	elapsed = h_now_ms() - t0;
	cr_assert(elapsed >= 2000 && elapsed < 3500, "%f ms", elapsed);
	for (i = 0; i < 4; i++) {
		cr_assert(jobs[i].res.ok, "job %zu: %s", i, jobs[i].res.error);
		site_clear(&sites[i]);
	}
	/* The second pair started when the first pair finished. */
	cr_assert(jobs[3].res.started_ms - jobs[0].res.started_ms >= 900);
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
	struct http_job		 jobs[2];
	struct site		 sites[2];
	pthread_t		 th;
	double			 t0, elapsed;

	jobs_init(jobs, sites, 1, srv, "hang");
	jobs_init(jobs + 1, sites + 1, 1, srv, "ok");
	sites[0].timeout_ms = 30000;
	stop_flag = 0;
	cr_assert_eq(pthread_create(&th, NULL, raise_stop, NULL), 0);
	t0 = h_now_ms();
	cr_assert_eq(http_batch_run(jobs, 2, 100, &stop_flag), -1);
	elapsed = h_now_ms() - t0;
	pthread_join(th, NULL);
	cr_assert(elapsed >= 250 && elapsed < 2000, "%f ms", elapsed);
	cr_assert_eq(jobs[0].res.done, 0);
	/* The quick check finished before the stop and keeps its result. */
	cr_assert_eq(jobs[1].res.done, 1);
	cr_assert(jobs[1].res.ok, "%s", jobs[1].res.error);
	site_clear(&sites[0]);
	site_clear(&sites[1]);
	h_srv_stop(srv);
}

Test(http, empty_batch)
{
	cr_assert_eq(http_batch_run(NULL, 0, 100, NULL), 0);
}
