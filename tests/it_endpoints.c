/* TLS endpoints that are not websites (spec/certificates.md): tls://,
 * and STARTTLS over smtp://, imap://, pop3://, each against testsrv's
 * loopback responder with a certificate generated for the test. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Runs `check --json` on one endpoint site (url made from scheme and the
 * server's port, trusting its CA) and returns the document; *status gets
 * the exit status. cfg_out, when not NULL, receives the config path. */
static json_t *
endpoint_check(struct h_redis *rd, struct h_srv *srv, struct h_dir *d,
    const char *scheme, int *status, char **cfg_out)
{
	struct h_run	 r;
	json_t		*doc;
	char		*ca = h_srv_file(srv, "ca.pem"), *cfg;

	cfg = h_configf(d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: %s://localhost:%d\n    ca_file: %s\n    timeout: 5\n",
	    h_redis_port(rd), scheme, h_srv_port(srv), ca);
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--json", NULL }, NULL);
	*status = r.status;
	doc = json_loads(r.out, 0, NULL);
	cr_assert_not_null(doc, "stdout: %s\nstderr: %s", r.out, r.err);
	h_run_free(&r);
	free(ca);
	if (cfg_out != NULL)
		*cfg_out = cfg;
	else
		free(cfg);
	return doc;
}

/* Returns the only result of doc, which must be a cert result. */
static json_t *
only_result(json_t *doc)
{
	json_t	*arr = json_object_get(doc, "results"), *c;

	cr_assert_eq(json_array_size(arr), 1, "one check: a certificate's");
	c = json_array_get(arr, 0);
	cr_assert_str_eq(json_string_value(json_object_get(c, "kind")), "cert");
	return c;
}

/* A STARTTLS responder of mode offering STARTTLS: the certificate is read
 * after the upgrade, with its days left and the default HOST:PORT name. */
static void
starttls_ok(const char *mode)
{
	struct h_redis	*rd = h_redis_start();
	struct h_srv	*srv = h_srv_start((const char *[]){ "--mode", mode,
	    "--tls", "--days-left", "12", NULL });
	struct h_dir	*d = h_dir_new();
	json_t		*doc, *c;
	char		 name[64], *log, *logpath;
	int		 status;

	doc = endpoint_check(rd, srv, d, mode, &status, NULL);
	c = only_result(doc);
	cr_assert_eq(status, 1, "%s: %s", mode, json_dumps(doc, 0));
	cr_assert_str_eq(json_string_value(json_object_get(c, "status")),
	    "warning");
	cr_assert_eq(json_integer_value(json_object_get(c, "days_left")), 12);
	cr_assert(json_is_null(json_object_get(c, "error")));
	cr_assert_str_eq(json_string_value(json_object_get(c, "tls_version")),
	    "TLSv1.2");
	snprintf(name, sizeof(name), "localhost:%d", h_srv_port(srv));
	cr_assert_str_eq(json_string_value(json_object_get(c, "site")), name);
	/* The upgrade happened on the server's own command. */
	logpath = h_srv_file(srv, "log");
	log = h_read_file(logpath);
	cr_assert_not_null(log);
	cr_assert(strstr(log, strcmp(mode, "pop3") == 0 ? "STLS" :
	    "STARTTLS") != NULL, "%s", log);
	free(log);
	free(logpath);
	json_decref(doc);
	h_dir_free(d);
	h_srv_stop(srv);
	h_redis_stop(rd);
}

Test(endpoints, smtp_starttls) { starttls_ok("smtp"); }
Test(endpoints, imap_starttls) { starttls_ok("imap"); }
Test(endpoints, pop3_starttls) { starttls_ok("pop3"); }

/* A server that does not offer STARTTLS is critical. */
static void
starttls_missing(const char *mode)
{
	struct h_redis	*rd = h_redis_start();
	struct h_srv	*srv = h_srv_start((const char *[]){ "--mode", mode,
	    "--tls", "--no-starttls", NULL });
	struct h_dir	*d = h_dir_new();
	json_t		*doc, *c;
	int		 status;

	doc = endpoint_check(rd, srv, d, mode, &status, NULL);
	c = only_result(doc);
	cr_assert_eq(status, 2);
	cr_assert_str_eq(json_string_value(json_object_get(c, "error")),
	    "STARTTLS not offered", "%s", mode);
	cr_assert(json_is_null(json_object_get(c, "days_left")));
	json_decref(doc);
	h_dir_free(d);
	h_srv_stop(srv);
	h_redis_stop(rd);
}

