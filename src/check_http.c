/*
 * HTTP checks over libcurl's multi interface, shaped like curl's
 * docs/examples/10-at-a-time.c: at most max_concurrency transfers are in
 * flight, and the next job starts as soon as one finishes.
 *
 * A check reads as little as it can: the status line and headers always, the
 * body only while a keyword is being looked for, and never beyond 1 MiB. A
 * transfer we end on purpose fails with CURLE_WRITE_ERROR, which is not a
 * failure of the site.
 *
 * Redirects are followed here, not by libcurl: libcurl would send a site's
 * custom headers (an X-Api-Key, say) to whatever host a Location names, and
 * they must only ever reach the site's own origin. Each hop is a new
 * transfer on the same handle, within what is left of the one timeout.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "check_http.h"
#include "log.h"
#include "util.h"

#ifndef PEEKL_VERSION
#define PEEKL_VERSION "dev"
#endif

#define USER_AGENT	"peekl/" PEEKL_VERSION " (+https://github.com/peekl)"
#define BODY_MAX	(1024 * 1024)	/* never read more of a body */
#define POLL_MS		100		/* how soon *stop is noticed */
#define MAX_REDIRS	10		/* the 11th redirect fails the check */
#define DEFAULT_TIMEOUT_MS 10000

/* One slot of the in-flight window; reused for job after job. */
struct transfer {
	CURL			*easy;		/* NULL when the slot is free */
	struct http_job		*job;
	struct curl_slist	*headers;
	char			*origin;	/* the site's scheme://host:port */
	const char		*method;	/* of the current hop; NULL = GET */
	int64_t			 deadline;	/* mono_ms() the check must end by */
	int			 hops;		/* redirects followed so far */
	curl_off_t		 earlier_us;	/* time of the hops before */
	char			 errbuf[CURL_ERROR_SIZE];
	int			 stopped;	/* we ended the transfer on purpose */
	int			 status;	/* code of the response being read */
	char			*location;	/* that response's Location */
	size_t			 body_len;	/* body bytes looked at */
	int			 found;		/* the keyword was seen */
	size_t			 klen;		/* strlen(keyword), 0 without one */
	char			*tail;		/* last klen - 1 body bytes */
	size_t			 tail_len;
	char			*window;	/* tail + next chunk's head */
};

/*
 * curl_global_init is not thread-safe. http_batch_run is only ever called
 * from the main thread; the certificate threads use mbedTLS, not libcurl, so
 * running them at the same time is fine. libcurl counts its initialisations,
 * so the alert module may call curl_global_init as well.
 */
static int
http_global_init(void)
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

/* Returns 1 when the keyword occurs in the first len bytes of p. */
static int
has_keyword(const char *p, size_t len, const char *kw, size_t klen)
{
	return len >= klen && memmem(p, len, kw, klen) != NULL;
}

/*
 * Looks for the keyword in one more chunk of body, including a match that
 * straddles the previous chunk: the last klen - 1 bytes are kept for that.
 */
static void
scan_chunk(struct transfer *t, const char *p, size_t len)
{
	const char	*kw = t->job->site->keyword;
	size_t		 keep = t->klen - 1, head, drop;

	if (t->tail_len > 0) {
		head = len < keep ? len : keep;
		memcpy(t->window, t->tail, t->tail_len);
		memcpy(t->window + t->tail_len, p, head);
		if (has_keyword(t->window, t->tail_len + head, kw, t->klen))
			t->found = 1;
	}
	if (has_keyword(p, len, kw, t->klen))
		t->found = 1;
	if (keep == 0)
		return;
	if (len >= keep) {
		memcpy(t->tail, p + len - keep, keep);
		t->tail_len = keep;
		return;
	}
	/* A chunk shorter than the keyword: slide it into the tail. */
	if (t->tail_len + len > keep) {
		drop = t->tail_len + len - keep;
		memmove(t->tail, t->tail + drop, t->tail_len - drop);
		t->tail_len -= drop;
	}
	memcpy(t->tail + t->tail_len, p, len);
	t->tail_len += len;
}

