/*
 * Certificate checks: connect, TLS handshake with mbedTLS, verify the chain
 * and the hostname, read the leaf's notAfter.
 *
 * Design: a bounded pool of threads, min(max_concurrency, n), each pulling
 * the next job index from a mutex-protected counter and doing one blocking
 * check at a time. This is much simpler than driving many non-blocking
 * mbedTLS handshakes from one poll() loop, and it stays bounded: every
 * socket operation of a worker goes through poll() against the job's
 * absolute deadline, in slices of at most CHECK_SLICE_MS, so a server that
 * accepts and never speaks costs at most the site's timeout, and the stop
 * flag (SIGTERM) is noticed within a slice. Only getaddrinfo() is not
 * bounded by the deadline: the resolver has its own timeouts.
 *
 * Hostname verification: mbedTLS 2.28 compares the name given to
 * mbedtls_ssl_set_hostname() with the certificate's CN and dNSName entries
 * only; it has no iPAddress SAN support, and the same name would go out as
 * SNI, where RFC 6066 forbids IP literals. So a host that is an IP literal
 * is never handed to mbedTLS: no SNI is sent, mbedTLS checks no name, and
 * after the handshake we look for the address among the leaf's iPAddress
 * SANs ourselves, as OpenSSL and browsers do (never in the CN).
 *
 * mbedTLS 2.28 speaks TLS 1.2 at most. A server that only speaks TLS 1.3
 * answers our ClientHello with a fatal alert, which gets its own message
 * because mbedTLS's "a fatal alert message was received" helps nobody.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include "check_cert.h"
#include "log.h"
#include "util.h"

#define CHECK_SLICE_MS	200	/* longest wait before looking at the stop flag */
#define SYSTEM_CA_FILE	"/etc/ssl/certs/ca-certificates.crt"

/* One CA bundle, parsed at most once per batch by the first worker that
 * needs it, then shared read-only by every thread. */
struct ca_entry {
	char		*path;
	pthread_mutex_t	 lock;		/* guards state and the parse */
	int		 state;		/* 0 not yet read, 1 usable, -1 unreadable */
	mbedtls_x509_crt crt;
};

struct cert_batch {
	struct cert_job	*jobs;		/* borrowed from the caller */
	size_t		 n;
	size_t		 next;		/* next job index to hand out */
	pthread_mutex_t	 lock;		/* guards next */
	const volatile sig_atomic_t *stop;
	struct ca_entry	*cas;		/* one per distinct trust file */
	size_t		 ncas;
	size_t		*ca_of;		/* jobs[i] trusts cas[ca_of[i]] */
	pthread_t	*threads;
	size_t		 nthreads;	/* threads actually started */
};

/* Why socket I/O stopped; mbedTLS only sees a generic error code. */
enum io_fail {
	IO_NONE,
	IO_TIMEOUT,
	IO_STOPPED,
	IO_RESET,
	IO_ERROR
};

/* One connection's I/O context, handed to mbedTLS as the BIO. */
struct conn {
	int		 fd;
	int64_t		 deadline;	/* mono_ms() at which the check gives up */
	const volatile sig_atomic_t *stop;
	enum io_fail	 fail;		/* set by the BIO callbacks */
	int		 err;		/* errno of IO_ERROR / IO_RESET */
};

/* Per-thread random generator; mbedTLS contexts are not shared. */
struct worker {
	struct cert_batch	*batch;
	mbedtls_entropy_context	 entropy;
	mbedtls_ctr_drbg_context drbg;
	int			 seeded;
};

/* Waits until fd is ready for events, the deadline passes or stop is set;
 * returns IO_NONE when ready, else the reason it gave up. */
static enum io_fail
wait_fd(struct conn *c, short events)
{
	struct pollfd	pfd;
	int64_t		left;
	int		r;

	for (;;) {
		if (c->stop != NULL && *c->stop)
			return IO_STOPPED;
		left = c->deadline - mono_ms();
		if (left <= 0)
			return IO_TIMEOUT;
		if (left > CHECK_SLICE_MS)
			left = CHECK_SLICE_MS;
		pfd.fd = c->fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return IO_NONE;
		if (r == -1 && errno != EINTR) {
			c->err = errno;
			return IO_ERROR;
		}
	}
}

