/*
 * Revocation by CRL. Public CAs publish CRLs at the http:// URLs their
 * certificates name; a CRL is signed, so plain http is how they are meant
 * to be fetched. Each URL is fetched at most once per run however many
 * chains name it, and not at all while Redis holds a copy that is still
 * current. An unreachable or bad CRL never turns a site red: revocation
 * is a second opinion, and a CA's outage is not the site's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cert_verify.h"
#include "config.h"
#include "log.h"
#include "revoke.h"
#include "store.h"
#include "util.h"

#define CRL_MAX		(10 * 1024 * 1024)	/* bytes of one CRL */
#define CRL_TTL_MAX	(7LL * 86400 * 1000)	/* longest a CRL is cached */

/* One CRL URL of this run. */
struct crl {
	struct net_xfer	 x;
	char		*url;		/* borrowed from a check's details */
	long		 timeout_ms;	/* the longest of the checks naming it */
	unsigned char	*data;		/* the CRL, NULL when not (yet) had */
	size_t		 len;
	int		 fetched;	/* data came from the network this run */
	struct buf	 body;		/* while fetching */
	int		 too_big;
	char		 errbuf[CURL_ERROR_SIZE];
};

struct crls {
	struct crl	*v;
	size_t		 n;
};

/* Returns 1 when c is a check this step looks at. */
static int
wants_crls(const struct check *c)
{
	return c->kind == KIND_CERT && c->due && c->cert.done &&
	    c->site->check_revocation && c->cert.chain_pem != NULL &&
	    c->cert.d.ncrl_urls > 0;
}

/* Returns the CRL of url in l, or NULL. */
static struct crl *
crl_find(struct crls *l, const char *url)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].url, url) == 0)
			return &l->v[i];
	return NULL;
}

/* Collects every URL of the checks that want CRLs, once each. */
static void
crls_collect(struct crls *l, struct check *checks, size_t n)
{
	struct crl	*c;
	long		 t;

	for (size_t i = 0; i < n; i++) {
		if (!wants_crls(&checks[i]))
			continue;
		t = checks[i].site->timeout_ms > 0 ?
		    (long)checks[i].site->timeout_ms : 10000;
		for (size_t j = 0; j < checks[i].cert.d.ncrl_urls; j++) {
			char	*url = checks[i].cert.d.crl_urls[j];

			if ((c = crl_find(l, url)) == NULL) {
				l->v = xrealloc(l->v, (l->n + 1) *
				    sizeof(*l->v));
				c = &l->v[l->n++];
				memset(c, 0, sizeof(*c));
				c->url = url;
			}
			if (t > c->timeout_ms)
				c->timeout_ms = t;
		}
	}
}

/* libcurl write callback: keeps the body up to CRL_MAX, then stops. */
static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct crl	*c = arg;
	size_t		 n = size * nmemb;

	if (c->body.len + n > CRL_MAX) {
		c->too_big = 1;
		return 0;
	}
	buf_append(&c->body, p, n);
	return n;
}

/* Engine callback: keeps a complete 200 answer as the CRL, or says why
 * there is none. */
static void
crl_done(struct net_xfer *x, CURLcode rc)
{
	struct crl	*c = x->arg;
	long		 code = 0;
	char		 why[128];

	if (x->abandoned)
		goto out;
	if (rc != CURLE_OK) {
		if (c->too_big)
			snprintf(why, sizeof(why), "larger than %d MiB",
			    CRL_MAX / (1024 * 1024));
		else
			net_failure(x, rc, c->errbuf, NET_HTTP, why,
			    sizeof(why));
		log_warn("CRL %s: cannot fetch it: %s; judged without it",
		    c->url, why);
		goto out;
	}
	if (net_getinfo(x, CURLINFO_RESPONSE_CODE, &code) == -1 ||
	    code != 200 || c->body.len == 0) {
		log_warn("CRL %s: cannot fetch it: HTTP %ld%s; judged without "
		    "it", c->url, code, c->body.len == 0 ? ", empty" : "");
		goto out;
	}
	c->data = (unsigned char *)c->body.data;
	c->len = c->body.len;
	c->fetched = 1;
	memset(&c->body, 0, sizeof(c->body));
out:
	buf_free(&c->body);
	curl_easy_cleanup(x->easy);
	x->easy = NULL;
}

/* Starts fetching c; returns 0, or -1 (logged). */
static int
crl_start(struct net *net, struct crl *c)
{
	struct net_xfer	*x = &c->x;

	x->who = c->url;
	x->done = crl_done;
	x->arg = c;
	if ((x->easy = curl_easy_init()) == NULL) {
		log_error("CRL %s: cannot create a libcurl handle", c->url);
		return -1;
	}
	if (net_setopt(x, CURLOPT_URL, c->url) ||
	    net_setopt(x, CURLOPT_PROTOCOLS_STR, "http") ||
	    net_setopt(x, CURLOPT_NOSIGNAL, 1L) ||
	    net_setopt(x, CURLOPT_TIMEOUT_MS, c->timeout_ms) ||
	    net_setopt(x, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms) ||
	    net_setopt(x, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)CRL_MAX) ||
	    net_setopt(x, CURLOPT_WRITEFUNCTION, on_body) ||
	    net_setopt(x, CURLOPT_WRITEDATA, c) ||
	    net_setopt(x, CURLOPT_ERRORBUFFER, c->errbuf) ||
	    net_add(net, x) == -1) {
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		return -1;
	}
	return 0;
}

