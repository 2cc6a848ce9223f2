/* Certificates in depth (spec/certificates.md), end to end: the chain's
 * details, the earliest expiry in the chain, weak cryptography. peekl
 * against testsrv, certificates generated per test; openssl's command line
 * is the independent judge of serials, fingerprints and names. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* One run of `check --json` against a TLS server started with args. */
struct chain_run {
	struct h_redis	*rd;
	struct h_srv	*tls;
	struct h_dir	*d;
	char		*cfg;
	int		 status;
	json_t		*doc;
	json_t		*cert;		/* borrowed from doc */
	char		*out, *err;
};

/* Starts Redis and testsrv --tls args, writes a config monitoring its
 * certificate as site "tls" with extra YAML, and runs check --json. */
static void
chain_run(struct chain_run *c, const char *const args[], const char *extra)
{
	struct h_run	 r;
	json_t		*arr;
	char		*ca;
	size_t		 i;

	memset(c, 0, sizeof(*c));
	c->rd = h_redis_start();
	c->tls = h_srv_start(args);
	c->d = h_dir_new();
	ca = h_srv_file(c->tls, "ca.pem");
	c->cfg = h_configf(c->d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: https://localhost:%d/\n    name: tls\n"
	    "    certificate_monitoring: true\n    ca_file: %s\n"
	    "    timeout: 10\n%s", h_redis_port(c->rd), h_srv_port(c->tls), ca,
	    extra ? extra : "");
	free(ca);
	h_run(&r, (const char *[]){ "-c", c->cfg, "check", "--json", NULL },
	    NULL);
	c->status = r.status;
	c->out = strdup(r.out);
	c->err = strdup(r.err);
	h_run_free(&r);
	c->doc = json_loads(c->out, 0, NULL);
	cr_assert_not_null(c->doc, "stdout: %s\nstderr: %s", c->out, c->err);
	arr = json_object_get(c->doc, "results");
	for (i = 0; i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(arr,
		    i), "kind")), "cert") == 0)
			c->cert = json_array_get(arr, i);
	cr_assert_not_null(c->cert, "no cert result: %s", c->out);
}

static void
chain_free(struct chain_run *c)
{
	json_decref(c->doc);
	free(c->out);
	free(c->err);
	free(c->cfg);
	h_dir_free(c->d);
	h_srv_stop(c->tls);
	h_redis_stop(c->rd);
}

static const char *
str(json_t *o, const char *k)
{
	const char	*v = json_string_value(json_object_get(o, k));

	return v ? v : "(null)";
}

static long long
num(json_t *o, const char *k)
{
	json_t	*v = json_object_get(o, k);

	cr_assert(json_is_integer(v), "%s is not an integer", k);
	return json_integer_value(v);
}

/* Returns what `openssl x509 -in FILE -noout OPTS...` prints after the
 * "name=" it starts with, without the newline; malloc'd. */
static char *
openssl_x509(const char *file, const char *opt)
{
	struct h_run	 r;
	char		*eq, *v, *nl;

	h_run_bin(&r, "openssl", (const char *[]){ "x509", "-in", file,
	    "-noout", "-nameopt", "RFC2253", opt, "-sha256", NULL }, NULL);
	cr_assert_eq(r.status, 0, "openssl: %s", r.err);
	cr_assert_not_null(eq = strchr(r.out, '='), "%s", r.out);
	v = strdup(eq + 1);
	if ((nl = strchr(v, '\n')) != NULL)
		*nl = '\0';
	h_run_free(&r);
	return v;
}

/* Lowercases s and removes its colons, in place. */
static char *
plain_hex(char *s)
{
	char	*w = s;

	for (char *p = s; *p; p++)
		if (*p != ':')
			*w++ = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	*w = '\0';
	return s;
}

#define INTER	"O=peekl tests,CN=peekl test intermediate CA"

