/*
 * The network engine, shaped like curl's docs/examples/multi-poll.c: one
 * multi handle, performed and polled in short slices so that a stop flag
 * set by a signal handler is seen within POLL_MS, and a callback per
 * finished transfer. The engine keeps a list of what it has in flight so
 * that a run ending early (SIGTERM, a libcurl failure) can hand every
 * transfer back to its owner instead of leaking it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "log.h"
#include "net.h"
#include "util.h"

#define POLL_MS		100	/* longest wait before looking at the stop flag */
#define SYSTEM_CA_FILE	"/etc/ssl/certs/ca-certificates.crt"

struct net {
	CURLM			*multi;
	LIST_HEAD(, net_xfer)	 inflight;	/* transfers in the multi handle */
	size_t			 ninflight;
};

/*
 * curl_global_init is not thread-safe; peekl calls it from the main thread
 * only, once. libcurl counts its initialisations, so it is never undone
 * here: the process ends soon after a run anyway.
 */
static int
net_global_init(void)
{
	static int	done;
	CURLcode	rc;

	if (done)
		return 0;
	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		log_error("libcurl: global init failed: %s",
		    curl_easy_strerror(rc));
		return -1;
	}
	done = 1;
	return 0;
}

int
net_open(struct net **out)
{
	struct net	*net;

	*out = NULL;
	if (net_global_init() == -1)
		return -1;
	net = xcalloc(1, sizeof(*net));
	LIST_INIT(&net->inflight);
	if ((net->multi = curl_multi_init()) == NULL) {
		log_error("libcurl: cannot create a multi handle");
		free(net);
		return -1;
	}
	*out = net;
	return 0;
}

void
net_close(struct net *net)
{
	CURLMcode	mc;

	if (net == NULL)
		return;
	if ((mc = curl_multi_cleanup(net->multi)) != CURLM_OK)
		log_error("libcurl: curl_multi_cleanup: %s",
		    curl_multi_strerror(mc));
	free(net);
}

int
net_setopt_rc(const struct net_xfer *x, const char *opt, CURLcode rc)
{
	if (rc == CURLE_OK)
		return 0;
	log_error("%s: libcurl refused %s: %s", x->who, opt,
	    curl_easy_strerror(rc));
	return -1;
}

int
net_getinfo_rc(const struct net_xfer *x, const char *info, CURLcode rc)
{
	if (rc == CURLE_OK)
		return 0;
	log_error("%s: libcurl cannot tell %s: %s", x->who, info,
	    curl_easy_strerror(rc));
	return -1;
}

int
net_add(struct net *net, struct net_xfer *x)
{
	CURLMcode	mc;

	x->abandoned = 0;
	if (net_setopt(x, CURLOPT_PRIVATE, x) == -1)
		return -1;
	if ((mc = curl_multi_add_handle(net->multi, x->easy)) != CURLM_OK) {
		log_error("%s: cannot start the transfer: %s", x->who,
		    curl_multi_strerror(mc));
		return -1;
	}
	LIST_INSERT_HEAD(&net->inflight, x, entry);
	net->ninflight++;
	return 0;
}

size_t
net_inflight(const struct net *net)
{
	return net->ninflight;
}

/* Takes x out of the multi handle; returns 0, or -1 (logged). It leaves
 * the engine's list either way: a handle libcurl will not remove cannot be
 * driven any further. */
static int
net_remove(struct net *net, struct net_xfer *x)
{
	CURLMcode	mc;

	LIST_REMOVE(x, entry);
	net->ninflight--;
	if ((mc = curl_multi_remove_handle(net->multi, x->easy)) != CURLM_OK) {
		log_error("%s: cannot remove the transfer: %s", x->who,
		    curl_multi_strerror(mc));
		return -1;
	}
	return 0;
}

/* Hands every transfer in flight back to its owner, abandoned; returns 0,
 * or -1 if libcurl would not let go of one (logged). */
static int
net_abandon_all(struct net *net)
{
	struct net_xfer	*x;
	int		 ret = 0;

	while ((x = LIST_FIRST(&net->inflight)) != NULL) {
		if (net_remove(net, x) == -1)
			ret = -1;
		x->abandoned = 1;
		x->done(x, CURLE_ABORTED_BY_CALLBACK);
	}
	return ret;
}

/* Calls done for every finished transfer; returns how many finished, or
 * -1 (logged). */
static int
net_reap(struct net *net)
{
	struct net_xfer	*x;
	CURLMsg		*msg;
	CURLcode	 rc;
	int		 left, n = 0, ret = 0;

	while ((msg = curl_multi_info_read(net->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		x = NULL;
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&x) != CURLE_OK || x == NULL) {
			log_error("libcurl: a finished transfer is not ours");
			ret = -1;
			continue;
		}
		/* msg dies with the handle's removal: read its result first. */
		rc = msg->data.result;
		if (net_remove(net, x) == -1)
			ret = -1;
		x->done(x, rc);
		n++;
	}
	return ret == -1 ? -1 : n;
}

