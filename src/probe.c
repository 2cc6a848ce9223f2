/*
 * The probe stage, shaped like curl's docs/examples/10-at-a-time.c: checks
 * start in the order of the array while fewer than max_concurrency
 * transfers are in flight, and the next one starts as soon as one ends,
 * whatever their kinds. A slow certificate check never holds back an HTTP
 * check, so a run takes about as long as its slowest check.
 */
#include <string.h>

#include "cert_verify.h"
#include "check_cert.h"
#include "check_http.h"
#include "log.h"
#include "probe.h"

struct probe {
	struct net	*net;
	struct check	*checks;
	size_t		 n;
	size_t		 next;		/* the next check to look at */
	size_t		 max;		/* transfers in flight at most */
	struct cert_cas	*cas;		/* the run's, each CA bundle parsed once */
	int		 broken;	/* a check could not be done (logged) */
};

/* Engine refill: starts due checks while there is room. Returns 0: a check
 * that cannot start is given up (logged) and the others go on. */
static int
probe_refill(void *arg)
{
	struct probe	*p = arg;
	struct check	*c;
	int		 rc;

	while (net_inflight(p->net) < p->max && p->next < p->n) {
		c = &p->checks[p->next++];
		if (!c->due)
			continue;
		if (c->kind == KIND_HTTP)
			rc = http_check_start(p->net, c->site, &c->http,
			    &p->broken);
		else
			rc = cert_check_start(p->net, c->site, p->cas,
			    &c->cert, &p->broken);
		if (rc == -1)
			p->broken = 1;
	}
	return 0;
}

int
probe_run(struct net *net, struct cert_cas *cas, struct check *checks,
    size_t n, int max_concurrency, const volatile sig_atomic_t *stop)
{
	struct probe	p;
	size_t		i, left = 0;
	int		rc, ret = -1;

	memset(&p, 0, sizeof(p));
	p.net = net;
	p.checks = checks;
	p.n = n;
	p.max = max_concurrency < 1 ? 1 : (size_t)max_concurrency;
	for (i = 0; i < n; i++) {
		if (!checks[i].due)
			continue;
		memset(&checks[i].http, 0, sizeof(checks[i].http));
		memset(&checks[i].cert, 0, sizeof(checks[i].cert));
	}
	p.cas = cas;
	rc = net_run(net, probe_refill, &p, stop);
	if (rc == 1) {
		for (i = 0; i < n; i++)
			left += checks[i].due && !check_done(&checks[i]);
		log_info("checks: stopped, %zu unfinished check%s abandoned",
		    left, left == 1 ? "" : "s");
		goto out;
	}
	if (rc == -1 || p.broken)
		goto out;
	ret = 0;
out:
	return ret;
}
