/* The probe stage: every due check of a run, HTTP and certificate alike,
 * over the run's one network engine. */
#ifndef PEEKL_PROBE_H
#define PEEKL_PROBE_H

#include <signal.h>
#include <stddef.h>

#include "cert_verify.h"
#include "check.h"
#include "net.h"

/*
 * Probes every check with due set: fills http (KIND_HTTP) or cert
 * (KIND_CERT), done = 1 when finished, left 0 when abandoned. At most
 * max_concurrency transfers are in flight at once, each bounded by its
 * site's timeout. cas is the run's cache of CA bundles (each parsed once,
 * shared with the revocation step). Reads only site, kind and due; writes
 * only http and cert, which it zeroes first (a cert result from an earlier
 * probe must be freed with cert_result_clear before). Returns 0, or -1
 * when the engine failed, a check could not be set up or *stop became set
 * (logged).
 */
int	probe_run(struct net *net, struct cert_cas *cas, struct check *checks,
	    size_t n, int max_concurrency, const volatile sig_atomic_t *stop);

#endif
