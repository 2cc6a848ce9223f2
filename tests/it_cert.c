/*
 * Integration tests of the certificate checker against real TLS servers:
 * each case starts its own testsrv with a certificate generated for it and
 * trusts the CA that server wrote into its dir.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "cert_verify.h"
#include "check.h"
#include "config.h"
#include "harness.h"
#include "net.h"
#include "probe.h"

#define DAY	86400LL
/* expect_cert's want_days when the days left are not asserted. */
#define ANY_DAYS	LONG_MIN

static const char *const tls_args[] = { "--tls", NULL };
static const char *const silent_args[] = { "--mode", "silent", NULL };

/* Fills site for a check of host:port (both borrowed) trusting ca_file
 * (NULL: default trust). */
static void
site_set(struct site *site, const char *name, const char *host, int port,
    const char *ca_file, int64_t timeout_ms)
{
	memset(site, 0, sizeof(*site));
	site->name = (char *)name;
	site->host = (char *)host;
	site->port = port;
	site->ca_file = (char *)ca_file;
	site->timeout_ms = timeout_ms;
}

/* Makes checks[0..n) due certificate checks of site. */
static void
checks_init(struct check *checks, size_t n, const struct site *site)
{
	size_t	i;

	memset(checks, 0, n * sizeof(*checks));
	for (i = 0; i < n; i++) {
		checks[i].site = site;
		checks[i].kind = KIND_CERT;
		checks[i].due = 1;
	}
}

/* Runs one check of host:port trusting ca_file (NULL: default trust); the
 * caller frees *out with cert_result_clear. */
static void
check_one(const char *host, int port, const char *ca_file,
    int64_t timeout_ms, struct cert_result *out)
{
	static volatile sig_atomic_t	 stop;
	struct site			 site;
	struct check			 c;

	site_set(&site, "t", host, port, ca_file, timeout_ms);
	checks_init(&c, 1, &site);
	cr_assert_eq(h_probe(&c, 1, 10, &stop), 0);
	*out = c.cert;
}

static void
assert_days(const struct cert_result *r, long want)
{
	cr_assert(r->done);
	cr_assert(r->have_cert, "no certificate read (error \"%s\")", r->error);
	cr_assert(r->days_left >= want - 1 && r->days_left <= want + 1,
	    "days_left %ld, expected %ld", r->days_left, want);
}

/* Returns 1 when this host can listen on ::1. */
static int
have_ipv6_loopback(void)
{
	struct sockaddr_in6	sin6;
	int			fd, ok;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) == -1)
		return 0;
	ok = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
	close(fd);
	return ok;
}

/* Starts a TLS testsrv with extra args, checks it as host trusting the CA
 * it wrote, stops it; then asserts the error ("" for none) and, unless
 * want_days is ANY_DAYS, the days left. Fills *out, which the caller frees
 * with cert_result_clear. */
static void
expect_cert_result(const char *const args[], const char *host,
    const char *want_error, long want_days, struct cert_result *out)
{
	struct h_srv		*srv = h_srv_start(args);
	char			*ca = h_srv_file(srv, "ca.pem");

	check_one(host, h_srv_port(srv), ca, 10000, out);
	free(ca);
	h_srv_stop(srv);
	cr_assert_str_eq(out->error, want_error);
	if (want_days != ANY_DAYS)
		assert_days(out, want_days);
}

/* expect_cert_result, when the assertions are all the test needs. */
static void
expect_cert(const char *const args[], const char *host,
    const char *want_error, long want_days)
{
	struct cert_result	r;

	expect_cert_result(args, host, want_error, want_days, &r);
	cert_result_clear(&r);
}

/* Starts testsrv with args and checks it as localhost within timeout_ms,
 * trusting ca_file (NULL: default trust); stops it. The caller frees *out
 * with cert_result_clear. */
