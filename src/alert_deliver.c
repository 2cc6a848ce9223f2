/*
 * Delivery of the alert queues: every integration's queue is flushed oldest
 * first, one POST at a time per queue, all queues at once over the run's
 * network engine (net.c). An alert leaves its queue only after a complete
 * 2xx; any other outcome leaves it (and everything after it) for the next
 * run, so a queue is never reordered and nothing is lost. An entry that
 * cannot be decoded or rendered never will be: it is set aside, whole, in
 * the queue's dead list, and delivery goes on with the next one. Each
 * integration gets its webhook timeout for the whole queue, so a run never
 * waits longer than that on a broken webhook, and looks at no more entries
 * than the queue held when it started, so no entry can keep it busy.
 */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "alert.h"
#include "config.h"
#include "log.h"
#include "mime.h"
#include "net.h"
#include "notify.h"
#include "store.h"
#include "util.h"

#ifndef PEEKL_VERSION
#define PEEKL_VERSION "dev"
#endif

#define LEASE_GRACE_MS		5000
#define RETRY_AFTER_DEFAULT	60
#define RETRY_AFTER_MAX		86400
#define ANSWER_MAX		16384	/* bytes of an answer's body kept */
#define ADDR_MAX		320

/* The delivery of every queue in this run. */
struct delivery {
	struct store	*st;
	struct net	*net;
	const volatile sig_atomic_t *stop; /* set by SIGTERM/SIGINT, or NULL */
	int		 rc;		/* -1 once a Redis or libcurl error happened */
};

/* One integration's delivery in this run. */
struct courier {
	struct delivery	*dl;
	struct net_xfer	 x;		/* x.easy is reused for every POST */
	const struct integration *in;
	const char	*name;		/* the instance: "slack", "oncall", ... */
	char		 where[512];	/* the webhook URL, redacted */
	int64_t		 deadline;	/* mono ms: start + timeout */
	long		 budget;	/* entries this run may still read */
	int		 leased;	/* we hold the queue's lease */
	int		 done;		/* nothing more this run */
	struct curl_slist *hdrs;
	char		 errbuf[CURL_ERROR_SIZE];
	char		*json;		/* the queue entry being posted (bytes) */
	size_t		 len;		/* its length, NULs and all */
	struct notify_req rq;		/* its request: URL, body, headers */
	char		*what;		/* "DOWN api", for the log */
	long		 retry_after;	/* seconds from the answer, -1 none */
	struct buf	 answer;	/* the answer's body, ANSWER_MAX at most */
	size_t		 sent;		/* email: bytes of rq.body uploaded */
	struct curl_slist *rcpt;	/* email: the recipients' addresses */
	int		 is_mail;	/* ITYPE_EMAIL: SMTP, not HTTP */
};

static size_t
on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct courier	*c = arg;
	size_t		 n = size * nmemb, room;

	/* The first ANSWER_MAX bytes are kept for the services that answer
	 * in the body (Telegram's "ok"); the rest is discarded, however
	 * long, and the transfer's timeout bounds an endless one. */
	room = c->answer.len < ANSWER_MAX ? ANSWER_MAX - c->answer.len : 0;
	if (room > 0)
		buf_append(&c->answer, ptr, n < room ? n : room);
	return n;
}

/* Email: hands libcurl the next bytes of the message. */
static size_t
on_upload(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct courier	*c = arg;
	size_t		 left = strlen(c->rq.body) - c->sent, n = size * nmemb;

	if (n > left)
		n = left;
	memcpy(ptr, c->rq.body + c->sent, n);
	c->sent += n;
	return n;
}

/* Returns the Retry-After delay in seconds that value means (delta seconds
 * or an HTTP date), or -1 if it means none. */
static long
retry_after_parse(const char *value)
{
	long long	secs;
	time_t		when;

	if (parse_ll(value, 0, LLONG_MAX, &secs) == 0)
		return secs > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : (long)secs;
	if ((when = curl_getdate(value, NULL)) == -1)
		return -1;
	secs = (long long)when - now_ms() / 1000;
	if (secs > RETRY_AFTER_MAX)
		secs = RETRY_AFTER_MAX;
	return secs < 0 ? 0 : (long)secs;
}

