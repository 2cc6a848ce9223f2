/*
 * Certificate analysis: the chain a server sent, checked by mbedTLS's X.509
 * code against the CA bundle and the host.
 *
 * Hostname verification: mbedTLS 2.28 compares a name with the certificate's
 * CN and dNSName entries only; it has no iPAddress SAN support. So a host
 * that is an IP literal is never handed to mbedTLS as a name: we look for
 * the address among the leaf's iPAddress SANs ourselves, as OpenSSL and
 * browsers do (never in the CN).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

#include "cert_verify.h"
#include "jsonstr.h"
#include "log.h"
#include "util.h"

#define PEM_BEGIN	"-----BEGIN CERTIFICATE-----"
#define PEM_END		"-----END CERTIFICATE-----"

/*
 * Bounds on what a server's chain may make us keep: a certificate is the
 * most hostile input peekl reads. Real chains hold 2 to 4 certificates, a
 * name a few RDNs, a leaf at most a few hundred SANs.
 */
#define CHAIN_MAX	16	/* certificates read from one chain */
#define DN_MAX		1024	/* bytes of one name as text */
#define RDN_MAX		64	/* attributes of one name */
#define SANS_MAX	500	/* subjectAltNames listed */
#define SAN_LEN		256	/* bytes of one dNSName (DNS allows 253) */
#define SERIAL_MAX	64	/* bytes of a serial number (RFC 5280: 20) */
#define CRL_URLS_MAX	8	/* CRL Distribution Points followed per chain */
#define CRL_URL_LEN	2048	/* bytes of one such URL */

/*
 * Every digest and key mbedTLS knows: weak cryptography is peekl's own
 * judgement (weak_crypto), made after verification, so verification must
 * not already refuse SHA-1 or a short key as "certificate invalid".
 */
static const mbedtls_x509_crt_profile profile_any = {
	0xffffffff, 0xffffffff, 0xffffffff, 1
};

struct cert_ca {
	char		*path;
	int		 usable;	/* parsed with at least one certificate */
	mbedtls_x509_crt crt;
};

/* Each bundle is allocated on its own: checks in flight hold pointers to
 * the ones they use while later checks add more. */
struct cert_cas {
	struct cert_ca	**v;
	size_t		  n;
};

/*
 * Maps verification flags to one short reason. When several are set the
 * one an operator must act on first wins: expired, then not yet valid, then
 * not trusted, then hostname mismatch. An expired self-signed certificate
 * is therefore "certificate expired".
 */
static void
verify_reason(uint32_t flags, char *out, size_t outsz)
{
	char	 info[512];
	size_t	 prefix;
	char	*p, *nl;

	if (flags == 0)
		out[0] = '\0';
	else if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
		snprintf(out, outsz, "certificate expired");
	else if (flags & MBEDTLS_X509_BADCERT_FUTURE)
		snprintf(out, outsz, "certificate not yet valid");
	else if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
		snprintf(out, outsz, "certificate not trusted");
	else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
		snprintf(out, outsz, "hostname mismatch");
	else {
		info[0] = '\0';
		mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags);
		p = info;
		while (*p == ' ')
			p++;
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		/* The reason is cut to fit: the first words say enough. */
		prefix = strlen("certificate invalid: ");
		if (outsz > prefix) {
			memcpy(out, "certificate invalid: ", prefix);
			strlcpy_trunc(out + prefix, p, outsz - prefix);
		}
	}
}

/* Returns an X.509 time (always UTC) as unix seconds. */
static int64_t
x509_time_unix(const mbedtls_x509_time *t)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	return (int64_t)timegm(&tm);
}

/* Returns floor((not_after - now) / 1 day); negative once expired, and
 * -1 already for a certificate that expired half a day ago. */
static long
days_until(int64_t not_after, int64_t now)
{
	int64_t	diff = not_after * 1000 - now;
	int64_t	day = 86400LL * 1000;
	int64_t	q = diff / day;

	if (diff % day != 0 && diff < 0)
		q--;
	return clamp_days((double)q);
}

/* Returns the length of the raw address (4 or 16) if host is an IPv4 or
 * IPv6 literal, with its bytes in addr; 0 for a name. */