static void
check_localhost(const char *const args[], const char *ca_file,
    int64_t timeout_ms, struct cert_result *out)
{
	struct h_srv	*srv = h_srv_start(args);

	check_one("localhost", h_srv_port(srv), ca_file, timeout_ms, out);
	cr_assert(out->done);
	h_srv_stop(srv);
}

/* Skips the test where this host cannot listen on ::1. */
static void
require_ipv6(void)
{
	if (!have_ipv6_loopback())
		cr_skip_test("::1 is not available on this host");
}

Test(cert, valid_200_days)
{
	int64_t			expect = (int64_t)time(NULL) + 200 * DAY;
	struct cert_result	r;

	expect_cert_result(tls_args, "localhost", "", 200, &r);
	cr_assert(llabs((long long)(r.not_after - expect)) < DAY,
	    "not_after %lld, expected about %lld", (long long)r.not_after,
	    (long long)expect);
	cr_assert(r.started_ms > 0);
	cr_assert(r.elapsed_ms >= 0 && r.elapsed_ms < 10000);
	cert_result_clear(&r);
}

Test(cert, close_to_expiry_still_verifies)
{
	expect_cert((const char *[]){ "--tls", "--days-left", "10", NULL },
	    "localhost", "", 10);
	expect_cert((const char *[]){ "--tls", "--days-left", "2", NULL },
	    "localhost", "", 2);
}

Test(cert, expired)
{
	struct cert_result	r;

	expect_cert_result((const char *[]){ "--tls", "--days-left", "-3",
	    NULL }, "localhost", "certificate expired", -3, &r);
	cr_assert_lt(r.not_after, (int64_t)time(NULL));
	cert_result_clear(&r);
}

Test(cert, not_yet_valid)
{
	struct cert_result	r;

	expect_cert_result((const char *[]){ "--tls", "--not-before-days",
	    "5", NULL }, "localhost", "certificate not yet valid", ANY_DAYS, &r);
	cr_assert(r.have_cert);
	cert_result_clear(&r);
}

Test(cert, self_signed)
{
	expect_cert((const char *[]){ "--tls", "--issuer", "self", NULL },
	    "localhost", "certificate not trusted", 200);
}

Test(cert, unknown_ca)
{
	expect_cert((const char *[]){ "--tls", "--issuer", "unknown-ca", NULL },
	    "localhost", "certificate not trusted", 200);
}

Test(cert, expired_and_untrusted_reports_expired)
{
	expect_cert((const char *[]){ "--tls", "--issuer", "self",
	    "--days-left", "-1", NULL }, "localhost", "certificate expired", -1);
}

Test(cert, hostname_mismatch)
{
	expect_cert((const char *[]){ "--tls", "--cn", "other.example", "--san",
	    "other.example", NULL }, "localhost", "hostname mismatch", 200);
}

/* An IP host matches iPAddress SANs only, never a CN or a dNSName. */
Test(cert, ip_host_against_name_certificate)
{
	expect_cert(tls_args, "127.0.0.1", "hostname mismatch", 200);
}

Test(cert, ip_host_against_dns_san_only)
{
	expect_cert((const char *[]){ "--tls", "--san", "localhost", NULL },
	    "127.0.0.1", "hostname mismatch", ANY_DAYS);
}

/* A CN spelling the address is not an iPAddress SAN: OpenSSL and browsers
 * reject it, and so must we. */
Test(cert, ip_host_against_cn_spelling_the_address)
{
	expect_cert((const char *[]){ "--tls", "--cn", "127.0.0.1", "--san",
	    "localhost", NULL }, "127.0.0.1", "hostname mismatch", ANY_DAYS);
}

/* Returns the SNI names testsrv logged ("" if none), malloc'd. */
static char *
sni_names(const char *log)
{
	char	*s = h_read_file(log);

	return s != NULL ? s : strdup("");
}

/* Checks a TLS testsrv with extra args as host, which it serves on bind;
 * returns the SNI names it received, malloc'd. The caller frees *out with
 * cert_result_clear. */
