/*
 * testsrv: peekl's own loopback test server, so integration tests run peekl
 * against real sockets, real TLS and a real webhook receiver, not mocks.
 *
 *   testsrv --port-file F [--mode http|webhook|silent|smtp|imap|pop3]
 *           [--no-starttls] [--smtps] [--auth USER:PASS]
 *           [--auth-mechs "PLAIN LOGIN"] [--bind 127.0.0.1|::1]
 *           [--log F] [--headers-log F] [--control F]
 *           [--tls --dir D [--days-left N] [--not-before-days N] [--cn NAME]
 *            [--san NAME[,NAME...]] [--ip-san-only] [--sni-log F]
 *            [--issuer ca|self|unknown-ca] [--client-cert]
 *            [--chain intermediate|omit-intermediate] [--inter-days-left N]
 *            [--leaf-md sha1|md5|sha256] [--leaf-key ec|rsa1024|rsa2048]
 *            [--inter-md sha1|md5|sha256] [--inter-key ec|rsa1024]
 *            [--crl-url URL] [--inter-crl-url URL] [--send-root]
 *            [--root-md sha1|md5|sha256]]
 *
 * It listens on an OS-chosen port, writes "PORT\n" to the port file (via a
 * rename, so a reader never sees half of it) and serves until SIGTERM or
 * SIGINT (exit 0). One detached thread per connection; every response says
 * "Connection: close" and the connection ends after it.
 *
 * http routes: / and /ok... (welcome), /status/N, /retry-after/S, /slow/MS,
 * /hang, /endless, /big/BYTES[?tail=WORD], /redirect/N, /redirect-loop,
 * /keyword/WORD, /echo, /reset, /loc[?barrier=N] (the status in
 * --dir's file loc-NAME for the request's "X-Loc: NAME", else 200; with
 * barrier, only once N requests are waiting, or after 5 s), /json?body=B[&ctype=T][&header=N: V] (B as
 * the body, application/json unless T), /auth/B64 (200 with that basic
 * auth, base64 of "user:password", else 401); anything else is 404. /echo answers
 *   {"method":"GET","path":"/echo","headers":{"Host":"..."},"body":"..."}
 *
 * Log files, one write() per line on an O_APPEND descriptor so lines from
 * concurrent connections never interleave. Each line is written before the
 * response is sent, so a client that saw the answer also sees the line:
 *   --log, http mode:     METHOD TAB TARGET TAB Name: value TAB ...
 *   --log, webhook mode:  STATUS TAB METHOD TAB TARGET TAB CONTENT_TYPE TAB BODY
 *       STATUS is the status answered, 0 for "hang". BODY is escaped so a
 *       request stays one line: backslash -> \\, newline -> \n, CR -> \r,
 *       tab -> \t; every other byte is written as is.
 *   --headers-log (any mode): Name: value | Name: value ...
 * Tabs, CRs and newlines inside header values are written as spaces.
 *
 * --san: an IP literal gets an iPAddress entry plus a dNSName entry with the
 * same text; --ip-san-only leaves out that dNSName, as a real certificate
 * for an address would. --sni-log F: one line per TLS ClientHello that
 * carried a server name (SNI), the name, written before the server answers;
 * a client that sends no SNI adds nothing.
 *
 * --client-cert: the handshake requires a client certificate issued by
 * the test root CA; client.pem and client.key (signed by it) and
 * other-client.pem/.key (signed by an unknown CA) are written to --dir.
 *
 * --crl-url URL, --inter-crl-url URL: a CRL Distribution Point in the leaf
 * or the intermediate. ca.key and intermediate.key hold the CAs' keys (PEM)
 * so a test can sign CRLs; in http mode /file/NAME serves --dir's NAME.
 * --send-root: the chain sent ends with the root (a trust anchor, which
 * --root-md signs itself with).
 * --inter-days-left N: the intermediate expires N days (and 12 hours) from
 * now instead of outliving the leaf. --leaf-md/--inter-md: the digest the
 * issuer signs that certificate with (default sha256); --leaf-key/
 * --inter-key: its key (default EC P-256), for weak-cryptography tests.
 *
 * Mail modes (smtp, imap, pop3): a plain-text server that greets, answers
 * EHLO/HELO, CAPABILITY or CAPA (offering STARTTLS, or STLS for POP3,
 * with --tls unless --no-starttls), upgrades the same socket to TLS on
 * STARTTLS/STLS, answers the capabilities again over TLS, and says goodbye
 * to QUIT/LOGOUT. Anything else gets an error reply. One line per command
 * received goes to --log (AUTH without its credentials).
 *
 * smtp mode is also a mail receiver: EHLO offers AUTH (--auth-mechs, default
 * "PLAIN LOGIN") once STARTTLS is done or not offered; AUTH PLAIN and AUTH
 * LOGIN check --auth USER:PASS (when given, MAIL needs a successful AUTH
 * first); MAIL FROM, RCPT TO, DATA, RSET and NOOP work. Each message
 * accepted is written, dot-unstuffed, to --dir as mail-N.eml (N from 1,
 * envelope first as "X-Envelope-From: " and "X-Envelope-To: " lines). The
 * control file decides the answer after DATA's final ".": as for a
 * webhook, a 2xx (or nothing) is 250, "451"/"554"... that reply, "hang"
 * never answers, "cut" closes the connection. --smtps: TLS from the first
 * byte (implicit TLS) instead of STARTTLS.
 *
 * Webhook control file (--control), read afresh for every request:
 * absent or empty -> 200 "ok"; "STATUS [RETRY_AFTER|-] [BODY]" -> that
 * status, with a Retry-After header when given, and BODY (the rest of the
 * line) as the body when given; "hang" -> read the request, never answer;
 * "cut" -> read the request, then close the connection with an RST.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#define HEAD_MAX	(64 * 1024)	/* request line + headers */
#define BODY_MAX	(1024 * 1024)
#define CHUNK		(16 * 1024)	/* write size for big and endless bodies */
#define MAX_HEADERS	128
#define DAY		86400LL
#define PEM_MAX		4096

enum mode { MODE_HTTP, MODE_WEBHOOK, MODE_SILENT, MODE_SMTP, MODE_IMAP,
    MODE_POP3 };
enum issuer { ISSUER_CA, ISSUER_SELF, ISSUER_UNKNOWN };
enum chain { CHAIN_NONE, CHAIN_SEND, CHAIN_OMIT };
enum keytype { KEY_EC, KEY_RSA1024, KEY_RSA2048 };

struct opts {
	enum mode	 mode;
	const char	*bind;		/* listen address */
	const char	*port_file;
	const char	*log;		/* request log, NULL = none */
	const char	*headers_log;
	const char	*control;	/* webhook control file */
	int		 tls;
	const char	*dir;		/* where the PEM files go */
	long long	 days_left;
	long long	 not_before_days;
	int		 not_before_set; /* --not-before-days given */
	const char	*cn;
	const char	*san;		/* NULL = same as cn */
	int		 ip_san_only;	/* no dNSName twin for IP SANs */
	const char	*sni_log;	/* SNI names received, NULL = none */
	int		 client_cert;	/* require a client certificate (mTLS) */
	enum issuer	 issuer;
	enum chain	 chain;
	long long	 inter_days_left;
	int		 inter_days_set; /* --inter-days-left given */
	int		 leaf_md, inter_md; /* mbedtls_md_type_t */
	int		 leaf_key, inter_key; /* enum keytype */
	int		 no_starttls;	/* mail modes: never offer STARTTLS */
	const char	*crl_url;	/* CRL Distribution Point of the leaf */
	const char	*inter_crl_url;	/* ... of the intermediate */
	int		 send_root;	/* the chain sent ends with the root */
	int		 root_md;	/* mbedtls_md_type_t of the root's self-signature */
	int		 smtps;		/* smtp mode: TLS from the first byte */
	const char	*auth;		/* smtp mode: "USER:PASS" AUTH must give */
	const char	*auth_mechs;	/* smtp mode: the AUTH mechanisms offered */
};

/* Set up once in main before the first thread starts, read-only after. */
static struct opts opt = { .mode = MODE_HTTP, .bind = "127.0.0.1",
    .days_left = 200, .not_before_days = -1, .cn = "localhost",
    .leaf_md = MBEDTLS_MD_SHA256, .inter_md = MBEDTLS_MD_SHA256,
    .root_md = MBEDTLS_MD_SHA256, .auth_mechs = "PLAIN LOGIN" };
static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;	/* locks itself: MBEDTLS_THREADING_C */
static mbedtls_ssl_config tls_conf;
static mbedtls_x509_crt tls_chain;	/* sent: leaf [+ intermediate] */
static mbedtls_pk_context tls_key;	/* the leaf's key */
static mbedtls_x509_crt client_ca;	/* --client-cert: trusted for clients */

/* ---------------------------------------------------------------- utils */

struct buf {
	char	*p;
	size_t	 len, cap;
};

/* Appends n bytes. A test server out of memory has nothing sane left to do. */
static void
buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			fputs("testsrv: out of memory\n", stderr);
			abort();
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3)))
static void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	buf_add(b, s, (size_t)n);
	free(s);
}