Test(chain, details_of_a_full_chain)
{
	struct chain_run c;
	char		*leaf, *want;
	json_t		*ch;

	chain_run(&c, (const char *[]){ "--tls", "--chain", "intermediate",
	    NULL }, NULL);
	cr_assert_eq(c.status, 0, "%s", c.err);
	leaf = h_srv_file(c.tls, "leaf.pem");
	want = openssl_x509(leaf, "-subject");
	cr_assert_str_eq(str(c.cert, "subject"), want);
	free(want);
	want = openssl_x509(leaf, "-issuer");
	cr_assert_str_eq(str(c.cert, "issuer"), want);
	cr_assert_str_eq(str(c.cert, "issuer"), INTER);
	free(want);
	want = plain_hex(openssl_x509(leaf, "-serial"));
	cr_assert_str_eq(str(c.cert, "serial"), want);
	free(want);
	want = plain_hex(openssl_x509(leaf, "-fingerprint"));
	cr_assert_str_eq(str(c.cert, "sha256"), want);
	free(want);
	free(leaf);
	cr_assert_str_eq(str(c.cert, "key"), "EC P-256");
	cr_assert_str_eq(str(c.cert, "signature"), "ECDSA with SHA256");
	cr_assert_str_eq(str(c.cert, "tls_version"), "TLSv1.2");
	cr_assert_eq(json_array_size(json_object_get(c.cert, "sans")), 1);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(
	    c.cert, "sans"), 0)), "localhost");
	ch = json_object_get(c.cert, "chain");
	cr_assert_eq(json_array_size(ch), 2, "%s", c.out);
	cr_assert_str_eq(str(json_array_get(ch, 1), "subject"), INTER);
	cr_assert_str_eq(str(json_array_get(ch, 1), "issuer"),
	    "O=peekl tests,CN=peekl test root CA");
	cr_assert_eq(num(json_array_get(ch, 0), "days_left"),
	    num(c.cert, "days_left"));
	cr_assert_eq(num(c.cert, "chain_days_left"),
	    num(json_array_get(ch, 1), "days_left"));
	cr_assert(num(c.cert, "chain_days_left") > 3000);
	cr_assert(json_is_null(json_object_get(c.cert, "error")));
	chain_free(&c);
}

/* The leaf alone: chain holds it, chain_days_left is null; IP SANs are
 * listed as text. */
Test(chain, leaf_only_and_ip_sans)
{
	struct chain_run c;
	json_t		*sans;

	chain_run(&c, (const char *[]){ "--tls", "--san",
	    "localhost,127.0.0.1,::1", "--ip-san-only", NULL }, NULL);
	cr_assert_eq(c.status, 0, "%s", c.err);
	cr_assert_eq(json_array_size(json_object_get(c.cert, "chain")), 1);
	cr_assert(json_is_null(json_object_get(c.cert, "chain_days_left")));
	sans = json_object_get(c.cert, "sans");
	cr_assert_eq(json_array_size(sans), 3, "%s", c.out);
	cr_assert_str_eq(json_string_value(json_array_get(sans, 0)),
	    "localhost");
	cr_assert_str_eq(json_string_value(json_array_get(sans, 1)),
	    "127.0.0.1");
	cr_assert_str_eq(json_string_value(json_array_get(sans, 2)), "::1");
	chain_free(&c);
}

/* Every field is there after a connection failure, null. */
Test(chain, details_null_without_certificate)
{
	static const char *const keys[] = { "tls_version", "subject", "issuer",
	    "sans", "serial", "sha256", "key", "signature", "chain",
	    "chain_days_left" };
	struct h_redis	*rd = h_redis_start();
	struct h_srv	*gone = h_srv_start((const char *[]){ NULL });
	int		 port = h_srv_port(gone);
	struct h_dir	*d = h_dir_new();
	struct h_run	 r;
	json_t		*doc, *cert, *v;
	char		*cfg;

	h_srv_stop(gone);
	cfg = h_configf(d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: https://127.0.0.1:%d/\n    name: gone\n"
	    "    certificate_monitoring: true\n    timeout: 5\n",
	    h_redis_port(rd), port);
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--json", NULL }, NULL);
	cr_assert_not_null(doc = json_loads(r.out, 0, NULL), "%s", r.out);
	cert = json_array_get(json_object_get(doc, "results"), 1);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = json_object_get(cert, keys[i]);
		cr_assert_not_null(v, "%s missing: %s", keys[i], r.out);
		cr_assert(json_is_null(v), "%s not null: %s", keys[i], r.out);
	}
	json_decref(doc);
	h_run_free(&r);
	free(cfg);
	h_dir_free(d);
	h_redis_stop(rd);
}