static char *
check_srv_sni(const char *bind, const char *san, const char *host,
    struct cert_result *out)
{
	struct h_dir	*d = h_dir_new();
	char		*log = h_path(d, "sni.log");
	struct h_srv	*srv = h_srv_start((const char *[]){ "--tls", "--bind",
			    bind, "--san", san, "--ip-san-only", "--sni-log",
			    log, NULL });
	char		*ca = h_srv_file(srv, "ca.pem");
	char		*names;

	check_one(host, h_srv_port(srv), ca, 10000, out);
	/* testsrv logs a name before it answers the ClientHello, so it is
	 * on disk once the check has seen the certificate. */
	names = sni_names(log);
	free(ca);
	h_srv_stop(srv);
	free(log);
	h_dir_free(d);
	return names;
}

/* check_srv_sni, then asserts the error ("" for none), unless want_days is
 * ANY_DAYS the days left, and unless want_sni is NULL the SNI names the
 * server received. */
static void
expect_sni(const char *bind, const char *san, const char *host,
    const char *want_error, long want_days, const char *want_sni)
{
	struct cert_result	 r;
	char			*sni = check_srv_sni(bind, san, host, &r);

	cr_assert_str_eq(r.error, want_error);
	if (want_days != ANY_DAYS)
		assert_days(&r, want_days);
	/* RFC 6066: an address is never sent as SNI. */
	if (want_sni != NULL && *want_sni == '\0')
		cr_assert_str_eq(sni, "", "SNI sent for an IP host: \"%s\"", sni);
	else if (want_sni != NULL)
		cr_assert_str_eq(sni, want_sni);
	free(sni);
	cert_result_clear(&r);
}

/* mbedTLS 2.28 cannot match iPAddress SANs; peekl does it itself. */
Test(cert, ip_host_against_ip_san_only)
{
	expect_sni("127.0.0.1", "127.0.0.1", "127.0.0.1", "", 200, "");
}

/* "127.1" is 127.0.0.1 to getaddrinfo and libcurl: an address, no name. */
Test(cert, short_ipv4_form_is_an_address)
{
	expect_sni("127.0.0.1", "127.0.0.1", "127.1", "", 200, "");
}

Test(cert, ip_host_against_other_ip_san)
{
	expect_sni("127.0.0.1", "127.0.0.2,::1", "127.0.0.1",
	    "hostname mismatch", ANY_DAYS, NULL);
}

/* The other side of the SNI check above: a name does go out as SNI, so the
 * empty log there means something. */
Test(cert, name_host_sends_sni)
{
	expect_sni("127.0.0.1", "localhost", "localhost", "", ANY_DAYS,
	    "localhost\n");
}

Test(cert, ip_host_listed_in_certificate)
{
	expect_cert((const char *[]){ "--tls", "--san", "localhost,127.0.0.1",
	    NULL }, "127.0.0.1", "", ANY_DAYS);
}

/* The CA file holds the root only: the intermediate the server sends
 * must reach the verification (the test below is the other side). */
Test(cert, intermediate_chain)
{
	expect_cert((const char *[]){ "--tls", "--chain", "intermediate", NULL },
	    "localhost", "", 200);
}

/* Analyses the chain a + b (files in srv's dir, b may be NULL) for
 * localhost against srv's root CA into *r, which holds a zeroed or earlier
 * result: it is cleared first; the caller frees the last one with
 * cert_result_clear. */
static void
verify_files(const struct h_srv *srv, const char *a, const char *b,
    struct cert_result *r)
{
	char			*pa = h_srv_file(srv, a);
	char			*pb = b != NULL ? h_srv_file(srv, b) : NULL;
	char			*ca = h_srv_file(srv, "ca.pem");
	char			*ta = h_read_file(pa);
	char			*tb = pb != NULL ? h_read_file(pb) : strdup("");
	char			*chain = h_strf("%s%s", ta, tb);
	struct cert_cas		*cas = cert_cas_new();
	const mbedtls_x509_crt	*root = cert_cas_get(cas, ca);