/* Records why I/O failed and returns the mbedTLS code for it. */
static int
bio_fail(struct conn *c, enum io_fail why, int err, int code)
{
	c->fail = why;
	c->err = err;
	if (why == IO_RESET)
		return MBEDTLS_ERR_NET_CONN_RESET;
	return code;
}

/*
 * Judges a send() or recv() that returned -1, for the callbacks below:
 * returns 1 to try again (after waiting for events on the socket), or 0
 * with *ret set to the mbedTLS code to return.
 */
static int
bio_again(struct conn *c, short events, int code, int *ret)
{
	enum io_fail	why;

	if (errno == EINTR)
		return 1;
	if (errno == EPIPE || errno == ECONNRESET)
		*ret = bio_fail(c, IO_RESET, errno, 0);
	else if (errno != EAGAIN && errno != EWOULDBLOCK)
		*ret = bio_fail(c, IO_ERROR, errno, code);
	else if ((why = wait_fd(c, events)) != IO_NONE)
		*ret = bio_fail(c, why, c->err, code);
	else
		return 1;
	return 0;
}

/* mbedTLS send callback: returns bytes sent or a negative mbedTLS code. */
static int
bio_send(void *ctx, const unsigned char *data, size_t len)
{
	struct conn	*c = ctx;
	ssize_t		 n;
	int		 ret;

	do {
		if (c->stop != NULL && *c->stop)
			return bio_fail(c, IO_STOPPED, 0,
			    MBEDTLS_ERR_NET_SEND_FAILED);
		if ((n = send(c->fd, data, len, MSG_NOSIGNAL)) >= 0)
			return (int)n;
	} while (bio_again(c, POLLOUT, MBEDTLS_ERR_NET_SEND_FAILED, &ret));
	return ret;
}

/* mbedTLS receive callback: returns bytes read (0 at EOF) or a negative
 * mbedTLS code. */
static int
bio_recv(void *ctx, unsigned char *data, size_t len)
{
	struct conn	*c = ctx;
	ssize_t		 n;
	int		 ret;

	do {
		if (c->stop != NULL && *c->stop)
			return bio_fail(c, IO_STOPPED, 0,
			    MBEDTLS_ERR_NET_RECV_FAILED);
		if ((n = recv(c->fd, data, len, 0)) >= 0)
			return (int)n;
	} while (bio_again(c, POLLIN, MBEDTLS_ERR_NET_RECV_FAILED, &ret));
	return ret;
}

/* Writes the short, lower-case reason for a socket failure into out. */
static void
io_reason(enum io_fail why, int err, const char *what, char *out,
    size_t outsz)
{
	char	ebuf[128];

	switch (why) {
	case IO_TIMEOUT:
		snprintf(out, outsz, "timeout");
		break;
	case IO_RESET:
		snprintf(out, outsz, "connection reset");
		break;
	case IO_ERROR:
		if (err == ECONNREFUSED) {
			snprintf(out, outsz, "connection refused");
			break;
		}
		if (err == ETIMEDOUT) {
			snprintf(out, outsz, "timeout");
			break;
		}
		snprintf(out, outsz, "%s: %s", what,
		    strerror_r(err, ebuf, sizeof(ebuf)));
		break;
	default:
		out[0] = '\0';
		break;
	}
}

/* Connects one address without blocking past the deadline; returns the
 * socket, or -1 with c->fail/c->err saying why. */
static int
connect_one(struct conn *c, const struct addrinfo *ai)
{
	socklen_t	len = sizeof(int);
	int		fd, soerr = 0;
	enum io_fail	why;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1) {
		c->fail = IO_ERROR;
		c->err = errno;
		return -1;
	}
	c->fd = fd;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		c->fail = IO_ERROR;
		c->err = errno;
		goto fail;
	}
	if ((why = wait_fd(c, POLLOUT)) != IO_NONE) {
		c->fail = why;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		soerr = errno;
	if (soerr == 0)
		return fd;
	c->fail = IO_ERROR;
	c->err = soerr;
fail:
	close(fd);
	c->fd = -1;
	return -1;
}