static size_t
on_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct courier	*c = arg;
	size_t		 len = size * nmemb, name = sizeof("Retry-After:") - 1;
	char		 value[128];
	size_t		 vlen;

	/* A new status line (after a 100 Continue) starts a new answer. */
	if (len >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
		c->retry_after = -1;
	if (len <= name || strncasecmp(ptr, "Retry-After:", name) != 0)
		return len;
	ptr += name;
	len -= name;
	while (len > 0 && isspace((unsigned char)*ptr)) {
		ptr++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)ptr[len - 1]))
		len--;
	vlen = len < sizeof(value) - 1 ? len : sizeof(value) - 1;
	memcpy(value, ptr, vlen);
	value[vlen] = '\0';
	c->retry_after = retry_after_parse(value);
	return size * nmemb;
}

/* Appends one header line to c's list; returns 0, or -1 if out of memory. */
static int
courier_header(struct courier *c, const char *line)
{
	struct curl_slist	*l;

	if ((l = curl_slist_append(c->hdrs, line)) == NULL)
		return -1;
	c->hdrs = l;
	return 0;
}

/* Builds the request headers of the alert in c->rq; returns 0, or -1 if
 * out of memory. */
static int
courier_headers(struct courier *c)
{
	char	*h;
	size_t	 i;
	int	 r;

	curl_slist_free_all(c->hdrs);
	c->hdrs = NULL;
	/* Expect: 100-continue would cost a round trip for no benefit. */
	if (courier_header(c, "Expect:") == -1)
		return -1;
	for (i = 0; i < c->rq.nheaders; i++)
		if (courier_header(c, c->rq.headers[i]) == -1)
			return -1;
	for (i = 0; i < c->in->nheaders; i++) {
		h = xasprintf("%s: %s", c->in->headers[i].name,
		    c->in->headers[i].value);
		r = courier_header(c, h);
		free(h);
		if (r == -1)
			return -1;
	}
	return 0;
}

/* Email: sets up the SMTP envelope, TLS and login of c's handle. Returns 0,
 * or -1 (logged). */
static int
courier_init_mail(struct courier *c)
{
	const struct integration *in = c->in;
	struct net_xfer	*x = &c->x;
	struct curl_slist *l;
	char		 addr[ADDR_MAX], from[ADDR_MAX + 2];
	size_t		 i;
	int		 smtps = strncasecmp(in->url, "smtps://", 8) == 0;

	/* The config checked every address; a failure here is a bug. */
	if (mime_addr(in->from, addr, sizeof(addr)) == -1)
		return -1;
	snprintf(from, sizeof(from), "<%s>", addr);
	for (i = 0; i < in->nto; i++) {
		if (mime_addr(in->to[i], addr, sizeof(addr)) == -1 ||
		    (l = curl_slist_append(c->rcpt, addr)) == NULL)
			return -1;
		c->rcpt = l;
	}
	/* smtp:// must upgrade with STARTTLS, or fail: a password or an
	 * alert must not cross the network in the clear by accident. */
	if (net_setopt(x, CURLOPT_PROTOCOLS_STR, "smtp,smtps") ||
	    net_setopt(x, CURLOPT_USE_SSL, smtps ? (long)CURLUSESSL_ALL :
	    in->insecure_plaintext ? (long)CURLUSESSL_TRY :
	    (long)CURLUSESSL_ALL) ||
	    net_setopt(x, CURLOPT_MAIL_FROM, from) ||
	    net_setopt(x, CURLOPT_MAIL_RCPT, c->rcpt) ||
	    net_setopt(x, CURLOPT_UPLOAD, 1L) ||
	    /* A connection is never kept: closing a kept one makes libcurl
	     * say QUIT and wait for the answer at the end of the run, which
	     * a hanging server would never give. That wait, and every other
	     * one for a reply, is bounded by the instance's timeout too. */
	    net_setopt(x, CURLOPT_FORBID_REUSE, 1L) ||
	    net_setopt(x, CURLOPT_SERVER_RESPONSE_TIMEOUT,
	    (long)((in->timeout_ms + 999) / 1000)) ||
	    net_setopt(x, CURLOPT_READFUNCTION, on_upload) ||
	    net_setopt(x, CURLOPT_READDATA, c))
		return -1;
	if (in->smtp_user != NULL &&
	    (net_setopt(x, CURLOPT_USERNAME, in->smtp_user) ||
	    net_setopt(x, CURLOPT_PASSWORD, in->secret)))
		return -1;
	return 0;
}

/* Sets up the easy handle reused for every POST of c; returns 0, or -1
 * (logged). */
