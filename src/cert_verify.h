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
 * the system clock, not now. The chain's details go to res->d, which must
 * be empty (zeroed, or freed with cert_result_clear); the caller frees them
 * with cert_result_clear.
 */
void	cert_verify(const unsigned char *chain, size_t len,
	    const mbedtls_x509_crt *ca, const char *host, int64_t now,
	    struct cert_result *res);

/*
 * Verifies the chain (as cert_verify reads it) against ca with one CRL
 * (DER or PEM) as mbedTLS does. Returns 1 when a certificate is revoked,
 * with "certificate revoked" or `intermediate certificate "CN=..."
 * revoked` in out; 0 when none is (out ""); -1 when the CRL is of no use
 * (out says why: unparseable, not signed by the issuer, outdated).
 */
int	cert_crl_check(const unsigned char *chain, size_t len,
	    const mbedtls_x509_crt *ca, const unsigned char *crl,
	    size_t crllen, char *out, size_t outsz);

/* Returns a CRL's nextUpdate as unix seconds, 0 when it has none or does
 * not parse. */
int64_t	cert_crl_next_update(const unsigned char *crl, size_t crllen);

/* CA bundles, each parsed at most once however many checks trust it. */
struct cert_cas;

struct cert_cas	*cert_cas_new(void);	/* free with cert_cas_free */
void		 cert_cas_free(struct cert_cas *cas);	/* NULL ok */

/* Returns the bundle at path, parsed on first use (owned by cas), or NULL
 * when it cannot be read (logged once). */
const mbedtls_x509_crt *cert_cas_get(struct cert_cas *cas, const char *path);

#endif