static size_t
ip_literal(const char *host, unsigned char addr[16])
{
	struct in_addr	a4;

	/* inet_aton, not inet_pton: libcurl connects "127.1" and
	 * "2130706433" to 127.0.0.1 as well. */
	if (inet_aton(host, &a4) != 0) {
		memcpy(addr, &a4, 4);
		return 4;
	}
	if (inet_pton(AF_INET6, host, addr) == 1)
		return 16;
	return 0;
}

/* Returns 1 when crt lists the address among its iPAddress SANs. mbedTLS
 * keeps every SAN entry raw, tagged [7] for iPAddress, whose content is the
 * address in network byte order. */
static int
san_has_ip(const mbedtls_x509_crt *crt, const unsigned char *addr,
    size_t len)
{
	const mbedtls_x509_sequence	*cur;

	for (cur = &crt->subject_alt_names; cur != NULL; cur = cur->next) {
		if (cur->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) &&
		    cur->buf.len == len && memcmp(cur->buf.p, addr, len) == 0)
			return 1;
	}
	return 0;
}

/* Writes "what: <mbedTLS's reason>" for an mbedTLS error code, cut to fit:
 * the first words say enough. */
static void
mbed_reason(const char *what, int code, char *out, size_t outsz)
{
	char	msg[160];
	int	n;

	mbedtls_strerror(code, msg, sizeof(msg));
	n = snprintf(out, outsz, "%s: ", what);
	if (n > 0 && (size_t)n < outsz)
		strlcpy_trunc(out + n, msg, outsz - (size_t)n);
}

/*
 * Parses the chain into crt, leaf first, at most CHAIN_MAX certificates
 * (the rest are ignored). Returns 0 when at least the leaf
 * parsed (a later certificate that does not is left out: verification then
 * says what is missing), else an mbedTLS code, or 1 when there is no
 * certificate at all.
 */
static int
chain_parse(mbedtls_x509_crt *crt, const unsigned char *buf, size_t len)
{
	const unsigned char	*p = buf, *end = buf + len, *b, *e;
	unsigned char		*pem;
	size_t			 n, blen = strlen(PEM_END), count = 0;
	int			 rc, first = 1;

	if (len == 0)
		return 1;
	if (memmem(buf, len, PEM_BEGIN, strlen(PEM_BEGIN)) == NULL)
		return mbedtls_x509_crt_parse_der(crt, buf, len);
	while (count < CHAIN_MAX && (b = memmem(p, (size_t)(end - p),
	    PEM_BEGIN, strlen(PEM_BEGIN))) != NULL) {
		if ((e = memmem(b, (size_t)(end - b), PEM_END, blen)) == NULL)
			break;
		/* mbedTLS reads PEM only from a NUL-terminated buffer. */
		n = (size_t)(e + blen - b);
		pem = xcalloc(1, n + 1);
		memcpy(pem, b, n);
		rc = mbedtls_x509_crt_parse(crt, pem, n + 1);
		free(pem);
		if (rc != 0 && first)
			return rc;
		first = 0;
		count++;
		p = e + blen;
	}
	return first ? 1 : 0;
}

/* --- the chain's details --- */

/* Returns b's text cut to max bytes on a character boundary (malloc'd),
 * and frees b. */
static char *
buf_take(struct buf *b, size_t max)
{
	char	*out = xcalloc(1, max + 1);

	strlcpy_trunc(out, b->data != NULL ? b->data : "", max + 1);
	buf_free(b);
	return out;
}

/* Appends the RFC 4514 form of one attribute value to b, escaping what
 * the RFC says must be and every byte that is not printable ASCII or part
 * of valid UTF-8 (as \XX), so a name is always one line of valid text. */
