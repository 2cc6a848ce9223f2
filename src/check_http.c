/*
 * HTTP checks, each one transfer on the run's network engine (net.c),
 * which bounds and schedules them with every other transfer of the run.
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

#include "check_assert.h"
#include "check_http.h"
#include "log.h"
#include "util.h"

#ifndef PEEKL_VERSION
#define PEEKL_VERSION "dev"
#endif

#define USER_AGENT	"peekl/" PEEKL_VERSION " (+https://github.com/peekl)"
#define BODY_MAX	(1024 * 1024)	/* never read more of a body */
#define MAX_REDIRS	10		/* the 11th redirect fails the check */
#define DEFAULT_TIMEOUT_MS 10000
#define HEADERS_MAX	(64 * 1024)	/* header bytes kept for headers_expect */

/* One HTTP check in flight, hop after hop. */
struct transfer {
	struct net_xfer		 x;		/* x.easy is reused by every hop */
	struct net		*net;
	const struct site	*site;		/* borrowed */
	struct http_result	*res;		/* the caller's */
	int			*broken;	/* the caller's */
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
	int			 want_body;	/* assertions read the body */
	char			*body;		/* its first BODY_MAX bytes */
	size_t			 body_cap;	/* allocated for body */
	int			 want_headers;	/* headers_expect reads them */
	char			*hdrs;		/* the response's header lines */
	size_t			 hdrs_len;
};

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
	const char	*kw = t->site->keyword;
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
	if (!t->want_body && (t->klen == 0 || t->found)) {
		t->stopped = 1;
		return 0;
	}
	room = BODY_MAX - t->body_len;
	if (len > room)
		len = room;
	if (t->klen > 0 && !t->found)
		scan_chunk(t, p, len);
	if (t->want_body) {
		/* Grown as it comes: most health answers are small, and a
		 * hundred checks at once should not each hold a MiB. */
		if (t->body_len + len > t->body_cap) {
			while (t->body_cap < t->body_len + len)
				t->body_cap = t->body_cap ? t->body_cap * 2 :
				    16384;
			if (t->body_cap > BODY_MAX)
				t->body_cap = BODY_MAX;
			/* One more byte for a NUL: sanitizers' regexec
			 * reads up to one even with REG_STARTEND. */
			t->body = xrealloc(t->body, t->body_cap + 1);
		}
		memcpy(t->body + t->body_len, p, len);
		t->body[t->body_len + len] = '\0';
	}
	t->body_len += len;
	if ((t->found && !t->want_body) || t->body_len >= BODY_MAX) {
		t->stopped = 1;
		return 0;
	}
	return size * nmemb;
}

/* Returns 1 when code fails a check whatever the body says. */
static int
status_fails(const struct site *site, long code)
{
	char	err[ERROR_LEN];

	return assert_status(site, (int)code, err, sizeof(err));
}

/* Keeps one header line of the response being read, for headers_expect. */
static void
keep_header(struct transfer *t, const char *p, size_t len)
{
	if (t->hdrs == NULL)
		t->hdrs = xcalloc(1, HEADERS_MAX);
	/* Beyond 64 KiB of headers the rest are not looked at. */
	if (len > HEADERS_MAX - t->hdrs_len)
		return;
	memcpy(t->hdrs + t->hdrs_len, p, len);
	t->hdrs_len += len;
}

/* Returns 1 when the response being read is a redirect we will follow. */
static int
is_redirect(const struct transfer *t)
{
	return t->site->follow_redirects && t->location != NULL &&
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
		t->hdrs_len = 0;
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
		/* headers_expect may ask about it too (a redirect's target
		 * with follow_redirects: false). */
		if (t->want_headers)
			keep_header(t, p, len);
		return len;
	}
	if (!(len <= 2 && (p[0] == '\r' || p[0] == '\n'))) {
		if (t->want_headers)
			keep_header(t, p, len);
		return len;
	}
	/* The blank line ending one response's headers. */
	if (t->status < 200)
		return len;	/* an interim 1xx; the real answer follows */
	if ((t->klen > 0 || t->want_body) &&
	    !status_fails(t->site, t->status) && !is_redirect(t))
		return len;	/* the body is looked into */
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
 * POST into a GET); returns 0, or -1 (logged).
 */
static int
set_method(struct net_xfer *x, const char *method, const char *body)
{
	if (net_setopt(x, CURLOPT_CUSTOMREQUEST, NULL) ||
	    net_setopt(x, CURLOPT_HTTPGET, 1L))
		return -1;
	if (method == NULL || strcasecmp(method, "GET") == 0)
		return 0;
	if (strcasecmp(method, "HEAD") == 0)
		return net_setopt(x, CURLOPT_NOBODY, 1L);
	/* A real POST (empty without a body), so redirects behave as in a
	 * browser. */
	if (strcasecmp(method, "POST") == 0)
		return net_setopt(x, CURLOPT_POSTFIELDS, body ? body : "");
	if (body != NULL && net_setopt(x, CURLOPT_POSTFIELDS, body))
		return -1;
	return net_setopt(x, CURLOPT_CUSTOMREQUEST, method);
}

