/*
 * Certificate checks: libcurl does the handshake, on the run's engine, and
 * hands over the chain the server sent; mbedTLS's X.509 code judges it
 * (cert_verify.c). libcurl (with OpenSSL) speaks TLS 1.2 and 1.3, which
 * mbedTLS 2.28 alone could not.
 *
 * The transfer only connects (CURLOPT_CONNECT_ONLY): the handshake is all
 * we want. libcurl verifies nothing itself, so that an expired or untrusted
 * certificate still completes the handshake and is read and reported; the
 * verdict is mbedTLS's. Each check takes a fresh connection without TLS
 * session resumption, since a resumed session may carry no chain. libcurl
 * sends SNI as it always does: the host, unless it is an IP literal
 * (RFC 6066).
 *
 * libcurl has no getinfo for the negotiated TLS version; with the OpenSSL
 * backend its verbose text says "SSL connection using TLSv1.3 / ...", which
 * a debug callback reads and otherwise silences.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "check_cert.h"
#include "log.h"
#include "util.h"

#define DEFAULT_TIMEOUT_MS	10000
#define TLS_USING		"SSL connection using "

/* One certificate check in flight. */
struct cert_xfer {
	struct net_xfer		 x;
	const struct site	*site;		/* borrowed */
	const mbedtls_x509_crt	*ca;		/* borrowed from the run's cas */
	struct cert_result	*res;		/* the caller's */
	int			*broken;	/* the caller's */
	char			*url;		/* https://host:port/, smtp://... */
	int64_t			 start;		/* mono_ms() at the start */
	char			 errbuf[CURL_ERROR_SIZE];
	char			 tls_version[16]; /* "TLSv1.3"; "" until known */
};

static void
cert_xfer_free(struct cert_xfer *cx)
{
	if (cx == NULL)
		return;
	curl_easy_cleanup(cx->x.easy);
	free(cx->url);
	free(cx);
}

/*
 * Debug callback: records the TLS version from libcurl's informational
 * "SSL connection using TLSv1.3 / cipher" line and prints nothing. Returns
 * 0, as libcurl requires.
 */
static int
on_debug(CURL *e, curl_infotype type, char *data, size_t size, void *arg)
{
	struct cert_xfer	*cx = arg;
	size_t			 plen = strlen(TLS_USING), n = 0;

	(void)e;
	if (type != CURLINFO_TEXT || size <= plen ||
	    memcmp(data, TLS_USING, plen) != 0)
		return 0;
	data += plen;
	size -= plen;
	while (n < size && n < sizeof(cx->tls_version) - 1 &&
	    data[n] != ' ' && data[n] != '\n')
		n++;
	memcpy(cx->tls_version, data, n);
	cx->tls_version[n] = '\0';
	return 0;
}

/* Returns the libcurl scheme that reaches the site's certificate. */
static const char *
cert_scheme(const struct site *site)
{
	switch (site->scheme) {
	case SCHEME_SMTP:
		return "smtp";
	case SCHEME_IMAP:
		return "imap";
	case SCHEME_POP3:
		return "pop3";
	default:
		return "https";
	}
}

/* Returns the site's timeout in milliseconds. */
static long
timeout_ms(const struct site *site)
{
	return site->timeout_ms > 0 ? (long)site->timeout_ms :
	    DEFAULT_TIMEOUT_MS;
}

/* Sets up the handshake-only transfer; returns 0, or -1 (logged). */
static int
cert_options(struct cert_xfer *cx)
{
	struct net_xfer	*x = &cx->x;
	long		 t = timeout_ms(cx->site);

	/* A mail server's certificate comes after its STARTTLS, which
	 * libcurl negotiates while it connects. */
	if (cx->site->scheme == SCHEME_SMTP || cx->site->scheme == SCHEME_IMAP ||
	    cx->site->scheme == SCHEME_POP3) {
		if (net_setopt(x, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL) ||
		    net_setopt(x, CURLOPT_PROTOCOLS_STR, "smtp,imap,pop3"))
			return -1;
	} else if (net_setopt(x, CURLOPT_PROTOCOLS_STR, "https"))
		return -1;
	if (net_setopt(x, CURLOPT_URL, cx->url) ||
	    net_setopt(x, CURLOPT_CONNECT_ONLY, 1L) ||
	    net_setopt(x, CURLOPT_CERTINFO, 1L) ||
	    /* mbedTLS decides, after the handshake. */
	    net_setopt(x, CURLOPT_SSL_VERIFYPEER, 0L) ||
	    net_setopt(x, CURLOPT_SSL_VERIFYHOST, 0L) ||
	    net_setopt(x, CURLOPT_FRESH_CONNECT, 1L) ||
	    net_setopt(x, CURLOPT_FORBID_REUSE, 1L) ||
	    net_setopt(x, CURLOPT_SSL_SESSIONID_CACHE, 0L) ||
	    /* Straight to the host, as a browser's first look would not
	     * be: the certificate a proxy shows is not the site's. */
	    net_setopt(x, CURLOPT_PROXY, "") ||
	    net_setopt(x, CURLOPT_NOSIGNAL, 1L) ||
	    net_setopt(x, CURLOPT_TIMEOUT_MS, t) ||
	    net_setopt(x, CURLOPT_CONNECTTIMEOUT_MS, t) ||
	    net_setopt(x, CURLOPT_ERRORBUFFER, cx->errbuf) ||
	    net_setopt(x, CURLOPT_DEBUGFUNCTION, on_debug) ||
	    net_setopt(x, CURLOPT_DEBUGDATA, cx) ||
	    net_setopt(x, CURLOPT_VERBOSE, 1L))
		return -1;
	/* The family the site asked for, as its HTTP check does. */
	if (cx->site->ip_version != 0 && net_setopt(x, CURLOPT_IPRESOLVE,
	    cx->site->ip_version == 4 ? (long)CURL_IPRESOLVE_V4 :
	    (long)CURL_IPRESOLVE_V6))
		return -1;
	return 0;
}