/* Returns 0 and sets *out if s is a whole decimal number in [min, max]. */
static int
parse_num(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Writes data to dir/name (dir may be NULL) through a temporary name and a
 * rename, so concurrent readers see the old file or the whole new one. */
static int
write_file_atomic(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096], tmp[4200];
	int fd = -1, rc = -1;

	if (snprintf(path, sizeof(path), "%s%s%s", dir ? dir : "", dir ? "/" : "",
	    name) >= (int)sizeof(path))
		goto out;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
	    (int)sizeof(tmp))
		goto out;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		goto out;
	if (write(fd, data, len) != (ssize_t)len)
		goto out;
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto out;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		fprintf(stderr, "testsrv: cannot write %s: %s\n", path, strerror(errno));
	return rc;
}

/* Appends one line with a single write(), so concurrent lines never mix. */
static void
log_line(const char *path, const struct buf *line)
{
	int fd;

	if (path == NULL)
		return;
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644)) < 0)
		return;
	if (write(fd, line->p, line->len) != (ssize_t)line->len)
		fprintf(stderr, "testsrv: short write to %s\n", path);
	close(fd);
}

static void
sleep_ms(long long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ----------------------------------------------------------- connection */

struct conn {
	int			 fd;
	int			 tls;	/* ssl is set up */
	int			 reset;	/* fd already closed with an RST */
	mbedtls_net_context	 net;
	mbedtls_ssl_context	 ssl;
};

/* Returns bytes read, 0 at end of stream, -1 on error. */
static ssize_t
conn_read(struct conn *c, void *p, size_t n)
{
	ssize_t r;

	if (!c->tls) {
		while ((r = recv(c->fd, p, n, 0)) < 0 && errno == EINTR)
			;
		return r;
	}
	do
		r = mbedtls_ssl_read(&c->ssl, p, n);
	while (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE);
	if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
		return 0;
	return r < 0 ? -1 : r;
}

/* Returns 0 when all of p went out, -1 when the peer is gone. */
static int
conn_write(struct conn *c, const void *p, size_t n)
{
	const unsigned char *q = p;
	ssize_t w;

	while (n > 0) {
		if (c->tls) {
			w = mbedtls_ssl_write(&c->ssl, q, n);
			if (w == MBEDTLS_ERR_SSL_WANT_READ ||
			    w == MBEDTLS_ERR_SSL_WANT_WRITE)
				continue;
		} else {
			/* MSG_NOSIGNAL: a vanished client must not kill us. */
			w = send(c->fd, q, n, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				continue;
		}
		if (w <= 0)
			return -1;
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Blocks until the peer closes (or errs), discarding whatever it sends. */
static void
conn_wait_close(struct conn *c)
{
	char tmp[4096];

	while (conn_read(c, tmp, sizeof(tmp)) > 0)
		;
}

/* Ends the connection with an RST instead of a FIN. */
static void
conn_reset(struct conn *c)
{
	struct linger lg = { 1, 0 };

	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c->fd);
	c->reset = 1;
}

/*
 * Closes gracefully. We shut our side first and drain what the client still
 * sends: closing a socket with unread input makes the kernel send an RST,
 * which can destroy a response the client has not read yet.
 */
static void
conn_close(struct conn *c)
{
	struct timeval tv = { 1, 0 };
	char tmp[4096];
	size_t drained = 0;
	ssize_t r;

	if (c->tls) {
		if (!c->reset)
			mbedtls_ssl_close_notify(&c->ssl);
		mbedtls_ssl_free(&c->ssl);
	}
	if (c->reset)
		return;
	shutdown(c->fd, SHUT_WR);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (drained < BODY_MAX && (r = recv(c->fd, tmp, sizeof(tmp), 0)) > 0)
		drained += (size_t)r;
	close(c->fd);
}

/* Returns 0 once the TLS handshake is done, -1 if it failed. */
static int
conn_tls_start(struct conn *c)
{
	int r;

	mbedtls_ssl_init(&c->ssl);
	c->tls = 1;
	c->net.fd = c->fd;
	if (mbedtls_ssl_setup(&c->ssl, &tls_conf) != 0)
		return -1;
	mbedtls_ssl_set_bio(&c->ssl, &c->net, mbedtls_net_send, mbedtls_net_recv,
	    NULL);
	while ((r = mbedtls_ssl_handshake(&c->ssl)) != 0)
		if (r != MBEDTLS_ERR_SSL_WANT_READ && r != MBEDTLS_ERR_SSL_WANT_WRITE)
			return -1;
	return 0;
}

/* -------------------------------------------------------------- request */

struct req {
	char		*head;		/* request head, split in place */
	size_t		 head_len;	/* bytes read, may include body bytes */
	const char	*method, *target;
	char		 path[2048];	/* target up to '?' */
	const char	*query;		/* after '?', "" if none */
	const char	*hname[MAX_HEADERS], *hval[MAX_HEADERS];
	int		 nhdr;
	char		*body;		/* NUL-terminated, may hold NULs */
	size_t		 body_len;
};

static void
req_free(struct req *r)
{
	free(r->head);
	free(r->body);
}

/* Returns the value of header name (case-insensitive), or NULL. */
static const char *
req_header(const struct req *r, const char *name)
{
	for (int i = 0; i < r->nhdr; i++)
		if (strcasecmp(r->hname[i], name) == 0)
			return r->hval[i];
	return NULL;
}

/* Reads up to the blank line. Returns the offset just past it, 0 if the
 * client went away first, or -431 when the head is over HEAD_MAX. */
static long
read_head(struct conn *c, struct req *r)
{
	char *end;
	ssize_t n;

	if ((r->head = malloc(HEAD_MAX + 1)) == NULL)
		return 0;
	r->head_len = 0;
	for (;;) {
		r->head[r->head_len] = '\0';
		if ((end = strstr(r->head, "\r\n\r\n")) != NULL)
			return (long)(end - r->head) + 4;
		if (r->head_len == HEAD_MAX)
			return -431;
		n = conn_read(c, r->head + r->head_len, HEAD_MAX - r->head_len);
		if (n <= 0)
			return 0;
		/* A NUL in the head would hide the rest from strstr; keep going. */
		for (ssize_t i = 0; i < n; i++)
			if (r->head[r->head_len + (size_t)i] == '\0')
				r->head[r->head_len + (size_t)i] = ' ';
		r->head_len += (size_t)n;
	}
}

/* Trims spaces and tabs on both ends, in place. */
static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Splits the head (NUL-terminated at the blank line) into request line and
 * headers. Returns 0, or 400 when it is not HTTP. */
static int
parse_head(struct req *r)
{
	char *line, *next, *sp, *colon;
	size_t plen;

	line = r->head;
	if ((next = strstr(line, "\r\n")) != NULL)
		*next = '\0';
	r->method = line;
	if ((sp = strchr(line, ' ')) == NULL)
		return 400;
	*sp = '\0';
	r->target = sp + 1;
	if ((sp = strchr(sp + 1, ' ')) == NULL || strncmp(sp + 1, "HTTP/", 5) != 0)
		return 400;
	*sp = '\0';
	if (*r->method == '\0' || r->target[0] != '/')
		return 400;
	plen = strcspn(r->target, "?");
	if (plen >= sizeof(r->path))
		return 400;
	memcpy(r->path, r->target, plen);
	r->path[plen] = '\0';
	r->query = r->target[plen] == '?' ? r->target + plen + 1 : "";

	while (next != NULL && r->nhdr < MAX_HEADERS) {
		line = next + 2;
		if ((next = strstr(line, "\r\n")) != NULL)
			*next = '\0';
		if (*line == '\0')
			break;
		if ((colon = strchr(line, ':')) == NULL)
			return 400;
		*colon = '\0';
		r->hname[r->nhdr] = trim(line);
		r->hval[r->nhdr] = trim(colon + 1);
		r->nhdr++;
	}
	return 0;
}

/* Reads the Content-Length body (part of it may already sit in the head
 * buffer past hlen). Returns 0, -1 if the client left, or an HTTP status. */
static int
read_body(struct conn *c, struct req *r, size_t hlen)
{
	const char *cl = req_header(r, "Content-Length");
	const char *expect = req_header(r, "Expect");
	size_t have = r->head_len - hlen;
	long long len = 0;
	ssize_t n;

	if (req_header(r, "Transfer-Encoding") != NULL)
		return 411;
	if (cl != NULL && parse_num(cl, 0, LLONG_MAX, &len) != 0)
		return 400;
	if (len > BODY_MAX)
		return 413;
	if ((r->body = malloc((size_t)len + 1)) == NULL)
		return 500;
	if (have > (size_t)len)
		have = (size_t)len;	/* pipelined bytes: ignored */
	memcpy(r->body, r->head + hlen, have);
	/* libcurl waits (briefly) for this before sending larger bodies. */
	if (have < (size_t)len && expect != NULL &&
	    strcasecmp(expect, "100-continue") == 0)
		conn_write(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	while (have < (size_t)len) {
		if ((n = conn_read(c, r->body + have, (size_t)len - have)) <= 0)
			return -1;
		have += (size_t)n;
	}
	r->body[have] = '\0';
	r->body_len = have;
	return 0;
}

/* Reads and parses one request. Returns 0, -1 if the client left, or the
 * error status to answer with. */
static int
read_request(struct conn *c, struct req *r)
{
	long hlen = read_head(c, r);
	int rc;

	if (hlen <= 0)
		return hlen == 0 ? -1 : (int)-hlen;
	r->head[hlen - 2] = '\0';	/* keep the last header's CRLF */
	if ((rc = parse_head(r)) != 0)
		return rc;
	return read_body(c, r, (size_t)hlen);
}

/* Percent-decodes the n bytes at s into out (always NUL-terminated). */
static void
pct_decode(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;
	char hex[3] = "";

	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			memcpy(hex, s + i + 1, 2);
			out[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			out[o++] = s[i] == '+' ? ' ' : s[i];
	}
	out[o] = '\0';
}

/* Copies the query parameter key, percent-decoded, into out. Returns 0, or
 * -1 if absent. */
static int
query_get(const char *query, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *p = query;

	while (*p != '\0') {
		size_t n = strcspn(p, "&");
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			pct_decode(p + klen + 1, n - klen - 1, out, size);
			return 0;
		}
		p += n;
		if (*p == '&')
			p++;
	}
	return -1;
}

/* ------------------------------------------------------------- response */

struct resp {
	int		 status;
	const char	*ctype;		/* NULL = text/plain */
	const char	*extra;		/* more header lines, each ending CRLF */
	const char	*body;
	size_t		 len;
};

static const char *
reason(int status)
{
	static const struct { int code; const char *text; } tab[] = {
		{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
		{ 204, "No Content" }, { 301, "Moved Permanently" },
		{ 302, "Found" }, { 304, "Not Modified" }, { 400, "Bad Request" },
		{ 401, "Unauthorized" }, { 403, "Forbidden" }, { 404, "Not Found" },
		{ 411, "Length Required" }, { 413, "Content Too Large" },
		{ 429, "Too Many Requests" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" }, { 502, "Bad Gateway" },
		{ 503, "Service Unavailable" }, { 504, "Gateway Timeout" },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (tab[i].code == status)
			return tab[i].text;
	return "Status";
}

/* Sends the status line and headers; content_length < 0 means none (the
 * body then ends when the connection does). Returns 0 or -1. */
static int
send_head(struct conn *c, int status, const char *ctype, const char *extra,
    long long content_length)
{
	struct buf b = { 0 };
	int rc;

	buf_addf(&b, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nConnection: close\r\n"
	    "Server: peekl-testsrv\r\n", status, reason(status),
	    ctype ? ctype : "text/plain");
	if (content_length >= 0)
		buf_addf(&b, "Content-Length: %lld\r\n", content_length);
	buf_addf(&b, "%s\r\n", extra ? extra : "");
	rc = conn_write(c, b.p, b.len);
	free(b.p);
	return rc;
}

/* Sends a complete response; HEAD requests and 204/304 get no body. */
static void
respond(struct conn *c, const struct req *r, const struct resp *s)
{
	int bodyless = s->status == 204 || s->status == 304;

	if (send_head(c, s->status, s->ctype, s->extra,
	    bodyless ? -1 : (long long)s->len) != 0)
		return;
	if (!bodyless && (r->method == NULL || strcmp(r->method, "HEAD") != 0))
		conn_write(c, s->body, s->len);
}

static void
respond_text(struct conn *c, const struct req *r, int status, const char *text)
{
	struct resp s = { .status = status, .body = text, .len = strlen(text) };

	respond(c, r, &s);
}

/* ------------------------------------------------------------ http mode */

/* A route gets the rest of the path after its prefix, and that as a number
 * when the route takes one (already range-checked). */
typedef void route_fn(struct conn *, const struct req *, const char *arg,
    long long n);

/* /file/NAME: the file NAME of --dir (a CRL a test wrote), 404 when
 * absent; NAME may not leave the directory. */
static void
route_file(struct conn *c, const struct req *r, const char *arg, long long n)
{
	char path[1024], *data = NULL;
	struct resp s = { .status = 200, .ctype = "application/pkix-crl" };
	FILE *f = NULL;
	long len;

	(void)n;
	if (opt.dir == NULL || *arg == '\0' || strchr(arg, '/') != NULL ||
	    strstr(arg, "..") != NULL ||
	    snprintf(path, sizeof(path), "%s/%s", opt.dir, arg) >=
	    (int)sizeof(path) || (f = fopen(path, "rb")) == NULL) {
		respond_text(c, r, 404, "not found\n");
		return;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 &&
	    len <= BODY_MAX && fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)len + 1)) != NULL &&
	    fread(data, 1, (size_t)len, f) == (size_t)len) {
		s.body = data;
		s.len = (size_t)len;
		respond(c, r, &s);
	} else
		respond_text(c, r, 500, "cannot read\n");
	free(data);
	fclose(f);
}

static void
route_welcome(struct conn *c, const struct req *r, const char *arg, long long n)
{
	(void)arg, (void)n;
	respond_text(c, r, 200, "Welcome to the peekl test server\n");
}

static void
route_status(struct conn *c, const struct req *r, const char *arg, long long n)
{
	char body[64];

	(void)arg;
	snprintf(body, sizeof(body), "status %lld\n", n);
	respond_text(c, r, (int)n, body);
}

static void
route_retry_after(struct conn *c, const struct req *r, const char *arg, long long n)
{
	char extra[64];
	struct resp s = { .status = 429, .extra = extra, .body = "slow down\n",
	    .len = 10 };

	(void)arg;
	snprintf(extra, sizeof(extra), "Retry-After: %lld\r\n", n);
	respond(c, r, &s);
}

static void
route_slow(struct conn *c, const struct req *r, const char *arg, long long n)
{
	(void)arg;
	sleep_ms(n);
	respond_text(c, r, 200, "slow ok");
}

static void
route_hang(struct conn *c, const struct req *r, const char *arg, long long n)
{
	(void)r, (void)arg, (void)n;
	conn_wait_close(c);
}

static void
route_endless(struct conn *c, const struct req *r, const char *arg, long long n)
{
	char chunk[CHUNK];

	(void)arg, (void)n;
	if (send_head(c, 200, NULL, NULL, -1) != 0 || strcmp(r->method, "HEAD") == 0)
		return;
	memset(chunk, 'x', sizeof(chunk));
	while (conn_write(c, chunk, sizeof(chunk)) == 0)
		;
}

/* n bytes in all: 'a's, then the tail word if ?tail= is given. */
static void
route_big(struct conn *c, const struct req *r, const char *arg, long long n)
{
	char tail[256] = "", chunk[CHUNK];
	long long left;
	size_t tlen;

	(void)arg;
	query_get(r->query, "tail", tail, sizeof(tail));
	tlen = strlen(tail);
	if ((long long)tlen > n)
		n = (long long)tlen;
	if (send_head(c, 200, NULL, NULL, n) != 0 || strcmp(r->method, "HEAD") == 0)
		return;
	memset(chunk, 'a', sizeof(chunk));
	for (left = n - (long long)tlen; left > 0; left -= CHUNK)
		if (conn_write(c, chunk, left < CHUNK ? (size_t)left : CHUNK) != 0)
			return;
	conn_write(c, tail, tlen);
}

static void
route_redirect(struct conn *c, const struct req *r, const char *arg, long long n)
{
	char extra[128];
	struct resp s = { .status = 302, .extra = extra, .body = "redirect\n",
	    .len = 9 };

	(void)arg;
	if (n == 0) {
		respond_text(c, r, 200, "redirected ok");
		return;
	}
	snprintf(extra, sizeof(extra), "Location: /redirect/%lld\r\n", n - 1);
	respond(c, r, &s);
}

static void
route_redirect_loop(struct conn *c, const struct req *r, const char *arg,
    long long n)
{
	struct resp s = { .status = 302, .extra = "Location: /redirect-loop\r\n",
	    .body = "loop\n", .len = 5 };

	(void)arg, (void)n;
	respond(c, r, &s);
}

static void
route_keyword(struct conn *c, const struct req *r, const char *arg, long long n)
{
	char word[1024];
	struct buf b = { 0 };
	struct resp s = { .status = 200, .ctype = "text/html" };

	(void)n;
	pct_decode(arg, strlen(arg), word, sizeof(word));
	buf_addf(&b, "<html><head><title>peekl</title></head><body>\n"
	    "<p>some text before %s and after</p>\n</body></html>\n", word);
	s.body = b.p;
	s.len = b.len;
	respond(c, r, &s);
	free(b.p);
}

/* Appends s as the inside of a JSON string. */
static void
json_str(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			buf_addf(b, "\\%c", ch);
		else if (ch < 0x20)
			buf_addf(b, "\\u%04x", ch);
		else
			buf_add(b, &s[i], 1);
	}
}

static void
route_echo(struct conn *c, const struct req *r, const char *arg, long long n)
{
	struct buf b = { 0 };
	struct resp s = { .status = 200, .ctype = "application/json" };

	(void)arg, (void)n;
	buf_adds(&b, "{\"method\":\"");
	json_str(&b, r->method, strlen(r->method));
	buf_adds(&b, "\",\"path\":\"");
	json_str(&b, r->target, strlen(r->target));
	buf_adds(&b, "\",\"headers\":{");
	for (int i = 0; i < r->nhdr; i++) {
		buf_adds(&b, i ? ",\"" : "\"");
		json_str(&b, r->hname[i], strlen(r->hname[i]));
		buf_adds(&b, "\":\"");
		json_str(&b, r->hval[i], strlen(r->hval[i]));
		buf_adds(&b, "\"");
	}
	buf_adds(&b, "},\"body\":\"");
	json_str(&b, r->body, r->body_len);
	buf_adds(&b, "\"}\n");
	s.body = b.p;
	s.len = b.len;
	respond(c, r, &s);
	free(b.p);
}

/* The query's body, content type and one extra header line, as given. */
static void
route_json(struct conn *c, const struct req *r, const char *arg, long long n)
{
	char *body = calloc(1, 65536);
	char ctype[128] = "application/json", hdr[512] = "", extra[520] = "";
	struct resp s = { .status = 200, .ctype = ctype, .extra = extra };

	(void)arg, (void)n;
	if (body == NULL)
		return;
	s.body = body;
	query_get(r->query, "body", body, 65536);
	query_get(r->query, "ctype", ctype, sizeof(ctype));
	if (query_get(r->query, "header", hdr, sizeof(hdr)) == 0)
		snprintf(extra, sizeof(extra), "%s\r\n", hdr);
	s.len = strlen(body);
	respond(c, r, &s);
	free(body);
}

/* 200 when the request's basic auth is B64 (from /auth/B64, the base64 of
 * "user:password", so the password itself never shows in a URL), else 401
 * with a challenge. */
static void
route_auth(struct conn *c, const struct req *r, const char *arg, long long n)
{
	const char *got = req_header(r, "Authorization");
	struct resp s = { .status = 401,
	    .extra = "WWW-Authenticate: Basic realm=\"peekl\"\r\n",
	    .body = "who are you?\n", .len = 13 };

	(void)n;
	if (got != NULL && strncmp(got, "Basic ", 6) == 0 &&
	    strcmp(got + 6, arg) == 0) {
		respond_text(c, r, 200, "welcome, authenticated\n");
		return;
	}
	respond(c, r, &s);
}

/* Holds a request until `n` requests wait at the barrier (or 5 s pass),
 * then lets them all go at once: concurrent peekl runs then reach their
 * next step together, where a race would show. */
static void
barrier_wait(long long n)
{
	static pthread_mutex_t	mu = PTHREAD_MUTEX_INITIALIZER;
	static pthread_cond_t	cv = PTHREAD_COND_INITIALIZER;
	static long long	arrived, generation;
	struct timespec		until;
	long long		gen;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&mu);
	gen = generation;
	if (++arrived >= n) {
		arrived = 0;
		generation++;
		pthread_cond_broadcast(&cv);
	}
	while (gen == generation &&
	    pthread_cond_timedwait(&cv, &mu, &until) == 0)
		;
	if (gen == generation) {	/* timed out: the others never came */
		arrived = 0;
		generation++;
	}
	pthread_mutex_unlock(&mu);
}

/* /loc: answers as the location in the request's X-Loc header is told to
 * by the file loc-NAME in --dir ("503"), 200 when there is none; so one
 * site answers differently to peekl runs of different locations. */
static void
route_loc(struct conn *c, const struct req *r, const char *arg, long long n)
{
	const char *loc = req_header(r, "X-Loc");
	char path[1024], line[32] = "", num[16];
	long long code = 200, waiters;
	FILE *f;

	(void)arg, (void)n;
	if (query_get(r->query, "barrier", num, sizeof(num)) == 0 &&
	    parse_num(num, 1, 100, &waiters) == 0)
		barrier_wait(waiters);
	if (loc == NULL || *loc == '\0' || strlen(loc) > 32) {
		respond_text(c, r, 400, "no X-Loc\n");
		return;
	}
	for (const char *p = loc; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p)) {
			respond_text(c, r, 400, "bad X-Loc\n");
			return;
		}
	if (opt.dir != NULL && snprintf(path, sizeof(path), "%s/loc-%s",
	    opt.dir, loc) < (int)sizeof(path) &&
	    (f = fopen(path, "r")) != NULL) {
		if (fgets(line, sizeof(line), f) != NULL)
			line[strcspn(line, "\r\n")] = '\0';
		fclose(f);
		if (parse_num(line, 200, 599, &code) != 0)
			code = 500;
	}
	respond_text(c, r, (int)code, "location\n");
}