static void
dn_value(struct buf *b, const unsigned char *v, size_t len)
{
	unsigned char	ch[5];
	size_t		i, n;

	if (len > DN_MAX)
		len = DN_MAX;
	for (i = 0; i < len; i++) {
		if ((v[i] == ' ' && (i == 0 || i == len - 1)) ||
		    (v[i] == '#' && i == 0) || (v[i] != '\0' &&
		    strchr(",+\"\\<>;=", v[i]) != NULL)) {
			buf_printf(b, "\\%c", v[i]);
			continue;
		}
		/* utf8_len reads up to four bytes: give it a terminated
		 * copy, never the certificate's unterminated buffer. */
		memset(ch, 0, sizeof(ch));
		memcpy(ch, v + i, len - i < 4 ? len - i : 4);
		if (v[i] >= 0x80 && (n = utf8_len(ch)) > 1) {
			buf_append(b, (const char *)v + i, n);
			i += n - 1;
			continue;
		}
		if (v[i] < 0x20 || v[i] >= 0x7f)
			buf_printf(b, "\\%02X", v[i]);
		else
			buf_append(b, (const char *)v + i, 1);
	}
}

/*
 * Returns a name as RFC 4514 writes it (malloc'd): the RDNs from last to
 * first, joined by ",", the attributes of one RDN by "+", "CN=x,O=y".
 * Attributes without a short name are written as their dotted OID.
 */
static char *
dn_string(const mbedtls_x509_name *name)
{
	const mbedtls_x509_name	*rdn[RDN_MAX], *a;
	struct buf		 b = { 0 };
	const char		*sn;
	char			 oid[64];
	size_t			 n = 0;

	/* An RDN starts where the previous attribute was not merged on. */
	for (a = name; a != NULL && n < RDN_MAX; a = a->next) {
		if (a->oid.p == NULL)
			continue;
		rdn[n++] = a;
		while (a->next_merged && a->next != NULL)
			a = a->next;
	}
	while (n-- > 0) {
		for (a = rdn[n]; a != NULL; a = a->next) {
			if (mbedtls_oid_get_attr_short_name(&a->oid, &sn) != 0) {
				if (mbedtls_oid_get_numeric_string(oid,
				    sizeof(oid), &a->oid) < 0)
					snprintf(oid, sizeof(oid), "?");
				sn = oid;
			}
			buf_printf(&b, "%s=", sn);
			dn_value(&b, a->val.p, a->val.len);
			if (!a->next_merged)
				break;
			buf_append(&b, "+", 1);
		}
		if (n > 0)
			buf_append(&b, ",", 1);
	}
	return buf_take(&b, DN_MAX);
}

/* Returns len bytes as lowercase hex (malloc'd). */
static char *
hex_string(const unsigned char *p, size_t len)
{
	char	*out = xcalloc(1, len * 2 + 1);
	size_t	 i;

	for (i = 0; i < len; i++)
		snprintf(out + i * 2, 3, "%02x", p[i]);
	return out;
}

/* Returns the serial number as lowercase hex without the leading zero
 * bytes DER adds (as openssl prints it), at least "00"; malloc'd. */
static char *
serial_string(const mbedtls_x509_buf *sn)
{
	size_t	i = 0, len = sn->len > SERIAL_MAX ? SERIAL_MAX : sn->len;

	if (len == 0)
		return xstrdup("00");
	while (i + 1 < len && sn->p[i] == 0)
		i++;
	return hex_string(sn->p + i, len - i);
}

/* Returns the name of an EC curve as people write it, "P-256". */
static const char *
curve_name(mbedtls_ecp_group_id id)
{
	switch (id) {
	case MBEDTLS_ECP_DP_SECP192R1:	return "P-192";
	case MBEDTLS_ECP_DP_SECP224R1:	return "P-224";
	case MBEDTLS_ECP_DP_SECP256R1:	return "P-256";
	case MBEDTLS_ECP_DP_SECP384R1:	return "P-384";
	case MBEDTLS_ECP_DP_SECP521R1:	return "P-521";
	case MBEDTLS_ECP_DP_BP256R1:	return "brainpoolP256r1";
	case MBEDTLS_ECP_DP_BP384R1:	return "brainpoolP384r1";
	case MBEDTLS_ECP_DP_BP512R1:	return "brainpoolP512r1";
	case MBEDTLS_ECP_DP_SECP192K1:	return "secp192k1";
	case MBEDTLS_ECP_DP_SECP224K1:	return "secp224k1";
	case MBEDTLS_ECP_DP_SECP256K1:	return "secp256k1";
	default:			return NULL;
	}
}