	cr_assert_not_null(root);
	cert_result_clear(r);
	cert_verify((const unsigned char *)chain, strlen(chain), root,
	    "localhost", (int64_t)time(NULL) * 1000, r);
	r->done = 1;
	cert_cas_free(cas);
	free(chain);
	free(ta);
	free(tb);
	free(ca);
	free(pb);
	free(pa);
}

/* The analysis itself: the intermediate decides, and an intermediate is
 * never mistaken for the leaf. */
Test(cert, verify_uses_the_intermediate_sent)
{
	struct h_srv		*srv = h_srv_start((const char *[]){ "--tls",
				    "--chain", "intermediate", NULL });
	struct cert_result	 r;

	memset(&r, 0, sizeof(r));
	verify_files(srv, "leaf.pem", "intermediate.pem", &r);
	cr_assert_str_eq(r.error, "");
	assert_days(&r, 200);
	verify_files(srv, "leaf.pem", NULL, &r);
	cr_assert_str_eq(r.error, "certificate not trusted");
	cr_assert(r.have_cert);
	/* Leaf first: the CA's certificate in front is not for localhost. */
	verify_files(srv, "intermediate.pem", "leaf.pem", &r);
	cr_assert_str_eq(r.error, "hostname mismatch");
	cert_result_clear(&r);
	h_srv_stop(srv);
}

Test(cert, verify_garbage)
{
	static const char	 junk[] = "-----BEGIN CERTIFICATE-----\nAAAA\n"
				    "-----END CERTIFICATE-----\n";
	struct cert_result	 r;

	memset(&r, 0, sizeof(r));
	cert_verify((const unsigned char *)junk, strlen(junk), NULL,
	    "localhost", 0, &r);
	cr_assert_not(r.have_cert);
	cr_assert(strncmp(r.error, "cannot parse the certificate", 28) == 0,
	    "%s", r.error);
	cert_verify(NULL, 0, NULL, "localhost", 0, &r);
	cr_assert_str_eq(r.error, "tls handshake failed: no certificate "
	    "received");
	cert_result_clear(&r);
}

Test(cert, omitted_intermediate)
{
	expect_cert((const char *[]){ "--tls", "--chain", "omit-intermediate",
	    NULL }, "localhost", "certificate not trusted", ANY_DAYS);
}

Test(cert, ssl_cert_file_env)
{
	struct h_srv		*srv = h_srv_start(tls_args);
	char			*ca = h_srv_file(srv, "ca.pem");
	struct cert_result	 r;

	/* Criterion runs each test in its own process: setenv stays here. */
	setenv("SSL_CERT_FILE", ca, 1);
	check_one("localhost", h_srv_port(srv), NULL, 10000, &r);
	cr_assert_str_eq(r.error, "");
	cert_result_clear(&r);
	free(ca);
	h_srv_stop(srv);
}

Test(cert, unreadable_ca_file)
{
	struct h_dir		*d = h_dir_new();
	char			*bad = h_path(d, "missing.pem");
	char			*want = h_strf("cannot read CA file %s", bad);
	struct cert_result	 r;

	check_localhost(tls_args, bad, 10000, &r);
	cr_assert_str_eq(r.error, want);
	cr_assert_not(r.have_cert);
	cert_result_clear(&r);
	free(want);
	free(bad);
	h_dir_free(d);
}

/* A plain HTTP server such as testsrv waits for a request line that a
 * ClientHello never completes: the check ends at its timeout. */
Test(cert, plain_http_port_that_waits)
{
	struct cert_result	r;

	check_localhost((const char *[]){ NULL }, NULL, 1000, &r);
	cr_assert(strcmp(r.error, "timeout") == 0 ||
	    strncmp(r.error, "tls handshake failed", 20) == 0,
	    "error \"%s\"", r.error);
	cr_assert_lt(r.elapsed_ms, 3000);
	cert_result_clear(&r);
}