static void
route_reset(struct conn *c, const struct req *r, const char *arg, long long n)
{
	(void)r, (void)arg, (void)n;
	conn_reset(c);
}

/* Answers r by its path: the first matching route wins, 404 if none. */
static void
route(struct conn *c, const struct req *r)
{
	static const struct {
		const char	*prefix;
		int		 exact;
		long long	 min, max;	/* numeric argument, if max > 0 */
		route_fn	*fn;
	} routes[] = {
		{ "/", 1, 0, 0, route_welcome },
		{ "/status/", 0, 200, 599, route_status },
		{ "/retry-after/", 0, 0, 100000000, route_retry_after },
		{ "/slow/", 0, 0, 600000, route_slow },
		{ "/hang", 1, 0, 0, route_hang },
		{ "/endless", 1, 0, 0, route_endless },
		{ "/big/", 0, 0, 1LL << 34, route_big },
		{ "/redirect/", 0, 0, 1000000, route_redirect },
		{ "/redirect-loop", 1, 0, 0, route_redirect_loop },
		{ "/keyword/", 0, 0, 0, route_keyword },
		{ "/echo", 1, 0, 0, route_echo },
		{ "/json", 1, 0, 0, route_json },
		{ "/auth/", 0, 0, 0, route_auth },
		{ "/reset", 1, 0, 0, route_reset },
		{ "/ok", 0, 0, 0, route_welcome },
		{ "/file/", 0, 0, 0, route_file },
		{ "/loc", 1, 0, 0, route_loc },
	};
	const char *arg;
	long long n = 0;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		size_t len = strlen(routes[i].prefix);
		if (routes[i].exact ? strcmp(r->path, routes[i].prefix) != 0 :
		    strncmp(r->path, routes[i].prefix, len) != 0)
			continue;
		arg = r->path + len;
		if (routes[i].max > 0 &&
		    parse_num(arg, routes[i].min, routes[i].max, &n) != 0) {
			respond_text(c, r, 400, "bad number in path\n");
			return;
		}
		routes[i].fn(c, r, arg, n);
		return;
	}
	respond_text(c, r, 404, "not found\n");
}

