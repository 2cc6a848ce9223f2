/* heartbeat_url: the ping a dead-man's-switch service (healthchecks.io,
 * Cronitor, ...) expects at the end of every check run. */
#ifndef PEEKL_HEARTBEAT_H
#define PEEKL_HEARTBEAT_H

#include <signal.h>

struct net;

#define HEARTBEAT_TIMEOUT_MS	5000	/* the whole ping, connect included */

/*
 * Sends a GET to url when the run did its job (ok), else to its /fail
 * form, on net (or on an engine of its own when net is NULL) within
 * HEARTBEAT_TIMEOUT_MS. It never fails the run: a ping that goes wrong is
 * a WARNING naming the URL redacted. Returns 0 when the service answered
 * 2xx, else -1.
 */
int	heartbeat_send(struct net *net, const char *url, int ok,
	    const volatile sig_atomic_t *stop);

/*
 * Returns url with "/fail" appended to its path, before any query
 * (https://hc-ping.com/UUID and https://hc-ping.com/UUID/ both give
 * https://hc-ping.com/UUID/fail; .../UUID?rid=1 gives .../UUID/fail?rid=1).
 * Malloc'd, caller frees.
 */
char	*heartbeat_fail_url(const char *url);

#endif