/* Fills sin with 127.0.0.1:port. */
static void
loopback_sin(struct sockaddr_in *sin, int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin->sin_port = htons((uint16_t)port);
}

/* Returns a socket bound to a free port of 127.0.0.1, stored in *port. */
static int
bind_loopback(int *port)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			fd;

	loopback_sin(&sin, 0);
	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Returns a loopback port that was free a moment ago. */
static int
free_port(void)
{
	int	port;

	close(bind_loopback(&port));
	return port;
}

struct plain_srv {
	int	fd;		/* listening on 127.0.0.1 */
	int	port;
};

/* Answers one connection the way an HTTP server answers bytes that are not
 * HTTP: reads them, writes a 400 response, closes cleanly. */
static void *
plain_serve(void *arg)
{
	static const char	 resp[] = "HTTP/1.1 400 Bad Request\r\n"
				    "Content-Length: 0\r\nConnection: close\r\n\r\n";
	struct plain_srv	*p = arg;
	char			 buf[4096];
	int			 c;

	if ((c = accept(p->fd, NULL, NULL)) == -1)
		return NULL;
	if (recv(c, buf, sizeof(buf), 0) > 0 &&
	    send(c, resp, sizeof(resp) - 1, MSG_NOSIGNAL) > 0) {
		shutdown(c, SHUT_WR);
		while (recv(c, buf, sizeof(buf), 0) > 0)
			continue;
	}
	close(c);
	return NULL;
}

Test(cert, http_response_is_handshake_failure)
{
	struct plain_srv	p;
	pthread_t		th;
	struct cert_result	r;

	p.fd = bind_loopback(&p.port);
	cr_assert_eq(listen(p.fd, 4), 0);
	cr_assert_eq(pthread_create(&th, NULL, plain_serve, &p), 0);

	check_one("127.0.0.1", p.port, NULL, 5000, &r);
	cr_assert(r.done);
	cr_assert(strncmp(r.error, "tls handshake failed", 20) == 0,
	    "error \"%s\"", r.error);
	cr_assert_not(r.have_cert);
	cert_result_clear(&r);
	pthread_join(th, NULL);
	close(p.fd);
}

Test(cert, silent_server_times_out)
{
	struct cert_result	r;

	check_localhost(silent_args, NULL, 1000, &r);
	cr_assert_str_eq(r.error, "timeout");
	cr_assert_geq(r.elapsed_ms, 900);
	cr_assert_lt(r.elapsed_ms, 3000);
	cert_result_clear(&r);
}

Test(cert, refused)
{
	struct cert_result	r;

	/* A port just bound and closed, with nobody listening on it. */
	check_one("127.0.0.1", free_port(), NULL, 5000, &r);
	cr_assert(r.done);
	cr_assert_str_eq(r.error, "connection refused");
	cr_assert_not(r.have_cert);
	cert_result_clear(&r);
}

Test(cert, ipv6_literal)
{
	require_ipv6();
	expect_cert((const char *[]){ "--tls", "--bind", "::1", "--san",
	    "localhost,::1", NULL }, "::1", "", 200);
}

Test(cert, ipv6_literal_against_ip_san_only)
{
	require_ipv6();
	expect_sni("::1", "::1", "::1", "", 200, "");
}

Test(cert, ipv6_literal_against_ipv4_san)
{
	require_ipv6();
	/* An IPv4 SAN never matches an IPv6 host. */
	expect_sni("::1", "127.0.0.1", "::1", "hostname mismatch", ANY_DAYS,
	    NULL);
}

#define OPENSSL_BIN	"/usr/bin/openssl"

struct ossl_srv {
	struct h_dir	*dir;
	char		*cert;		/* self-signed, CN=localhost: trust it */
	struct h_proc	*proc;
	int		 port;
};