/* Appends s with tabs, CRs and newlines turned into spaces. */
static void
add_flat(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++)
		buf_add(b, (*s == '\t' || *s == '\r' || *s == '\n') ? " " : s, 1);
}

static void
log_headers(const struct req *r)
{
	struct buf b = { 0 };

	if (opt.headers_log == NULL)
		return;
	for (int i = 0; i < r->nhdr; i++) {
		if (i)
			buf_adds(&b, " | ");
		add_flat(&b, r->hname[i]);
		buf_adds(&b, ": ");
		add_flat(&b, r->hval[i]);
	}
	buf_adds(&b, "\n");
	log_line(opt.headers_log, &b);
	free(b.p);
}

static void
log_http(const struct req *r)
{
	struct buf b = { 0 };

	if (opt.log == NULL)
		return;
	add_flat(&b, r->method);
	buf_adds(&b, "\t");
	add_flat(&b, r->target);
	for (int i = 0; i < r->nhdr; i++) {
		buf_adds(&b, "\t");
		add_flat(&b, r->hname[i]);
		buf_adds(&b, ": ");
		add_flat(&b, r->hval[i]);
	}
	buf_adds(&b, "\n");
	log_line(opt.log, &b);
	free(b.p);
}

static void
serve_http(struct conn *c, struct req *r)
{
	log_headers(r);
	log_http(r);
	route(c, r);
}

/* --------------------------------------------------------- webhook mode */

struct control {
	int		status;		/* 0 = hang, -1 = cut */
	long long	retry_after;	/* -1 = no header */
	char		body[256];	/* "" = the default body */
};

/* Reads the control file; a missing, empty or unreadable one means 200. */
static void
control_read(struct control *ctl)
{
	char line[256] = "", *sp;
	long long v;
	FILE *f;

	ctl->status = 200;
	ctl->retry_after = -1;
	ctl->body[0] = '\0';
	if (opt.control == NULL || (f = fopen(opt.control, "re")) == NULL)
		return;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (*trim(line) == '\0')
		return;
	if (strcmp(trim(line), "hang") == 0) {
		ctl->status = 0;
		return;
	}
	if (strcmp(trim(line), "cut") == 0) {
		ctl->status = -1;
		return;
	}
	if ((sp = strchr(line, ' ')) != NULL) {
		char *rest;

		*sp = '\0';
		rest = sp + 1;
		if ((sp = strchr(rest, ' ')) != NULL) {
			*sp = '\0';
			snprintf(ctl->body, sizeof(ctl->body), "%s", sp + 1);
		}
		if (parse_num(trim(rest), 0, 100000000, &v) == 0)
			ctl->retry_after = v;
	}
	if (parse_num(trim(line), 200, 599, &v) == 0)
		ctl->status = (int)v;
	else {
		fprintf(stderr, "testsrv: bad control line \"%s\", answering 500\n", line);
		ctl->status = 500;
	}
}

/* Appends the body escaped as documented at the top of this file. */
static void
add_escaped(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': buf_adds(b, "\\\\"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		default: buf_add(b, &s[i], 1); break;
		}
	}
}

static void
serve_webhook(struct conn *c, struct req *r)
{
	struct control ctl;
	struct buf b = { 0 };
	const char *ctype = req_header(r, "Content-Type");
	char extra[64] = "";

	control_read(&ctl);
	buf_addf(&b, "%d\t", ctl.status);
	add_flat(&b, r->method);
	buf_adds(&b, "\t");
	add_flat(&b, r->target);
	buf_adds(&b, "\t");
	add_flat(&b, ctype ? ctype : "");
	buf_adds(&b, "\t");
	add_escaped(&b, r->body, r->body_len);
	buf_adds(&b, "\n");
	log_headers(r);
	log_line(opt.log, &b);
	free(b.p);

	if (ctl.status == 0) {
		conn_wait_close(c);
		return;
	}
	if (ctl.status == -1) {
		conn_reset(c);
		return;
	}
	if (ctl.retry_after >= 0)
		snprintf(extra, sizeof(extra), "Retry-After: %lld\r\n", ctl.retry_after);
	struct resp s = { .status = ctl.status, .extra = extra };
	s.body = ctl.status / 100 == 2 ? "ok\n" : "error\n";
	if (ctl.body[0] != '\0')
		s.body = ctl.body;
	s.len = strlen(s.body);
	respond(c, r, &s);
}