static int
courier_init(struct courier *c)
{
	struct net_xfer	*x = &c->x;

	if ((x->easy = curl_easy_init()) == NULL) {
		log_error("%s: cannot set up delivery (out of memory)", c->name);
		return -1;
	}
	/* net_setopt names the option, never its value: the URL is secret.
	 * The URL and headers are set for each alert (courier_send_next). */
	if (c->is_mail && courier_init_mail(c) == -1) {
		log_error("%s: cannot set up delivery", c->name);
		return -1;
	}
	if ((!c->is_mail &&
	    net_setopt(x, CURLOPT_PROTOCOLS_STR, "http,https")) ||
	    net_setopt(x, CURLOPT_CAINFO, net_ca_file(c->in->ca_file)) ||
	    net_setopt(x, CURLOPT_USERAGENT, "peekl/" PEEKL_VERSION) ||
	    net_setopt(x, CURLOPT_FOLLOWLOCATION, 0L) ||
	    net_setopt(x, CURLOPT_NOSIGNAL, 1L) ||
	    net_setopt(x, CURLOPT_WRITEFUNCTION, on_body) ||
	    net_setopt(x, CURLOPT_WRITEDATA, c) ||
	    net_setopt(x, CURLOPT_HEADERFUNCTION, on_header) ||
	    net_setopt(x, CURLOPT_HEADERDATA, c) ||
	    net_setopt(x, CURLOPT_ERRORBUFFER, c->errbuf))
		return -1;
	return 0;
}

static void
courier_forget_alert(struct courier *c)
{
	free(c->json);
	notify_req_clear(&c->rq);
	free(c->what);
	c->json = c->what = NULL;
	c->len = 0;
}

/* Logs that the rest of the queue waits for the next run, at level lvl. */
static void
courier_give_up(struct store *st, struct courier *c, enum log_level lvl,
    const char *reason)
{
	long	n = store_queue_len(st, c->name);

	if (n >= 0)
		log_msg(lvl, "%s: delivery to %s failed: %s; %ld alert%s stay%s "
		    "queued", c->name, c->where, reason, n, n == 1 ? "" : "s",
		    n == 1 ? "s" : "");
	else
		log_msg(lvl, "%s: delivery to %s failed: %s; alerts stay queued",
		    c->name, c->where, reason);
	c->done = 1;
}

/* Moves the entry in c, which reason says cannot be delivered, to the
 * queue's set-aside list; returns 0, or -1 on a Redis error (logged). */
static int
courier_set_aside(struct store *st, struct courier *c, const char *reason)
{
	if (store_queue_set_aside(st, c->name, c->json, c->len) == -1)
		return -1;
	log_error("%s: set aside a queued entry of %zu bytes: %s; it stays in "
	    "the %s set-aside list (see `peekl status`)", c->name, c->len,
	    reason, c->name);
	return 0;
}

/* Says that what was queued after the run started waits for the next
 * run; returns 0, or -1 on a Redis error (logged). */
static int
courier_budget_spent(struct store *st, struct courier *c)
{
	long	n = store_queue_len(st, c->name);

	if (n > 0)
		log_info("%s: every entry queued when delivery started was "
		    "tried; %ld newer alert%s wait%s for the next run",
		    c->name, n, n == 1 ? "" : "s", n == 1 ? "s" : "");
	return n < 0 ? -1 : 0;
}

/*
 * Reads the queue's head into c and renders it, setting aside entries that
 * are not alerts or cannot be rendered (they never could be delivered and
 * would block the queue). Reads at most c->budget entries and stops at
 * SIGTERM. Returns 1 with an alert ready, 0 when there is nothing more to
 * send this run, -1 on error.
 */
static int
courier_next_alert(struct store *st, struct courier *c)
{
	struct alert	 a;
	char		*reason;
	int		 r;

	for (;;) {
		courier_forget_alert(c);
		if (c->dl->stop != NULL && *c->dl->stop)
			return 0;
		if (c->budget <= 0)
			return courier_budget_spent(st, c);
		c->budget--;
		if (store_queue_head(st, c->name, &c->json, &c->len) == -1)
			return -1;
		if (c->json == NULL)
			return 0;
		if (alert_decode(c->json, c->len, &a) == -1) {
			if (courier_set_aside(st, c, "not an alert peekl can "
			    "read") == -1)
				return -1;
			continue;
		}
		r = notify_request(c->in, &a, &c->rq);
		c->what = alert_what(&a);
		alert_clear(&a);
		if (r == 0)
			return 1;
		reason = xasprintf("cannot render the %s alert", c->what);
		r = courier_set_aside(st, c, reason);
		free(reason);
		if (r == -1)
			return -1;
	}
}

/* Starts posting the queue's next alert, or marks c done. Returns 0, or -1
 * on a Redis or libcurl error (logged). */