/* Write callback: returns len to go on reading, 0 to end the transfer. */
static size_t
on_body(char *p, size_t size, size_t nmemb, void *arg)
{
	struct transfer	*t = arg;
	size_t		 len = size * nmemb, room;

	if (len == 0)
		return 0;
	if (t->klen == 0 || t->found) {
		t->stopped = 1;
		return 0;
	}
	room = BODY_MAX - t->body_len;
	if (len > room)
		len = room;
	scan_chunk(t, p, len);
	t->body_len += len;
	if (t->found || t->body_len >= BODY_MAX) {
		t->stopped = 1;
		return 0;
	}
	return size * nmemb;
}

/* Returns 1 when code fails a check whatever the body says. */
static int
status_fails(const struct site *site, long code)
{
	return (code >= 500 && code <= 599) ||
	    site_status_unacceptable(site, (int)code);
}

/* Returns 1 when the response being read is a redirect we will follow. */
static int
is_redirect(const struct transfer *t)
{
	return t->job->site->follow_redirects && t->location != NULL &&
	    t->status >= 300 && t->status <= 399 && t->status != 304;
}

/*
 * Returns the malloc'd value of the header line p of len bytes whose name
 * takes nlen bytes with its colon, without the blanks around it; NULL when
 * it is empty.
 */
static char *
header_value(const char *p, size_t len, size_t nlen)
{
	p += nlen;
	len -= nlen;
	while (len > 0 && isspace((unsigned char)*p)) {
		p++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)p[len - 1]))
		len--;
	return len > 0 ? xstrndup(p, len) : NULL;
}

/*
 * Header callback: remembers each response's status and Location, and ends
 * the transfer as soon as a response's headers are in unless the body is
 * needed for a keyword: a body that never comes (or never ends) cannot stall
 * a check that its status already decides. Returns len to go on, 0 to end
 * the transfer.
 */
static size_t
on_header(char *p, size_t size, size_t nmemb, void *arg)
{
	struct transfer		*t = arg;
	size_t			 len = size * nmemb;
	const char		*sp;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		sp = memchr(p, ' ', len);
		t->status = 0;
		free(t->location);
		t->location = NULL;
		if (sp != NULL && (size_t)(sp - p) + 4 <= len &&
		    isdigit((unsigned char)sp[1]) &&
		    isdigit((unsigned char)sp[2]) &&
		    isdigit((unsigned char)sp[3]))
			t->status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 +
			    (sp[3] - '0');
		return len;
	}
	if (len >= 9 && strncasecmp(p, "location:", 9) == 0) {
		free(t->location);
		t->location = header_value(p, len, 9);
		return len;
	}
	if (!(len <= 2 && (p[0] == '\r' || p[0] == '\n')))
		return len;
	/* The blank line ending one response's headers. */
	if (t->status < 200)
		return len;	/* an interim 1xx; the real answer follows */
	if (t->klen > 0 && !status_fails(t->job->site, t->status) &&
	    !is_redirect(t))
		return len;	/* the keyword is looked for in the body */
	t->stopped = 1;
	return 0;
}

/* Builds the request headers; returns 0, or -1 if libcurl ran out of memory. */
static int
build_headers(struct transfer *t, const struct site *site)
{
	struct curl_slist	*l;
	char			*line;
	size_t			 i;

	for (i = 0; i < site->nheaders; i++) {
		/* "Name;" is how libcurl sends a header with an empty value. */
		if (site->headers[i].value[0] == '\0')
			line = xasprintf("%s;", site->headers[i].name);
		else
			line = xasprintf("%s: %s", site->headers[i].name,
			    site->headers[i].value);
		l = curl_slist_append(t->headers, line);
		free(line);
		if (l == NULL)
			return -1;
		t->headers = l;
	}
	return 0;
}

/*
 * Sets the request method, undoing the previous hop's (a redirect may turn a
 * POST into a GET); returns a libcurl code.
 */