/*
 * Returns the malloc'd PEM of every certificate libcurl received, leaf
 * first, one after another, with its length in *len; NULL when there is
 * none.
 */
static unsigned char *
chain_pem(const struct curl_certinfo *ci, size_t *len)
{
	const struct curl_slist	*l;
	unsigned char		*buf = NULL;
	size_t			 total = 0, n;
	int			 i, pass;

	*len = 0;
	if (ci == NULL)
		return NULL;
	/* Measure, then copy. */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if (total == 0)
				return NULL;
			buf = xcalloc(1, total + 1);
		}
		for (i = 0; i < ci->num_of_certs; i++)
			for (l = ci->certinfo[i]; l != NULL; l = l->next) {
				if (strncmp(l->data, "Cert:", 5) != 0)
					continue;
				n = strlen(l->data + 5);
				if (pass == 1) {
					memcpy(buf + *len, l->data + 5, n);
					buf[*len + n] = '\n';
					*len += n + 1;
				} else
					total += n + 1;
			}
	}
	return buf;
}

/* Engine callback: fills the result from the finished handshake (or clears
 * it when the run abandoned the check) and frees the transfer. */
static void
cert_done(struct net_xfer *x, CURLcode rc)
{
	struct cert_xfer	*cx = x->arg;
	struct cert_result	*res = cx->res;
	struct curl_certinfo	*ci = NULL;
	unsigned char		*pem = NULL;
	size_t			 len;

	if (x->abandoned) {
		memset(res, 0, sizeof(*res));
		goto out;
	}
	snprintf(res->tls_version, sizeof(res->tls_version), "%s",
	    cx->tls_version);
	if (rc == CURLE_USE_SSL_FAILED) {
		/* STARTTLS missing from the server's capabilities, or
		 * refused when asked for: either way no TLS is offered. */
		snprintf(res->error, sizeof(res->error),
		    "STARTTLS not offered");
		log_debug("%s: cert check: %s", cx->site->name,
		    cx->errbuf[0] ? cx->errbuf : curl_easy_strerror(rc));
		res->done = 1;
		goto out;
	}
	if (rc != CURLE_OK) {
		net_failure(x, rc, cx->errbuf, NET_HANDSHAKE, res->error,
		    sizeof(res->error));
		log_debug("%s: cert check: %s (%s)", cx->site->name, res->error,
		    cx->errbuf[0] ? cx->errbuf : curl_easy_strerror(rc));
		res->done = 1;
		goto out;
	}
	if (net_getinfo(x, CURLINFO_CERTINFO, &ci) == -1) {
		memset(res, 0, sizeof(*res));
		*cx->broken = 1;
		goto out;
	}
	pem = chain_pem(ci, &len);
	cert_verify(pem, len, cx->ca, cx->site->host, now_ms(), res);
	res->done = 1;
	/* The revocation stage verifies the chain again, with CRLs. */
	if (cx->site->check_revocation && res->have_cert) {
		res->chain_pem = pem;
		res->chain_len = len;
		pem = NULL;
	}
out:
	res->elapsed_ms = (double)(mono_ms() - cx->start);
	log_debug("%s: cert check %s:%d: %s (%.0f ms)", cx->site->name,
	    cx->site->host, cx->site->port, res->done ? (res->error[0] ?
	    res->error : "verified") : "abandoned", res->elapsed_ms);
	free(pem);
	cert_xfer_free(cx);
}

int
cert_check_start(struct net *net, const struct site *site,
    struct cert_cas *cas, struct cert_result *res, int *broken)
{
	struct cert_xfer	*cx;
	const char		*path = net_ca_file(site->ca_file);

	memset(res, 0, sizeof(*res));
	res->started_ms = now_ms();
	cx = xcalloc(1, sizeof(*cx));
	cx->start = mono_ms();
	cx->site = site;
	cx->res = res;
	cx->broken = broken;
	cx->x.who = site->name;
	cx->x.done = cert_done;
	cx->x.arg = cx;
	if ((cx->ca = cert_cas_get(cas, path)) == NULL) {
		snprintf(res->error, sizeof(res->error),
		    "cannot read CA file %s", path);
		res->done = 1;
		cert_xfer_free(cx);
		return 0;
	}
	/* An IPv6 literal goes in brackets; config keeps it without. A
	 * tls:// endpoint is handshaken as https://, which only connects. */
	cx->url = xasprintf(strchr(site->host, ':') != NULL ?
	    "%s://[%s]:%d/" : "%s://%s:%d/", cert_scheme(site), site->host,
	    site->port);
	if ((cx->x.easy = curl_easy_init()) == NULL) {
		log_error("%s: cert check: cannot create a libcurl handle",
		    site->name);
		goto fail;
	}
	if (cert_options(cx) == -1 || net_add(net, &cx->x) == -1)
		goto fail;
	return 0;
fail:
	cert_xfer_free(cx);
	memset(res, 0, sizeof(*res));
	return -1;
}
