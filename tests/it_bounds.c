/*
 * Resource bounds: file descriptors (and with them sockets, TLS contexts,
 * buffers) are bounded by max_concurrency, not by the number of sites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "util.h"

#define NSITES		5000
#define CONCURRENCY	50

/*
 * 5,000 sites with max_concurrency 50 under `ulimit -n 256`: a run that
 * opened a socket per site, or kept finished ones, would hit EMFILE and
 * report sites DOWN (retry 0 makes the first failure a DOWN, exit 2).
 */
Test(bounds, many_sites_few_descriptors, .timeout = 120)
{
	struct h_redis	*rd = h_redis_start();
	struct h_srv	*web = h_srv_start((const char *[]){ NULL });
	struct h_dir	*d = h_dir_new();
	struct h_run	 r;
	const char	*bin = getenv("PEEKL_BIN");
	char		*yaml, *cfg, *p;
	size_t		 cap = 128 + NSITES * 80, off;
	long long	 up;
	int		 i;

	cr_assert_not_null(bin, "PEEKL_BIN is not set");
	yaml = p = xcalloc(1, cap);
	off = (size_t)snprintf(p, cap, "redis:\n  port: %d\n  timeseries: off\n"
	    "max_concurrency: %d\ndefaults:\n  retry: 0\nwebsites:\n",
	    h_redis_port(rd), CONCURRENCY);
	for (i = 0; i < NSITES; i++) {
		off += (size_t)snprintf(p + off, cap - off, "  - url: "
		    "http://127.0.0.1:%d/ok?n=%d\n    name: s%d\n",
		    h_srv_port(web), i, i);
		cr_assert_lt(off, cap);
	}
	cfg = h_config(d, yaml);
	/* "$0" is peekl: the limit applies to it alone, set by the shell it
	 * replaces. */
	h_run_bin(&r, "sh", (const char *[]){ "-c", "ulimit -n 256 && "
	    "exec \"$0\" -q -c \"$1\" check", bin, cfg, NULL }, NULL);
	cr_assert_eq(r.status, 0, "exit %d, stderr (first 2000 bytes): %.2000s",
	    r.status, r.err);
	up = h_redis_int(rd, "EVAL %s 0", "local n = 0 "
	    "for _, k in ipairs(redis.call('KEYS', 'peekl:site:*')) do "
	    "if redis.call('HGET', k, 'state') == 'up' then n = n + 1 end "
	    "end return n");
	cr_assert_eq(up, NSITES, "%lld of %d sites are up", up, NSITES);
	h_run_free(&r);
	free(cfg);
	free(yaml);
	h_dir_free(d);
	h_srv_stop(web);
	h_redis_stop(rd);
}

/* A 20,000-site config is accepted (make bench times it: under 1 s). */
Test(bounds, twenty_thousand_sites_validate)
{
	struct h_dir	*d = h_dir_new();
	struct h_run	 r;
	char		*yaml, *cfg;
	size_t		 cap = 64 + 20000 * 60, off;
	int		 i;

	yaml = xcalloc(1, cap);
	off = (size_t)snprintf(yaml, cap, "websites:\n");
	for (i = 0; i < 20000; i++) {
		off += (size_t)snprintf(yaml + off, cap - off, "  - url: "
		    "https://host%d.example.com/\n    name: big%d\n", i, i);
		cr_assert_lt(off, cap);
	}
	cfg = h_config(d, yaml);
	h_run(&r, (const char *[]){ "-q", "-c", cfg, "validate", NULL }, NULL);
	cr_assert_eq(r.status, 0, "exit %d: %.2000s", r.status, r.err);
	h_run_free(&r);
	free(cfg);
	free(yaml);
	h_dir_free(d);
}