/*
 * Writes the public key as "RSA 2048" or "EC P-256" into out. Returns 1
 * when it is weak (RSA under 2048 bits, EC under 256), else 0.
 */
static int
key_describe(const mbedtls_pk_context *pk, char *out, size_t outsz)
{
	size_t		 bits = mbedtls_pk_get_bitlen(pk);
	const char	*curve;

	switch (mbedtls_pk_get_type(pk)) {
	case MBEDTLS_PK_RSA:
	case MBEDTLS_PK_RSASSA_PSS:
		snprintf(out, outsz, "RSA %zu", bits);
		return bits < 2048;
	case MBEDTLS_PK_ECKEY:
	case MBEDTLS_PK_ECKEY_DH:
	case MBEDTLS_PK_ECDSA:
		if ((curve = curve_name(mbedtls_pk_ec(*pk)->grp.id)) != NULL)
			snprintf(out, outsz, "EC %s", curve);
		else
			snprintf(out, outsz, "EC %zu", bits);
		return bits < 256;
	default:
		snprintf(out, outsz, "%s %zu", mbedtls_pk_get_name(pk), bits);
		return 0;
	}
}

/* Returns the name of a digest as the signature names it, "SHA256". */
static const char *
md_short(mbedtls_md_type_t md)
{
	switch (md) {
	case MBEDTLS_MD_MD2:		return "MD2";
	case MBEDTLS_MD_MD4:		return "MD4";
	case MBEDTLS_MD_MD5:		return "MD5";
	case MBEDTLS_MD_SHA1:		return "SHA1";
	case MBEDTLS_MD_SHA224:		return "SHA224";
	case MBEDTLS_MD_SHA256:		return "SHA256";
	case MBEDTLS_MD_SHA384:		return "SHA384";
	case MBEDTLS_MD_SHA512:		return "SHA512";
	case MBEDTLS_MD_RIPEMD160:	return "RIPEMD160";
	default:			return "unknown hash";
	}
}

/*
 * Writes the signature algorithm as "ECDSA with SHA256" or "RSA with
 * SHA1" into out. Returns 1 when its hash is weak (MD2, MD4, MD5, SHA-1).
 */
static int
sig_describe(const mbedtls_x509_crt *crt, char *out, size_t outsz)
{
	const char	*pk;

	switch (crt->sig_pk) {
	case MBEDTLS_PK_RSA:		pk = "RSA"; break;
	case MBEDTLS_PK_RSASSA_PSS:	pk = "RSASSA-PSS"; break;
	case MBEDTLS_PK_ECDSA:		pk = "ECDSA"; break;
	default:			pk = "unknown"; break;
	}
	snprintf(out, outsz, "%s with %s", pk, md_short(crt->sig_md));
	return crt->sig_md == MBEDTLS_MD_MD2 || crt->sig_md == MBEDTLS_MD_MD4 ||
	    crt->sig_md == MBEDTLS_MD_MD5 || crt->sig_md == MBEDTLS_MD_SHA1;
}

/* Returns 1 when crt names itself as issuer: a trust anchor, whose own
 * signature nobody relies on. */
static int
self_signed(const mbedtls_x509_crt *crt)
{
	return crt->subject_raw.len == crt->issuer_raw.len &&
	    memcmp(crt->subject_raw.p, crt->issuer_raw.p,
	    crt->subject_raw.len) == 0;
}

/* Fills d->sans from the leaf: dNSNames as written, iPAddresses as text;
 * other kinds of names are not listed. */