static CURLcode
set_method(CURL *e, const char *method)
{
	CURLcode	rc;

	if ((rc = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_HTTPGET, 1L)))
		return rc;
	if (method == NULL || strcasecmp(method, "GET") == 0)
		return CURLE_OK;
	if (strcasecmp(method, "HEAD") == 0)
		return curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	/* A real (empty) POST, so redirects behave as in a browser. */
	if (strcasecmp(method, "POST") == 0)
		return curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	return curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
}

/* Returns the check's timeout in milliseconds. */
static long
site_timeout_ms(const struct site *site)
{
	return site->timeout_ms > 0 ? (long)site->timeout_ms :
	    DEFAULT_TIMEOUT_MS;
}

/* Sets the options every hop of a check shares; returns a libcurl code. */
static CURLcode
set_options(struct transfer *t, const struct site *site)
{
	CURL		*e = t->easy;
	const char	*ca = site->ca_file;
	CURLcode	 rc = CURLE_OK;

	if (ca == NULL)
		ca = getenv("SSL_CERT_FILE");
	if (ca != NULL && *ca == '\0')
		ca = NULL;

	/* Stop at the first option that fails; rc says which error. */
	if ((rc = curl_easy_setopt(e, CURLOPT_PRIVATE, t)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L)) ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    (rc = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https")) ||
#else
	    (rc = curl_easy_setopt(e, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS))) ||
#endif
	    (rc = curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT)) ||
	    /* The site's headers are for the site, never for a proxy. */
	    (rc = curl_easy_setopt(e, CURLOPT_HEADEROPT,
	    (long)CURLHEADER_SEPARATE)) ||
	    /* A proxy's "200 Connection established" is not the site's
	     * answer; without this the header callback would see it. */
	    (rc = curl_easy_setopt(e, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L)) ||
	    /* No Accept-Encoding: we never want to decompress a body. */
	    (rc = curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, NULL)) ||
	    /* Each check measures what a new visitor sees: its own
	     * connection, not one another check left open. */
	    (rc = curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_WRITEDATA, t)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_HEADERDATA, t)) ||
	    /* ca_file is the only trust: not libcurl's CA directory too. */
	    (ca != NULL && ((rc = curl_easy_setopt(e, CURLOPT_CAINFO, ca)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_CAPATH, NULL)))))
		return rc;
	return CURLE_OK;
}

/*
 * Returns the malloc'd "scheme://host:port" of url (the port filled in when
 * implied), or NULL when libcurl cannot parse it.
 */
static char *
url_origin(const char *url)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL, *port = NULL, *origin = NULL;

	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	origin = xasprintf("%s://%s:%s", scheme, host, port);
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return origin;
}

/* Returns 1 when url has the site's own scheme, host and port. */
static int
same_origin(const struct transfer *t, const char *url)
{
	char	*origin = url_origin(url);
	int	 same;

	same = t->origin != NULL && origin != NULL &&
	    strcasecmp(t->origin, origin) == 0;
	free(origin);
	return same;
}

/*
 * Points the handle at url for the next hop: the site's headers only when
 * url is the site's own origin, and only the time left of the check's
 * timeout. Returns a libcurl code.
 */
static CURLcode
set_hop(struct transfer *t, const char *url)
{
	CURL		*e = t->easy;
	int64_t		 left = t->deadline - mono_ms();
	CURLcode	 rc;

	/* 0 would mean no timeout at all: 1 ms times out at once. */
	if (left < 1)
		left = 1;
	if ((rc = curl_easy_setopt(e, CURLOPT_URL, url)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_HTTPHEADER,
	    t->hops == 0 || same_origin(t, url) ? t->headers : NULL)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)left)) ||
	    (rc = curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)left)) ||
	    (rc = set_method(e, t->method)))
		return rc;
	return CURLE_OK;
}

/* Frees a slot's transfer (after it left the multi handle) and clears it. */
static void
transfer_clear(struct transfer *t)
{
	curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	free(t->origin);
	free(t->location);
	free(t->tail);
	free(t->window);
	memset(t, 0, sizeof(*t));
}

/* Records a check that could not even start. */
static void
fail_setup(struct http_job *job, const char *why)
{
	job->res.done = 1;
	job->res.ok = 0;
	job->res.started_ms = now_ms();
	snprintf(job->res.error, sizeof(job->res.error), "transport error: %s",
	    why);
}