static int
courier_send_next(struct store *st, struct courier *c)
{
	struct net_xfer	*x = &c->x;
	int64_t		 left;
	int		 r;

	left = c->deadline - mono_ms();
	if (left <= 0) {
		long	n = store_queue_len(st, c->name);

		log_info("%s: delivery time (%" PRId64 " ms) used up; %ld "
		    "alert(s) stay queued", c->name, c->in->timeout_ms, n);
		c->done = 1;
		return n < 0 ? -1 : 0;
	}
	if ((r = courier_next_alert(st, c)) <= 0) {
		c->done = 1;
		return r;
	}
	c->retry_after = -1;
	c->errbuf[0] = '\0';
	c->answer.len = 0;
	c->sent = 0;
	redact_secret_url(c->rq.url, c->where, sizeof(c->where));
	if (!c->is_mail && courier_headers(c) == -1) {
		log_error("%s: cannot set up delivery (out of memory)", c->name);
		c->done = 1;
		return -1;
	}
	if (net_setopt(x, CURLOPT_URL, c->rq.url) ||
	    (c->is_mail ? net_setopt(x, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)strlen(c->rq.body)) :
	    net_setopt(x, CURLOPT_HTTPHEADER, c->hdrs) ||
	    net_setopt(x, CURLOPT_POSTFIELDS, c->rq.body) ||
	    net_setopt(x, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)strlen(c->rq.body))) ||
	    net_setopt(x, CURLOPT_TIMEOUT_MS, (long)left) ||
	    net_setopt(x, CURLOPT_CONNECTTIMEOUT_MS, (long)left) ||
	    net_add(c->dl->net, x) == -1) {
		c->done = 1;
		return -1;
	}
	return 0;
}

/* Honours a 429, or a 503 that says when to come back: holds the queue
 * for Retry-After. Returns 0 or -1. */
static int
courier_hold(struct store *st, struct courier *c, long code)
{
	long	secs = c->retry_after;
	long	n;

	if (secs < 0)
		secs = RETRY_AFTER_DEFAULT;
	if (secs < 1)
		secs = 1;
	c->done = 1;
	if (store_queue_hold(st, c->name, (int64_t)secs * 1000) == -1)
		return -1;
	n = store_queue_len(st, c->name);
	log_warn("%s: %s answered HTTP %ld; delivery held for %ld s "
	    "(Retry-After), %ld alert(s) stay queued", c->name, c->where, code,
	    secs, n);
	return 0;
}

/* Removes the alert just delivered from the queue and sends the next.
 * Returns 0, or -1 on a Redis or libcurl error (logged). */
static int
courier_delivered(struct store *st, struct courier *c)
{
	if (store_queue_pop(st, c->name, c->json, c->len) == -1) {
		c->done = 1;
		return -1;
	}
	log_info("%s: delivered %s to %s", c->name, c->what, c->where);
	return courier_send_next(st, c);
}

/*
 * Judges a finished SMTP transaction: the server's 250 after DATA is the
 * only success. A 4xx reply or a broken connection may heal; a 5xx (a
 * refused sender, recipient or login), a server without STARTTLS or a
 * refused login will not, so those are ERRORs. The alert stays queued in
 * every case.
 */
static int
courier_mail_finished(struct store *st, struct courier *c, CURLcode res,
    long code)
{
	char	reason[96];

	if (res == CURLE_OK)
		return courier_delivered(st, c);
	if (res == CURLE_USE_SSL_FAILED)
		courier_give_up(st, c, LOG_ERROR, "the server offers no "
		    "STARTTLS (smtps://, or insecure_plaintext: true for a "
		    "relay that cannot)");
	else if (res == CURLE_LOGIN_DENIED)
		courier_give_up(st, c, LOG_ERROR, "login refused (username, "
		    "password)");
	else if (res == CURLE_OPERATION_TIMEDOUT)
		courier_give_up(st, c, LOG_WARNING, "timeout");
	else if (code >= 400 && code <= 599) {
		snprintf(reason, sizeof(reason), "SMTP %ld", code);
		courier_give_up(st, c, code >= 500 ? LOG_ERROR : LOG_WARNING,
		    reason);
	} else
		courier_give_up(st, c, LOG_WARNING, curl_easy_strerror(res));
	return 0;
}

/* Judges a finished POST and moves on. Returns 0, or -1 on a Redis or
 * libcurl error (logged). */