static void
sans_fill(struct cert_details *d, const mbedtls_x509_crt *crt)
{
	const mbedtls_x509_sequence	*cur;
	char				 ip[INET6_ADDRSTRLEN];
	struct buf			 b;

	for (cur = &crt->subject_alt_names; cur != NULL &&
	    d->nsans < SANS_MAX; cur = cur->next) {
		if (cur->buf.p == NULL)
			continue;
		if (cur->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)) {
			memset(&b, 0, sizeof(b));
			dn_value(&b, cur->buf.p, cur->buf.len);
			d->sans = xrealloc(d->sans, (d->nsans + 1) *
			    sizeof(*d->sans));
			d->sans[d->nsans++] = buf_take(&b, SAN_LEN);
		} else if (cur->buf.tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) &&
		    (cur->buf.len == 4 || cur->buf.len == 16)) {
			if (inet_ntop(cur->buf.len == 4 ? AF_INET : AF_INET6,
			    cur->buf.p, ip, sizeof(ip)) == NULL)
				continue;
			d->sans = xrealloc(d->sans, (d->nsans + 1) *
			    sizeof(*d->sans));
			d->sans[d->nsans++] = xstrdup(ip);
		}
	}
}

/* --- CRL Distribution Points --- */

/* Adds one URI of a distribution point when it is a plain http:// URL
 * (CRLs are fetched over http by design: they are signed) not yet listed. */
static void
crl_url_add(struct cert_details *d, const unsigned char *p, size_t len)
{
	size_t	i;

	if (d->ncrl_urls >= CRL_URLS_MAX || len > CRL_URL_LEN || len < 8 ||
	    strncasecmp((const char *)p, "http://", 7) != 0)
		return;
	for (i = 0; i < len; i++)
		if (p[i] <= ' ' || p[i] >= 0x7f)
			return;
	for (i = 0; i < d->ncrl_urls; i++)
		if (strlen(d->crl_urls[i]) == len &&
		    memcmp(d->crl_urls[i], p, len) == 0)
			return;
	d->crl_urls = xrealloc(d->crl_urls, (d->ncrl_urls + 1) *
	    sizeof(*d->crl_urls));
	d->crl_urls[d->ncrl_urls++] = xstrndup((const char *)p, len);
}

/*
 * Reads the URIs of a CRLDistributionPoints value (RFC 5280 4.2.1.13):
 * SEQUENCE OF DistributionPoint { distributionPoint [0] { fullName [0]
 * GeneralNames } ... }, keeping uniformResourceIdentifier [6] entries.
 * mbedTLS 2.28 does not parse this extension; its ASN.1 helpers bound
 * every read to the extension's own bytes.
 */
static void
crl_dp_parse(struct cert_details *d, unsigned char *p, const unsigned char *end)
{
	const unsigned char	*dpend, *dpnend, *nend;
	size_t			 len;
	unsigned char		 tag;

	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE) != 0 || len != (size_t)(end - p))
		return;
	while (p < end) {
		if (mbedtls_asn1_get_tag(&p, end, &len,
		    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
			return;
		dpend = p + len;
		if (mbedtls_asn1_get_tag(&p, dpend, &len,
		    MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED) != 0) {
			p = (unsigned char *)dpend;	/* no distributionPoint */
			continue;
		}
		dpnend = p + len;
		if (mbedtls_asn1_get_tag(&p, dpnend, &len,
		    MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED) == 0) {
			nend = p + len;
			while (p < nend) {
				tag = *p++;
				if (mbedtls_asn1_get_len(&p, nend, &len) != 0)
					return;
				if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 6))
					crl_url_add(d, p, len);
				p += len;
			}
		}
		p = (unsigned char *)dpend;
	}
}

