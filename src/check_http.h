/* HTTP checks: many sites at once over libcurl's multi interface. */
#ifndef PEEKL_CHECK_HTTP_H
#define PEEKL_CHECK_HTTP_H

#include <signal.h>
#include <stddef.h>

#include "check.h"
#include "config.h"

struct http_job {
	const struct site	*site;	/* borrowed */
	struct http_result	 res;	/* filled by http_batch_run */
};

/*
 * Runs every job concurrently, at most max_concurrency transfers at once,
 * each bounded by its site's timeout. Fills each job's res (res.done = 1).
 * Returns 0, or -1 when *stop became non-zero (jobs not finished keep
 * res.done = 0) or libcurl could not be set up (logged).
 */
int	http_batch_run(struct http_job *jobs, size_t n, int max_concurrency,
	    const volatile sig_atomic_t *stop);

#endif