/* ------------------------------------------------------------ mail modes */

#define MAIL_LINE	1024

/* Reads one CRLF- or LF-terminated line (without it) into out. Returns 0,
 * or -1 at end of stream, on error, or for a line too long. */
static int
mail_line(struct conn *c, char *out, size_t size)
{
	size_t n = 0;
	char ch;

	for (;;) {
		if (conn_read(c, &ch, 1) != 1)
			return -1;
		if (ch == '\n')
			break;
		if (n + 1 >= size)
			return -1;
		out[n++] = ch;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return 0;
}

static int
mail_say(struct conn *c, const char *s)
{
	return conn_write(c, s, strlen(s));
}

/* Returns 1 when the command word of line is cmd (case-insensitive). */
static int
mail_is(const char *line, const char *cmd)
{
	size_t n = strlen(cmd);

	return strncasecmp(line, cmd, n) == 0 && (line[n] == '\0' ||
	    line[n] == ' ');
}

/* One SMTP session's state. */
struct smtp_sess {
	int		authed;		/* AUTH succeeded */
	struct buf	env;		/* "X-Envelope-...: " lines so far */
	int		have_from;
	int		nrcpt;
};

static pthread_mutex_t mail_lock = PTHREAD_MUTEX_INITIALIZER;
static int mail_seq;			/* messages written, under mail_lock */

/* Decodes base64 s into out (NUL-terminated, may hold NULs); returns the
 * length, or -1 if s is not base64 or too long. */
static long
b64_decode(const char *s, char *out, size_t size)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned int v = 0;
	int bits = 0;
	size_t n = 0;
	const char *p;

	for (; *s != '\0' && *s != '='; s++) {
		if ((p = strchr(tab, *s)) == NULL || *s == '\0')
			return -1;
		v = (v << 6) | (unsigned int)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= size)
				return -1;
			out[n++] = (char)((v >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	return (long)n;
}

/* Returns 1 when user and pass are those of --auth (or no --auth given). */
static int
auth_ok(const char *user, const char *pass)
{
	const char *colon;

	if (opt.auth == NULL)
		return 1;
	colon = strchr(opt.auth, ':');
	return colon != NULL && strlen(user) == (size_t)(colon - opt.auth) &&
	    strncmp(user, opt.auth, (size_t)(colon - opt.auth)) == 0 &&
	    strcmp(pass, colon + 1) == 0;
}

/* AUTH PLAIN [initial] and AUTH LOGIN [user]: reads what is missing and
 * answers 235 or 535. Returns 0, or -1 when the peer is gone. */
static int
smtp_auth(struct conn *c, struct smtp_sess *ss, const char *line)
{
	char arg[MAIL_LINE], user[MAIL_LINE], pass[MAIL_LINE], dec[MAIL_LINE];
	const char *mech = line + 4, *sp;
	long n;
	int ok = 0;

	while (*mech == ' ')
		mech++;
	sp = strchr(mech, ' ');
	snprintf(arg, sizeof(arg), "%s", sp != NULL ? sp + 1 : "");
	if (strncasecmp(mech, "PLAIN", 5) == 0 && strstr(opt.auth_mechs, "PLAIN")) {
		if (arg[0] == '\0' && (mail_say(c, "334 \r\n") != 0 ||
		    mail_line(c, arg, sizeof(arg)) != 0))
			return -1;
		/* authzid NUL authcid NUL passwd */
		if ((n = b64_decode(arg, dec, sizeof(dec))) > 0) {
			const char *u = memchr(dec, '\0', (size_t)n);
			const char *pw = u ? memchr(u + 1, '\0',
			    (size_t)(n - (u + 1 - dec))) : NULL;

			ok = pw != NULL && auth_ok(u + 1, pw + 1);
		}
	} else if (strncasecmp(mech, "LOGIN", 5) == 0 &&
	    strstr(opt.auth_mechs, "LOGIN")) {
		if (arg[0] == '\0' && (mail_say(c, "334 VXNlcm5hbWU6\r\n") != 0 ||
		    mail_line(c, arg, sizeof(arg)) != 0))
			return -1;
		if (b64_decode(arg, user, sizeof(user)) < 0)
			user[0] = '\0';
		if (mail_say(c, "334 UGFzc3dvcmQ6\r\n") != 0 ||
		    mail_line(c, arg, sizeof(arg)) != 0)
			return -1;
		if (b64_decode(arg, pass, sizeof(pass)) < 0)
			pass[0] = '\0';
		ok = auth_ok(user, pass);
	} else
		return mail_say(c, "504 5.5.4 mechanism not supported\r\n");
	ss->authed = ok;
	return mail_say(c, ok ? "235 2.7.0 Authentication successful\r\n" :
	    "535 5.7.8 Authentication credentials invalid\r\n");
}

/* DATA: reads the message up to ".", then answers as the control file
 * says and writes the message when accepted. Returns 0, -1 to end. */
static int
smtp_data(struct conn *c, struct smtp_sess *ss)
{
	char line[MAIL_LINE], name[64], reply[64];
	struct buf msg = { 0 };
	struct control ctl;
	int rc = 0;

	if (!ss->have_from || ss->nrcpt == 0)
		return mail_say(c, "503 5.5.1 MAIL and RCPT first\r\n");
	if (mail_say(c, "354 go ahead\r\n") != 0)
		return -1;
	buf_adds(&msg, ss->env.p ? ss->env.p : "");
	for (;;) {
		if (mail_line(c, line, sizeof(line)) != 0) {
			free(msg.p);
			return -1;
		}
		if (strcmp(line, ".") == 0)
			break;
		buf_adds(&msg, line[0] == '.' ? line + 1 : line);
		buf_adds(&msg, "\r\n");
		if (msg.len > BODY_MAX) {
			free(msg.p);
			mail_say(c, "552 5.3.4 too big\r\n");
			return -1;
		}
	}
	control_read(&ctl);
	if (ctl.status == 0)
		conn_wait_close(c);
	if (ctl.status == -1)
		conn_reset(c);
	if (ctl.status <= 0) {
		free(msg.p);
		return -1;
	}
	if (ctl.status / 100 == 2) {
		pthread_mutex_lock(&mail_lock);
		snprintf(name, sizeof(name), "mail-%d.eml", ++mail_seq);
		if (opt.dir != NULL)
			write_file_atomic(opt.dir, name, msg.p, msg.len);
		pthread_mutex_unlock(&mail_lock);
		rc = mail_say(c, "250 2.0.0 queued\r\n");
	} else {
		snprintf(reply, sizeof(reply), "%d testing\r\n", ctl.status);
		rc = mail_say(c, reply);
	}
	free(msg.p);
	ss->env.len = 0;
	if (ss->env.p)
		ss->env.p[0] = '\0';
	ss->have_from = ss->nrcpt = 0;
	return rc;
}

/* Answers one SMTP command; returns 1 to upgrade to TLS, -1 to end. */
static int
smtp_answer(struct conn *c, struct smtp_sess *ss, const char *line, int offer)
{
	char out[256];

	if (mail_is(line, "EHLO")) {
		if (offer)
			return mail_say(c, "250-testsrv\r\n250-STARTTLS\r\n"
			    "250 8BITMIME\r\n");
		snprintf(out, sizeof(out), "250-testsrv\r\n250-AUTH %s\r\n"
		    "250 8BITMIME\r\n", opt.auth_mechs);
		return mail_say(c, out);
	}
	if (mail_is(line, "AUTH"))
		return smtp_auth(c, ss, line);
	if (mail_is(line, "MAIL")) {
		if (opt.auth != NULL && !ss->authed)
			return mail_say(c, "530 5.7.0 Authentication required\r\n");
		ss->have_from = 1;
		buf_addf(&ss->env, "X-Envelope-From: %s\r\n", line + 5);
		return mail_say(c, "250 2.1.0 ok\r\n");
	}
	if (mail_is(line, "RCPT")) {
		if (!ss->have_from)
			return mail_say(c, "503 5.5.1 MAIL first\r\n");
		ss->nrcpt++;
		buf_addf(&ss->env, "X-Envelope-To: %s\r\n", line + 5);
		return mail_say(c, "250 2.1.5 ok\r\n");
	}
	if (mail_is(line, "DATA"))
		return smtp_data(c, ss);
	if (mail_is(line, "RSET")) {
		ss->have_from = ss->nrcpt = 0;
		ss->env.len = 0;
		if (ss->env.p)
			ss->env.p[0] = '\0';
		return mail_say(c, "250 2.0.0 ok\r\n");
	}
	if (mail_is(line, "NOOP"))
		return mail_say(c, "250 2.0.0 ok\r\n");
	if (mail_is(line, "HELO"))
		return mail_say(c, "250 testsrv\r\n");
	if (mail_is(line, "STARTTLS") && offer)
		return mail_say(c, "220 go ahead\r\n") == 0 ? 1 : -1;
	if (mail_is(line, "QUIT")) {
		mail_say(c, "221 bye\r\n");
		return -1;
	}
	return mail_say(c, "502 command not implemented\r\n");
}

/* Answers one IMAP command (TAG COMMAND); returns as smtp_answer. */
static int
imap_answer(struct conn *c, const char *line, int offer)
{
	char tag[64], out[256];
	const char *cmd = strchr(line, ' ');
	size_t n = cmd != NULL ? (size_t)(cmd - line) : 0;

	if (cmd == NULL || n >= sizeof(tag))
		return mail_say(c, "* BAD no tag\r\n");
	memcpy(tag, line, n);
	tag[n] = '\0';
	cmd++;
	if (mail_is(cmd, "CAPABILITY")) {
		snprintf(out, sizeof(out), "* CAPABILITY IMAP4rev1%s\r\n"
		    "%s OK CAPABILITY completed\r\n", offer ? " STARTTLS" : "",
		    tag);
		return mail_say(c, out);
	}
	if (mail_is(cmd, "STARTTLS") && offer) {
		snprintf(out, sizeof(out), "%s OK begin TLS\r\n", tag);
		return mail_say(c, out) == 0 ? 1 : -1;
	}
	if (mail_is(cmd, "LOGOUT")) {
		snprintf(out, sizeof(out), "* BYE\r\n%s OK LOGOUT\r\n", tag);
		mail_say(c, out);
		return -1;
	}
	snprintf(out, sizeof(out), "%s BAD unknown command\r\n", tag);
	return mail_say(c, out);
}

/* Answers one POP3 command; returns as smtp_answer. */
static int
pop3_answer(struct conn *c, const char *line, int offer)
{
	if (mail_is(line, "CAPA"))
		return mail_say(c, offer ? "+OK\r\nSTLS\r\nUSER\r\n.\r\n" :
		    "+OK\r\nUSER\r\n.\r\n");
	if (mail_is(line, "STLS") && offer)
		return mail_say(c, "+OK begin TLS\r\n") == 0 ? 1 : -1;
	if (mail_is(line, "QUIT")) {
		mail_say(c, "+OK bye\r\n");
		return -1;
	}
	return mail_say(c, "-ERR unknown command\r\n");
}

/* Serves one mail-protocol connection: greeting, commands, STARTTLS. */
static void
serve_mail(struct conn *c)
{
	char line[MAIL_LINE];
	struct buf logl = { 0 };
	struct smtp_sess ss = { 0 };
	int rc, offer = opt.tls && !opt.no_starttls && !opt.smtps;

	if (opt.smtps && conn_tls_start(c) != 0) {
		free(logl.p);
		return;
	}
	rc = mail_say(c, opt.mode == MODE_SMTP ? "220 testsrv ESMTP ready\r\n" :
	    opt.mode == MODE_IMAP ? "* OK testsrv IMAP4rev1 ready\r\n" :
	    "+OK testsrv POP3 ready\r\n");
	while (rc == 0 && mail_line(c, line, sizeof(line)) == 0) {
		if (opt.log != NULL) {
			logl.len = 0;
			/* Never the credentials of an AUTH line. */
			buf_adds(&logl, mail_is(line, "AUTH") ? "AUTH" : line);
			if (mail_is(line, "AUTH") && strchr(line + 5, ' '))
				buf_add(&logl, line + 4, (size_t)(strchr(line
				    + 5, ' ') - (line + 4)));
			else if (mail_is(line, "AUTH"))
				buf_adds(&logl, line + 4);
			buf_adds(&logl, "\n");
			log_line(opt.log, &logl);
		}
		if (opt.mode == MODE_SMTP)
			rc = smtp_answer(c, &ss, line, offer && !c->tls);
		else if (opt.mode == MODE_IMAP)
			rc = imap_answer(c, line, offer && !c->tls);
		else
			rc = pop3_answer(c, line, offer && !c->tls);
		if (rc == 1)
			rc = conn_tls_start(c);
	}
	free(logl.p);
	free(ss.env.p);
}

/* ---------------------------------------------------------- connections */

static void *
conn_thread(void *arg)
{
	struct conn c = { .fd = (int)(intptr_t)arg };
	struct req r = { 0 };
	int rc;

	if (opt.mode == MODE_SILENT) {
		conn_wait_close(&c);	/* plain TCP: never a byte back */
		close(c.fd);
		return NULL;
	}
	if (opt.mode == MODE_SMTP || opt.mode == MODE_IMAP ||
	    opt.mode == MODE_POP3) {
		serve_mail(&c);
		conn_close(&c);
		return NULL;
	}
	if (opt.tls && conn_tls_start(&c) != 0) {
		c.reset = 0;
		conn_close(&c);
		return NULL;
	}
	rc = read_request(&c, &r);
	if (rc > 0)
		respond_text(&c, &r, rc, "bad request\n");
	else if (rc == 0 && opt.mode == MODE_WEBHOOK)
		serve_webhook(&c, &r);
	else if (rc == 0)
		serve_http(&c, &r);
	req_free(&r);
	conn_close(&c);
	return NULL;
}

/* Returns a listening socket on opt.bind with an OS-chosen port, or -1. */
static int
listen_any(int *port)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd = -1, one = 1;

	if (inet_pton(AF_INET, opt.bind, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, opt.bind, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		len = sizeof(*s6);
	} else {
		fprintf(stderr, "testsrv: --bind %s: not an IP address\n", opt.bind);
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 1024) != 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
		fprintf(stderr, "testsrv: listen on %s: %s\n", opt.bind, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
	return fd;
}

static void
accept_loop(int lfd)
{
	pthread_attr_t attr;
	pthread_t tid;
	int fd;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 512 * 1024);
	for (;;) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
				sleep_ms(10);	/* let some connections finish */
			continue;
		}
		if (pthread_create(&tid, &attr, conn_thread, (void *)(intptr_t)fd) != 0)
			close(fd);
	}
}