/* Resolves host and connects to the first address that answers; returns 0
 * with c->fd set, or -1 with the reason in error (or c->fail IO_STOPPED). */
static int
connect_site(struct conn *c, const struct site *site, char *error,
    size_t errorsz)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		 port[16];
	int		 rc, ret = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%d", site->port);
	if ((rc = getaddrinfo(site->host, port, &hints, &res)) != 0) {
		snprintf(error, errorsz, "dns failure");
		goto out;
	}
	/* Try each address while time remains: "localhost" may resolve to
	 * ::1 first while the server listens on 127.0.0.1 only. */
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		c->fail = IO_NONE;
		if (connect_one(c, ai) != -1) {
			ret = 0;
			goto out;
		}
		if (c->fail == IO_STOPPED || c->fail == IO_TIMEOUT)
			break;
	}
	io_reason(c->fail, c->err, "connect failed", error, errorsz);
out:
	if (res != NULL)
		freeaddrinfo(res);
	return ret;
}

/* Returns 1 when the handshake died on the server's fatal alert answering
 * our ClientHello, before any message of its own, with an alert that means
 * "not these versions" (protocol_version; some stacks say handshake_failure
 * when none of our TLS 1.2 suites is a TLS 1.3 one): what a TLS 1.3-only
 * server does to mbedTLS 2.28. Other alerts, e.g. unrecognized_name, are
 * left to the generic message. */
static int
refused_our_versions(const mbedtls_ssl_context *ssl, int rc)
{
	unsigned char	alert;

	if (rc != MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE ||
	    ssl->state > MBEDTLS_SSL_SERVER_HELLO)
		return 0;
	/* mbedTLS leaves the alert record in in_msg: level, description. */
	if (ssl->in_msgtype != MBEDTLS_SSL_MSG_ALERT || ssl->in_msglen < 2)
		return 0;
	alert = ssl->in_msg[1];
	return alert == MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION;
}

/* Writes "tls handshake failed: <reason>" for an mbedTLS error code. */
static void
tls_reason(int code, char *out, size_t outsz)
{
	char	 msg[160];
	char	*p, *end;

	if (code == MBEDTLS_ERR_SSL_CONN_EOF) {
		snprintf(out, outsz, "tls handshake failed: connection closed "
		    "by peer");
		return;
	}
	mbedtls_strerror(code, msg, sizeof(msg));
	/* "SSL - An invalid SSL record was received : X509 - ..." keeps only
	 * the first message, without its module prefix. */
	p = msg;
	if ((end = strstr(p, " - ")) != NULL)
		p = end + 3;
	if ((end = strstr(p, " : ")) != NULL)
		*end = '\0';
	if (*p >= 'A' && *p <= 'Z' && !(p[1] >= 'A' && p[1] <= 'Z'))
		*p = (char)(*p - 'A' + 'a');
	snprintf(out, outsz, "tls handshake failed: %s", p);
}

/*
 * Maps verification flags to one short reason. When several are set the
 * one an operator must act on first wins: expired, then not yet valid, then
 * not trusted, then hostname mismatch. An expired self-signed certificate
 * is therefore "certificate expired".
 */
static void
verify_reason(uint32_t flags, char *out, size_t outsz)
{
	char	 info[512];
	size_t	 prefix;
	char	*p, *nl;

	if (flags == 0)
		out[0] = '\0';
	else if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
		snprintf(out, outsz, "certificate expired");
	else if (flags & MBEDTLS_X509_BADCERT_FUTURE)
		snprintf(out, outsz, "certificate not yet valid");
	else if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
		snprintf(out, outsz, "certificate not trusted");
	else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
		snprintf(out, outsz, "hostname mismatch");
	else {
		info[0] = '\0';
		mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags);
		p = info;
		while (*p == ' ')
			p++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		/* The reason is cut to fit: the first words say enough. */
		prefix = strlen("certificate invalid: ");
		if (outsz > prefix) {
			memcpy(out, "certificate invalid: ", prefix);
			strlcpy_trunc(out + prefix, p, outsz - prefix);
		}
	}
}

