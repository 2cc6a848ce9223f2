/* Certificate monitoring end to end: peekl against the project's TLS test
 * server, certificates generated per test. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

struct res {
	int	 status;
	json_t	*cert;		/* the cert result of check --json */
	char	*err;
};

/* A Redis, a TLS test server and a config monitoring its certificate as
 * site "tls". */
struct env {
	struct h_redis	*rd;
	struct h_srv	*tls;
	struct h_dir	*d;
	char		*ca;
	char		*cfg;
};

/* Starts the TLS server with args; extra is YAML appended to the config. */
static void
env_start(struct env *e, const char *const args[], const char *extra)
{
	e->rd = h_redis_start();
	e->tls = h_srv_start(args);
	e->d = h_dir_new();
	e->ca = h_srv_file(e->tls, "ca.pem");
	e->cfg = h_configf(e->d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: https://localhost:%d/\n    name: tls\n"
	    "    certificate_monitoring: true\n    ca_file: %s\n    timeout: 10\n%s",
	    h_redis_port(e->rd), h_srv_port(e->tls), e->ca, extra ? extra : "");
}

/* Stops what env_start started, except the Redis if keep_redis. */
static void
env_stop(struct env *e, int keep_redis)
{
	free(e->cfg);
	free(e->ca);
	h_dir_free(e->d);
	h_srv_stop(e->tls);
	if (!keep_redis)
		h_redis_stop(e->rd);
}

/* Runs one certificate check against a TLS server started with args. */
static void
cert_run(const char *const args[], struct res *out, struct h_redis **keep,
    const char *extra)
{
	struct env	 e;
	struct h_run	 r;
	json_t		*doc, *arr;
	size_t		 i;

	env_start(&e, args, extra);
	h_run(&r, (const char *[]){ "-c", e.cfg, "check", "--json", NULL }, NULL);
	out->status = r.status;
	out->err = strdup(r.err);
	out->cert = NULL;
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "stdout: %s\nstderr: %s", r.out, r.err);
	arr = json_object_get(doc, "results");
	for (i = 0; i < json_array_size(arr); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(arr, i),
		    "kind")), "cert") == 0)
			out->cert = json_incref(json_array_get(arr, i));
	cr_assert_not_null(out->cert, "no cert result: %s", r.out);
	json_decref(doc);
	h_run_free(&r);
	if (keep != NULL)
		*keep = e.rd;
	env_stop(&e, keep != NULL);
}

static const char *
field(const struct res *r, const char *k)
{
	const char *v = json_string_value(json_object_get(r->cert, k));

	return v ? v : "(null)";
}

static long long
days(const struct res *r)
{
	return json_integer_value(json_object_get(r->cert, "days_left"));
}

static void
res_free(struct res *r)
{
	json_decref(r->cert);
	free(r->err);
}

