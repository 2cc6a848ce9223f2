/*
 * The network engine: one libcurl multi handle drives every transfer of a
 * run (HTTP checks, certificate handshakes, webhook deliveries). It also
 * owns the two rules every transfer shares: which CA file is trusted, and
 * how a transport or TLS failure is worded.
 */
#ifndef PEEKL_NET_H
#define PEEKL_NET_H

#include <signal.h>
#include <stddef.h>
#include <sys/queue.h>

#include <curl/curl.h>

struct net;

/*
 * One transfer. Its owner embeds it, creates easy, sets who, done and arg,
 * and hands it to net_add. When the transfer ends the engine takes easy out
 * of the multi handle and calls done, which may net_add it again (a
 * redirect hop, the next queued alert) or free it. When a run ends first
 * (stop flag, engine failure) the engine sets abandoned before calling done;
 * done must then not add it again.
 */
struct net_xfer {
	CURL		*easy;		/* owned by the owner, never by the engine */
	const char	*who;		/* site or integration name, for log lines */
	void		(*done)(struct net_xfer *, CURLcode);
	void		*arg;		/* the owner's */
	int		 abandoned;	/* set by the engine: the run ended first */
	LIST_ENTRY(net_xfer) entry;	/* the engine's list of transfers in flight */
};

/* How a failure is worded: what the transfer was doing. */
enum net_purpose {
	NET_HTTP,		/* a request: "tls error: ..." */
	NET_HANDSHAKE		/* a certificate check: "tls handshake failed: ..." */
};

/* Creates the engine in *out; returns 0, or -1 (logged). Free with
 * net_close. */
int	net_open(struct net **out);
void	net_close(struct net *net);	/* NULL ok; nothing may be in flight */

/* Starts a transfer; returns 0, or -1 (logged, naming x->who). */
int	net_add(struct net *net, struct net_xfer *x);

/* Returns how many transfers are in flight. */
size_t	net_inflight(const struct net *net);

/*
 * Drives every transfer until none is left. Before each round refill
 * (unless NULL) may add transfers; a refill that returns -1 ends the run.
 * Returns 0 when nothing is left in flight, 1 when *stop became set (noticed
 * within 200 ms), -1 when libcurl or refill failed (logged). On 1 and -1
 * every transfer still in flight is abandoned: its done sees abandoned set.
 */
int	net_run(struct net *net, int (*refill)(void *), void *arg,
	    const volatile sig_atomic_t *stop);

/*
 * Sets one option of x's handle; returns 0, or -1 after an ERROR line that
 * names x->who and the option. Chain them with ||.
 */
#define net_setopt(x, opt, val) \
	net_setopt_rc((x), #opt, curl_easy_setopt((x)->easy, (opt), (val)))
int	net_setopt_rc(const struct net_xfer *x, const char *opt, CURLcode rc);

/* Reads one piece of information of x's handle; returns 0, or -1 after an
 * ERROR line that names x->who and the item. */
#define net_getinfo(x, info, ptr) \
	net_getinfo_rc((x), #info, curl_easy_getinfo((x)->easy, (info), (ptr)))
int	net_getinfo_rc(const struct net_xfer *x, const char *info, CURLcode rc);

/*
 * Returns the CA file a transfer for a site trusts: the site's ca_file,
 * else $SSL_CERT_FILE, else the system bundle. Borrowed; valid while
 * ca_file and the environment are.
 */
const char *net_ca_file(const char *ca_file);

/*
 * Writes the short, lower-case reason a transfer of x failed with rc
 * ("timeout", "connection refused", "tls error: certificate expired"...).
 * errbuf is the transfer's CURLOPT_ERRORBUFFER. The reason never quotes
 * the URL or a header: those may hold secrets.
 */
void	net_failure(const struct net_xfer *x, CURLcode rc, const char *errbuf,
	    enum net_purpose purpose, char *out, size_t outsz);

#endif
