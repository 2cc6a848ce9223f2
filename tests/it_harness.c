/*
 * Proves the integration-test harness and testsrv against real sockets, a
 * real redis-server and a real mbedTLS client, so a failing peekl test
 * points at peekl, not at its test rig.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "harness.h"

/* ---- raw-socket client helpers */

/* Returns a socket connected to 127.0.0.1:port with a receive timeout, or -1. */
static int
tcp_connect(int port, int timeout_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons((unsigned short)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Reads until EOF, error or limit bytes into a malloc'd string; *len gets
 * the byte count. */
static char *
read_all(int fd, size_t limit, size_t *len)
{
	char *p = malloc(limit + 1);
	ssize_t n;

	cr_assert_not_null(p);
	*len = 0;
	while (*len < limit && (n = recv(fd, p + *len, limit - *len, 0)) > 0)
		*len += (size_t)n;
	p[*len] = '\0';
	return p;
}

/* Sends the raw request and returns the status of the answer (-1 if none);
 * *resp (if not NULL) gets the malloc'd response. */
static int
http_raw(int port, const char *request, char **resp)
{
	int fd = tcp_connect(port, 5000), status = -1;
	size_t len;
	char *r;

	cr_assert_geq(fd, 0, "connect to %d: %s", port, strerror(errno));
	cr_assert_eq(send(fd, request, strlen(request), MSG_NOSIGNAL),
	    (ssize_t)strlen(request));
	r = read_all(fd, 4 << 20, &len);
	close(fd);
	if (sscanf(r, "HTTP/1.1 %d ", &status) != 1)
		status = -1;
	if (resp != NULL)
		*resp = r;
	else
		free(r);
	return status;
}

static int
http_get(int port, const char *path, char **resp)
{
	char req[512];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	    "User-Agent: it-harness/1\r\n\r\n", path);
	return http_raw(port, req, resp);
}

/* Returns the body of a response (points into resp). */
static const char *
body_of(const char *resp)
{
	const char *p = strstr(resp, "\r\n\r\n");

	cr_assert_not_null(p, "no header end in: %s", resp);
	return p + 4;
}

/* ---- harness basics: dirs, files, configs */

Test(harness, dir_and_files)
{
	struct h_dir *d = h_dir_new();
	char *dir = strdup(h_dir_path(d)), *p, *text, *cfg;
	struct stat st;

	h_write_file(d, "a.txt", "alpha\n");
	p = h_path(d, "a.txt");
	text = h_read_file(p);
	cr_assert_str_eq(text, "alpha\n");
	free(text);
	free(p);
	p = h_path(d, "absent");
	cr_assert_null(h_read_file(p));
	free(p);
	cfg = h_configf(d, "redis:\n  port: %d\n", 6380);
	text = h_read_file(cfg);
	cr_assert_str_eq(text, "redis:\n  port: 6380\n");
	cr_assert_eq(stat(cfg, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600, "config mode %o", st.st_mode & 0777);
	free(text);
	free(cfg);
	h_dir_free(d);
	cr_assert_neq(stat(dir, &st), 0, "%s still exists", dir);
	free(dir);
}

/* ---- redis */

Test(harness, redis_lifecycle)
{
	struct h_redis *rd = h_redis_start();
	int port = h_redis_port(rd), fd;
	char *sock = strdup(h_redis_socket(rd));
	redisContext *c = h_redis_conn(rd), *u;
	redisReply *r;

	r = redisCommand(c, "PING");
	cr_assert(r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0);
	freeReplyObject(r);
	freeReplyObject(redisCommand(c, "SET k hello"));
	r = redisCommand(c, "GET k");
	cr_assert(r && r->type == REDIS_REPLY_STRING);
	cr_assert_str_eq(r->str, "hello");
	freeReplyObject(r);
	u = redisConnectUnix(sock);
	cr_assert(u && !u->err, "unix socket %s", sock);
	r = redisCommand(u, "GET k");
	cr_assert(r && r->type == REDIS_REPLY_STRING && strcmp(r->str, "hello") == 0);
	freeReplyObject(r);
	redisFree(u);
	redisFree(c);

	h_redis_stop(rd);
	fd = tcp_connect(port, 1000);
	cr_assert_lt(fd, 0, "port %d still accepts after stop", port);
	cr_assert_neq(access(sock, F_OK), 0, "%s survived stop", sock);
	free(sock);
}

Test(harness, redis_requirepass)
{
	struct h_redis *rd = h_redis_start_opts((const char *const[]){
	    "--requirepass", "s3cret", NULL });
	redisContext *raw = redisConnect("127.0.0.1", h_redis_port(rd));
	redisContext *c = h_redis_conn(rd);
	redisReply *r;

	r = redisCommand(raw, "GET k");
	cr_assert(r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOAUTH", 6) == 0);
	freeReplyObject(r);
	r = redisCommand(c, "SET k v");
	cr_assert(r && r->type == REDIS_REPLY_STATUS, "AUTHed context refused");
	freeReplyObject(r);
	redisFree(raw);
	redisFree(c);
	h_redis_stop(rd);
}

Test(harness, redis_timeseries_module)
{
	struct h_redis *rd = h_redis_start_ts();
	redisContext *c;
	redisReply *r;

	if (rd == NULL)
		cr_skip_test("PEEKL_TEST_TS_MODULE is not set");
	c = h_redis_conn(rd);
	r = redisCommand(c, "TS.CREATE t RETENTION 1000");
	cr_assert(r && r->type == REDIS_REPLY_STATUS, "TS.CREATE failed");
	freeReplyObject(r);
	redisFree(c);
	h_redis_stop(rd);
}

/* ---- testsrv http */

Test(harness, http_routes)
{
	struct h_srv *s = h_srv_start(NULL);
	int port = h_srv_port(s);
	char *resp;
	double t0;

	cr_assert_eq(http_get(port, "/", &resp), 200);
	cr_assert_str_eq(body_of(resp), "Welcome to the peekl test server\n");
	free(resp);
	cr_assert_eq(http_get(port, "/status/503", NULL), 503);
	cr_assert_eq(http_get(port, "/nope", NULL), 404);
	t0 = h_now_ms();
	cr_assert_eq(http_get(port, "/slow/300", &resp), 200);
	cr_assert_geq(h_now_ms() - t0, 300.0);
	cr_assert_str_eq(body_of(resp), "slow ok");
	free(resp);
	cr_assert_eq(http_get(port, "/retry-after/42", &resp), 429);
	cr_assert_not_null(strstr(resp, "\r\nRetry-After: 42\r\n"));
	free(resp);
	cr_assert_eq(http_get(port, "/redirect/2", &resp), 302);
	cr_assert_not_null(strstr(resp, "\r\nLocation: /redirect/1\r\n"));
	free(resp);
	cr_assert_eq(http_get(port, "/redirect/0", NULL), 200);
	cr_assert_eq(http_get(port, "/echo", &resp), 200);
	cr_assert_not_null(strstr(resp, "\"method\":\"GET\""), "%s", resp);
	cr_assert_not_null(strstr(resp, "\"User-Agent\":\"it-harness/1\""), "%s", resp);
	free(resp);
	cr_assert_eq(http_get(port, "/keyword/needle%20here", &resp), 200);
	cr_assert_not_null(strstr(body_of(resp), " needle here "));
	free(resp);
	cr_assert_eq(http_get(port, "/big/100000?tail=THE-END", &resp), 200);
	cr_assert_eq(strlen(body_of(resp)), 100000);
	cr_assert_str_eq(body_of(resp) + 100000 - 7, "THE-END");
	cr_assert_eq(body_of(resp)[0], 'a');
	free(resp);
	cr_assert_eq(http_get(port, "/reset", &resp), -1);
	cr_assert_str_eq(resp, "");
	free(resp);

	cr_assert_eq(h_srv_hits(s, "/status/"), 1);
	cr_assert_eq(h_srv_hits(s, "/redirect/"), 2);
	cr_assert_eq(h_srv_hits(s, NULL), 11);
	h_srv_stop(s);
}

Test(harness, http_hang_endless_and_bad_input)
{
	struct h_srv *s = h_srv_start(NULL);
	int port = h_srv_port(s), fd;
	char buf[65536];
	size_t total = 0;
	ssize_t n;

	/* /hang: nothing comes back within the timeout. */
	fd = tcp_connect(port, 300);
	send(fd, "GET /hang HTTP/1.1\r\n\r\n", 22, MSG_NOSIGNAL);
	cr_assert_lt(recv(fd, buf, sizeof(buf), 0), 0);
	cr_assert(errno == EAGAIN || errno == EWOULDBLOCK);
	close(fd);
	/* /endless: read 2 MiB, then walk away mid-body. */
	fd = tcp_connect(port, 5000);
	send(fd, "GET /endless HTTP/1.1\r\n\r\n", 25, MSG_NOSIGNAL);
	while (total < (2u << 20) && (n = recv(fd, buf, sizeof(buf), 0)) > 0)
		total += (size_t)n;
	cr_assert_geq(total, 2u << 20);
	close(fd);
	/* Garbage and an oversized head get an error, not a crash. */
	cr_assert_eq(http_raw(port, "\x01\x02garbage\r\n\r\n", NULL), 400);
	char *huge = malloc(70000);
	memset(huge, 'h', 70000);
	memcpy(huge, "GET / HTTP/1.1\r\nX: ", 19);
	huge[69999] = '\0';
	cr_assert_eq(http_raw(port, huge, NULL), 431);
	free(huge);
	cr_assert_eq(http_get(port, "/", NULL), 200, "server died");
	h_srv_stop(s);
}

Test(harness, http_many_concurrent_clients)
{
	enum { N = 120 };
	struct h_srv *s = h_srv_start(NULL);
	int fds[N], ok = 0;
	double t0 = h_now_ms();
	static const char req[] = "GET /slow/300 HTTP/1.1\r\n\r\n";

	for (int i = 0; i < N; i++) {
		fds[i] = tcp_connect(h_srv_port(s), 5000);
		cr_assert_geq(fds[i], 0);
		send(fds[i], req, sizeof(req) - 1, MSG_NOSIGNAL);
	}
	for (int i = 0; i < N; i++) {
		size_t len;
		char *r = read_all(fds[i], 4096, &len);
		ok += strncmp(r, "HTTP/1.1 200 ", 13) == 0;
		free(r);
		close(fds[i]);
	}
	cr_assert_eq(ok, N);
	/* Served in parallel: far less than N * 300 ms. */
	cr_assert_lt(h_now_ms() - t0, 3000.0);
	h_srv_stop(s);
}

Test(harness, silent_mode)
{
	struct h_srv *s = h_srv_start((const char *const[]){ "--mode", "silent", NULL });
	int fd = tcp_connect(h_srv_port(s), 300);
	char c;

	cr_assert_geq(fd, 0);
	send(fd, "GET / HTTP/1.1\r\n\r\n", 18, MSG_NOSIGNAL);
	cr_assert_lt(recv(fd, &c, 1, 0), 0, "silent server sent something");
	close(fd);
	h_srv_stop(s);
}

Test(harness, ipv6_bind)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
	    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM, 0), ok;

	ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	if (!ok)
		cr_skip_test("no IPv6 loopback here");
	struct h_srv *s = h_srv_start((const char *const[]){ "--bind", "::1", NULL });
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	sa.sin6_port = htons((unsigned short)h_srv_port(s));
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	h_srv_stop(s);
}

/* ---- testsrv --tls, checked by an mbedTLS client */

struct probe {
	int		handshake;	/* mbedtls_ssl_handshake's result */
	uint32_t	flags;		/* verification flags */
	time_t		not_after;	/* leaf's, 0 if no certificate seen */
};

static time_t
x509_to_time(const mbedtls_x509_time *t)
{
	struct tm tm = { .tm_year = t->year - 1900, .tm_mon = t->mon - 1,
	    .tm_mday = t->day, .tm_hour = t->hour, .tm_min = t->min, .tm_sec = t->sec };

	return timegm(&tm);
}

/* Handshakes with the server trusting its ca.pem, for hostname host;
 * authmode is MBEDTLS_SSL_VERIFY_REQUIRED or _OPTIONAL. */
static void
tls_probe(const struct h_srv *s, const char *host, int authmode, struct probe *p)
{
	mbedtls_net_context net;
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca;
	mbedtls_entropy_context ent;
	mbedtls_ctr_drbg_context drbg;
	const mbedtls_x509_crt *peer;
	char port[16], *ca_path = h_srv_file(s, "ca.pem");
	int r;

	memset(p, 0, sizeof(*p));
	mbedtls_net_init(&net);
	mbedtls_ssl_init(&ssl);
	mbedtls_ssl_config_init(&conf);
	mbedtls_x509_crt_init(&ca);
	mbedtls_entropy_init(&ent);
	mbedtls_ctr_drbg_init(&drbg);
	cr_assert_eq(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &ent, NULL, 0), 0);
	cr_assert_eq(mbedtls_x509_crt_parse_file(&ca, ca_path), 0, "%s", ca_path);
	cr_assert_eq(mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT,
	    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT), 0);
	mbedtls_ssl_conf_authmode(&conf, authmode);
	mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
	mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
	cr_assert_eq(mbedtls_ssl_setup(&ssl, &conf), 0);
	cr_assert_eq(mbedtls_ssl_set_hostname(&ssl, host), 0);
	snprintf(port, sizeof(port), "%d", h_srv_port(s));
	cr_assert_eq(mbedtls_net_connect(&net, "127.0.0.1", port,
	    MBEDTLS_NET_PROTO_TCP), 0);
	mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
	while ((r = mbedtls_ssl_handshake(&ssl)) == MBEDTLS_ERR_SSL_WANT_READ ||
	    r == MBEDTLS_ERR_SSL_WANT_WRITE)
		;
	p->handshake = r;
	p->flags = mbedtls_ssl_get_verify_result(&ssl);
	if (r == 0 && (peer = mbedtls_ssl_get_peer_cert(&ssl)) != NULL)
		p->not_after = x509_to_time(&peer->valid_to);
	if (r == 0)
		mbedtls_ssl_close_notify(&ssl);
	mbedtls_net_free(&net);
	mbedtls_ssl_free(&ssl);
	mbedtls_ssl_config_free(&conf);
	mbedtls_x509_crt_free(&ca);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&ent);
	free(ca_path);
}