Test(run_cert, valid_certificate_is_ok_exit_0)
{
	struct res	r;

	cert_run((const char *[]){ "--tls", NULL }, &r, NULL, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(field(&r, "status"), "ok");
	cr_assert_str_eq(field(&r, "state"), "ok");
	cr_assert(days(&r) >= 199 && days(&r) <= 201, "days %lld", days(&r));
	cr_assert(json_is_null(json_object_get(r.cert, "error")));
	/* testsrv is mbedTLS 2.28: TLS 1.2 at most. */
	cr_assert_str_eq(field(&r, "tls_version"), "TLSv1.2");
	res_free(&r);
}

/* No handshake, no version: null, like every field that is unknown. */
Test(run_cert, tls_version_null_without_handshake)
{
	struct h_redis	*rd = h_redis_start();
	struct h_srv	*gone = h_srv_start((const char *[]){ NULL });
	int		 port = h_srv_port(gone);
	struct h_dir	*d = h_dir_new();
	struct h_run	 r;
	json_t		*doc, *cert;
	char		*cfg;

	/* A port nobody listens on any more: refused at once. */
	h_srv_stop(gone);
	cfg = h_configf(d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: http://127.0.0.1:%d/\n    port: %d\n    name: gone\n"
	    "    certificate_monitoring: true\n    timeout: 5\n",
	    h_redis_port(rd), port, port);
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--json", NULL }, NULL);
	cr_assert_eq(r.status, 2, "%s", r.err);
	cr_assert_not_null(doc = json_loads(r.out, 0, NULL), "%s", r.out);
	cert = json_array_get(json_object_get(doc, "results"), 1);
	cr_assert_str_eq(json_string_value(json_object_get(cert, "kind")),
	    "cert");
	cr_assert_str_eq(json_string_value(json_object_get(cert, "error")),
	    "connection refused");
	cr_assert(json_is_null(json_object_get(cert, "tls_version")));
	json_decref(doc);
	h_run_free(&r);
	free(cfg);
	h_dir_free(d);
	h_redis_stop(rd);
}

Test(run_cert, inside_warning_is_exit_1_and_recorded)
{
	struct res	 r;
	struct h_redis	*rd;
	redisReply	*x;

	cert_run((const char *[]){ "--tls", "--days-left", "12", NULL }, &r, &rd,
	    NULL);
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert_str_eq(field(&r, "status"), "warning");
	cr_assert(days(&r) >= 11 && days(&r) <= 13);
	cr_assert(json_is_null(json_object_get(r.cert, "error")));
	x = h_redis_cmd(rd, "HMGET peekl:site:tls cert_state cert_days_left "
	    "cert_not_after cert_last_check");
	cr_assert_str_eq(x->element[0]->str, "warning");
	cr_assert_str_eq(x->element[1]->str, "12");
	cr_assert_eq(strlen(x->element[2]->str), 20, "ISO-8601: %s",
	    x->element[2]->str);
	cr_assert_not_null(x->element[3]->str);
	freeReplyObject(x);
	x = h_redis_cmd(rd, "XRANGE peekl:history:tls - +");
	/* One entry for the HTTP check, one for the certificate. */
	cr_assert_eq(x->elements, 2, "stream entries: %zu", x->elements);
	freeReplyObject(x);
	h_redis_stop(rd);
	res_free(&r);
}

Test(run_cert, inside_critical_is_exit_2)
{
	struct res	r;

	cert_run((const char *[]){ "--tls", "--days-left", "2", NULL }, &r, NULL,
	    NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(field(&r, "status"), "critical");
	res_free(&r);
}

Test(run_cert, expired_is_critical_with_negative_days)
{
	struct res	r;

	cert_run((const char *[]){ "--tls", "--days-left", "-3", NULL }, &r, NULL,
	    NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(field(&r, "error"), "certificate expired");
	cr_assert(days(&r) >= -4 && days(&r) <= -2, "days %lld", days(&r));
	res_free(&r);
}

Test(run_cert, self_signed_and_wrong_host_are_critical)
{
	struct res	r;

	cert_run((const char *[]){ "--tls", "--issuer", "self", NULL }, &r, NULL,
	    NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(field(&r, "error"), "certificate not trusted");
	cr_assert(days(&r) >= 199, "days_left reported even when untrusted");
	res_free(&r);
	cert_run((const char *[]){ "--tls", "--cn", "other.example", "--san",
	    "other.example", NULL }, &r, NULL, NULL);
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(field(&r, "error"), "hostname mismatch");
	res_free(&r);
}

Test(run_cert, warning_alert_on_first_check)
{
	struct h_srv	*hook = h_webhook_start();
	char		*alerts = h_strf("alertmanagers:\n  webhook:\n"
	    "    url: http://127.0.0.1:%d/hook\n", h_srv_port(hook));
	struct env	 e;
	struct h_run	 r;
	char		*body;
	json_t		*doc;

	env_start(&e, (const char *[]){ "--tls", "--days-left", "12", NULL },
	    alerts);
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", e.cfg, NULL }, NULL), 1,
	    "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(hook, 200), 1);
	body = h_webhook_body(hook, 0);
	doc = json_loads(body, 0, NULL);
	cr_assert_not_null(doc, "%s", body);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "state")),
	    "WARNING");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "kind")), "cert");
	cr_assert_eq(json_integer_value(json_object_get(doc, "days_left")), 12);
	json_decref(doc);
	free(body);
	/* Same state next time: no second alert. */
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", e.cfg, "check", "--site",
	    "tls", NULL }, NULL), 1);
	h_run_free(&r);
	cr_assert_eq(h_webhook_count(hook, -1), 1);
	free(alerts);
	env_stop(&e, 0);
	h_srv_stop(hook);
}