/* Returns an X.509 time (always UTC) as unix seconds. */
static int64_t
x509_time_unix(const mbedtls_x509_time *t)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	return (int64_t)timegm(&tm);
}

/* Returns floor((not_after - now) / 1 day); negative once expired, and
 * -1 already for a certificate that expired half a day ago. */
static long
days_until(int64_t not_after, int64_t now)
{
	int64_t	diff = not_after * 1000 - now;
	int64_t	day = 86400LL * 1000;
	int64_t	q = diff / day;

	if (diff % day != 0 && diff < 0)
		q--;
	return (long)q;
}

/* Returns the site's CA bundle, parsed on first use, or NULL if unreadable. */
static const mbedtls_x509_crt *
ca_get(struct ca_entry *ca)
{
	char	msg[128];
	int	rc;

	pthread_mutex_lock(&ca->lock);
	if (ca->state == 0) {
		/* A positive return counts certificates that failed to parse;
		 * a system bundle may hold a few, which is fine as long as
		 * some were read. */
		rc = mbedtls_x509_crt_parse_file(&ca->crt, ca->path);
		if (rc < 0 || ca->crt.version == 0) {
			if (rc < 0)
				mbedtls_strerror(rc, msg, sizeof(msg));
			else
				snprintf(msg, sizeof(msg), "no certificate");
			log_warn("cannot read CA file %s: %s", ca->path, msg);
			ca->state = -1;
		} else
			ca->state = 1;
	}
	pthread_mutex_unlock(&ca->lock);
	return ca->state == 1 ? &ca->crt : NULL;
}

/* Returns the length of the raw address (4 or 16) if host is an IPv4 or
 * IPv6 literal, with its bytes in addr; 0 for a name. */
static size_t
ip_literal(const char *host, unsigned char addr[16])
{
	struct in_addr	a4;

	/* inet_aton, not inet_pton: getaddrinfo connects "127.1" and
	 * "2130706433" to 127.0.0.1 as well, and so does libcurl. */
	if (inet_aton(host, &a4) != 0) {
		memcpy(addr, &a4, 4);
		return 4;
	}
	if (inet_pton(AF_INET6, host, addr) == 1)
		return 16;
	return 0;
}

/* Returns 1 when crt lists the address among its iPAddress SANs. mbedTLS
 * keeps every SAN entry raw, tagged [7] for iPAddress, whose content is the
 * address in network byte order. */
static int
san_has_ip(const mbedtls_x509_crt *crt, const unsigned char *addr,
    size_t len)
{
	const mbedtls_x509_sequence	*cur;

	for (cur = &crt->subject_alt_names; cur != NULL; cur = cur->next) {
		if (cur->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) &&
		    cur->buf.len == len && memcmp(cur->buf.p, addr, len) == 0)
			return 1;
	}
	return 0;
}