/*
 * Starts job in the free slot t. Returns 0 when it is in flight, 1 when it
 * failed before starting (its result says why, logged), -1 when the multi
 * handle refused it (logged).
 */
static int
transfer_start(CURLM *multi, struct transfer *t, struct http_job *job)
{
	const struct site	*site = job->site;
	CURLcode		 rc;
	CURLMcode		 mc;

	t->job = job;
	t->method = site->method;
	t->deadline = mono_ms() + site_timeout_ms(site);
	t->origin = url_origin(site->url);
	if (site->keyword != NULL && site->keyword[0] != '\0') {
		t->klen = strlen(site->keyword);
		t->tail = xcalloc(1, t->klen);
		t->window = xcalloc(2, t->klen);
	}
	if ((t->easy = curl_easy_init()) == NULL) {
		log_error("%s: http check: cannot create a libcurl handle",
		    site->name);
		fail_setup(job, "out of memory");
		goto fail;
	}
	if (build_headers(t, site) == -1) {
		log_error("%s: http check: cannot build the request headers",
		    site->name);
		fail_setup(job, "out of memory");
		goto fail;
	}
	if ((rc = set_options(t, site)) != CURLE_OK ||
	    (rc = set_hop(t, site->url)) != CURLE_OK) {
		log_error("%s: http check: cannot set up the request: %s",
		    site->name, curl_easy_strerror(rc));
		fail_setup(job, curl_easy_strerror(rc));
		goto fail;
	}
	job->res.started_ms = now_ms();
	if ((mc = curl_multi_add_handle(multi, t->easy)) != CURLM_OK) {
		log_error("%s: http check: cannot start the transfer: %s",
		    site->name, curl_multi_strerror(mc));
		job->res.started_ms = 0;
		transfer_clear(t);
		return -1;
	}
	return 0;
fail:
	transfer_clear(t);
	return 1;
}

/* Returns the short reason of a certificate or handshake failure. */
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
	if (strcasestr(errbuf, "wrong version number") != NULL)
		return "server does not speak tls";
	return "handshake failed";
}

/*
 * Writes the short, lower-case reason for a transport failure. It never
 * quotes the URL or a header: those may hold secrets.
 */
static void
transport_error(CURL *e, CURLcode rc, const char *errbuf, char *out,
    size_t outsz)
{
	long	 oserr = 0, proxy = 0;

	/* A proxy that refused the tunnel says nothing about the site. */
	curl_easy_getinfo(e, CURLINFO_HTTP_CONNECTCODE, &proxy);
	if (proxy >= 300) {
		snprintf(out, outsz, "proxy error: HTTP %ld", proxy);
		return;
	}
	curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &oserr);
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
		snprintf(out, outsz, "tls error: %s", tls_detail(rc, errbuf));
		break;
	default:
		snprintf(out, outsz, "transport error: %s",
		    curl_easy_strerror(rc));
		break;
	}
}

/* Fills the job's result from a finished transfer. */
static void
transfer_finish(struct transfer *t, CURLcode rc)
{
	struct http_job		*job = t->job;
	const struct site	*site = job->site;
	struct http_result	*res = &job->res;
	curl_off_t		 total_us = 0;
	long			 code = 0;

	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &total_us);
	res->done = 1;
	res->http_code = (int)code;
	res->response_ms = (double)(t->earlier_us + total_us) / 1000.0;
	res->error[0] = '\0';
	if (rc == CURLE_WRITE_ERROR && t->stopped)
		rc = CURLE_OK;
	if (rc != CURLE_OK) {
		transport_error(t->easy, rc, t->errbuf, res->error,
		    sizeof(res->error));
		log_debug("%s: http check: %s (%s)", site->name, res->error,
		    t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
	} else if (code == 0)
		/* Ended without a status line of the site's: never a pass. */
		snprintf(res->error, sizeof(res->error), "no response");
	else if (status_fails(site, code))
		snprintf(res->error, sizeof(res->error), "HTTP %ld", code);
	else if (t->klen > 0 && !t->found)
		snprintf(res->error, sizeof(res->error), "keyword not found");
	res->ok = res->error[0] == '\0';
}