/* --------------------------------------------------------- certificates */

struct certreq {
	const char		*subject;	/* "CN=...,O=..." */
	const char		*issuer;	/* issuer's subject */
	mbedtls_pk_context	*key;		/* subject's key */
	mbedtls_pk_context	*issuer_key;
	time_t			 not_before, not_after;
	int			 is_ca;
	const char		*san;		/* comma-separated, NULL for CAs */
	int			 serial;
	int			 md;		/* mbedtls_md_type_t, 0 = SHA-256 */
	const char		*crl_url;	/* NULL: no CRL Distribution Point */
};

/* Returns 0 and a fresh EC P-256 key (RSA would take seconds per key). */
static int
key_gen(mbedtls_pk_context *pk)
{
	if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)) != 0)
		return -1;
	return mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*pk),
	    mbedtls_ctr_drbg_random, &drbg) == 0 ? 0 : -1;
}

/* Returns 0 and a fresh key of the given type: EC P-256 unless a test
 * asks for RSA (which takes a moment per key). */
static int
key_gen_type(mbedtls_pk_context *pk, int type)
{
	if (type == KEY_EC)
		return key_gen(pk);
	if (mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA)) != 0)
		return -1;
	return mbedtls_rsa_gen_key(mbedtls_pk_rsa(*pk), mbedtls_ctr_drbg_random,
	    &drbg, type == KEY_RSA1024 ? 1024 : 2048, 65537) == 0 ? 0 : -1;
}

static void
x509_time(time_t t, char out[16])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	if (strftime(out, 16, "%Y%m%d%H%M%S", &tm) != 14)
		out[0] = '\0';	/* set_validity then fails loudly */
}

/* Writes one GeneralName ([tag] IMPLICIT bytes) backwards before *p.
 * Returns its length or a negative mbedTLS error. */
static int
san_one(unsigned char **p, unsigned char *start, int tag, const void *v, size_t n)
{
	int len = 0, r;

	if ((r = mbedtls_asn1_write_raw_buffer(p, start, v, n)) < 0)
		return r;
	len += r;
	if ((r = mbedtls_asn1_write_len(p, start, (size_t)len)) < 0)
		return r;
	len += r;
	if ((r = mbedtls_asn1_write_tag(p, start,
	    (unsigned char)(MBEDTLS_ASN1_CONTEXT_SPECIFIC | tag))) < 0)
		return r;
	return len + r;
}

/*
 * mbedTLS 2.28's certificate writer has no subjectAltName setter, so we
 * encode GeneralNames ourselves. An IP literal gets an iPAddress entry (what
 * OpenSSL, hence libcurl, matches IP hosts against) and, unless
 * --ip-san-only, also a dNSName entry with the same text: tests can then
 * tell a client that matches addresses properly from one that compares the
 * host string with every SAN entry's bytes, as mbedTLS 2.28 does.
 * Returns 0 and sets the extension, or -1.
 */