static int
courier_finished(struct store *st, struct courier *c, CURLcode res)
{
	long	code = 0;
	char	reason[64];
	enum notify_verdict v;

	if (net_getinfo(&c->x, CURLINFO_RESPONSE_CODE, &code) == -1) {
		c->done = 1;
		return -1;
	}
	if (c->is_mail)
		return courier_mail_finished(st, c, res, code);
	v = res != CURLE_OK ? NOTIFY_FAILED : notify_judge(c->in, code,
	    c->answer.data, c->answer.len, &c->retry_after);
	if (v == NOTIFY_DELIVERED)
		return courier_delivered(st, c);
	if (v == NOTIFY_HOLD)
		return courier_hold(st, c, code);
	if (res == CURLE_OK) {
		/* A 2xx that is not the service's success (PagerDuty's 202,
		 * Telegram's "ok": true) did not deliver either. */
		snprintf(reason, sizeof(reason), code >= 200 && code <= 299 ?
		    "HTTP %ld, not the service's success answer" : "HTTP %ld",
		    code);
		/* A 4xx will not heal by itself (a deleted webhook answers
		 * 404): the alert stays queued, but the operator must act. */
		courier_give_up(st, c, code >= 400 && code < 500 ? LOG_ERROR :
		    LOG_WARNING, reason);
	} else if (res == CURLE_OPERATION_TIMEDOUT)
		courier_give_up(st, c, LOG_WARNING, "timeout");
	else
		/* curl's generic message: errbuf may quote the URL. */
		courier_give_up(st, c, LOG_WARNING, curl_easy_strerror(res));
	return 0;
}

/* Decides whether c delivers this run and takes its queue's lease.
 * Returns 1 to deliver, 0 to skip, -1 on a Redis error. */
static int
courier_claim(struct store *st, struct courier *c)
{
	int64_t	held;
	long	n;
	int	r;

	if ((held = store_queue_held(st, c->name)) == -1)
		return -1;
	if (held > 0) {
		log_info("%s: delivery held for %" PRId64 " s (Retry-After)",
		    c->name, (held + 999) / 1000);
		return 0;
	}
	if ((n = store_queue_len(st, c->name)) <= 0)
		return n < 0 ? -1 : 0;
	c->budget = n;
	r = store_queue_lease(st, c->name, c->in->timeout_ms +
	    LEASE_GRACE_MS);
	if (r == 0)
		log_info("%s: another run is delivering the queue", c->name);
	c->leased = r == 1;
	return r;
}

/* Engine callback: a POST ended (or the run ended first). */
static void
courier_done(struct net_xfer *x, CURLcode res)
{
	struct courier	*c = x->arg;

	if (x->abandoned) {
		c->done = 1;
		return;
	}
	if (courier_finished(c->dl->st, c, res) == -1)
		c->dl->rc = -1;
}

static void
courier_free(struct courier *c, struct store *st)
{
	if (c->leased)
		store_queue_unlease(st, c->name);
	curl_easy_cleanup(c->x.easy);
	curl_slist_free_all(c->hdrs);
	curl_slist_free_all(c->rcpt);
	buf_free(&c->answer);
	courier_forget_alert(c);
}

int
alert_deliver_all(struct store *st, const struct config *cfg,
    struct net *net, const volatile sig_atomic_t *stop)
{
	struct delivery	 dl;
	struct courier	*cs = NULL;
	size_t		 i, n = cfg->nintegrations;
	int64_t		 start;
	int		 r;

	if (n == 0 || (stop != NULL && *stop))
		return 0;
	memset(&dl, 0, sizeof(dl));
	dl.st = st;
	dl.net = net;
	dl.stop = stop;
	cs = xcalloc(n, sizeof(*cs));
	start = mono_ms();
	for (i = 0; i < n; i++) {
		struct courier	*c = &cs[i];

		c->dl = &dl;
		c->in = &cfg->integrations[i];
		c->name = integration_name(c->in);
		c->x.who = c->name;
		c->x.done = courier_done;
		c->x.arg = c;
		c->is_mail = c->in->type == ITYPE_EMAIL;
		redact_secret_url(c->in->url, c->where, sizeof(c->where));
		c->deadline = start + c->in->timeout_ms;
		if ((r = courier_claim(st, c)) == -1)
			dl.rc = -1;
		if (r != 1)
			continue;
		if (courier_init(c) == -1 || courier_send_next(st, c) == -1)
			dl.rc = -1;
	}
	switch (net_run(net, NULL, NULL, stop)) {
	case 1:
		log_info("alerts: delivery interrupted; undelivered alerts stay "
		    "queued");
		break;
	case -1:
		dl.rc = -1;
		break;
	}
	for (i = 0; i < n; i++)
		courier_free(&cs[i], st);
	free(cs);
	return dl.rc;
}
