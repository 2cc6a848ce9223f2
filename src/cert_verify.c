/*
 * Certificate analysis: the chain a server sent, checked by mbedTLS's X.509
 * code against the CA bundle and the host.
 *
 * Hostname verification: mbedTLS 2.28 compares a name with the certificate's
 * CN and dNSName entries only; it has no iPAddress SAN support. So a host
 * that is an IP literal is never handed to mbedTLS as a name: we look for
 * the address among the leaf's iPAddress SANs ourselves, as OpenSSL and
 * browsers do (never in the CN).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/asn1.h>
#include <mbedtls/error.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include "cert_verify.h"
#include "log.h"
#include "util.h"

#define PEM_BEGIN	"-----BEGIN CERTIFICATE-----"
#define PEM_END		"-----END CERTIFICATE-----"

struct cert_ca {
	char		*path;
	int		 usable;	/* parsed with at least one certificate */
	mbedtls_x509_crt crt;
};

struct cert_cas {
	struct cert_ca	*v;
	size_t		 n;
};

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
	return clamp_days((double)q);
}

/* Returns the length of the raw address (4 or 16) if host is an IPv4 or
 * IPv6 literal, with its bytes in addr; 0 for a name. */
static size_t
ip_literal(const char *host, unsigned char addr[16])
{
	struct in_addr	a4;

	/* inet_aton, not inet_pton: libcurl connects "127.1" and
	 * "2130706433" to 127.0.0.1 as well. */
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

/* Writes "what: <mbedTLS's reason>" for an mbedTLS error code, cut to fit:
 * the first words say enough. */
static void
mbed_reason(const char *what, int code, char *out, size_t outsz)
{
	char	msg[160];
	int	n;

	mbedtls_strerror(code, msg, sizeof(msg));
	n = snprintf(out, outsz, "%s: ", what);
	if (n > 0 && (size_t)n < outsz)
		strlcpy_trunc(out + n, msg, outsz - (size_t)n);
}

/*
 * Parses the chain into crt, leaf first. Returns 0 when at least the leaf
 * parsed (a later certificate that does not is left out: verification then
 * says what is missing), else an mbedTLS code, or 1 when there is no
 * certificate at all.
 */
static int
chain_parse(mbedtls_x509_crt *crt, const unsigned char *buf, size_t len)
{
	const unsigned char	*p = buf, *end = buf + len, *b, *e;
	unsigned char		*pem;
	size_t			 n, blen = strlen(PEM_END);
	int			 rc, first = 1;

	if (len == 0)
		return 1;
	if (memmem(buf, len, PEM_BEGIN, strlen(PEM_BEGIN)) == NULL)
		return mbedtls_x509_crt_parse_der(crt, buf, len);
	while ((b = memmem(p, (size_t)(end - p), PEM_BEGIN,
	    strlen(PEM_BEGIN))) != NULL) {
		if ((e = memmem(b, (size_t)(end - b), PEM_END, blen)) == NULL)
			break;
		/* mbedTLS reads PEM only from a NUL-terminated buffer. */
		n = (size_t)(e + blen - b);
		pem = xcalloc(1, n + 1);
		memcpy(pem, b, n);
		rc = mbedtls_x509_crt_parse(crt, pem, n + 1);
		free(pem);
		if (rc != 0 && first)
			return rc;
		first = 0;
		p = e + blen;
	}
	return first ? 1 : 0;
}

void
cert_verify(const unsigned char *chain, size_t len,
    const mbedtls_x509_crt *ca, const char *host, int64_t now,
    struct cert_result *res)
{
	mbedtls_x509_crt	 crt;
	unsigned char		 ip[16];
	size_t			 iplen = ip_literal(host, ip);
	uint32_t		 flags = 0;
	int			 rc;

	mbedtls_x509_crt_init(&crt);
	res->have_cert = 0;
	if ((rc = chain_parse(&crt, chain, len)) == 1) {
		snprintf(res->error, sizeof(res->error),
		    "tls handshake failed: no certificate received");
		goto out;
	} else if (rc != 0) {
		mbed_reason("cannot parse the certificate", rc, res->error,
		    sizeof(res->error));
		goto out;
	}
	res->have_cert = 1;
	res->not_after = x509_time_unix(&crt.valid_to);
	res->days_left = days_until(res->not_after, now);
	/* The same name drives mbedTLS's hostname check; an IP literal must
	 * not be one (see the top of this file). mbedTLS takes a mutable CA
	 * pointer but only reads the chain. */
	rc = mbedtls_x509_crt_verify(&crt, (mbedtls_x509_crt *)ca, NULL,
	    iplen == 0 ? host : NULL, &flags, NULL, NULL);
	if (rc != 0 && rc != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		mbed_reason("certificate verification failed", rc, res->error,
		    sizeof(res->error));
		goto out;
	}
	if (iplen != 0 && !san_has_ip(&crt, ip, iplen))
		flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
	verify_reason(flags, res->error, sizeof(res->error));
out:
	mbedtls_x509_crt_free(&crt);
}

struct cert_cas *
cert_cas_new(void)
{
	return xcalloc(1, sizeof(struct cert_cas));
}

void
cert_cas_free(struct cert_cas *cas)
{
	size_t	i;

	if (cas == NULL)
		return;
	for (i = 0; i < cas->n; i++) {
		mbedtls_x509_crt_free(&cas->v[i].crt);
		free(cas->v[i].path);
	}
	free(cas->v);
	free(cas);
}

const mbedtls_x509_crt *
cert_cas_get(struct cert_cas *cas, const char *path)
{
	struct cert_ca	*ca;
	char		 msg[128];
	size_t		 i;
	int		 rc;

	for (i = 0; i < cas->n; i++)
		if (strcmp(cas->v[i].path, path) == 0)
			return cas->v[i].usable ? &cas->v[i].crt : NULL;
	cas->v = xrealloc(cas->v, (cas->n + 1) * sizeof(*cas->v));
	ca = &cas->v[cas->n++];
	memset(ca, 0, sizeof(*ca));
	ca->path = xstrdup(path);
	mbedtls_x509_crt_init(&ca->crt);
	/* A positive return counts certificates that failed to parse; a
	 * system bundle may hold a few, which is fine as long as some were
	 * read. */
	rc = mbedtls_x509_crt_parse_file(&ca->crt, path);
	if (rc < 0 || ca->crt.version == 0) {
		if (rc < 0)
			mbedtls_strerror(rc, msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg), "no certificate");
		log_warn("cannot read CA file %s: %s", path, msg);
		return NULL;
	}
	ca->usable = 1;
	return &ca->crt;
}