static int
san_set(mbedtls_x509write_cert *crt, const char *names)
{
	unsigned char der[2048], *p = der + sizeof(der), ip[16];
	char list[1024], *item[32], *save = NULL;
	int n = 0, len = 0, r;

	if (snprintf(list, sizeof(list), "%s", names) >= (int)sizeof(list))
		return -1;
	for (char *s = strtok_r(list, ",", &save); s && n < 32;
	    s = strtok_r(NULL, ",", &save))
		item[n++] = trim(s);
	/* asn1write works backwards: walk the list from its end. */
	while (n-- > 0) {
		int is_ip = 1;

		if (inet_pton(AF_INET, item[n], ip) == 1)
			r = san_one(&p, der, 7, ip, 4);
		else if (inet_pton(AF_INET6, item[n], ip) == 1)
			r = san_one(&p, der, 7, ip, 16);
		else
			r = is_ip = 0;
		if (r < 0)
			return -1;
		len += r;
		if (is_ip && opt.ip_san_only)
			continue;
		if ((r = san_one(&p, der, 2, item[n], strlen(item[n]))) < 0)
			return -1;
		len += r;
	}
	if ((r = mbedtls_asn1_write_len(&p, der, (size_t)len)) < 0)
		return -1;
	len += r;
	if ((r = mbedtls_asn1_write_tag(&p, der,
	    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
		return -1;
	len += r;
	return mbedtls_x509write_crt_set_extension(crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, p, (size_t)len) ? -1 : 0;
}

/*
 * Sets a CRL Distribution Points extension with one fullName URI, which
 * mbedTLS 2.28 has no setter for: SEQUENCE { SEQUENCE { [0] { [0] {
 * [6] url } } } }. Returns 0 or -1.
 */
static int
crl_dp_set(mbedtls_x509write_cert *crt, const char *url)
{
	unsigned char der[2048], *p = der + sizeof(der);
	size_t n = strlen(url);
	int len, r;
	static const unsigned char tags[] = {
		MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED,
		MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED,
		MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE,
		MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE,
	};

	if (n > 1024 || (len = san_one(&p, der, 6, url, n)) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(tags); i++) {
		if ((r = mbedtls_asn1_write_len(&p, der, (size_t)len)) < 0)
			return -1;
		len += r;
		if ((r = mbedtls_asn1_write_tag(&p, der, tags[i])) < 0)
			return -1;
		len += r;
	}
	return mbedtls_x509write_crt_set_extension(crt,
	    MBEDTLS_OID_CRL_DISTRIBUTION_POINTS,
	    MBEDTLS_OID_SIZE(MBEDTLS_OID_CRL_DISTRIBUTION_POINTS), 0, p,
	    (size_t)len) ? -1 : 0;
}

/* Writes the certificate described by q as PEM into pem. Returns 0 or -1. */
static int
cert_make(const struct certreq *q, unsigned char *pem, size_t size)
{
	mbedtls_x509write_cert crt;
	mbedtls_mpi serial;
	char nb[16], na[16];
	int rc = -1;

	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);
	x509_time(q->not_before, nb);
	x509_time(q->not_after, na);
	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, q->md != 0 ?
	    (mbedtls_md_type_t)q->md : MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, q->key);
	mbedtls_x509write_crt_set_issuer_key(&crt, q->issuer_key);
	if (mbedtls_mpi_lset(&serial, q->serial) != 0 ||
	    mbedtls_x509write_crt_set_serial(&crt, &serial) != 0 ||
	    mbedtls_x509write_crt_set_validity(&crt, nb, na) != 0 ||
	    mbedtls_x509write_crt_set_subject_name(&crt, q->subject) != 0 ||
	    mbedtls_x509write_crt_set_issuer_name(&crt, q->issuer) != 0 ||
	    mbedtls_x509write_crt_set_basic_constraints(&crt, q->is_ca, -1) != 0 ||
	    mbedtls_x509write_crt_set_subject_key_identifier(&crt) != 0 ||
	    mbedtls_x509write_crt_set_authority_key_identifier(&crt) != 0 ||
	    mbedtls_x509write_crt_set_key_usage(&crt, q->is_ca ?
	    MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN :
	    MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0)
		goto out;
	if (q->san != NULL && san_set(&crt, q->san) != 0)
		goto out;
	if (q->crl_url != NULL && crl_dp_set(&crt, q->crl_url) != 0)
		goto out;
	if (mbedtls_x509write_crt_pem(&crt, pem, size, mbedtls_ctr_drbg_random,
	    &drbg) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "testsrv: cannot make certificate %s\n", q->subject);
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&crt);
	return rc;
}

/* Makes a client certificate for subject, issued by issuer (with its key),
 * and writes it and its key as NAME.pem and NAME.key. Returns 0 or -1. */
static int
client_make(const char *name, const char *issuer, mbedtls_pk_context *ikey,
    time_t now, int serial)
{
	unsigned char pem[PEM_MAX], kpem[PEM_MAX];
	mbedtls_pk_context key;
	char file[64];
	struct certreq q = { .subject = "CN=peekl test client,O=peekl tests",
	    .issuer = issuer, .key = &key, .issuer_key = ikey,
	    .not_before = now - DAY, .not_after = now + 30 * DAY,
	    .serial = serial };
	int rc = -1;

	mbedtls_pk_init(&key);
	if (key_gen(&key) != 0 || cert_make(&q, pem, sizeof(pem)) != 0 ||
	    mbedtls_pk_write_key_pem(&key, kpem, sizeof(kpem)) != 0)
		goto out;
	snprintf(file, sizeof(file), "%s.pem", name);
	if (write_file_atomic(opt.dir, file, pem, strlen((char *)pem)) != 0)
		goto out;
	snprintf(file, sizeof(file), "%s.key", name);
	if (write_file_atomic(opt.dir, file, kpem, strlen((char *)kpem)) != 0)
		goto out;
	rc = 0;
out:
	mbedtls_pk_free(&key);
	return rc;
}

/* Makes the certificates the options ask for, writes ca.pem, leaf.pem and
 * intermediate.pem to opt.dir, and loads the chain to serve. Returns 0 or -1. */
static int
certs_make(void)
{
	static const char root_dn[] = "CN=peekl test root CA,O=peekl tests";
	static const char inter_dn[] = "CN=peekl test intermediate CA,O=peekl tests";
	static const char other_dn[] = "CN=peekl unknown CA,O=elsewhere";
	unsigned char root[PEM_MAX], inter[PEM_MAX], other[PEM_MAX], leaf[PEM_MAX];
	unsigned char kpem[PEM_MAX];
	mbedtls_pk_context root_key, inter_key, other_key;
	char leaf_dn[512];
	time_t now = time(NULL);
	int rc = -1, base = (int)(now & 0xffffff) * 4;
	struct certreq lq = { .subject = leaf_dn, .key = &tls_key, .serial = base };
	struct certreq cq = { .is_ca = 1 }, iq;

	mbedtls_pk_init(&root_key);
	mbedtls_pk_init(&inter_key);
	mbedtls_pk_init(&other_key);
	snprintf(leaf_dn, sizeof(leaf_dn), "CN=%s,O=peekl tests", opt.cn);
	lq.san = opt.san ? opt.san : opt.cn;
	lq.md = opt.leaf_md;
	lq.crl_url = opt.crl_url;
	/* +12 h: floor((not_after - now) / 1 day) stays days_left despite drift. */
	lq.not_after = now + (time_t)(opt.days_left * DAY + DAY / 2);
	lq.not_before = now + (time_t)(opt.not_before_days * DAY);
	if (!opt.not_before_set && lq.not_before > lq.not_after - 90 * DAY)
		lq.not_before = lq.not_after - 90 * DAY;	/* expired: keep nb < na */
	/* CAs cover the leaf's whole life and now, so only the leaf is at fault. */
	cq.not_before = (lq.not_before < now ? lq.not_before : now) - DAY;
	cq.not_after = (lq.not_after > now ? lq.not_after : now) + 3650 * DAY;

	if (key_gen(&root_key) != 0 ||
	    key_gen_type(&inter_key, opt.inter_key) != 0 ||
	    key_gen(&other_key) != 0 || key_gen_type(&tls_key, opt.leaf_key) != 0)
		goto out;
	cq.subject = cq.issuer = root_dn;
	cq.key = cq.issuer_key = &root_key;
	cq.serial = base + 1;
	cq.md = opt.root_md;
	if (cert_make(&cq, root, sizeof(root)) != 0)
		goto out;
	cq.md = 0;
	iq = cq;
	iq.subject = inter_dn;
	iq.key = &inter_key;
	iq.serial = base + 2;
	iq.md = opt.inter_md;
	iq.crl_url = opt.inter_crl_url;
	if (opt.inter_days_set)
		iq.not_after = now + (time_t)(opt.inter_days_left * DAY + DAY / 2);
	if (cert_make(&iq, inter, sizeof(inter)) != 0)
		goto out;
	cq.subject = cq.issuer = other_dn;
	cq.key = cq.issuer_key = &other_key;
	cq.serial = base + 3;
	if (cert_make(&cq, other, sizeof(other)) != 0)
		goto out;

	switch (opt.issuer) {
	case ISSUER_CA:
		lq.issuer = opt.chain != CHAIN_NONE ? inter_dn : root_dn;
		lq.issuer_key = opt.chain != CHAIN_NONE ? &inter_key : &root_key;
		break;
	case ISSUER_SELF:
		lq.issuer = leaf_dn;
		lq.issuer_key = &tls_key;
		break;
	case ISSUER_UNKNOWN:
		lq.issuer = other_dn;
		lq.issuer_key = &other_key;
		break;
	}
	if (cert_make(&lq, leaf, sizeof(leaf)) != 0)
		goto out;
	/* The CAs' keys, so a test can sign a CRL with openssl. */
	if (mbedtls_pk_write_key_pem(&root_key, kpem, sizeof(kpem)) != 0 ||
	    write_file_atomic(opt.dir, "ca.key", kpem, strlen((char *)kpem)) != 0 ||
	    mbedtls_pk_write_key_pem(&inter_key, kpem, sizeof(kpem)) != 0 ||
	    write_file_atomic(opt.dir, "intermediate.key", kpem,
	    strlen((char *)kpem)) != 0)
		goto out;
	if (write_file_atomic(opt.dir, "ca.pem", root, strlen((char *)root)) != 0 ||
	    write_file_atomic(opt.dir, "leaf.pem", leaf, strlen((char *)leaf)) != 0)
		goto out;
	if (opt.chain != CHAIN_NONE &&
	    write_file_atomic(opt.dir, "intermediate.pem", inter,
	    strlen((char *)inter)) != 0)
		goto out;
	if (mbedtls_x509_crt_parse(&tls_chain, leaf, strlen((char *)leaf) + 1) != 0)
		goto out;
	if (opt.chain == CHAIN_SEND &&
	    mbedtls_x509_crt_parse(&tls_chain, inter, strlen((char *)inter) + 1) != 0)
		goto out;
	if (opt.client_cert &&
	    (client_make("client", root_dn, &root_key, now, base + 5) != 0 ||
	    client_make("other-client", other_dn, &other_key, now, base + 6) != 0 ||
	    mbedtls_x509_crt_parse(&client_ca, root, strlen((char *)root) + 1) != 0))
		goto out;
	if (opt.send_root &&
	    mbedtls_x509_crt_parse(&tls_chain, root, strlen((char *)root) + 1) != 0)
		goto out;
	rc = 0;
out:
	mbedtls_pk_free(&root_key);
	mbedtls_pk_free(&inter_key);
	mbedtls_pk_free(&other_key);
	return rc;
}

/* mbedTLS SNI callback, called only when the ClientHello names a server:
 * logs the name and goes on with the one certificate we have. */
static int
sni_seen(void *arg, mbedtls_ssl_context *ssl, const unsigned char *name,
    size_t len)
{
	struct buf line = { 0 };

	(void)arg;
	(void)ssl;
	buf_add(&line, name, len);
	buf_adds(&line, "\n");
	log_line(opt.sni_log, &line);
	free(line.p);
	return 0;
}

/* Seeds the RNG, makes the certificates and the server TLS config. */
static int
tls_setup(void)
{
	static const char pers[] = "peekl-testsrv";

	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_ssl_config_init(&tls_conf);
	mbedtls_x509_crt_init(&tls_chain);
	mbedtls_x509_crt_init(&client_ca);
	mbedtls_pk_init(&tls_key);
	if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
	    (const unsigned char *)pers, sizeof(pers) - 1) != 0)
		return -1;
	if (certs_make() != 0)
		return -1;
	if (mbedtls_ssl_config_defaults(&tls_conf, MBEDTLS_SSL_IS_SERVER,
	    MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT) != 0)
		return -1;
	mbedtls_ssl_conf_rng(&tls_conf, mbedtls_ctr_drbg_random, &drbg);
	mbedtls_ssl_conf_authmode(&tls_conf, MBEDTLS_SSL_VERIFY_NONE);
	if (opt.client_cert) {
		mbedtls_ssl_conf_authmode(&tls_conf, MBEDTLS_SSL_VERIFY_REQUIRED);
		mbedtls_ssl_conf_ca_chain(&tls_conf, &client_ca, NULL);
	}
	if (opt.sni_log != NULL)
		mbedtls_ssl_conf_sni(&tls_conf, sni_seen, NULL);
	return mbedtls_ssl_conf_own_cert(&tls_conf, &tls_chain, &tls_key) ? -1 : 0;
}