/* Handshakes over an open connection and fills res from the leaf. */
static void
tls_check(struct worker *w, struct conn *c, const struct site *site,
    const mbedtls_x509_crt *ca, struct cert_result *res)
{
	mbedtls_ssl_config	 conf;
	mbedtls_ssl_context	 ssl;
	const mbedtls_x509_crt	*peer;
	unsigned char		 ip[16];
	size_t			 iplen = ip_literal(site->host, ip);
	uint32_t		 flags;
	int			 rc;

	mbedtls_ssl_config_init(&conf);
	mbedtls_ssl_init(&ssl);
	rc = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT,
	    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (rc != 0)
		goto tls_error;
	/* OPTIONAL: the handshake completes even when verification fails, so
	 * an expired or untrusted leaf is still read and reported. */
	mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
	/* mbedTLS takes a mutable pointer but only reads the chain. */
	mbedtls_ssl_conf_ca_chain(&conf, (mbedtls_x509_crt *)ca, NULL);
	mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &w->drbg);
	if ((rc = mbedtls_ssl_setup(&ssl, &conf)) != 0)
		goto tls_error;
	/* The same name drives SNI and the hostname check; an IP literal
	 * must be neither (see the top of this file). */
	if (iplen == 0 &&
	    (rc = mbedtls_ssl_set_hostname(&ssl, site->host)) != 0)
		goto tls_error;
	mbedtls_ssl_set_bio(&ssl, c, bio_send, bio_recv, NULL);

	while ((rc = mbedtls_ssl_handshake(&ssl)) != 0) {
		if (rc != MBEDTLS_ERR_SSL_WANT_READ &&
		    rc != MBEDTLS_ERR_SSL_WANT_WRITE)
			break;
	}
	if (c->fail == IO_STOPPED)
		goto out;
	if (rc != 0 && rc != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		/* A socket failure (timeout, reset...) keeps its own plain
		 * reason; it says more than the mbedTLS code it caused. */
		if (c->fail != IO_NONE)
			io_reason(c->fail, c->err, "tls i/o failed",
			    res->error, sizeof(res->error));
		else if (refused_our_versions(&ssl, rc))
			snprintf(res->error, sizeof(res->error),
			    "tls handshake failed: server requires a TLS "
			    "version peekl cannot speak (TLS 1.3 only?)");
		else
			tls_reason(rc, res->error, sizeof(res->error));
		res->done = 1;
		goto out;
	}

	flags = mbedtls_ssl_get_verify_result(&ssl);
	if ((peer = mbedtls_ssl_get_peer_cert(&ssl)) != NULL) {
		res->have_cert = 1;
		res->not_after = x509_time_unix(&peer->valid_to);
		res->days_left = days_until(res->not_after, now_ms());
		if (iplen != 0 && !san_has_ip(peer, ip, iplen))
			flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
	}
	verify_reason(flags, res->error, sizeof(res->error));
	res->done = 1;
	/* Polite, but bounded: the BIO gives up at the deadline like any
	 * other write, and a failure here changes nothing measured. */
	if (rc == 0)
		(void)mbedtls_ssl_close_notify(&ssl);
	goto out;

tls_error:
	tls_reason(rc, res->error, sizeof(res->error));
	res->done = 1;
out:
	mbedtls_ssl_free(&ssl);
	mbedtls_ssl_config_free(&conf);
}

/* Runs one complete certificate check; leaves res->done 0 if stopped. */
static void
cert_check(struct worker *w, struct cert_job *job, struct ca_entry *cae)
{
	struct cert_result	*res = &job->res;
	const struct site	*site = job->site;
	const mbedtls_x509_crt	*ca;
	struct conn		 c;
	int64_t			 start = mono_ms();

	memset(res, 0, sizeof(*res));
	res->started_ms = now_ms();
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	c.deadline = start + site->timeout_ms;
	c.stop = w->batch->stop;

	if (!w->seeded) {
		snprintf(res->error, sizeof(res->error),
		    "tls handshake failed: no random generator");
		res->done = 1;
		goto out;
	}
	if ((ca = ca_get(cae)) == NULL) {
		snprintf(res->error, sizeof(res->error),
		    "cannot read CA file %s", cae->path);
		res->done = 1;
		goto out;
	}
	if (connect_site(&c, site, res->error, sizeof(res->error)) == -1) {
		if (c.fail != IO_STOPPED)
			res->done = 1;
		goto out;
	}
	tls_check(w, &c, site, ca, res);
out:
	if (c.fd != -1)
		close(c.fd);
	res->elapsed_ms = (double)(mono_ms() - start);
	log_debug("cert check %s:%d: %s (%.0f ms)", site->host, site->port,
	    res->done ? (res->error[0] ? res->error : "verified") : "abandoned",
	    res->elapsed_ms);
}

/* Hands out the next job index; returns 0 and sets *idx, or -1 when none
 * is left or the batch is being stopped. */
static int
next_job(struct cert_batch *b, size_t *idx)
{
	int	ret = -1;

	pthread_mutex_lock(&b->lock);
	if (b->next < b->n && !(b->stop != NULL && *b->stop)) {
		*idx = b->next++;
		ret = 0;
	}
	pthread_mutex_unlock(&b->lock);
	return ret;
}

