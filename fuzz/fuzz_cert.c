/*
 * libFuzzer target: the certificate-chain analysis fed arbitrary bytes as
 * the chain a server sent (PEM blocks or one DER certificate), the most
 * hostile input peekl reads. The trusted CA is fixed and parsed once; the
 * host checked against the leaf is picked by the input's length, so every
 * kind (name, IPv4, IPv6, absent from the SANs) is reached.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/x509_crt.h>

#include "cert_verify.h"
#include "check.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The CA that signed fuzz/corpus/cert/leaf.pem (made with openssl, P-256). */
static const char ca_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBlzCCAT2gAwIBAgIUKLisxwkf4iv4YbweIoY3KBvNPjcwCgYIKoZIzj0EAwIw\n"
    "GDEWMBQGA1UEAwwNcGVla2wgZnV6eiBDQTAgFw0yNjEyMDEwMDQwMTZaGA8yMTI2\n"
    "MTEwNzAwNDAxNlowGDEWMBQGA1UEAwwNcGVla2wgZnV6eiBDQTBZMBMGByqGSM49\n"
    "AgEGCCqGSM49AwEHA0IABDN8TtSQCr3vsmo3HfzVqKZSfl1DbnL9z6nUjbf1/d1d\n"
    "ubyK04MnjVwNCRGQvrh9NF8mGW2wLk9aSxHyYcDR0MCjYzBhMB0GA1UdDgQWBBTs\n"
    "3cLqmWt2g/v0ehPpua2Rz6d8LDAfBgNVHSMEGDAWgBTs3cLqmWt2g/v0ehPpua2R\n"
    "z6d8LDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAKBggqhkjOPQQD\n"
    "AgNIADBFAiB97psNgDq6hbfQ7g7xOYtglyDfWKBFqgeyLy+CzyFVBwIhAInqeUll\n"
    "bEci/SUxSWI49vxx003ypzwLr2y5HvjAHRFO\n"
    "-----END CERTIFICATE-----\n"
    ;

static mbedtls_x509_crt	ca;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	mbedtls_x509_crt_init(&ca);
	if (mbedtls_x509_crt_parse(&ca, (const unsigned char *)ca_pem,
	    sizeof(ca_pem)) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char	*hosts[] = {
		"localhost", "127.0.0.1", "::1", "other.example.com"
	};
	struct cert_result	 res;

	memset(&res, 0, sizeof(res));
	/* 2026-11-30: a fixed now, so a run's findings reproduce. */
	cert_verify(data, size, &ca, hosts[size % 4], 1795996800000LL, &res);
	if (res.error[sizeof(res.error) - 1] != '\0')
		abort();
	cert_result_clear(&res);
	return 0;
}