int
net_run(struct net *net, int (*refill)(void *), void *arg,
    const volatile sig_atomic_t *stop)
{
	CURLMcode	mc;
	int		running, reaped, ret = -1;

	for (;;) {
		if (refill != NULL && refill(arg) == -1)
			goto out;
		if (net->ninflight == 0) {
			ret = 0;
			goto out;
		}
		if (stop != NULL && *stop) {
			ret = 1;
			goto out;
		}
		if ((mc = curl_multi_perform(net->multi, &running)) !=
		    CURLM_OK) {
			log_error("libcurl: curl_multi_perform: %s",
			    curl_multi_strerror(mc));
			goto out;
		}
		if ((reaped = net_reap(net)) == -1)
			goto out;
		/* Something finished: refill (and let a hop or the next
		 * alert that done added start) before waiting. */
		if (reaped > 0)
			continue;
		if ((mc = curl_multi_poll(net->multi, NULL, 0, POLL_MS,
		    NULL)) != CURLM_OK) {
			log_error("libcurl: curl_multi_poll: %s",
			    curl_multi_strerror(mc));
			goto out;
		}
	}
out:
	if (net_abandon_all(net) == -1)
		ret = -1;
	return ret;
}

const char *
net_ca_file(const char *ca_file)
{
	const char	*env;

	if (ca_file != NULL && ca_file[0] != '\0')
		return ca_file;
	if ((env = getenv("SSL_CERT_FILE")) != NULL && env[0] != '\0')
		return env;
	return SYSTEM_CA_FILE;
}

/* Returns the short reason of a certificate or handshake failure, or NULL
 * when libcurl's message names none we know. */
static const char *
tls_detail(CURLcode rc, const char *errbuf)
{
	if (rc == CURLE_SSL_CACERT_BADFILE)
		return "cannot read CA file";
	if (strcasestr(errbuf, "expired") != NULL)
		return "certificate expired";
	if (strcasestr(errbuf, "not yet valid") != NULL)
		return "certificate not yet valid";
	if (strcasestr(errbuf, "revoked") != NULL)
		return "certificate revoked";
	if (strcasestr(errbuf, "self-signed") != NULL ||
	    strcasestr(errbuf, "self signed") != NULL ||
	    strcasestr(errbuf, "issuer") != NULL ||
	    strcasestr(errbuf, "unknown ca") != NULL ||
	    strcasestr(errbuf, "verify the first certificate") != NULL)
		return "certificate not trusted";
	if (strcasestr(errbuf, "subject name") != NULL ||
	    strcasestr(errbuf, "host name") != NULL)
		return "hostname mismatch";
	if (rc == CURLE_PEER_FAILED_VERIFICATION)
		return "certificate verification failed";
	if (strcasestr(errbuf, "wrong version number") != NULL ||
	    strcasestr(errbuf, "packet length too long") != NULL)
		return "server does not speak tls";
	if (strcasestr(errbuf, "protocol version") != NULL ||
	    strcasestr(errbuf, "unsupported protocol") != NULL)
		return "no tls version in common";
	if (strcasestr(errbuf, "unexpected eof") != NULL ||
	    strcasestr(errbuf, "SSL_ERROR_SYSCALL") != NULL)
		return "connection closed by peer";
	return NULL;
}

void
net_failure(const struct net_xfer *x, CURLcode rc, const char *errbuf,
    enum net_purpose purpose, char *out, size_t outsz)
{
	const char	*detail;
	long		 oserr = 0, proxy = 0;

	/* A proxy that refused the tunnel says nothing about the site. */
	if (net_getinfo(x, CURLINFO_HTTP_CONNECTCODE, &proxy) == 0 &&
	    proxy >= 300) {
		snprintf(out, outsz, "proxy error: HTTP %ld", proxy);
		return;
	}
	if (net_getinfo(x, CURLINFO_OS_ERRNO, &oserr) == -1)
		oserr = 0;
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(out, outsz, "timeout");
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		snprintf(out, outsz, "dns failure");
		break;
	case CURLE_COULDNT_CONNECT:
		if (oserr == ECONNREFUSED || strcasestr(errbuf, "refused"))
			snprintf(out, outsz, "connection refused");
		else if (oserr == ENETUNREACH || oserr == EHOSTUNREACH)
			snprintf(out, outsz, "host unreachable");
		else
			snprintf(out, outsz, "connection failed");
		break;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		if (oserr == ECONNRESET || oserr == EPIPE ||
		    strcasestr(errbuf, "reset") != NULL)
			snprintf(out, outsz, "connection reset");
		else
			snprintf(out, outsz, rc == CURLE_RECV_ERROR ?
			    "receive error" : "send error");
		break;
	case CURLE_GOT_NOTHING:
		snprintf(out, outsz, "empty reply");
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		snprintf(out, outsz, "too many redirects");
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* Only a redirect can name one: the config allows http(s). */
		snprintf(out, outsz, "bad redirect location");
		break;
	case CURLE_SSL_CONNECT_ERROR:
		if (oserr == ECONNRESET) {
			snprintf(out, outsz, "connection reset");
			break;
		}
		/* FALLTHROUGH */
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		detail = tls_detail(rc, errbuf);
		if (purpose == NET_HANDSHAKE && detail != NULL)
			snprintf(out, outsz, "tls handshake failed: %s", detail);
		else if (purpose == NET_HANDSHAKE)
			snprintf(out, outsz, "tls handshake failed");
		else
			snprintf(out, outsz, "tls error: %s", detail != NULL ?
			    detail : "handshake failed");
		break;
	default:
		snprintf(out, outsz, "transport error: %s",
		    curl_easy_strerror(rc));
		break;
	}
}