/* Starts `openssl s_server` limited to one TLS version ("-tls1_3") on a
 * fresh self-signed certificate; skips the test without openssl. */
static void
ossl_start(struct ossl_srv *o, const char *version)
{
	struct h_run	 run;
	char		*key, *accept;

	if (access(OPENSSL_BIN, X_OK) != 0)
		cr_skip_test(OPENSSL_BIN " is missing (scripts/deps.sh "
		    "installs it)");
	o->dir = h_dir_new();
	o->cert = h_path(o->dir, "cert.pem");
	key = h_path(o->dir, "key.pem");
	h_run_bin(&run, OPENSSL_BIN, (const char *[]){ "req", "-x509",
	    "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
	    "-days", "30", "-subj", "/CN=localhost", "-keyout", key, "-out",
	    o->cert, NULL }, NULL);
	cr_assert_eq(run.status, 0, "openssl req: %s", run.err);
	h_run_free(&run);
	o->port = free_port();
	accept = h_strf("127.0.0.1:%d", o->port);
	/* -www: serve without reading stdin, which the harness closes and
	 * whose EOF would end a plain s_server at its first connection. */
	o->proc = h_spawn_bin(OPENSSL_BIN, (const char *[]){ "s_server",
	    version, "-www", "-accept", accept, "-cert", o->cert, "-key", key,
	    NULL }, NULL);
	cr_assert(h_wait_port(o->port, 10000), "openssl s_server is not "
	    "listening on port %d", o->port);
	free(accept);
	free(key);
}

static void
ossl_stop(struct ossl_srv *o)
{
	struct h_run	run;

	kill(h_proc_pid(o->proc), SIGTERM);
	h_wait(o->proc, &run);
	h_run_free(&run);
	free(o->cert);
	h_dir_free(o->dir);
}

/* A server configured for TLS 1.3 only (the "modern" profile) is checked
 * like any other. */
Test(cert, tls13_only_server)
{
	struct ossl_srv		o;
	struct cert_result	r;

	ossl_start(&o, "-tls1_3");
	check_one("localhost", o.port, o.cert, 10000, &r);
	cr_assert(r.done);
	cr_assert_str_eq(r.error, "");
	assert_days(&r, 29);
	cr_assert_str_eq(r.tls_version, "TLSv1.3");
	cert_result_clear(&r);
	ossl_stop(&o);
}

Test(cert, tls12_openssl_server_verifies)
{
	struct ossl_srv		o;
	struct cert_result	r;

	ossl_start(&o, "-tls1_2");
	check_one("localhost", o.port, o.cert, 10000, &r);
	cr_assert_str_eq(r.error, "");
	assert_days(&r, 29);
	cr_assert_str_eq(r.tls_version, "TLSv1.2");
	cert_result_clear(&r);
	ossl_stop(&o);
}

/* No handshake, no version. */
Test(cert, tls_version_unknown_without_handshake)
{
	struct cert_result	r;

	check_localhost(silent_args, NULL, 500, &r);
	cr_assert_str_eq(r.error, "timeout");
	cr_assert_str_eq(r.tls_version, "");
	cert_result_clear(&r);
}

/* Runs n checks, at most maxconc at once, against a testsrv started with
 * args, whose CA is trusted when trust_ca is set; returns the probe's wall
 * time in ms, and the malloc'd checks in *checksp (results only: their
 * site is gone). */