Test(endpoints, smtp_without_starttls) { starttls_missing("smtp"); }
Test(endpoints, imap_without_starttls) { starttls_missing("imap"); }
Test(endpoints, pop3_without_starttls) { starttls_missing("pop3"); }

/* tls://: TLS from the first byte, no HTTP check; status shows the HTTP
 * columns empty and their JSON null. */
Test(endpoints, tls_port_and_status)
{
	static const char *const nulls[] = { "state", "failures", "http_code",
	    "response_ms" };
	struct h_redis	*rd = h_redis_start();
	struct h_srv	*srv = h_srv_start((const char *[]){ "--tls",
	    "--days-left", "3", NULL });
	struct h_dir	*d = h_dir_new();
	struct h_run	 r;
	json_t		*doc, *c, *site;
	char		*cfg;
	int		 status;

	doc = endpoint_check(rd, srv, d, "tls", &status, &cfg);
	c = only_result(doc);
	cr_assert_eq(status, 2);
	cr_assert_str_eq(json_string_value(json_object_get(c, "status")),
	    "critical");
	cr_assert_eq(json_integer_value(json_object_get(c, "days_left")), 3);
	json_decref(doc);
	/* Nothing was fetched over HTTP. */
	cr_assert_eq(h_srv_hits(srv, NULL), 0);
	h_run(&r, (const char *[]){ "-c", cfg, "status", "--json", NULL },
	    NULL);
	cr_assert_not_null(doc = json_loads(r.out, 0, NULL), "%s", r.out);
	site = json_array_get(json_object_get(doc, "sites"), 0);
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		cr_assert(json_is_null(json_object_get(site, nulls[i])),
		    "%s: %s", nulls[i], r.out);
	cr_assert_str_eq(json_string_value(json_object_get(site,
	    "cert_state")), "critical");
	cr_assert_eq(json_integer_value(json_object_get(site,
	    "cert_days_left")), 3);
	json_decref(doc);
	h_run_free(&r);
	h_run(&r, (const char *[]){ "-c", cfg, "status", NULL }, NULL);
	cr_assert(strstr(r.out, "critical (3 days)") != NULL, "%s", r.out);
	cr_assert(strstr(r.out, "unknown") == NULL, "HTTP columns: %s", r.out);
	h_run_free(&r);
	free(cfg);
	h_dir_free(d);
	h_srv_stop(srv);
	h_redis_stop(rd);
}

/* Several endpoints, each with its own CA file, in one run. */
Test(endpoints, several_ca_files_in_one_run)
{
	struct h_redis	*rd = h_redis_start();
	struct h_srv	*a = h_srv_start((const char *[]){ "--mode", "smtp",
	    "--tls", NULL });
	struct h_srv	*b = h_srv_start((const char *[]){ "--mode", "imap",
	    "--tls", NULL });
	struct h_srv	*t = h_srv_start((const char *[]){ "--tls", NULL });
	struct h_dir	*d = h_dir_new();
	char		*ca = h_srv_file(a, "ca.pem"), *cb = h_srv_file(b, "ca.pem");
	char		*ct = h_srv_file(t, "ca.pem"), *cfg;
	struct h_run	 r;

	cfg = h_configf(d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: smtp://localhost:%d\n    ca_file: %s\n"
	    "  - url: imap://localhost:%d\n    ca_file: %s\n"
	    "  - url: tls://localhost:%d\n    ca_file: %s\n",
	    h_redis_port(rd), h_srv_port(a), ca, h_srv_port(b), cb,
	    h_srv_port(t), ct);
	h_run(&r, (const char *[]){ "-c", cfg, "check", NULL }, NULL);
	cr_assert_eq(r.status, 0, "%s\n%s", r.out, r.err);
	h_run_free(&r);
	free(cfg);
	free(ca);
	free(cb);
	free(ct);
	h_dir_free(d);
	h_srv_stop(a);
	h_srv_stop(b);
	h_srv_stop(t);
	h_redis_stop(rd);
}
