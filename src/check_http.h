/* HTTP checks: one transfer each on the run's network engine. */
#ifndef PEEKL_CHECK_HTTP_H
#define PEEKL_CHECK_HTTP_H

#include "check.h"
#include "config.h"
#include "net.h"

/*
 * Starts an HTTP check of site on net, bounded by its timeout, following
 * redirects as the site says. res is filled when the check ends
 * (res->done = 1), or cleared when the run abandons it. Returns 0 when it is
 * in flight, -1 when it could not be set up (logged; res left not done).
 * *broken is set when the check had to be given up later for a libcurl
 * failure (logged). site and res must outlive the check.
 */
int	http_check_start(struct net *net, const struct site *site,
	    struct http_result *res, int *broken);

#endif
