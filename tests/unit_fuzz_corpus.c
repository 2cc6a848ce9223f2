/*
 * The fuzz targets' corpora (fuzz/corpus/TARGET/) replayed through the same
 * functions in the normal suite, so under `make asan` every seed, and every
 * minimized input a fuzzer run adds there after a fix, is a regression test.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <hiredis/hiredis.h>
#include <mbedtls/x509_crt.h>

#include "alert.h"
#include "cert_verify.h"
#include "config.h"
#include "state.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* Calls fn with each file of fuzz/corpus/target (path, bytes, length) and
 * returns how many there were. */
static int
each_input(const char *target, void (*fn)(const char *, const char *,
    size_t))
{
	const char	*slash = strrchr(__FILE__, '/');
	char		*dir, *path, *buf;
	struct dirent	*e;
	DIR		*d;
	FILE		*f;
	long		 len;
	int		 n = 0;

	dir = slash ? xasprintf("%.*s/../fuzz/corpus/%s",
	    (int)(slash - __FILE__), __FILE__, target) :
	    xasprintf("../fuzz/corpus/%s", target);
	d = opendir(dir);
	cr_assert_not_null(d, "cannot open %s", dir);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		f = fopen(path, "rb");
		cr_assert_not_null(f, "cannot open %s", path);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		buf = xcalloc(1, (size_t)len + 1);
		cr_assert_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		fn(path, buf, (size_t)len);
		free(buf);
		free(path);
		n++;
	}
	closedir(d);
	free(dir);
	return n;
}

static void
replay_alert(const char *path, const char *data, size_t len)
{
	struct alert	 a, b;
	char		*json;

	if (alert_decode(data, len, &a) == -1)
		return;
	json = alert_encode(&a);
	cr_assert_not_null(json, "%s: decoded but does not encode", path);
	cr_assert_eq(alert_decode(json, strlen(json), &b), 0,
	    "%s: re-encoded form does not decode: %s", path, json);
	free(json);
	alert_clear(&b);
	alert_clear(&a);
}

Test(fuzz_corpus, alert)
{
	cr_assert_gt(each_input("alert", replay_alert), 0);
}

static void
replay_site(const char *path, const char *data, size_t len)
{
	struct store		 st;
	struct site_state	 out;
	redisReader		*rd = redisReaderCreate();
	void			*reply = NULL;

	(void)path;
	memset(&st, 0, sizeof(st));
	st.prefix = (char *)"peekl";
	st.where = (char *)"corpus";
	if (redisReaderFeed(rd, data, len) == REDIS_OK &&
	    redisReaderGetReply(rd, &reply) == REDIS_OK && reply != NULL) {
		site_parse(&st, reply, "corpus site", &out);
		freeReplyObject(reply);
	}
	redisReaderFree(rd);
}

Test(fuzz_corpus, site, .init = cr_redirect_stderr)
{
	cr_assert_gt(each_input("site", replay_site), 0);
}

static void
replay_cert(const char *path, const char *data, size_t len)
{
	struct cert_result	res;
	mbedtls_x509_crt	ca;
	char			*capath;

	/* The chain's own CA stands in for the target's fixed one. */
	capath = xasprintf("%.*s/chain.pem", (int)(strrchr(path, '/') - path),
	    path);
	mbedtls_x509_crt_init(&ca);
	cr_assert_geq(mbedtls_x509_crt_parse_file(&ca, capath), 0);
	memset(&res, 0, sizeof(res));
	cert_verify((const unsigned char *)data, len, &ca, "localhost",
	    1795996800000LL, &res);
	cr_assert_neq(memchr(res.error, '\0', sizeof(res.error)), NULL);
	cert_result_clear(&res);
	mbedtls_x509_crt_free(&ca);
	free(capath);
}

Test(fuzz_corpus, cert)
{
	cr_assert_gt(each_input("cert", replay_cert), 0);
}

static void
replay_config(const char *path, const char *data, size_t len)
{
	struct config	*cfg;

	(void)data;
	(void)len;
	if (config_load(path, &cfg) == 0)
		config_free(cfg);
}

Test(fuzz_corpus, config, .init = cr_redirect_stderr)
{
	cr_assert_gt(each_input("config", replay_config), 0);
}