/* Replaces what changes from run to run (port, dates, serial, digest)
 * with fixed words, so the rest can be compared byte for byte. */
static void
normalise(json_t *cert)
{
	json_t	*ch = json_object_get(cert, "chain");

	json_object_set_new(cert, "url", json_string("https://localhost:PORT/"));
	json_object_set_new(cert, "not_after", json_string("NOT_AFTER"));
	json_object_set_new(cert, "serial", json_string("SERIAL"));
	json_object_set_new(cert, "sha256", json_string("SHA256"));
	for (size_t i = 0; i < json_array_size(ch); i++)
		json_object_set_new(json_array_get(ch, i), "not_after",
		    json_string("NOT_AFTER"));
}

/* Golden output: the cert result of check --json for a full chain. */
Test(chain, golden_check_json_full_chain)
{
	struct chain_run c;
	char		*got, *text;

	chain_run(&c, (const char *[]){ "--tls", "--chain", "intermediate",
	    NULL }, NULL);
	normalise(c.cert);
	got = json_dumps(c.cert, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	text = h_strf("%s\n", got);
	h_golden("check_cert_chain.json", text);
	free(text);
	free(got);
	chain_free(&c);
}

/* An intermediate that expires before the leaf decides the state and the
 * reason; days_left stays the leaf's; Redis and status --json keep it. */
Test(chain, intermediate_expiring_first_is_the_reason)
{
	struct chain_run c;
	struct h_run	 r;
	json_t		*doc, *site;

	chain_run(&c, (const char *[]){ "--tls", "--chain", "intermediate",
	    "--inter-days-left", "12", NULL }, NULL);
	cr_assert_eq(c.status, 1, "%s", c.err);
	cr_assert_str_eq(str(c.cert, "status"), "warning");
	cr_assert_str_eq(str(c.cert, "error"),
	    "intermediate certificate \"" INTER "\" expires in 12 days");
	cr_assert_eq(num(c.cert, "days_left"), 200);
	cr_assert_eq(num(c.cert, "chain_days_left"), 12);
	h_run(&r, (const char *[]){ "-c", c.cfg, "status", "--json", NULL },
	    NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_not_null(doc = json_loads(r.out, 0, NULL), "%s", r.out);
	site = json_array_get(json_object_get(doc, "sites"), 0);
	cr_assert_eq(num(site, "cert_days_left"), 200);
	cr_assert_eq(num(site, "cert_chain_days_left"), 12);
	cr_assert_str_eq(str(site, "cert_issuer"), INTER);
	cr_assert_str_eq(str(site, "cert_tls_version"), "TLSv1.2");
	json_decref(doc);
	h_run_free(&r);
	h_run(&r, (const char *[]){ "-c", c.cfg, "check", "--site", "tls",
	    NULL }, NULL);
	cr_assert(strstr(r.out, "intermediate certificate") != NULL &&
	    strstr(r.out, "issuer " INTER) != NULL, "%s", r.out);
	h_run_free(&r);
	chain_free(&c);
}

Test(chain, intermediate_expired_is_critical)
{
	struct chain_run c;

	chain_run(&c, (const char *[]){ "--tls", "--chain", "intermediate",
	    "--inter-days-left", "-2", NULL }, NULL);
	cr_assert_eq(c.status, 2, "%s", c.err);
	cr_assert_str_eq(str(c.cert, "error"),
	    "intermediate certificate \"" INTER "\" expired 2 days ago");
	cr_assert_eq(num(c.cert, "days_left"), 200);
	chain_free(&c);
}

/* The alert says which certificate expires, and shows the issuer. */
Test(chain, alert_names_intermediate_and_issuer)
{
	struct h_srv	*hook = h_webhook_start();
	char		*extra = h_strf("alertmanagers:\n  slack:\n"
	    "    webhook: http://127.0.0.1:%d/hook\n", h_srv_port(hook));
	struct chain_run c;
	char		*body;

	chain_run(&c, (const char *[]){ "--tls", "--chain", "intermediate",
	    "--inter-days-left", "3", NULL }, extra);
	cr_assert_eq(c.status, 2, "%s", c.err);
	cr_assert_eq(h_webhook_wait(hook, 1, 5000), 1);
	body = h_webhook_body(hook, 0);
	cr_assert_not_null(body);
	cr_assert(strstr(body, "CRITICAL tls (https://localhost:") != NULL &&
	    strstr(body, "): intermediate certificate \\\"" INTER
	    "\\\" expires in 3 days") != NULL, "%s", body);
	cr_assert(strstr(body, "\"Issuer\"") != NULL, "%s", body);
	cr_assert(strstr(body, "\"Intermediate\"") != NULL, "%s", body);
	free(body);
	free(extra);
	chain_free(&c);
	h_srv_stop(hook);
}

/* The HTTP check of these sites fails (libcurl refuses SHA-1 and short
 * keys), so the certificate's own status is what is asserted. */
Test(chain, weak_signature_is_warning_by_default)
{
	struct chain_run c;

	chain_run(&c, (const char *[]){ "--tls", "--leaf-md", "sha1", NULL },
	    NULL);
	cr_assert_str_eq(str(c.cert, "status"), "warning", "%s", c.err);
	cr_assert_str_eq(str(c.cert, "signature"), "ECDSA with SHA1");
	cr_assert_str_eq(str(c.cert, "error"), "weak signature: ECDSA with SHA1");
	chain_free(&c);
	chain_run(&c, (const char *[]){ "--tls", "--leaf-md", "sha1", NULL },
	    "    weak_crypto: critical\n");
	cr_assert_eq(c.status, 2, "%s", c.err);
	cr_assert_str_eq(str(c.cert, "status"), "critical");
	chain_free(&c);
	/* Signed by an RSA intermediate: the names the spec shows. */
	chain_run(&c, (const char *[]){ "--tls", "--chain", "intermediate",
	    "--inter-key", "rsa2048", "--leaf-md", "sha1", NULL }, NULL);
	cr_assert_str_eq(str(c.cert, "signature"), "RSA with SHA1");
	cr_assert_str_eq(str(c.cert, "error"), "weak signature: RSA with SHA1");
	chain_free(&c);
	chain_run(&c, (const char *[]){ "--tls", "--chain", "intermediate",
	    "--inter-key", "rsa2048", "--leaf-md", "md5", NULL }, NULL);
	cr_assert_str_eq(str(c.cert, "error"), "weak signature: RSA with MD5");
	chain_free(&c);
	chain_run(&c, (const char *[]){ "--tls", "--leaf-md", "sha1", NULL },
	    "    weak_crypto: ignore\n");
	cr_assert_str_eq(str(c.cert, "status"), "ok", "%s", c.err);
	cr_assert(json_is_null(json_object_get(c.cert, "error")));
	chain_free(&c);
}

Test(chain, weak_key_and_weak_intermediate)
{
	struct chain_run c;

	chain_run(&c, (const char *[]){ "--tls", "--leaf-key", "rsa1024",
	    NULL }, NULL);
	cr_assert_str_eq(str(c.cert, "status"), "warning", "%s", c.err);
	cr_assert_str_eq(str(c.cert, "key"), "RSA 1024");
	cr_assert_str_eq(str(c.cert, "error"), "weak key: RSA 1024");
	chain_free(&c);
	chain_run(&c, (const char *[]){ "--tls", "--chain", "intermediate",
	    "--inter-md", "sha1", NULL }, NULL);
	cr_assert_str_eq(str(c.cert, "status"), "warning", "%s", c.err);
	cr_assert_str_eq(str(c.cert, "signature"), "ECDSA with SHA256");
	cr_assert_str_eq(str(c.cert, "error"), "weak signature: ECDSA with SHA1");
	chain_free(&c);
	chain_run(&c, (const char *[]){ "--tls", "--leaf-key", "rsa2048",
	    NULL }, NULL);
	cr_assert_str_eq(str(c.cert, "status"), "ok", "%s", c.err);
	cr_assert_str_eq(str(c.cert, "key"), "RSA 2048");
	chain_free(&c);
}

/* A trust anchor the server sends is not judged by its own signature. */
Test(chain, self_signed_root_sent_is_not_judged_by_its_signature)
{
	struct chain_run c;
	json_t		*ch;

	chain_run(&c, (const char *[]){ "--tls", "--chain", "intermediate",
	    "--send-root", "--root-md", "sha1", NULL }, NULL);
	cr_assert_eq(c.status, 0, "%s\n%s", c.out, c.err);
	ch = json_object_get(c.cert, "chain");
	cr_assert_eq(json_array_size(ch), 3, "%s", c.out);
	cr_assert_str_eq(str(json_array_get(ch, 2), "subject"),
	    "O=peekl tests,CN=peekl test root CA");
	cr_assert(json_is_null(json_object_get(c.cert, "error")), "%s", c.out);
	chain_free(&c);
}

/* A worse expiry or trust problem wins, and is the reason. */
Test(chain, worse_problem_wins_over_weak_crypto)
{
	struct chain_run c;

	chain_run(&c, (const char *[]){ "--tls", "--leaf-md", "sha1",
	    "--days-left", "2", NULL }, NULL);
	cr_assert_eq(c.status, 2, "%s", c.err);
	cr_assert(json_is_null(json_object_get(c.cert, "error")), "%s", c.out);
	chain_free(&c);
	chain_run(&c, (const char *[]){ "--tls", "--leaf-md", "sha1",
	    "--issuer", "self", NULL }, NULL);
	cr_assert_eq(c.status, 2, "%s", c.err);
	cr_assert_str_eq(str(c.cert, "error"), "certificate not trusted");
	chain_free(&c);
}

/* --- revocation (check_revocation) --- */

/*
 * Writes a CRL to out, signed by the CA whose key and certificate are
 * keyfile and certfile, listing the certificate in revoked (a PEM file) or
 * nothing when revoked is NULL. openssl's `ca -gencrl` reads its database
 * from a scratch directory.
 */
static void
make_crl(const char *keyfile, const char *certfile, const char *revoked,
    const char *out)
{
	struct h_dir	*d = h_dir_new();
	struct h_run	 r;
	char		*script;

	script = h_strf("set -e; cd '%s'; : > index.txt; echo 01 > crlnumber;"
	    " if [ -n '%s' ]; then s=$(openssl x509 -in '%s' -noout -serial |"
	    " cut -d= -f2); printf 'R\\t300101000000Z\\t%%s\\t%%s\\tunknown\\t"
	    "/CN=x\\n' $(date -u +%%y%%m%%d%%H%%M%%SZ) $s > index.txt; fi;"
	    " printf '[ca]\\ndefault_ca=c\\n[c]\\ndatabase=index.txt\\n"
	    "crlnumber=crlnumber\\ndefault_md=sha256\\ndefault_crl_days=2\\n'"
	    " > ca.cnf; openssl ca -gencrl -config ca.cnf -keyfile '%s' -cert"
	    " '%s' -out '%s' 2>&1", h_dir_path(d), revoked ? revoked : "",
	    revoked ? revoked : "", keyfile, certfile, out);
	h_run_bin(&r, "sh", (const char *[]){ "-c", script, NULL }, NULL);
	cr_assert_eq(r.status, 0, "openssl ca: %s%s", r.out, r.err);
	h_run_free(&r);
	free(script);
	h_dir_free(d);
}

/* A Redis, a CRL server (testsrv http mode: /file/NAME serves its dir)
 * and a TLS server whose certificates name it. */
struct rev {
	struct h_redis	*rd;
	struct h_srv	*crls;
	struct h_srv	*tls;
	struct h_dir	*d;
	char		*cfg;
};

/* Starts the three; leaf_path and inter_path are the CRL paths (on the
 * CRL server) the leaf and the intermediate name, NULL for none. */
static void
rev_start(struct rev *v, const char *leaf_path, const char *inter_path,
    const char *timeout)
{
	char	*lurl = NULL, *iurl = NULL, *ca;
	const char *args[12];
	int	 n = 0;

	memset(v, 0, sizeof(*v));
	v->rd = h_redis_start();
	v->crls = h_srv_start((const char *[]){ NULL });
	args[n++] = "--tls";
	args[n++] = "--chain";
	args[n++] = "intermediate";
	if (leaf_path != NULL) {
		lurl = h_strf("http://127.0.0.1:%d%s", h_srv_port(v->crls),
		    leaf_path);
		args[n++] = "--crl-url";
		args[n++] = lurl;
	}
	if (inter_path != NULL) {
		iurl = h_strf("http://127.0.0.1:%d%s", h_srv_port(v->crls),
		    inter_path);
		args[n++] = "--inter-crl-url";
		args[n++] = iurl;
	}
	args[n] = NULL;
	v->tls = h_srv_start(args);
	v->d = h_dir_new();
	ca = h_srv_file(v->tls, "ca.pem");
	v->cfg = h_configf(v->d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: tls://localhost:%d\n    name: tls\n    ca_file: %s\n"
	    "    timeout: %s\n    check_revocation: true\n",
	    h_redis_port(v->rd), h_srv_port(v->tls), ca, timeout);
	free(ca);
	free(lurl);
	free(iurl);
}

static void
rev_stop(struct rev *v)
{
	free(v->cfg);
	h_dir_free(v->d);
	h_srv_stop(v->tls);
	h_srv_stop(v->crls);
	h_redis_stop(v->rd);
}

/* The CRL named file on the CRL server, signed by the TLS server's CA
 * (issuer "ca" or "intermediate"), revoking its revoked (a PEM file name
 * of the TLS server) or nothing. */
static void
rev_crl(struct rev *v, const char *issuer, const char *revoked,
    const char *file)
{
	char	*key = h_strf("%s/%s.key", h_srv_dir(v->tls), issuer);
	char	*crt = h_strf("%s/%s.pem", h_srv_dir(v->tls), issuer);
	char	*rev = revoked ? h_srv_file(v->tls, revoked) : NULL;
	char	*out = h_srv_file(v->crls, file);

	make_crl(key, crt, rev, out);
	free(key);
	free(crt);
	free(rev);
	free(out);
}

/* Runs check --json; returns the cert result (owned by *doc). */
static json_t *
rev_check(struct rev *v, const char *const extra[], struct h_run *r,
    json_t **doc)
{
	const char	*argv[8] = { "-c", v->cfg, "check", "--json" };
	int		 n = 4;

	for (; extra != NULL && *extra != NULL && n < 7; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	h_run(r, argv, NULL);
	*doc = json_loads(r->out, 0, NULL);
	cr_assert_not_null(*doc, "stdout: %s\nstderr: %s", r->out, r->err);
	return json_array_get(json_object_get(*doc, "results"), 0);
}

Test(revocation, revoked_leaf_is_critical_and_the_crl_cached)
{
	struct rev	 v;
	struct h_run	 r;
	json_t		*doc, *c;
	long long	 ttl;

	rev_start(&v, "/file/leaf.crl", NULL, "5");
	rev_crl(&v, "intermediate", "leaf.pem", "leaf.crl");
	c = rev_check(&v, NULL, &r, &doc);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_str_eq(str(c, "error"), "certificate revoked");
	cr_assert_str_eq(str(c, "status"), "critical");
	json_decref(doc);
	h_run_free(&r);
	cr_assert_eq(h_srv_hits(v.crls, "/file/leaf.crl"), 1);
	/* Cached until nextUpdate (two days), never beyond seven. */
	ttl = h_redis_int(v.rd, "EVAL %s 0", "local k = redis.call('KEYS', "
	    "'peekl:crl:*') if #k ~= 1 then return -9 end return "
	    "redis.call('PTTL', k[1])");
	cr_assert(ttl > 86400000LL && ttl <= 2 * 86400000LL, "pttl %lld", ttl);
	/* The next run takes it from Redis: nothing fetched. */
	c = rev_check(&v, (const char *[]){ "--site", "tls", NULL }, &r, &doc);
	cr_assert_str_eq(str(c, "error"), "certificate revoked");
	json_decref(doc);
	h_run_free(&r);
	cr_assert_eq(h_srv_hits(v.crls, "/file/"), 1);
	rev_stop(&v);
}

Test(revocation, crl_without_the_certificate_is_ok)
{
	struct rev	 v;
	struct h_run	 r;
	json_t		*doc, *c;

	rev_start(&v, "/file/leaf.crl", NULL, "5");
	rev_crl(&v, "intermediate", NULL, "leaf.crl");
	c = rev_check(&v, NULL, &r, &doc);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(json_is_null(json_object_get(c, "error")));
	cr_assert(strstr(r.err, "WARNING") == NULL, "%s", r.err);
	json_decref(doc);
	h_run_free(&r);
	rev_stop(&v);
}

Test(revocation, revoked_intermediate_is_named)
{
	struct rev	 v;
	struct h_run	 r;
	json_t		*doc, *c;

	rev_start(&v, NULL, "/file/inter.crl", "5");
	rev_crl(&v, "ca", "intermediate.pem", "inter.crl");
	c = rev_check(&v, NULL, &r, &doc);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_str_eq(str(c, "error"),
	    "intermediate certificate \"" INTER "\" revoked");
	json_decref(doc);
	h_run_free(&r);
	rev_stop(&v);
}

/* A CRL that times out, is garbage or is missing: a WARNING naming the
 * URL, the state untouched, the run within the timeout. */
Test(revocation, unusable_crls_only_warn)
{
	static const char *const paths[] = { "/hang", "/file/garbage.crl",
	    "/status/500" };
	struct rev	 v;
	struct h_run	 r;
	json_t		*doc, *c;
	char		*garbage, *url;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		/* 4 s: enough for a handshake under valgrind too. */
		rev_start(&v, paths[i], NULL, "4");
		garbage = h_srv_file(v.crls, "garbage.crl");
		{
			FILE	*f = fopen(garbage, "w");

			cr_assert_not_null(f);
			fputs("-----BEGIN X509 CRL-----\nbm90IGEgQ1JM\n"
			    "-----END X509 CRL-----\n", f);
			fclose(f);
		}
		free(garbage);
		c = rev_check(&v, NULL, &r, &doc);
		cr_assert_eq(r.status, 0, "%s: %s", paths[i], r.err);
		cr_assert(json_is_null(json_object_get(c, "error")));
		url = h_strf("CRL http://127.0.0.1:%d%s", h_srv_port(v.crls),
		    paths[i]);
		cr_assert(strstr(r.err, url) != NULL &&
		    strstr(r.err, "| WARNING  |") != NULL, "%s: %s", paths[i],
		    r.err);
		cr_assert(r.elapsed_ms < 15000, "%s took %.0f ms", paths[i],
		    r.elapsed_ms);
		free(url);
		json_decref(doc);
		h_run_free(&r);
		rev_stop(&v);
	}
}

Test(revocation, dry_run_does_not_cache)
{
	struct rev	 v;
	struct h_run	 r;
	json_t		*doc, *c;

	rev_start(&v, "/file/leaf.crl", NULL, "5");
	rev_crl(&v, "intermediate", "leaf.pem", "leaf.crl");
	c = rev_check(&v, (const char *[]){ "--dry-run", NULL }, &r, &doc);
	cr_assert_str_eq(str(c, "error"), "certificate revoked");
	json_decref(doc);
	h_run_free(&r);
	cr_assert_eq(h_redis_int(v.rd, "EVAL %s 0",
	    "return #redis.call('KEYS', 'peekl:crl:*')"), 0);
	rev_stop(&v);
}

/*
 * A run stopped while a CRL is being fetched records nothing for that
 * certificate: judged without its CRL, a revoked certificate would be
 * called fine, and its CRITICAL turned into an OK alert and back.
 */
Test(revocation, interrupted_revocation_records_nothing, .timeout = 60)
{
	struct rev	 v;
	struct h_proc	*p;
	struct h_run	 r;
	struct timespec	 ts = { 0, 20 * 1000000L };
	double		 deadline;
	char		*state;

	rev_start(&v, "/hang", NULL, "10");
	/* What an earlier run found: the leaf revoked. */
	freeReplyObject(h_redis_cmd(v.rd, "HSET peekl:site:tls cert_state "
	    "critical cert_last_check 1 cert_since 1"));
	p = h_spawn((const char *[]){ "-c", v.cfg, "check", NULL }, NULL);
	deadline = h_now_ms() + 20000;
	while (h_srv_hits(v.crls, "/hang") < 1 && h_now_ms() < deadline)
		nanosleep(&ts, NULL);
	cr_assert_eq(h_srv_hits(v.crls, "/hang"), 1, "the CRL was never asked");
	kill(h_proc_pid(p), SIGTERM);
	cr_assert_eq(h_wait(p, &r), 3, "exit %d: %s", r.status, r.err);
	state = h_redis_str(v.rd, "HGET peekl:site:tls cert_state");
	cr_assert_str_eq(state, "critical", "recorded without its CRL: %s",
	    r.err);
	free(state);
	h_run_free(&r);
	rev_stop(&v);
}

/* A CRL from an authority that issued none of the chain (a CRL URL that
 * now serves another CA's list) vouches for nothing: a WARNING naming its
 * URL, and the chain judged without it. */
Test(revocation, crl_of_another_authority_only_warns, .timeout = 60)
{
	struct rev	 v;
	struct h_run	 r;
	struct h_dir	*d = h_dir_new();
	json_t		*doc, *c;
	char		*key = h_path(d, "other.key"), *crt = h_path(d, "other.pem");
	char		*out, *url;

	rev_start(&v, "/file/other.crl", NULL, "5");
	h_run_bin(&r, "openssl", (const char *[]){ "req", "-x509", "-newkey",
	    "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days",
	    "30", "-subj", "/CN=Another CA", "-keyout", key, "-out", crt,
	    NULL }, NULL);
	cr_assert_eq(r.status, 0, "openssl req: %s", r.err);
	h_run_free(&r);
	out = h_srv_file(v.crls, "other.crl");
	make_crl(key, crt, NULL, out);
	c = rev_check(&v, NULL, &r, &doc);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(json_is_null(json_object_get(c, "error")));
	url = h_strf("CRL http://127.0.0.1:%d/file/other.crl: issued by none "
	    "of the chain's certificate authorities", h_srv_port(v.crls));
	cr_assert_not_null(strstr(r.err, url), "%s", r.err);
	free(url);
	free(out);
	json_decref(doc);
	h_run_free(&r);
	free(key);
	free(crt);
	h_dir_free(d);
	rev_stop(&v);
}