static double
run_many(const char *const args[], int trust_ca, size_t n, int maxconc,
    int64_t timeout_ms, struct check **checksp)
{
	static volatile sig_atomic_t	 stop;
	struct h_srv			*srv = h_srv_start(args);
	char				*ca = trust_ca ?
					    h_srv_file(srv, "ca.pem") : NULL;
	struct check			*checks = calloc(n, sizeof(*checks));
	struct site			 site;
	double				 t0, ms;
	size_t				 i;

	site_set(&site, "many", "localhost", h_srv_port(srv), ca, timeout_ms);
	checks_init(checks, n, &site);
	t0 = h_now_ms();
	cr_assert_eq(h_probe(checks, n, maxconc, &stop), 0);
	ms = h_now_ms() - t0;
	for (i = 0; i < n; i++)
		checks[i].site = NULL;
	free(ca);
	h_srv_stop(srv);
	*checksp = checks;
	return ms;
}

/* Frees run_many's n checks and their results. */
static void
checks_free(struct check *checks, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		cert_result_clear(&checks[i].cert);
	free(checks);
}

/* Asserts that each of the n checks ran and ended with want_error ("" for
 * none). */
static void
assert_all_ended(const struct check *checks, size_t n, const char *want_error)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		cr_assert(checks[i].cert.done);
		cr_assert_str_eq(checks[i].cert.error, want_error,
		    "check %zu: %s", i, checks[i].cert.error);
	}
}

Test(cert, concurrent_timeouts_take_as_long_as_one)
{
	struct check	*jobs;
	double		 ms;

	ms = run_many(silent_args, 0, 50, 100, 2000, &jobs);
	cr_assert_lt(ms, 4000, "50 timeouts of 2 s took %.0f ms", ms);
	assert_all_ended(jobs, 50, "timeout");
	checks_free(jobs, 50);
}

Test(cert, concurrency_is_bounded)
{
	struct check	*jobs;
	double		 ms;

	/* Four 1 s timeouts two at a time: two rounds, not one, not four. */
	ms = run_many(silent_args, 0, 4, 2, 1000, &jobs);
	cr_assert(ms >= 1900 && ms < 3500, "took %.0f ms", ms);
	checks_free(jobs, 4);
}

Test(cert, many_valid_checks)
{
	struct check	*jobs;
	double		 ms;
	size_t		 i;

	ms = run_many(tls_args, 1, 50, 100, 20000, &jobs);
	cr_assert_lt(ms, 15000, "50 handshakes took %.0f ms", ms);
	assert_all_ended(jobs, 50, "");
	for (i = 0; i < 50; i++)
		cr_assert_eq(jobs[i].cert.days_left, 200);
	checks_free(jobs, 50);
}

struct stopper {
	volatile sig_atomic_t	*stop;
	int			 after_ms;
};

static void *
stop_later(void *arg)
{
	struct stopper	*s = arg;
	struct timespec	 ts = { s->after_ms / 1000,
			    (long)(s->after_ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	*s->stop = 1;
	return NULL;
}

Test(cert, stop_flag_abandons_batch)
{
	static volatile sig_atomic_t	 stop;
	struct h_srv			*srv = h_srv_start(silent_args);
	struct stopper			 st = { &stop, 300 };
	struct check			 jobs[10];
	struct site			 site;
	pthread_t			 th;
	double				 t0;
	size_t				 i;

	site_set(&site, "stop", "localhost", h_srv_port(srv), NULL, 30000);
	checks_init(jobs, 10, &site);
	t0 = h_now_ms();
	cr_assert_eq(pthread_create(&th, NULL, stop_later, &st), 0);
	/* Five in flight for ten checks: the queued five must never start. */
	cr_assert_eq(h_probe(jobs, 10, 5, &stop), -1);
	cr_assert_lt(h_now_ms() - t0, 2000);
	pthread_join(th, NULL);
	for (i = 0; i < 10; i++)
		cr_assert_eq(jobs[i].cert.done, 0, "check %zu was recorded", i);
	for (i = 0; i < 10; i++)
		cert_result_clear(&jobs[i].cert);
	h_srv_stop(srv);
}

Test(cert, empty_batch)
{
	static volatile sig_atomic_t	 stop;

	cr_assert_eq(h_probe(NULL, 0, 10, &stop), 0);
}
