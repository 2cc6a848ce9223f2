/* Certificate checks: a TLS handshake by libcurl on the run's engine, the
 * chain it received analysed by cert_verify. */
#ifndef PEEKL_CHECK_CERT_H
#define PEEKL_CHECK_CERT_H

#include "cert_verify.h"
#include "check.h"
#include "config.h"
#include "net.h"

/*
 * Starts a certificate check of site on net, bounded by its timeout and
 * trusting its CA file (from cas, parsed once per run). res is filled when
 * the check ends (res->done = 1), or cleared when the run abandons it.
 * Returns 0 when it is in flight or already ended (e.g. an unreadable CA
 * file), -1 when it could not be set up (logged; res left not done). *broken
 * is set when the check had to be given up later for a libcurl failure
 * (logged). site, cas and res must outlive the check.
 */
int	cert_check_start(struct net *net, const struct site *site,
	    struct cert_cas *cas, struct cert_result *res, int *broken);

#endif