/*
 * Returns the malloc'd absolute URL a Location names, relative to the URL
 * that answered with it, or NULL when it is no URL.
 */
static char *
resolve_location(const char *base, const char *location)
{
	CURLU	*u;
	char	*url = NULL, *abs = NULL;

	if (base == NULL || (u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, location, CURLU_ALLOW_SPACE |
	    CURLU_URLENCODE) ==
	    CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
		url = xstrdup(abs);
	curl_free(abs);
	curl_url_cleanup(u);
	return url;
}

/*
 * Returns the method a redirect with code leaves, as browsers do: a 303
 * makes anything but HEAD a GET, a 301 or 302 makes a POST a GET. NULL
 * means GET.
 */
static const char *
redirect_method(const char *method, long code)
{
	if (method == NULL)
		return NULL;
	if (code == 303 && strcasecmp(method, "HEAD") != 0)
		return NULL;
	if ((code == 301 || code == 302) && strcasecmp(method, "POST") == 0)
		return NULL;
	return method;
}

/* Forgets what was read of the previous hop's response. */
static void
hop_reset(struct transfer *t)
{
	t->stopped = 0;
	t->status = 0;
	free(t->location);
	t->location = NULL;
	t->body_len = 0;
	t->found = 0;
	t->tail_len = 0;
	t->errbuf[0] = '\0';
}

/*
 * Follows the redirect a transfer just ended on, if it is one to follow, by
 * putting the same handle back into the multi handle for the new URL.
 * Returns 1 when it did. Returns 0 when this response is the check's last;
 * *rc then says how the transfer ended (too many redirects, say; a failure
 * to restart is logged).
 */
static int
transfer_redirect(CURLM *multi, struct transfer *t, CURLcode *rc)
{
	const char	*name = t->job->site->name;
	char		*base = NULL, *url = NULL;
	curl_off_t	 us = 0;
	long		 code = 0;
	CURLMcode	 mc;
	int		 ret = 0;

	if ((*rc != CURLE_OK && !(*rc == CURLE_WRITE_ERROR && t->stopped)) ||
	    !is_redirect(t))
		return 0;
	/*
	 * libcurl's CURLINFO_REDIRECT_URL is only set when the body was read
	 * to its end, and we stopped at the headers: resolve it ourselves. A
	 * Location that cannot be followed (no URL, not http(s)) fails the
	 * check, as it did when libcurl followed redirects.
	 */
	curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &base);
	if ((url = resolve_location(base, t->location)) == NULL) {
		/* As libcurl would: a Location we cannot follow fails. */
		*rc = CURLE_UNSUPPORTED_PROTOCOL;
		return 0;
	}
	if (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) {
		*rc = CURLE_UNSUPPORTED_PROTOCOL;
		goto out;
	}
	if (t->hops >= MAX_REDIRS) {
		*rc = CURLE_TOO_MANY_REDIRECTS;
		goto out;
	}
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_getinfo(t->easy, CURLINFO_TOTAL_TIME_T, &us);
	if ((mc = curl_multi_remove_handle(multi, t->easy)) != CURLM_OK) {
		log_error("%s: http check: cannot remove the transfer: %s",
		    name, curl_multi_strerror(mc));
		*rc = CURLE_FAILED_INIT;
		goto out;
	}
	t->earlier_us += us;
	t->hops++;
	t->method = redirect_method(t->method, code);
	hop_reset(t);
	if ((*rc = set_hop(t, url)) != CURLE_OK) {
		log_error("%s: http check: cannot set up the redirect: %s",
		    name, curl_easy_strerror(*rc));
		goto out;
	}
	if ((mc = curl_multi_add_handle(multi, t->easy)) != CURLM_OK) {
		log_error("%s: http check: cannot follow the redirect: %s",
		    name, curl_multi_strerror(mc));
		*rc = CURLE_FAILED_INIT;
		goto out;
	}
	ret = 1;
out:
	free(url);
	return ret;
}