/* Caches every CRL fetched this run until its nextUpdate (at most
 * CRL_TTL_MAX); one that has none, or one already outdated, is not cached. */
static int
crls_cache(struct store *store, struct crls *l, int64_t now)
{
	int64_t	next, ttl;

	for (size_t i = 0; i < l->n; i++) {
		if (!l->v[i].fetched)
			continue;
		if ((next = cert_crl_next_update(l->v[i].data,
		    l->v[i].len)) <= 0)
			continue;
		if ((ttl = next * 1000 - now) <= 0)
			continue;
		if (ttl > CRL_TTL_MAX)
			ttl = CRL_TTL_MAX;
		if (store_crl_put(store, l->v[i].url, l->v[i].data,
		    l->v[i].len, ttl) == -1)
			return -1;
	}
	return 0;
}

/* Verifies one check's chain against each of its CRLs. */
static void
check_against(struct check *c, struct crls *l, struct cert_cas *cas)
{
	struct cert_result	*res = &c->cert;
	const mbedtls_x509_crt	*ca;
	struct crl		*crl;
	char			 why[ERROR_LEN];

	if ((ca = cert_cas_get(cas, net_ca_file(c->site->ca_file))) == NULL)
		return;
	for (size_t j = 0; j < res->d.ncrl_urls; j++) {
		crl = crl_find(l, res->d.crl_urls[j]);
		if (crl == NULL || crl->data == NULL)
			continue;
		switch (cert_crl_check(res->chain_pem, res->chain_len, ca,
		    crl->data, crl->len, why, sizeof(why))) {
		case 1:
			/* Revoked says more than any other problem. */
			log_debug("%s: %s (CRL %s)", c->site->name, why,
			    crl->url);
			strlcpy_trunc(res->error, why, sizeof(res->error));
			return;
		case -1:
			log_warn("%s: CRL %s: %s; judged without it",
			    c->site->name, crl->url, why);
			break;
		default:
			break;
		}
	}
}

/* The CRLs still to fetch, handed to the engine a few at a time. */
struct crl_feed {
	struct net	*net;
	struct crls	*l;
	size_t		 next;		/* the next CRL to look at */
	size_t		 max;		/* fetches in flight at most */
};

/* Starts the CRLs not yet in hand while fewer than max transfers are in
 * flight; the engine's refill. Returns 0: a CRL that cannot be started
 * (logged) is one without which its chain is judged. */
static int
crl_refill(void *arg)
{
	struct crl_feed	*f = arg;

	while (net_inflight(f->net) < f->max && f->next < f->l->n) {
		struct crl *c = &f->l->v[f->next++];

		if (c->data == NULL)
			(void)crl_start(f->net, c);
	}
	return 0;
}

void
revoke_abandon(struct check *checks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (wants_crls(&checks[i]))
			checks[i].cert.done = 0;
}

int
revoke_run(struct net *net, struct store *store, struct cert_cas *cas,
    struct check *checks, size_t n, int max_concurrency, int dry_run,
    const volatile sig_atomic_t *stop)
{
	struct crls	  l = { NULL, 0 };
	struct crl_feed	  feed;
	unsigned char	**cached = NULL;
	size_t		 *lens = NULL;
	char		**urls = NULL;
	int		  ret = -1, rc;

	crls_collect(&l, checks, n);
	if (l.n == 0)
		return 0;
	if (store != NULL) {
		urls = xcalloc(l.n, sizeof(*urls));
		cached = xcalloc(l.n, sizeof(*cached));
		lens = xcalloc(l.n, sizeof(*lens));
		for (size_t i = 0; i < l.n; i++)
			urls[i] = l.v[i].url;
		if (store_crl_get(store, urls, l.n, cached, lens) == -1)
			goto out;
		for (size_t i = 0; i < l.n; i++) {
			l.v[i].data = cached[i];
			l.v[i].len = lens[i];
		}
	}
	/* At most max_concurrency fetches at once, like the checks; every
	 * one started is run to its end before l can be freed. */
	feed = (struct crl_feed){ net, &l, 0,
	    max_concurrency < 1 ? 1 : (size_t)max_concurrency };
	if ((rc = net_run(net, crl_refill, &feed, stop)) != 0)
		goto out;
	if (!dry_run && store != NULL && crls_cache(store, &l, now_ms()) == -1)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (wants_crls(&checks[i]))
			check_against(&checks[i], &l, cas);
	ret = 0;
out:
	for (size_t i = 0; i < l.n; i++) {
		buf_free(&l.v[i].body);
		free(l.v[i].data);
	}
	free(l.v);
	free(urls);
	free(cached);
	free(lens);
	return ret;
}