/* Starts testsrv --tls with args and returns the verification flags a
 * REQUIRED-mode client saw (0 = verified). */
static uint32_t
tls_verify(const char *const args[], const char *host)
{
	const char *all[16] = { "--tls" };
	struct probe p;
	struct h_srv *s;
	size_t n = 1;

	for (size_t i = 0; args[i] != NULL && n < 15; i++)
		all[n++] = args[i];
	s = h_srv_start(all);
	tls_probe(s, host, MBEDTLS_SSL_VERIFY_REQUIRED, &p);
	h_srv_stop(s);
	if (p.flags == 0)
		cr_assert_eq(p.handshake, 0, "handshake -0x%04x", -p.handshake);
	else
		cr_assert_eq(p.handshake, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
	return p.flags;
}

Test(harness, tls_default_cert_verifies)
{
	struct h_srv *s = h_srv_start((const char *const[]){ "--tls", NULL });
	struct probe p;
	char *ca = h_srv_file(s, "ca.pem"), *leaf = h_srv_file(s, "leaf.pem");

	tls_probe(s, "localhost", MBEDTLS_SSL_VERIFY_REQUIRED, &p);
	cr_assert_eq(p.handshake, 0, "handshake -0x%04x flags 0x%x", -p.handshake, p.flags);
	cr_assert_eq(p.flags, 0);
	/* Default --days-left 200, exactly, by the spec's floor rule. */
	cr_assert_eq((p.not_after - time(NULL)) / 86400, 200);
	cr_assert_eq(access(ca, R_OK), 0);
	cr_assert_eq(access(leaf, R_OK), 0);
	free(ca);
	free(leaf);
	h_srv_stop(s);
}

Test(harness, tls_expired)
{
	struct h_srv *s = h_srv_start((const char *const[]){ "--tls",
	    "--days-left", "-3", NULL });
	struct probe p;
	double days;

	tls_probe(s, "localhost", MBEDTLS_SSL_VERIFY_REQUIRED, &p);
	cr_assert_eq(p.handshake, MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
	cr_assert_eq(p.flags, MBEDTLS_X509_BADCERT_EXPIRED, "flags 0x%x", p.flags);
	tls_probe(s, "localhost", MBEDTLS_SSL_VERIFY_OPTIONAL, &p);
	cr_assert_eq(p.handshake, 0);
	days = (double)(p.not_after - time(NULL)) / 86400.0;
	cr_assert(days > -4.0 && days < -2.0, "not_after %.2f days away", days);
	h_srv_stop(s);
}

Test(harness, tls_untrusted_issuers)
{
	uint32_t f;

	f = tls_verify((const char *const[]){ "--issuer", "self", NULL }, "localhost");
	cr_assert_eq(f, MBEDTLS_X509_BADCERT_NOT_TRUSTED, "self: 0x%x", f);
	f = tls_verify((const char *const[]){ "--issuer", "unknown-ca", NULL }, "localhost");
	cr_assert_eq(f, MBEDTLS_X509_BADCERT_NOT_TRUSTED, "unknown-ca: 0x%x", f);
}

Test(harness, tls_chains)
{
	uint32_t f;

	f = tls_verify((const char *const[]){ "--chain", "intermediate", NULL }, "localhost");
	cr_assert_eq(f, 0, "intermediate: 0x%x", f);
	f = tls_verify((const char *const[]){ "--chain", "omit-intermediate", NULL },
	    "localhost");
	cr_assert_eq(f, MBEDTLS_X509_BADCERT_NOT_TRUSTED, "omit: 0x%x", f);
}

Test(harness, tls_names_and_dates)
{
	uint32_t f;

	f = tls_verify((const char *const[]){ "--cn", "other.example", NULL }, "localhost");
	cr_assert_eq(f, MBEDTLS_X509_BADCERT_CN_MISMATCH, "wrong host: 0x%x", f);
	f = tls_verify((const char *const[]){ "--san", "localhost,127.0.0.1", NULL },
	    "127.0.0.1");
	cr_assert_eq(f, 0, "IP SAN: 0x%x", f);
	f = tls_verify((const char *const[]){ "--not-before-days", "2", NULL }, "localhost");
	cr_assert_eq(f, MBEDTLS_X509_BADCERT_FUTURE, "not yet valid: 0x%x", f);
}

/* ---- webhook receiver */

static int
post(const struct h_srv *s, const char *body, const char *extra_headers, char **resp)
{
	char *req = h_strf("POST /hook/path HTTP/1.1\r\nHost: x\r\nContent-Type: "
	    "application/json\r\n%sContent-Length: %zu\r\n\r\n%s",
	    extra_headers, strlen(body), body);
	int status = http_raw(h_srv_port(s), req, resp);

	free(req);
	return status;
}

Test(harness, webhook_roundtrip)
{
	struct h_srv *s = h_webhook_start();
	static const char tricky[] = "{\"text\":\"line1\nline2 \\\\n back\\\\slash\ttab\"}";
	char *body, *headers;

	cr_assert_eq(post(s, "{\"text\":\"DOWN api\"}", "Authorization: Bearer t0k\r\n",
	    NULL), 200);
	cr_assert_eq(post(s, tricky, "", NULL), 200);
	cr_assert_eq(h_webhook_count(s, -1), 2);
	cr_assert_eq(h_webhook_count(s, 200), 2);
	body = h_webhook_body(s, 0);
	cr_assert_str_eq(body, "{\"text\":\"DOWN api\"}");
	free(body);
	body = h_webhook_body(s, 1);
	cr_assert_str_eq(body, tricky);
	free(body);
	cr_assert_null(h_webhook_body(s, 2));
	headers = h_webhook_headers(s, 0);
	cr_assert_not_null(strstr(headers, "Authorization: Bearer t0k"), "%s", headers);
	free(headers);
	h_srv_stop(s);
}

Test(harness, webhook_control)
{
	struct h_srv *s = h_webhook_start();
	char *resp;
	int fd;

	h_webhook_respond(s, "500");
	cr_assert_eq(post(s, "{}", "", NULL), 500);
	cr_assert_eq(h_webhook_count(s, 500), 1);
	cr_assert_null(h_webhook_body(s, 0), "a 500 counts as delivered");
	h_webhook_respond(s, "429 120");
	cr_assert_eq(post(s, "{}", "", &resp), 429);
	cr_assert_not_null(strstr(resp, "\r\nRetry-After: 120\r\n"));
	free(resp);
	h_webhook_respond(s, "hang");
	fd = tcp_connect(h_srv_port(s), 300);
	send(fd, "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 41, MSG_NOSIGNAL);
	cr_assert_eq(h_webhook_wait(s, 3, 5000), 3);
	cr_assert_lt(recv(fd, &(char){ 0 }, 1, 0), 0, "hang answered");
	close(fd);
	cr_assert_eq(h_webhook_count(s, 0), 1);
	h_webhook_respond(s, "");
	cr_assert_eq(post(s, "{\"ok\":1}", "", NULL), 200);
	resp = h_webhook_body(s, 0);
	cr_assert_str_eq(resp, "{\"ok\":1}");
	free(resp);
	cr_assert_eq(h_webhook_count(s, -1), 4);
	h_srv_stop(s);
}

/* ---- running programs */

Test(harness, run_captures_output)
{
	struct h_run r;

	cr_assert_eq(h_run_bin(&r, "/bin/echo", (const char *const[]){ "hello",
	    "world", NULL }, NULL), 0);
	cr_assert_str_eq(r.out, "hello world\n");
	cr_assert_str_eq(r.err, "");
	h_run_free(&r);
	cr_assert_eq(h_run_bin(&r, "/bin/sh", (const char *const[]){ "-c",
	    "echo oops >&2; exit 3", NULL }, NULL), 3);
	cr_assert_str_eq(r.err, "oops\n");
	h_run_free(&r);
	cr_assert_eq(h_run_bin(&r, "sh", (const char *const[]){ "-c", "kill -9 $$",
	    NULL }, NULL), 128 + SIGKILL);
	h_run_free(&r);
}

Test(harness, run_large_output_and_env)
{
	struct h_run r;

	/* Megabytes on both pipes at once must not deadlock. */
	h_run_bin(&r, "sh", (const char *const[]){ "-c",
	    "head -c 3000000 /dev/zero | tr '\\0' a & "
	    "head -c 2000000 /dev/zero | tr '\\0' b >&2; wait", NULL }, NULL);
	cr_assert_eq(r.status, 0);
	cr_assert_eq(strlen(r.out), 3000000);
	cr_assert_eq(strlen(r.err), 2000000);
	h_run_free(&r);
	h_run_bin(&r, "sh", (const char *const[]){ "-c", "echo \"$PEEKL_X-${HOME-unset}\"",
	    NULL }, (const char *const[]){ "PEEKL_X=42", "HOME", NULL });
	cr_assert_str_eq(r.out, "42-unset\n");
	h_run_free(&r);
}

Test(harness, run_uses_peekl_bin)
{
	struct h_run r;

	setenv("PEEKL_BIN", "/bin/echo", 1);	/* this test's own process */
	cr_assert_eq(h_run(&r, (const char *const[]){ "some-arg", NULL }, NULL), 0);
	cr_assert_str_eq(r.out, "some-arg\n");
	h_run_free(&r);
}

Test(harness, spawn_and_signal)
{
	struct h_proc *p = h_spawn_bin("sleep", (const char *const[]){ "30", NULL }, NULL);
	struct h_run r;

	kill(h_proc_pid(p), SIGTERM);
	cr_assert_eq(h_wait(p, &r), 128 + SIGTERM);
	cr_assert_lt(r.elapsed_ms, 5000.0);
	h_run_free(&r);
}

/* Returns 1 once pid is gone or a zombie nobody reaps (PID 1 in a container
 * may not reap). */
static int
gone(pid_t pid)
{
	char path[64], *stat;
	int dead;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((stat = h_read_file(path)) == NULL)
		return 1;
	dead = strstr(stat, ") Z ") != NULL || strstr(stat, ") X ") != NULL;
	free(stat);
	return dead;
}

Test(harness, children_die_with_the_test_process)
{
	int fds[2];
	pid_t child, grandchild = 0;
	double deadline;

	cr_assert_eq(pipe(fds), 0);
	if ((child = fork()) == 0) {
		struct h_proc *p = h_spawn_bin("sleep", (const char *const[]){ "30",
		    NULL }, NULL);
		pid_t pid = h_proc_pid(p);
		if (write(fds[1], &pid, sizeof(pid)) != sizeof(pid))
			_exit(1);
		_exit(0);	/* no atexit cleanup: only PDEATHSIG can kill it */
	}
	cr_assert_eq(read(fds[0], &grandchild, sizeof(grandchild)), sizeof(grandchild));
	waitpid(child, NULL, 0);
	deadline = h_now_ms() + 5000;
	while (!gone(grandchild) && h_now_ms() < deadline)
		usleep(10000);
	cr_assert(gone(grandchild), "pid %d outlived its parent", (int)grandchild);
	close(fds[0]);
	close(fds[1]);
}