/* ----------------------------------------------------------------- main */

static void
usage(void)
{
	fputs("usage: testsrv --port-file F [--mode http|webhook|silent|smtp|"
	    "imap|pop3] [--no-starttls] "
	    "[--bind ADDR] [--log F]\n\t[--headers-log F] [--control F] [--tls "
	    "--dir D [--days-left N] [--not-before-days N]\n\t[--cn NAME] "
	    "[--san N,...] [--ip-san-only] [--sni-log F]\n\t"
	    "[--issuer ca|self|unknown-ca] [--client-cert] "
	    "[--chain intermediate|omit-intermediate]\n\t[--inter-days-left N] "
	    "[--leaf-md M] [--leaf-key K] [--inter-md M] [--inter-key K]]\n",
	    stderr);
	exit(2);
}

/* Returns the index of s in words (NULL-terminated), or exits with usage. */
static int
pick(const char *s, const char *const words[])
{
	for (int i = 0; words[i] != NULL; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	fprintf(stderr, "testsrv: unexpected value \"%s\"\n", s);
	usage();
	return -1;
}

static void
parse_args(int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "mode", 1, NULL, 'm' }, { "bind", 1, NULL, 'b' },
		{ "port-file", 1, NULL, 'p' }, { "log", 1, NULL, 'l' },
		{ "headers-log", 1, NULL, 'H' }, { "control", 1, NULL, 'c' },
		{ "tls", 0, NULL, 't' }, { "dir", 1, NULL, 'd' },
		{ "days-left", 1, NULL, 'D' }, { "not-before-days", 1, NULL, 'N' },
		{ "cn", 1, NULL, 'C' }, { "san", 1, NULL, 'S' },
		{ "issuer", 1, NULL, 'i' }, { "chain", 1, NULL, 'x' },
		{ "ip-san-only", 0, NULL, 'I' }, { "sni-log", 1, NULL, 'n' },
		{ "client-cert", 0, NULL, 'M' },
		{ "inter-days-left", 1, NULL, 'E' }, { "leaf-md", 1, NULL, 'g' },
		{ "leaf-key", 1, NULL, 'k' }, { "inter-md", 1, NULL, 'G' },
		{ "inter-key", 1, NULL, 'K' }, { "no-starttls", 0, NULL, 'T' },
		{ "crl-url", 1, NULL, 'u' }, { "inter-crl-url", 1, NULL, 'U' },
		{ "send-root", 0, NULL, 'R' }, { "root-md", 1, NULL, 'r' },
		{ "smtps", 0, NULL, 'Z' }, { "auth", 1, NULL, 'A' },
		{ "auth-mechs", 1, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const modes[] = { "http", "webhook", "silent", "plain",
	    "smtp", "imap", "pop3", NULL };
	static const enum mode mode_of[] = { MODE_HTTP, MODE_WEBHOOK,
	    MODE_SILENT, MODE_HTTP, MODE_SMTP, MODE_IMAP, MODE_POP3 };
	static const char *const issuers[] = { "ca", "self", "unknown-ca", NULL };
	static const char *const chains[] = { "intermediate", "omit-intermediate", NULL };
	static const char *const mds[] = { "sha256", "sha1", "md5", NULL };
	static const int md_types[] = { MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA1,
	    MBEDTLS_MD_MD5 };
	static const char *const keys[] = { "ec", "rsa1024", "rsa2048", NULL };
	int ch, m;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'm':
			m = pick(optarg, modes);
			opt.mode = mode_of[m];
			break;
		case 'b': opt.bind = optarg; break;
		case 'p': opt.port_file = optarg; break;
		case 'l': opt.log = optarg; break;
		case 'H': opt.headers_log = optarg; break;
		case 'c': opt.control = optarg; break;
		case 't': opt.tls = 1; break;
		case 'd': opt.dir = optarg; break;
		case 'D':
			if (parse_num(optarg, -36500, 36500, &opt.days_left) != 0)
				usage();
			break;
		case 'N':
			if (parse_num(optarg, -36500, 36500, &opt.not_before_days) != 0)
				usage();
			opt.not_before_set = 1;
			break;
		case 'C': opt.cn = optarg; break;
		case 'S': opt.san = optarg; break;
		case 'I': opt.ip_san_only = 1; break;
		case 'n': opt.sni_log = optarg; break;
		case 'M': opt.client_cert = 1; break;
		case 'i': opt.issuer = (enum issuer)pick(optarg, issuers); break;
		case 'x': opt.chain = (enum chain)(pick(optarg, chains) + 1); break;
		case 'E':
			if (parse_num(optarg, -36500, 36500, &opt.inter_days_left) != 0)
				usage();
			opt.inter_days_set = 1;
			break;
		case 'g': opt.leaf_md = md_types[pick(optarg, mds)]; break;
		case 'G': opt.inter_md = md_types[pick(optarg, mds)]; break;
		case 'k': opt.leaf_key = pick(optarg, keys); break;
		case 'K': opt.inter_key = pick(optarg, keys); break;
		case 'T': opt.no_starttls = 1; break;
		case 'u': opt.crl_url = optarg; break;
		case 'U': opt.inter_crl_url = optarg; break;
		case 'R': opt.send_root = 1; break;
		case 'r': opt.root_md = md_types[pick(optarg, mds)]; break;
		case 'Z': opt.smtps = 1; opt.tls = 1; break;
		case 'A': opt.auth = optarg; break;
		case 'a': opt.auth_mechs = optarg; break;
		default: usage();
		}
	}
	if (optind != argc || opt.port_file == NULL || (opt.tls && opt.dir == NULL))
		usage();
	if (opt.chain != CHAIN_NONE && opt.issuer != ISSUER_CA) {
		fputs("testsrv: --chain needs --issuer ca\n", stderr);
		exit(2);
	}
}

/* SIGTERM/SIGINT end the server cleanly as far as the harness can tell. */
static void
on_term(int sig)
{
	(void)sig;
	_exit(0);
}

int
main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_handler = on_term };
	char line[32];
	int lfd, port;

	parse_args(argc, argv);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* mbedtls_net_send uses write() */
	if (opt.tls && opt.mode != MODE_SILENT && tls_setup() != 0) {
		fputs("testsrv: TLS setup failed\n", stderr);
		return 1;
	}
	if ((lfd = listen_any(&port)) < 0)
		return 1;
	snprintf(line, sizeof(line), "%d\n", port);
	if (write_file_atomic(NULL, opt.port_file, line, strlen(line)) != 0)
		return 1;
	accept_loop(lfd);
	return 0;
}