/* Adds the CRL Distribution Points of crt's extensions to d. */
static void
crl_dps(struct cert_details *d, const mbedtls_x509_crt *crt)
{
	unsigned char	*p = crt->v3_ext.p, *oid;
	const unsigned char *end, *eend;
	size_t		 len, olen;
	int		 crit;

	if (p == NULL || crt->v3_ext.len == 0)
		return;
	end = p + crt->v3_ext.len;
	if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED |
	    MBEDTLS_ASN1_SEQUENCE) != 0)
		return;
	end = p + len;
	while (p < end) {
		if (mbedtls_asn1_get_tag(&p, end, &len,
		    MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
			return;
		eend = p + len;
		if (mbedtls_asn1_get_tag(&p, eend, &olen, MBEDTLS_ASN1_OID) != 0)
			return;
		oid = p;
		p += olen;
		if (p < eend && *p == MBEDTLS_ASN1_BOOLEAN &&
		    mbedtls_asn1_get_bool(&p, eend, &crit) != 0)
			return;
		if (mbedtls_asn1_get_tag(&p, eend, &len,
		    MBEDTLS_ASN1_OCTET_STRING) != 0)
			return;
		if (olen == MBEDTLS_OID_SIZE(MBEDTLS_OID_CRL_DISTRIBUTION_POINTS) &&
		    memcmp(oid, MBEDTLS_OID_CRL_DISTRIBUTION_POINTS, olen) == 0)
			crl_dp_parse(d, p, p + len);
		p = (unsigned char *)eend;
	}
}

/*
 * Fills res->d from the parsed chain: the leaf's details, every
 * certificate's subject, issuer and days left, the earliest expiry after
 * the leaf, and the first weak signature or key (leaf first).
 */
static void
details_fill(struct cert_result *res, const mbedtls_x509_crt *leaf,
    int64_t now)
{
	struct cert_details	*d = &res->d;
	const mbedtls_x509_crt	*c;
	struct cert_link	*l;
	unsigned char		 sum[32];
	char			 what[64];
	size_t			 i;

	d->subject = dn_string(&leaf->subject);
	d->issuer = dn_string(&leaf->issuer);
	d->serial = serial_string(&leaf->serial);
	if (mbedtls_sha256_ret(leaf->raw.p, leaf->raw.len, sum, 0) == 0)
		d->sha256 = hex_string(sum, sizeof(sum));
	key_describe(&leaf->pk, what, sizeof(what));
	d->key = xstrdup(what);
	sig_describe(leaf, what, sizeof(what));
	d->signature = xstrdup(what);
	sans_fill(d, leaf);
	for (c = leaf, i = 0; c != NULL && c->raw.p != NULL &&
	    i < CHAIN_MAX; c = c->next, i++) {
		d->chain = xrealloc(d->chain, (i + 1) * sizeof(*d->chain));
		l = &d->chain[i];
		l->subject = dn_string(&c->subject);
		l->issuer = dn_string(&c->issuer);
		l->not_after = x509_time_unix(&c->valid_to);
		l->days_left = days_until(l->not_after, now);
		d->nchain = i + 1;
		/* A self-signed certificate is its own authority: nobody
		 * could revoke it. */
		if (!self_signed(c))
			crl_dps(d, c);
		if (i > 0 && (!d->have_chain_days ||
		    l->days_left < d->chain_days_left)) {
			d->have_chain_days = 1;
			d->chain_days_left = l->days_left;
			d->chain_min = i;
		}
		if (d->weak[0] != '\0')
			continue;
		if (!self_signed(c) && sig_describe(c, what, sizeof(what)))
			snprintf(d->weak, sizeof(d->weak),
			    "weak signature: %s", what);
		else if (key_describe(&c->pk, what, sizeof(what)))
			snprintf(d->weak, sizeof(d->weak), "weak key: %s", what);
	}
}

/*
 * Returns the earliest-expired certificate after the leaf, or NULL. mbedTLS
 * folds every certificate's flags into one, so "expired" may be about an
 * intermediate while the leaf is still valid.
 */
static const struct cert_link *
expired_intermediate(const struct cert_details *d)
{
	if (d->have_chain_days && d->chain_days_left < 0)
		return &d->chain[d->chain_min];
	return NULL;
}

void
cert_verify(const unsigned char *chain, size_t len,
    const mbedtls_x509_crt *ca, const char *host, int64_t now,
    struct cert_result *res)
{
	mbedtls_x509_crt	 crt;
	unsigned char		 ip[16];
	size_t			 iplen = ip_literal(host, ip);
	const struct cert_link	*l;
	uint32_t		 flags = 0;
	int			 rc;

	mbedtls_x509_crt_init(&crt);
	res->have_cert = 0;
	if ((rc = chain_parse(&crt, chain, len)) == 1) {
		snprintf(res->error, sizeof(res->error),
		    "tls handshake failed: no certificate received");
		goto out;
	} else if (rc != 0) {
		mbed_reason("cannot parse the certificate", rc, res->error,
		    sizeof(res->error));
		goto out;
	}
	res->have_cert = 1;
	res->not_after = x509_time_unix(&crt.valid_to);
	res->days_left = days_until(res->not_after, now);
	details_fill(res, &crt, now);
	/* The same name drives mbedTLS's hostname check; an IP literal must
	 * not be one (see the top of this file). mbedTLS takes a mutable CA
	 * pointer but only reads the chain. */
	rc = mbedtls_x509_crt_verify_with_profile(&crt,
	    (mbedtls_x509_crt *)ca, NULL, &profile_any,
	    iplen == 0 ? host : NULL, &flags, NULL, NULL);
	if (rc != 0 && rc != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		mbed_reason("certificate verification failed", rc, res->error,
		    sizeof(res->error));
		goto out;
	}
	if (iplen != 0 && !san_has_ip(&crt, ip, iplen))
		flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
	verify_reason(flags, res->error, sizeof(res->error));
	if ((flags & MBEDTLS_X509_BADCERT_EXPIRED) && res->days_left >= 0 &&
	    (l = expired_intermediate(&res->d)) != NULL)
		cert_intermediate_reason(l->subject, l->days_left, res->error,
		    sizeof(res->error));
out:
	mbedtls_x509_crt_free(&crt);
}

/* What the verify callback learns from one certificate of the chain. */
struct crl_seen {
	int		 depth;		/* shallowest revoked certificate, -1 none */
	char		*subject;	/* its subject (malloc'd) */
	uint32_t	 crl_flags;	/* BADCRL_* met on the way */
};

/* mbedTLS verify callback: notes the shallowest revoked certificate and
 * every CRL problem. Returns 0: the flags stay for the caller to read. */
static int
on_crl_verify(void *arg, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct crl_seen	*s = arg;

	s->crl_flags |= *flags & (MBEDTLS_X509_BADCRL_NOT_TRUSTED |
	    MBEDTLS_X509_BADCRL_EXPIRED | MBEDTLS_X509_BADCRL_FUTURE |
	    MBEDTLS_X509_BADCRL_BAD_MD | MBEDTLS_X509_BADCRL_BAD_PK |
	    MBEDTLS_X509_BADCRL_BAD_KEY);
	if ((*flags & MBEDTLS_X509_BADCERT_REVOKED) &&
	    (s->depth < 0 || depth < s->depth)) {
		s->depth = depth;
		free(s->subject);
		s->subject = dn_string(&crt->subject);
	}
	return 0;
}

/* Returns 1 when crl's issuer is the issuer of a certificate of chain. */
static int
crl_issuer_in_chain(const mbedtls_x509_crt *chain, const mbedtls_x509_crl *crl)
{
	for (const mbedtls_x509_crt *p = chain; p != NULL && p->raw.p != NULL;
	    p = p->next)
		if (p->issuer_raw.len == crl->issuer_raw.len &&
		    memcmp(p->issuer_raw.p, crl->issuer_raw.p,
		    crl->issuer_raw.len) == 0)
			return 1;
	return 0;
}

int
cert_crl_check(const unsigned char *chain, size_t len,
    const mbedtls_x509_crt *ca, const unsigned char *crl, size_t crllen,
    char *out, size_t outsz)
{
	mbedtls_x509_crt	 crt;
	mbedtls_x509_crl	 list;
	struct crl_seen		 seen = { -1, NULL, 0 };
	unsigned char		*copy = NULL;
	uint32_t		 flags = 0;
	int			 rc, ret = -1;

	mbedtls_x509_crt_init(&crt);
	mbedtls_x509_crl_init(&list);
	out[0] = '\0';
	if (chain_parse(&crt, chain, len) != 0) {
		snprintf(out, outsz, "the chain cannot be read again");
		goto out;
	}
	/* mbedTLS reads PEM only from a NUL-terminated buffer. */
	copy = xcalloc(1, crllen + 1);
	memcpy(copy, crl, crllen);
	if ((rc = mbedtls_x509_crl_parse(&list, copy, crllen + 1)) != 0) {
		mbed_reason("not a CRL", rc, out, outsz);
		goto out;
	}
	/* mbedTLS silently skips a CRL no certificate of the chain was
	 * issued under: say so, rather than let it vouch for the chain. */
	if (!crl_issuer_in_chain(&crt, &list)) {
		snprintf(out, outsz, "issued by none of the chain's certificate "
		    "authorities");
		goto out;
	}
	rc = mbedtls_x509_crt_verify_with_profile(&crt,
	    (mbedtls_x509_crt *)ca, &list, &profile_any, NULL, &flags,
	    on_crl_verify, &seen);
	if (rc != 0 && rc != MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		mbed_reason("cannot verify", rc, out, outsz);
		goto out;
	}
	if (seen.crl_flags & MBEDTLS_X509_BADCRL_NOT_TRUSTED) {
		snprintf(out, outsz, "not signed by the certificate's issuer");
		goto out;
	}
	if (seen.crl_flags & (MBEDTLS_X509_BADCRL_EXPIRED |
	    MBEDTLS_X509_BADCRL_FUTURE)) {
		snprintf(out, outsz, "outside its validity (thisUpdate to "
		    "nextUpdate)");
		goto out;
	}
	if (seen.crl_flags != 0) {
		snprintf(out, outsz, "signed with an algorithm mbedTLS refuses");
		goto out;
	}
	ret = 0;
	if (seen.depth == 0)
		snprintf(out, outsz, "certificate revoked");
	else if (seen.depth > 0) {
		char	*s = xasprintf("intermediate certificate \"%s\" revoked",
		    seen.subject != NULL ? seen.subject : "");

		strlcpy_trunc(out, s, outsz);
		free(s);
	}
	if (seen.depth >= 0)
		ret = 1;
out:
	free(seen.subject);
	free(copy);
	mbedtls_x509_crl_free(&list);
	mbedtls_x509_crt_free(&crt);
	return ret;
}

int64_t
cert_crl_next_update(const unsigned char *crl, size_t crllen)
{
	mbedtls_x509_crl	 list;
	unsigned char		*copy = xcalloc(1, crllen + 1);
	int64_t			 t = 0;

	mbedtls_x509_crl_init(&list);
	memcpy(copy, crl, crllen);
	if (mbedtls_x509_crl_parse(&list, copy, crllen + 1) == 0 &&
	    list.next_update.year != 0)
		t = x509_time_unix(&list.next_update);
	mbedtls_x509_crl_free(&list);
	free(copy);
	return t;
}

struct cert_cas *
cert_cas_new(void)
{
	return xcalloc(1, sizeof(struct cert_cas));
}

void
cert_cas_free(struct cert_cas *cas)
{
	size_t	i;

	if (cas == NULL)
		return;
	for (i = 0; i < cas->n; i++) {
		mbedtls_x509_crt_free(&cas->v[i]->crt);
		free(cas->v[i]->path);
		free(cas->v[i]);
	}
	free(cas->v);
	free(cas);
}

const mbedtls_x509_crt *
cert_cas_get(struct cert_cas *cas, const char *path)
{
	struct cert_ca	*ca;
	char		 msg[128];
	size_t		 i;
	int		 rc;

	for (i = 0; i < cas->n; i++)
		if (strcmp(cas->v[i]->path, path) == 0)
			return cas->v[i]->usable ? &cas->v[i]->crt : NULL;
	cas->v = xrealloc(cas->v, (cas->n + 1) * sizeof(*cas->v));
	ca = cas->v[cas->n++] = xcalloc(1, sizeof(*ca));
	ca->path = xstrdup(path);
	mbedtls_x509_crt_init(&ca->crt);
	/* A positive return counts certificates that failed to parse; a
	 * system bundle may hold a few, which is fine as long as some were
	 * read. */
	rc = mbedtls_x509_crt_parse_file(&ca->crt, path);
	if (rc < 0 || ca->crt.version == 0) {
		if (rc < 0)
			mbedtls_strerror(rc, msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg), "no certificate");
		log_warn("cannot read CA file %s: %s", path, msg);
		return NULL;
	}
	ca->usable = 1;
	return &ca->crt;
}
