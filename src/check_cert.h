/* Certificate checks: TLS handshake with mbedTLS, verification, expiry. */
#ifndef PEEKL_CHECK_CERT_H
#define PEEKL_CHECK_CERT_H

#include <signal.h>
#include <stddef.h>

#include "check.h"
#include "config.h"

struct cert_job {
	const struct site	*site;	/* borrowed */
	struct cert_result	 res;	/* filled by the batch */
};

struct cert_batch;

/*
 * Starts checking every job in the background (at most max_concurrency at
 * once, each bounded by its site's timeout) and returns at once, so HTTP
 * checks can run meanwhile. Returns NULL only if nothing could be started
 * (logged). jobs must stay valid until cert_batch_wait.
 */
struct cert_batch *cert_batch_start(struct cert_job *jobs, size_t n,
	    int max_concurrency, const volatile sig_atomic_t *stop);

/* Waits for every job, frees the batch; returns 0, or -1 if stopped. */
int	cert_batch_wait(struct cert_batch *batch);

#endif