/* Returns the check's timeout in milliseconds. */
static long
site_timeout_ms(const struct site *site)
{
	return site->timeout_ms > 0 ? (long)site->timeout_ms :
	    DEFAULT_TIMEOUT_MS;
}

/* Sets the options every hop of a check shares; returns 0, or -1 (logged). */
static int
set_options(struct transfer *t)
{
	struct net_xfer	*x = &t->x;

	if (net_setopt(x, CURLOPT_ERRORBUFFER, t->errbuf) ||
	    net_setopt(x, CURLOPT_NOSIGNAL, 1L) ||
	    net_setopt(x, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    net_setopt(x, CURLOPT_FOLLOWLOCATION, 0L) ||
	    net_setopt(x, CURLOPT_USERAGENT, USER_AGENT) ||
	    /* The site's headers are for the site, never for a proxy. */
	    net_setopt(x, CURLOPT_HEADEROPT, (long)CURLHEADER_SEPARATE) ||
	    /* A proxy's "200 Connection established" is not the site's
	     * answer; without this the header callback would see it. */
	    net_setopt(x, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L) ||
	    /* No Accept-Encoding: we never want to decompress a body. */
	    net_setopt(x, CURLOPT_ACCEPT_ENCODING, NULL) ||
	    /* Each check measures what a new visitor sees: its own
	     * connection, not one another check left open. */
	    net_setopt(x, CURLOPT_FRESH_CONNECT, 1L) ||
	    net_setopt(x, CURLOPT_FORBID_REUSE, 1L) ||
	    net_setopt(x, CURLOPT_WRITEFUNCTION, on_body) ||
	    net_setopt(x, CURLOPT_WRITEDATA, t) ||
	    net_setopt(x, CURLOPT_HEADERFUNCTION, on_header) ||
	    net_setopt(x, CURLOPT_HEADERDATA, t) ||
	    /* The CA file is the only trust: not libcurl's CA directory too. */
	    net_setopt(x, CURLOPT_CAINFO, net_ca_file(t->site->ca_file)) ||
	    net_setopt(x, CURLOPT_CAPATH, NULL))
		return -1;
	if (t->site->ip_version != 0 && net_setopt(x, CURLOPT_IPRESOLVE,
	    t->site->ip_version == 4 ? (long)CURL_IPRESOLVE_V4 :
	    (long)CURL_IPRESOLVE_V6))
		return -1;
	return 0;
}

/*
 * Sets or clears what identifies peekl to the site (basic_auth, the mTLS
 * client certificate): like the site's headers, they go only to its own
 * origin. Returns 0, or -1 (logged).
 */
static int
set_identity(struct transfer *t, int own)
{
	const struct site	*site = t->site;
	struct net_xfer		*x = &t->x;

	if (site->auth_user != NULL && (net_setopt(x, CURLOPT_HTTPAUTH,
	    (long)CURLAUTH_BASIC) ||
	    net_setopt(x, CURLOPT_USERNAME, own ? site->auth_user : NULL) ||
	    net_setopt(x, CURLOPT_PASSWORD, own ? site->auth_password : NULL)))
		return -1;
	if (site->client_cert != NULL && (net_setopt(x, CURLOPT_SSLCERT,
	    own ? site->client_cert : NULL) ||
	    net_setopt(x, CURLOPT_SSLKEY, own ? site->client_key : NULL)))
		return -1;
	return 0;
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
 * timeout. Returns 0, or -1 (logged).
 */
static int
set_hop(struct transfer *t, const char *url)
{
	struct net_xfer	*x = &t->x;
	int64_t		 left = t->deadline - mono_ms();
	int		 own = t->hops == 0 || same_origin(t, url);

	/* 0 would mean no timeout at all: 1 ms times out at once. */
	if (left < 1)
		left = 1;
	if (net_setopt(x, CURLOPT_URL, url) ||
	    net_setopt(x, CURLOPT_HTTPHEADER, own ? t->headers : NULL) ||
	    set_identity(t, own) ||
	    net_setopt(x, CURLOPT_TIMEOUT_MS, (long)left) ||
	    net_setopt(x, CURLOPT_CONNECTTIMEOUT_MS, (long)left) ||
	    set_method(x, t->method, t->method == t->site->method ?
	    t->site->body : NULL))
		return -1;
	return 0;
}

/* Frees a transfer that is not (or no longer) in the engine. */
static void
transfer_free(struct transfer *t)
{
	if (t == NULL)
		return;
	curl_easy_cleanup(t->x.easy);
	curl_slist_free_all(t->headers);
	free(t->origin);
	free(t->location);
	free(t->tail);
	free(t->window);
	free(t->body);
	free(t->hdrs);
	free(t);
}

/* Fills the check's result from a finished transfer; returns 0, or -1
 * when libcurl could not tell what happened (logged). */
static int
transfer_finish(struct transfer *t, CURLcode rc)
{
	const struct site	*site = t->site;
	struct http_result	*res = t->res;
	curl_off_t		 total_us = 0;
	long			 code = 0;

	if (net_getinfo(&t->x, CURLINFO_RESPONSE_CODE, &code) ||
	    net_getinfo(&t->x, CURLINFO_TOTAL_TIME_T, &total_us))
		return -1;
	res->done = 1;
	res->http_code = (int)code;
	res->response_ms = (double)(t->earlier_us + total_us) / 1000.0;
	res->error[0] = '\0';
	if (rc == CURLE_WRITE_ERROR && t->stopped)
		rc = CURLE_OK;
	if (rc != CURLE_OK) {
		net_failure(&t->x, rc, t->errbuf, NET_HTTP, res->error,
		    sizeof(res->error));
		log_debug("%s: http check: %s (%s)", site->name, res->error,
		    t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
	} else if (code == 0)
		/* Ended without a status line of the site's: never a pass. */
		snprintf(res->error, sizeof(res->error), "no response");
	else {
		struct response	resp = { (int)code, t->hdrs, t->hdrs_len,
		    t->body, t->want_body ? t->body_len : 0, t->found };

		assert_response(site, &resp, res->error, sizeof(res->error));
	}
	res->ok = res->error[0] == '\0';
	return 0;
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
	t->hdrs_len = 0;
	t->errbuf[0] = '\0';
}

/*
 * Follows the redirect a transfer just ended on, if it is one to follow, by
 * handing the same handle back to the engine for the new URL. Returns 1
 * when it did, -1 when it could not (logged), 0 when this response is the
 * check's last; *rc then says how the transfer ended (too many redirects,
 * say).
 */
static int
transfer_redirect(struct transfer *t, CURLcode *rc)
{
	char		*base = NULL, *url = NULL;
	curl_off_t	 us = 0;
	long		 code = 0;
	int		 ret = -1;

	if ((*rc != CURLE_OK && !(*rc == CURLE_WRITE_ERROR && t->stopped)) ||
	    !is_redirect(t))
		return 0;
	/*
	 * libcurl's CURLINFO_REDIRECT_URL is only set when the body was read
	 * to its end, and we stopped at the headers: resolve it ourselves. A
	 * Location that cannot be followed (no URL, not http(s)) fails the
	 * check, as it did when libcurl followed redirects.
	 */
	if (net_getinfo(&t->x, CURLINFO_EFFECTIVE_URL, &base) ||
	    net_getinfo(&t->x, CURLINFO_RESPONSE_CODE, &code) ||
	    net_getinfo(&t->x, CURLINFO_TOTAL_TIME_T, &us))
		return -1;
	if ((url = resolve_location(base, t->location)) == NULL ||
	    (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0)) {
		*rc = CURLE_UNSUPPORTED_PROTOCOL;
		ret = 0;
		goto out;
	}
	if (t->hops >= MAX_REDIRS) {
		*rc = CURLE_TOO_MANY_REDIRECTS;
		ret = 0;
		goto out;
	}
	t->earlier_us += us;
	t->hops++;
	t->method = redirect_method(t->method, code);
	hop_reset(t);
	if (set_hop(t, url) == -1 || net_add(t->net, &t->x) == -1)
		goto out;
	ret = 1;
out:
	free(url);
	return ret;
}

/* Engine callback: follows a redirect, or fills the result (clears it when
 * the run abandoned the check) and frees the transfer. */
static void
http_done(struct net_xfer *x, CURLcode rc)
{
	struct transfer	*t = x->arg;
	int		 r;

	if (x->abandoned) {
		memset(t->res, 0, sizeof(*t->res));
		goto out;
	}
	if ((r = transfer_redirect(t, &rc)) == 1)
		return;
	if (r == -1 || transfer_finish(t, rc) == -1) {
		memset(t->res, 0, sizeof(*t->res));
		*t->broken = 1;
	}
out:
	transfer_free(t);
}

int
http_check_start(struct net *net, const struct site *site,
    struct http_result *res, int *broken)
{
	struct transfer	*t;

	memset(res, 0, sizeof(*res));
	t = xcalloc(1, sizeof(*t));
	t->net = net;
	t->site = site;
	t->res = res;
	t->broken = broken;
	t->x.who = site->name;
	t->x.done = http_done;
	t->x.arg = t;
	t->method = site->method;
	t->deadline = mono_ms() + site_timeout_ms(site);
	t->origin = url_origin(site->url);
	if (site->keyword != NULL && site->keyword[0] != '\0') {
		t->klen = strlen(site->keyword);
		t->tail = xcalloc(1, t->klen);
		t->window = xcalloc(2, t->klen);
	}
	t->want_body = assert_needs_body(site);
	t->want_headers = site->nhexpect > 0;
	if ((t->x.easy = curl_easy_init()) == NULL) {
		log_error("%s: http check: cannot create a libcurl handle",
		    site->name);
		goto fail;
	}
	if (build_headers(t, site) == -1) {
		log_error("%s: http check: cannot build the request headers",
		    site->name);
		goto fail;
	}
	if (set_options(t) == -1 || set_hop(t, site->url) == -1)
		goto fail;
	res->started_ms = now_ms();
	if (net_add(net, &t->x) == -1)
		goto fail;
	return 0;
fail:
	memset(res, 0, sizeof(*res));
	transfer_free(t);
	return -1;
}
