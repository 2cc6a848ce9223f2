/*
 * Certificate analysis with mbedTLS's X.509 code: given the chain a server
 * sent, the trusted CAs, the host and the time, decide trust, hostname,
 * validity and days left. No I/O besides reading CA files, so the analysis
 * can be tested (and fuzzed) without a network.
 */
#ifndef PEEKL_CERT_VERIFY_H
#define PEEKL_CERT_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

#include "check.h"

/*
 * Analyses the chain the server sent, leaf first: PEM blocks one after
 * another (anything between them is skipped), or one DER certificate. Fills
 * res->have_cert, not_after, days_left (against now, unix ms) and error
 * ("" when the chain verifies against ca for host). An IP literal host
 * must be among the leaf's iPAddress SANs. Everything but error is filled
 * even when verification fails. mbedTLS judges the validity dates against
 * the system clock, not now.
 */
void	cert_verify(const unsigned char *chain, size_t len,
	    const mbedtls_x509_crt *ca, const char *host, int64_t now,
	    struct cert_result *res);

/* CA bundles, each parsed at most once however many checks trust it. */
struct cert_cas;

struct cert_cas	*cert_cas_new(void);	/* free with cert_cas_free */
void		 cert_cas_free(struct cert_cas *cas);	/* NULL ok */

/* Returns the bundle at path, parsed on first use (owned by cas), or NULL
 * when it cannot be read (logged once). */
const mbedtls_x509_crt *cert_cas_get(struct cert_cas *cas, const char *path);

#endif