static void *
worker_main(void *arg)
{
	struct cert_batch	*b = arg;
	struct worker		 w;
	size_t			 i;

	memset(&w, 0, sizeof(w));
	w.batch = b;
	mbedtls_entropy_init(&w.entropy);
	mbedtls_ctr_drbg_init(&w.drbg);
	if (mbedtls_ctr_drbg_seed(&w.drbg, mbedtls_entropy_func, &w.entropy,
	    (const unsigned char *)"peekl-cert", 10) == 0)
		w.seeded = 1;
	else
		log_error("cannot seed the TLS random generator");
	while (next_job(b, &i) == 0)
		cert_check(&w, &b->jobs[i], &b->cas[b->ca_of[i]]);
	mbedtls_ctr_drbg_free(&w.drbg);
	mbedtls_entropy_free(&w.entropy);
	return NULL;
}

/* Returns the trust file a site uses: its ca_file, else $SSL_CERT_FILE,
 * else the Debian system bundle. */
static const char *
site_ca_path(const struct site *site, const char *env)
{
	if (site->ca_file != NULL && site->ca_file[0] != '\0')
		return site->ca_file;
	if (env != NULL && env[0] != '\0')
		return env;
	return SYSTEM_CA_FILE;
}

/* Gives every job an index into one entry per distinct trust file. */
static void
ca_table_build(struct cert_batch *b)
{
	const char	*env = getenv("SSL_CERT_FILE");
	const char	*path;
	size_t		 i, k;

	b->cas = xcalloc(b->n, sizeof(*b->cas));
	b->ca_of = xcalloc(b->n, sizeof(*b->ca_of));
	for (i = 0; i < b->n; i++) {
		path = site_ca_path(b->jobs[i].site, env);
		for (k = 0; k < b->ncas; k++)
			if (strcmp(b->cas[k].path, path) == 0)
				break;
		if (k == b->ncas) {
			b->cas[k].path = xstrdup(path);
			pthread_mutex_init(&b->cas[k].lock, NULL);
			mbedtls_x509_crt_init(&b->cas[k].crt);
			b->ncas++;
		}
		b->ca_of[i] = k;
	}
}

static void
batch_free(struct cert_batch *b)
{
	size_t	k;

	if (b == NULL)
		return;
	for (k = 0; k < b->ncas; k++) {
		mbedtls_x509_crt_free(&b->cas[k].crt);
		pthread_mutex_destroy(&b->cas[k].lock);
		free(b->cas[k].path);
	}
	free(b->cas);
	free(b->ca_of);
	free(b->threads);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

struct cert_batch *
cert_batch_start(struct cert_job *jobs, size_t n, int max_concurrency,
    const volatile sig_atomic_t *stop)
{
	struct cert_batch	*b;
	char			 ebuf[128];
	size_t			 want, i;
	int			 rc;

	b = xcalloc(1, sizeof(*b));
	pthread_mutex_init(&b->lock, NULL);
	b->jobs = jobs;
	b->n = n;
	b->stop = stop;
	for (i = 0; i < n; i++)
		memset(&jobs[i].res, 0, sizeof(jobs[i].res));
	ca_table_build(b);

	want = max_concurrency > 0 ? (size_t)max_concurrency : 1;
	if (want > n)
		want = n;
	b->threads = xcalloc(want, sizeof(*b->threads));
	for (i = 0; i < want; i++) {
		rc = pthread_create(&b->threads[i], NULL, worker_main, b);
		if (rc != 0) {
			/* Fewer workers only make the batch slower; the
			 * ones running will take every job. */
			log_warn("certificate checks: started %zu of %zu "
			    "threads: %s", i, want,
			    strerror_r(rc, ebuf, sizeof(ebuf)));
			break;
		}
		b->nthreads++;
	}
	if (want > 0 && b->nthreads == 0) {
		log_error("certificate checks: cannot start any thread");
		batch_free(b);
		return NULL;
	}
	return b;
}

int
cert_batch_wait(struct cert_batch *b)
{
	size_t	i;
	int	ret;

	if (b == NULL)
		return -1;
	for (i = 0; i < b->nthreads; i++)
		pthread_join(b->threads[i], NULL);
	ret = (b->stop != NULL && *b->stop) ? -1 : 0;
	batch_free(b);
	return ret;
}
