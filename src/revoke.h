/* The revocation step of the probe stage (check_revocation): CRLs from
 * the CRL Distribution Points of every checked chain, cached in Redis,
 * fetched on the run's engine, verified by mbedTLS. */
#ifndef PEEKL_REVOKE_H
#define PEEKL_REVOKE_H

#include <signal.h>
#include <stddef.h>

#include "check.h"
#include "net.h"

struct store;

/*
 * For every finished certificate check whose site has check_revocation
 * and whose chain names http:// CRL Distribution Points (cas: the run's
 * CA bundles, as the probe parsed them): reads each CRL
 * from the cache (store may be NULL), fetches the others on net (at most
 * max_concurrency at once) within the check's timeout, caches what it
 * fetched until nextUpdate (at most 7 days; never when dry_run), and
 * verifies the chain against them. A
 * revoked certificate sets the check's error ("certificate revoked",
 * `intermediate certificate "..." revoked`); a CRL that cannot be fetched,
 * parsed or verified is a WARNING naming its URL and changes nothing.
 * Returns 0, or -1 when Redis or the engine failed or *stop became set
 * (logged).
 */
int	revoke_run(struct net *net, struct store *store, struct cert_cas *cas,
	    struct check *checks, size_t n, int max_concurrency, int dry_run,
	    const volatile sig_atomic_t *stop);

/*
 * Marks every finished certificate check that wanted CRLs as not done, so
 * it is neither judged nor recorded: without its CRLs its verdict could
 * call a revoked certificate fine. For a run whose probe or revocation
 * step failed.
 */
void	revoke_abandon(struct check *checks, size_t n);

#endif
