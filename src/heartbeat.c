/*
 * heartbeat_url (spec/locations.md, "Heartbeats"): after a check run, one
 * GET to the URL, or to URL/fail when the run could not do its job, the
 * convention of dead-man's-switch services. The service alerts when the
 * pings stop, so a peekl that no longer runs (timer disabled, host down)
 * is noticed by something outside it. The ping is one transfer on the
 * network engine with a short timeout of its own; whatever happens to it,
 * the run's exit status stays what the run decided.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "heartbeat.h"
#include "log.h"
#include "net.h"
#include "util.h"

/* What a ping left to report. */
struct ping {
	struct net_xfer	 x;
	CURLcode	 rc;
	int		 finished;	/* done was called */
	char		 errbuf[CURL_ERROR_SIZE];
};

/* The answer's body means nothing to us: read and dropped. */
static size_t
discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr;
	(void)arg;
	return size * nmemb;
}

static void
ping_done(struct net_xfer *x, CURLcode rc)
{
	struct ping	*p = x->arg;

	p->rc = x->abandoned ? CURLE_ABORTED_BY_CALLBACK : rc;
	p->finished = 1;
}

char *
heartbeat_fail_url(const char *url)
{
	const char	*sep = strstr(url, "://"), *auth, *path, *end;
	struct buf	 b = { 0 };
	char		*out;

	auth = sep != NULL ? sep + 3 : url;
	path = auth + strcspn(auth, "/?#");
	end = path + strcspn(path, "?#");
	buf_append(&b, url, (size_t)(end - url));
	/* A path that ends in "/" already has the separator. */
	buf_puts(&b, end > path && end[-1] == '/' ? "fail" : "/fail");
	buf_puts(&b, end);
	out = xstrdup(b.data);
	buf_free(&b);
	return out;
}

/* Sets up p's handle for a GET of url; returns 0, or -1 (logged). */
static int
ping_init(struct ping *p, const char *url)
{
	struct net_xfer	*x = &p->x;

	x->who = "heartbeat";
	x->done = ping_done;
	x->arg = p;
	if ((x->easy = curl_easy_init()) == NULL) {
		log_warn("heartbeat: cannot set up the ping (out of memory)");
		return -1;
	}
	/* net_setopt names the option, never its value: the URL is secret. */
	if (net_setopt(x, CURLOPT_URL, url) ||
	    net_setopt(x, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    net_setopt(x, CURLOPT_HTTPGET, 1L) ||
	    net_setopt(x, CURLOPT_USERAGENT, "peekl/" PEEKL_VERSION) ||
	    net_setopt(x, CURLOPT_FOLLOWLOCATION, 0L) ||
	    net_setopt(x, CURLOPT_NOSIGNAL, 1L) ||
	    net_setopt(x, CURLOPT_CAINFO, net_ca_file(NULL)) ||
	    net_setopt(x, CURLOPT_TIMEOUT_MS, (long)HEARTBEAT_TIMEOUT_MS) ||
	    net_setopt(x, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)HEARTBEAT_TIMEOUT_MS) ||
	    net_setopt(x, CURLOPT_WRITEFUNCTION, discard) ||
	    net_setopt(x, CURLOPT_ERRORBUFFER, p->errbuf))
		return -1;
	return 0;
}

/* Logs how the ping ended, given what net_run returned; returns 0 for a
 * 2xx answer, else -1. */
static int
ping_judge(struct ping *p, const char *shown, int ran)
{
	char	 why[256];
	long	 code = 0;

	if (!p->finished || p->rc == CURLE_ABORTED_BY_CALLBACK) {
		log_warn("heartbeat: %s: not sent: %s", shown, ran == 1 ?
		    "the run was interrupted" : "the network engine failed");
		return -1;
	}
	if (p->rc != CURLE_OK) {
		net_failure(&p->x, p->rc, p->errbuf, NET_HTTP, why,
		    sizeof(why));
		log_warn("heartbeat: %s: %s", shown, why);
		return -1;
	}
	if (net_getinfo(&p->x, CURLINFO_RESPONSE_CODE, &code) == -1)
		return -1;
	if (code < 200 || code > 299) {
		log_warn("heartbeat: %s: HTTP %ld", shown, code);
		return -1;
	}
	log_debug("heartbeat: %s: HTTP %ld", shown, code);
	return 0;
}

int
heartbeat_send(struct net *net, const char *url, int ok,
    const volatile sig_atomic_t *stop)
{
	struct ping	 p;
	struct net	*own = NULL;
	char		*target, shown[512];
	int		 ret = -1;

	memset(&p, 0, sizeof(p));
	target = ok ? xstrdup(url) : heartbeat_fail_url(url);
	redact_secret_url(target, shown, sizeof(shown));
	/* The run's engine may never have opened. */
	if (net == NULL) {
		if (net_open(&own) == -1) {
			log_warn("heartbeat: %s: not sent", shown);
			goto out;
		}
		net = own;
	}
	if (ping_init(&p, target) == -1 || net_add(net, &p.x) == -1)
		goto out;
	/* net_run hands the transfer back finished or abandoned. */
	ret = ping_judge(&p, shown, net_run(net, NULL, NULL, stop));
out:
	if (p.x.easy != NULL)
		curl_easy_cleanup(p.x.easy);
	net_close(own);
	free(target);
	return ret;
}