/* Takes a transfer out of the multi handle and frees its slot. */
static void
transfer_release(CURLM *multi, struct transfer *t)
{
	CURLMcode	mc;

	if ((mc = curl_multi_remove_handle(multi, t->easy)) != CURLM_OK)
		log_error("%s: http check: cannot remove the transfer: %s",
		    t->job->site->name, curl_multi_strerror(mc));
	transfer_clear(t);
}

/* Returns a free slot; the caller knows one exists. */
static struct transfer *
free_slot(struct transfer *slots, size_t nslots)
{
	size_t	i;

	for (i = 0; i < nslots; i++)
		if (slots[i].easy == NULL)
			return &slots[i];
	return NULL;
}

/*
 * Starts jobs from *next until nslots are in flight or none is left.
 * Returns 0, or -1 when the multi handle refused a transfer (logged).
 */
static int
fill_slots(CURLM *multi, struct transfer *slots, size_t nslots,
    struct http_job *jobs, size_t n, size_t *next, size_t *inflight)
{
	int	rc;

	while (*inflight < nslots && *next < n) {
		rc = transfer_start(multi, free_slot(slots, nslots),
		    &jobs[*next]);
		if (rc == -1)
			return -1;
		(*next)++;
		if (rc == 0)
			(*inflight)++;
	}
	return 0;
}

/* Collects finished transfers; returns how many finished. */
static size_t
reap(CURLM *multi)
{
	CURLMsg		*msg;
	struct transfer	*t;
	CURLcode	 rc;
	int		 left;
	size_t		 done = 0;

	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		t = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
		/* msg dies with the handle: read its result first. */
		rc = msg->data.result;
		if (transfer_redirect(multi, t, &rc) == 1)
			continue;
		transfer_finish(t, rc);
		transfer_release(multi, t);
		done++;
	}
	return done;
}

int
http_batch_run(struct http_job *jobs, size_t n, int max_concurrency,
    const volatile sig_atomic_t *stop)
{
	CURLM		*multi = NULL;
	struct transfer	*slots = NULL;
	size_t		 nslots, next = 0, inflight = 0, i;
	CURLMcode	 mc;
	int		 running, ret = -1;

	for (i = 0; i < n; i++)
		memset(&jobs[i].res, 0, sizeof(jobs[i].res));
	if (n == 0)
		return 0;
	if (http_global_init() == -1)
		return -1;
	if ((multi = curl_multi_init()) == NULL) {
		log_error("libcurl: cannot create a multi handle");
		return -1;
	}
	nslots = max_concurrency < 1 ? 1 : (size_t)max_concurrency;
	if (nslots > n)
		nslots = n;
	slots = xcalloc(nslots, sizeof(*slots));

	if (fill_slots(multi, slots, nslots, jobs, n, &next, &inflight) == -1)
		goto out;
	while (inflight > 0) {
		if (stop != NULL && *stop) {
			log_info("http checks: stopped, %zu in flight abandoned",
			    inflight);
			goto out;
		}
		if ((mc = curl_multi_perform(multi, &running)) != CURLM_OK) {
			log_error("http checks: curl_multi_perform: %s",
			    curl_multi_strerror(mc));
			goto out;
		}
		inflight -= reap(multi);
		if (fill_slots(multi, slots, nslots, jobs, n, &next,
		    &inflight) == -1)
			goto out;
		if (inflight == 0)
			break;
		/* A short wait, so a signal's *stop is seen quickly. */
		if ((mc = curl_multi_poll(multi, NULL, 0, POLL_MS, NULL)) !=
		    CURLM_OK) {
			log_error("http checks: curl_multi_poll: %s",
			    curl_multi_strerror(mc));
			goto out;
		}
	}
	ret = 0;
out:
	/* Whatever is still in flight is abandoned, its result not done. */
	for (i = 0; i < nslots; i++) {
		if (slots[i].easy == NULL)
			continue;
		memset(&slots[i].job->res, 0, sizeof(slots[i].job->res));
		transfer_release(multi, &slots[i]);
	}
	free(slots);
	curl_multi_cleanup(multi);
	return ret;
}
