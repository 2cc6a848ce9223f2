/*
 * Several locations against one Redis (spec/locations.md), end to end:
 * real peekl processes for fra, nyc and sgp, one loopback site that
 * answers each location as the test tells it (testsrv's /loc route and
 * the X-Loc header every process's config sends), and a webhook receiver
 * that counts alerts. Alerts still queued (a delivery lease held by a
 * concurrent run) are counted with those delivered.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "harness.h"

static const char *const LOCS[3] = { "fra", "nyc", "sgp" };

/* The one config every location shares; the header names the location
 * to the test server. */
static char *
loc_config_url(struct h_env *e, const char *extra, const char *path)
{
	char	*name = h_strf("config-%s.yaml", path[3] == '\0' ? "plain" :
		    path + 4);
	char	*p;

	p = h_config_named(e, name, h_strf("redis:\n  port: %d\n%s"
	    "websites:\n  - url: http://127.0.0.1:%d/%s\n    name: api\n"
	    "    retry: 0\n    interval: 10\n"
	    "    headers: {X-Loc: \"${PEEKL_LOC_HDR}\"}\n"
	    "alertmanagers:\n  webhook:\n    url: http://127.0.0.1:%d/hook\n",
	    h_redis_port(e->rd), extra, h_srv_port(e->web), path,
	    h_srv_port(e->hook)));
	free(name);
	return p;
}

static char *
loc_config(struct h_env *e, const char *extra)
{
	return loc_config_url(e, extra, "loc");
}


/* Argument and environment vectors of one location's run. */
struct locrun {
	char		*env0;
	const char	*argv[8];
	const char	*env[2];
};

static void
locrun_init(struct locrun *lr, const char *cfg, const char *loc)
{
	lr->env0 = h_strf("PEEKL_LOC_HDR=%s", loc);
	lr->env[0] = lr->env0;
	lr->env[1] = NULL;
	lr->argv[0] = "-c";
	lr->argv[1] = cfg;
	lr->argv[2] = "check";
	lr->argv[3] = "--location";
	lr->argv[4] = loc;
	lr->argv[5] = "--site";
	lr->argv[6] = "api";
	lr->argv[7] = NULL;
}

/* Runs the given locations' checks at once and waits for them all. */
static void
round_of(const char *cfg, const char *const *locs, size_t n)
{
	struct locrun	 lr[3];
	struct h_proc	*p[3];
	struct h_run	 r;

	for (size_t i = 0; i < n; i++) {
		locrun_init(&lr[i], cfg, locs[i]);
		p[i] = h_spawn(lr[i].argv, lr[i].env);
	}
	for (size_t i = 0; i < n; i++) {
		h_wait(p[i], &r);
		cr_assert(r.status == 0 || r.status == 2, "%s: exit %d: %s",
		    locs[i], r.status, r.err);
		h_run_free(&r);
		free(lr[i].env0);
	}
}

/* Every alert so far: delivered or still queued. */
static int
alerts(struct h_env *e)
{
	return h_webhook_count(e->hook, 200) +
	    (int)h_redis_int(e->rd, "LLEN peekl:alerts:webhook");
}

/* The text of the n-th delivered alert (malloc'd). */
static char *
alert_text(struct h_env *e, int n)
{
	char		*body = h_webhook_body(e->hook, n), *text;
	json_t		*root;
	json_error_t	 je;

	cr_assert_not_null(body, "no alert %d", n);
	root = json_loads(body, 0, &je);
	cr_assert_not_null(root, "%s", body);
	text = strdup(json_string_value(json_object_get(root, "text")));
	json_decref(root);
	free(body);
	return text;
}

/* Delivers what concurrent runs left queued: one more run of fra, with
 * a config of its own whose one site is checked once an hour, delivers
 * the queue and checks nothing the test is about. */
static void
drain(struct h_env *e)
{
	struct h_run	 r;
	char		*url = h_srv_url(e->web, "loc");
	char		*ca = strncmp(url, "https", 5) == 0 ?
			    h_srv_file(e->web, "ca.pem") : NULL;
	char		*cfg = h_config_named(e, "drain.yaml", h_strf("redis:\n"
			    "  port: %d\nwebsites:\n  - url: %s\n    name: idle\n"
			    "    interval: 1h\n    headers: {X-Loc: drain}\n"
			    "%s%s%salertmanagers:\n  webhook:\n"
			    "    url: http://127.0.0.1:%d/hook\n",
			    h_redis_port(e->rd), url, ca ? "    ca_file: " : "",
			    ca ? ca : "", ca ? "\n" : "", h_srv_port(e->hook)));

	h_run(&r, (const char *[]){ "-c", cfg, "check", "--location", "fra",
	    NULL }, NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	h_run_free(&r);
	free(cfg);
	free(ca);
	free(url);
}

Test(locations, quorum_alerts_once_per_verdict_change, .timeout = 120)
{
	struct h_env	 e;
	char		*cfg, *text, *url, *want, *s;

	h_env_start(&e);
	cfg = loc_config(&e, "");
	url = h_strf("http://127.0.0.1:%d/loc", h_srv_port(e.web));
	round_of(cfg, LOCS, 3);
	s = h_redis_str(e.rd, "HGET peekl:site:api state");
	cr_assert_str_eq(s, "up");
	free(s);

	/* One location seeing it down alerts nothing. */
	h_loc_answer(&e, "fra", "503");
	round_of(cfg, LOCS, 3);
	round_of(cfg, LOCS, 3);
	cr_assert_eq(alerts(&e), 0);
	s = h_redis_str(e.rd, "HGET peekl:site:api:loc:fra state");
	cr_assert_str_eq(s, "down");
	free(s);
	s = h_redis_str(e.rd, "HGET peekl:site:api state");
	cr_assert_str_eq(s, "up");
	free(s);

	/* Two of three: exactly one DOWN, naming them. */
	h_loc_answer(&e, "nyc", "503");
	round_of(cfg, LOCS, 3);
	round_of(cfg, LOCS, 3);
	drain(&e);
	cr_assert_eq(alerts(&e), 1);
	text = alert_text(&e, 0);
	want = h_strf("DOWN api (%s): down from 2 of 3 locations (fra, nyc): "
	    "HTTP 503", url);
	cr_assert_str_eq(text, want);
	free(text);
	free(want);
	s = h_redis_str(e.rd, "HGET peekl:site:api state");
	cr_assert_str_eq(s, "down");
	free(s);

	/* Recovery, once a quorum sees it up: exactly one UP. */
	h_loc_answer(&e, "fra", NULL);
	round_of(cfg, LOCS, 3);
	round_of(cfg, LOCS, 3);
	drain(&e);
	cr_assert_eq(alerts(&e), 2);
	text = alert_text(&e, 1);
	want = h_strf("UP api (%s): up from 2 of 3 locations (fra, sgp): "
	    "back after ", url);
	cr_assert(strncmp(text, want, strlen(want)) == 0, "%s", text);
	free(text);
	free(want);
	h_loc_answer(&e, "nyc", NULL);
	round_of(cfg, LOCS, 3);
	drain(&e);
	cr_assert_eq(alerts(&e), 2);
	free(url);
	free(cfg);
	h_env_stop(&e);
}

/* The config of NSITES sites on /loc whose requests the server holds
 * until the runs of all nlocs locations sent theirs: the runs then judge,
 * read and write at the same moment, where a race would show. The tests
 * force every check with --site; the 10 s interval only keeps each
 * location's report within the verdict's window (3 intervals) however
 * slowly a round runs (under ASan). */
#define NSITES 40
static char *
barrier_config(struct h_env *e, int nlocs, const char *extra)
{
	char	*acc, *cfg, *t, *name;

	acc = h_strf("redis:\n  port: %d\nmax_concurrency: %d\n%swebsites:\n",
	    h_redis_port(e->rd), NSITES, extra);
	for (int i = 0; i < NSITES; i++) {
		t = h_strf("%s  - url: http://127.0.0.1:%d/loc?barrier=%d&s=%d\n"
		    "    name: s%d\n    retry: 0\n    interval: 10\n"
		    "    headers: {X-Loc: \"${PEEKL_LOC_HDR}\"}\n", acc,
		    h_srv_port(e->web), nlocs * NSITES, i, i);
		free(acc);
		acc = t;
	}
	name = h_strf("barrier-%d.yaml", nlocs);
	/* Every alert counted one by one: no storm grouping. */
	cfg = h_config_named(e, name, h_strf("%salerting: {group_threshold: 0}\n"
	    "alertmanagers:\n  webhook:\n"
	    "    url: http://127.0.0.1:%d/hook\n", acc, h_srv_port(e->hook)));
	free(name);
	free(acc);
	return cfg;
}

/* Runs the first n locations at once, every site forced. */
static void
round_all(const char *cfg, size_t n)
{
	const char	*argv[3][6 + 2 * NSITES];
	char		*names[NSITES], *envs[3];
	struct h_proc	*p[3];
	struct h_run	 r;

	for (int i = 0; i < NSITES; i++)
		names[i] = h_strf("s%d", i);
	for (size_t i = 0; i < n; i++) {
		const char *env[2];
		int k = 0;

		envs[i] = h_strf("PEEKL_LOC_HDR=%s", LOCS[i]);
		env[0] = envs[i];
		env[1] = NULL;
		argv[i][k++] = "-c";
		argv[i][k++] = cfg;
		argv[i][k++] = "check";
		argv[i][k++] = "--location";
		argv[i][k++] = LOCS[i];
		for (int j = 0; j < NSITES; j++) {
			argv[i][k++] = "--site";
			argv[i][k++] = names[j];
		}
		argv[i][k] = NULL;
		p[i] = h_spawn(argv[i], env);
	}
	for (size_t i = 0; i < n; i++) {
		h_wait(p[i], &r);
		cr_assert(r.status == 0 || r.status == 2, "%s: exit %d: %s",
		    LOCS[i], r.status, r.err);
		h_run_free(&r);
		free(envs[i]);
	}
	for (int i = 0; i < NSITES; i++)
		free(names[i]);
}

Test(locations, concurrent_runs_never_alert_twice, .timeout = 240)
{
	struct h_env	 e;
	char		*cfg, *s;
	int		 changes = 0, down = 0;

	h_env_start(&e);
	cfg = barrier_config(&e, 3, "");
	/* 20 rounds of three concurrent runs; every site flips between up
	 * and down (from two locations) every other round. */
	for (int round = 0; round < 20; round++) {
		if (round > 0 && round % 2 == 0) {
			down = !down;
			changes += NSITES;
			h_loc_answer(&e, "fra", down ? "503" : NULL);
			h_loc_answer(&e, "sgp", down ? "500" : NULL);
		}
		round_all(cfg, 3);
		if (round % 2 == 1) {
			s = h_redis_str(e.rd, "HGET peekl:site:s0 state");
			cr_assert_str_eq(s, down ? "down" : "up",
			    "round %d", round);
			free(s);
			cr_assert_eq(alerts(&e), changes, "round %d: %d alerts "
			    "for %d changes", round, alerts(&e), changes);
		}
	}
	drain(&e);
	cr_assert_eq(alerts(&e), changes);
	free(cfg);
	h_env_stop(&e);
}

/* Runs fra and nyc until the webhook has n alerts, for at most 30 s. */
static int
run_until_alerts(struct h_env *e, const char *cfg, int n)
{
	double	deadline = h_now_ms() + 30000;

	while (h_now_ms() < deadline) {
		round_all(cfg, 2);
		drain(e);
		if (alerts(e) >= n)
			return 1;
		/* A poll interval, not a guess: the loop ends on the alert. */
		nanosleep(&(struct timespec){ 0, 200000000L }, NULL);
	}
	return 0;
}

Test(locations, silent_location_down_once_up_once, .timeout = 120)
{
	struct h_env	 e;
	char		*cfg, *cfg2, *text, *s;

	h_env_start(&e);
	/* The server answers each round's runs together (see
	 * barrier_config): two at a time while sgp is silent. */
	cfg = barrier_config(&e, 3, "location_timeout: 5s\n");
	cfg2 = barrier_config(&e, 2, "location_timeout: 5s\n");
	round_all(cfg, 3);
	s = h_redis_str(e.rd, "HGET peekl:location:sgp version");
	cr_assert_not_null(s);
	free(s);
	s = h_redis_str(e.rd, "HGET peekl:location:sgp host");
	cr_assert_not_null(s);
	free(s);

	/* sgp stops; fra and nyc go on and notice, once. */
	cr_assert(run_until_alerts(&e, cfg2, 1), "no DOWN location alert");
	round_all(cfg2, 2);
	round_all(cfg2, 2);
	drain(&e);
	cr_assert_eq(alerts(&e), 1, "%s", h_webhook_count(e.hook, 200) > 1 ?
	    alert_text(&e, 1) : "");
	text = alert_text(&e, 0);
	cr_assert(strncmp(text, "DOWN location sgp: no run for ", 30) == 0,
	    "%s", text);
	free(text);

	/* sgp comes back: one UP, whoever runs next. */
	round_all(cfg, 3);
	round_all(cfg, 3);
	drain(&e);
	cr_assert_eq(alerts(&e), 2);
	text = alert_text(&e, 1);
	cr_assert(strncmp(text, "UP location sgp: running again after ",
	    37) == 0, "%s", text);
	free(text);
	free(cfg);
	free(cfg2);
	h_env_stop(&e);
}

/* Returns how often needle occurs in hay. */
static int
count(const char *hay, const char *needle)
{
	int	n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

Test(locations, keys_series_and_documents, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*cfg, *s;
	const char	*env[] = { "PEEKL_LOC_HDR=fra", NULL };
	redisReply	*x;

	h_env_start(&e);
	cfg = loc_config(&e, "");
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--location", "fra",
	    "--json", NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "\"location\":\"fra\""), "%s", r.out);
	h_run_free(&r);
	s = h_redis_str(e.rd, "HGET peekl:site:api:loc:fra state");
	cr_assert_str_eq(s, "up");
	free(s);
	/* The stream entry says which location measured it. */
	x = h_redis_cmd(e.rd, "XRANGE peekl:history:api - +");
	cr_assert_eq(x->type, REDIS_REPLY_ARRAY);
	cr_assert_eq(x->elements, 1);
	{
		const redisReply *f = x->element[0]->element[1];
		int found = 0;

		for (size_t i = 0; i + 1 < f->elements; i += 2)
			if (strcmp(f->element[i]->str, "location") == 0 &&
			    strcmp(f->element[i + 1]->str, "fra") == 0)
				found = 1;
		cr_assert(found, "no location field");
	}
	freeReplyObject(x);

	/* history shows a location what it measured. */
	{
		const char *envn[] = { "PEEKL_LOC_HDR=nyc", NULL };
		const char *envh[] = { "PEEKL_LOC_HDR=x", "PEEKL_LOCATION=nyc",
		    NULL };
		const char *envall[] = { "PEEKL_LOC_HDR=x", "PEEKL_LOCATION",
		    NULL };

		h_run(&r, (const char *[]){ "-c", cfg, "check", "--location",
		    "nyc", NULL }, envn);
		h_run_free(&r);
		h_run(&r, (const char *[]){ "-c", cfg, "history", "--site",
		    "api", "--json", NULL }, envh);
		cr_assert_eq(r.status, 0, "%s", r.err);
		cr_assert_eq(count(r.out, "\"t\":"), 1, "%s", r.out);
		h_run_free(&r);
		h_run(&r, (const char *[]){ "-c", cfg, "history", "--site",
		    "api", "--json", NULL }, envall);
		cr_assert_eq(count(r.out, "\"t\":"), 2, "%s", r.out);
		h_run_free(&r);
	}

	/* status shows the verdict and each location. */
	h_run(&r, (const char *[]){ "-c", cfg, "status", "--json", NULL },
	    env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(strstr(r.out, "\"locations\":{\"fra\":{\"state\":"
	    "\"up\",\"failures\":0,\"http_code\":200,"), "%s", r.out);
	h_run_free(&r);
	h_run(&r, (const char *[]){ "-c", cfg, "status", NULL }, env);
	cr_assert_not_null(strstr(r.out, "\n  @fra  up"), "%s", r.out);
	h_run_free(&r);
	free(cfg);
	h_env_stop(&e);
}

Test(locations, precedence_config_env_cli, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*cfg;
	const char	*env[] = { "PEEKL_LOC_HDR=fra", "PEEKL_LOCATION", NULL };
	const char	*envl[] = { "PEEKL_LOC_HDR=fra", "PEEKL_LOCATION=nyc",
			    NULL };

	h_env_start(&e);
	cfg = loc_config(&e, "location: fra\n");
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--json", NULL }, env);
	cr_assert_not_null(strstr(r.out, "\"location\":\"fra\""), "%s", r.out);
	h_run_free(&r);
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--json", "--site",
	    "api", NULL }, envl);
	cr_assert_not_null(strstr(r.out, "\"location\":\"nyc\""), "%s", r.out);
	h_run_free(&r);
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--json", "--site",
	    "api", "--location", "sgp", NULL }, envl);
	cr_assert_not_null(strstr(r.out, "\"location\":\"sgp\""), "%s", r.out);
	h_run_free(&r);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:site:api:loc:fra "
	    "peekl:site:api:loc:nyc peekl:site:api:loc:sgp"), 3);
	/* A name that cannot be a key part is refused. */
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "check",
	    "--location", "a:b", NULL }, env), 3);
	cr_assert_not_null(strstr(r.err, "--location: \"a:b\" is not a "
	    "location name"), "%s", r.err);
	h_run_free(&r);
	free(cfg);
	h_env_stop(&e);
}

Test(locations, without_a_location_keys_are_unchanged, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*cfg, *s;
	const char	*env[] = { "PEEKL_LOC_HDR=fra", "PEEKL_LOCATION", NULL };

	h_env_start(&e);
	cfg = loc_config(&e, "");
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--json", NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_null(strstr(r.out, "\"location\""), "%s", r.out);
	h_run_free(&r);
	s = h_redis_str(e.rd, "HGET peekl:site:api state");
	cr_assert_str_eq(s, "up");
	free(s);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:site:api:loc:default"),
	    0);
	/* The heartbeat is written all the same, as "default". */
	s = h_redis_str(e.rd, "HGET peekl:location:default last_run");
	cr_assert_not_null(s);
	free(s);
	cr_assert_eq(h_redis_int(e.rd, "SISMEMBER peekl:locations default"),
	    1);
	free(cfg);
	h_env_stop(&e);
}

Test(locations, timeseries_keys_and_labels, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*cfg;
	const char	*env[] = { "PEEKL_LOC_HDR=nyc", NULL };
	redisReply	*x;

	if (h_env_start_ts(&e) == -1)
		cr_skip("RedisTimeSeries module not available (set "
		    "PEEKL_TEST_TS_MODULE)");
	cfg = loc_config(&e, "");
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--location", "nyc",
	    NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	h_run_free(&r);
	x = h_redis_cmd(e.rd, "TS.QUERYINDEX location=nyc metric=up");
	cr_assert_eq(x->type, REDIS_REPLY_ARRAY, "%s", x->str);
	cr_assert_eq(x->elements, 1);
	cr_assert_str_eq(x->element[0]->str, "peekl:ts:api:up:nyc");
	freeReplyObject(x);
	free(cfg);
	h_env_stop(&e);
}

Test(locations, idle_runs_heartbeat_and_dry_runs_write_nothing,
    .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*cfg, *s1, *s2;
	const char	*env[] = { "PEEKL_LOC_HDR=fra", NULL };
	long long	 keys;

	h_env_start(&e);
	cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: http://127.0.0.1:%d/loc\n    name: api\n"
	    "    interval: 1h\n    headers: {X-Loc: fra}\n",
	    h_redis_port(e.rd), h_srv_port(e.web));
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--location", "fra",
	    NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	h_run_free(&r);
	s1 = h_redis_str(e.rd, "HGET peekl:location:fra last_run");
	/* Nothing is due for an hour: the run still says it ran. */
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--location", "fra",
	    NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(h_srv_hits(e.web, "/loc"), 1);
	h_run_free(&r);
	s2 = h_redis_str(e.rd, "HGET peekl:location:fra last_run");
	cr_assert_not_null(s1);
	cr_assert_not_null(s2);
	cr_assert(strtoll(s2, NULL, 10) > strtoll(s1, NULL, 10), "%s %s",
	    s1, s2);
	free(s1);
	free(s2);

	/* A dry run of another location reads, and writes nothing. */
	keys = h_redis_int(e.rd, "DBSIZE");
	h_run(&r, (const char *[]){ "-c", cfg, "check", "--location", "nyc",
	    "--dry-run", "--site", "api", NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_redis_int(e.rd, "DBSIZE"), keys);
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:location:nyc"), 0);
	free(cfg);
	h_env_stop(&e);
}

Test(locations, certificate_verdict_has_its_own_quorum, .timeout = 60)
{
	struct h_env	 e;
	char		*cfg, *ca, *text, *want, *s;

	memset(&e, 0, sizeof(e));
	e.rd = h_redis_start();
	e.web = h_srv_start((const char *[]){ "--tls", "--days-left", "3",
	    NULL });
	e.hook = h_webhook_start();
	e.d = h_dir_new();
	ca = h_srv_file(e.web, "ca.pem");
	cfg = h_config_named(&e, "cert.yaml", h_strf("redis:\n  port: %d\n"
	    "quorum: 2\nwebsites:\n  - url: https://localhost:%d/loc\n"
	    "    name: api\n    certificate_monitoring: true\n"
	    "    ca_file: %s\n    headers: {X-Loc: \"${PEEKL_LOC_HDR}\"}\n"
	    "alertmanagers:\n  webhook:\n    url: http://127.0.0.1:%d/hook\n",
	    h_redis_port(e.rd), h_srv_port(e.web), ca, h_srv_port(e.hook)));

	/* One location alone is below the quorum of 2. */
	round_of(cfg, LOCS, 1);
	drain(&e);
	cr_assert_eq(alerts(&e), 0);
	s = h_redis_str(e.rd, "HGET peekl:site:api:loc:fra cert_state");
	cr_assert_str_eq(s, "critical");
	free(s);
	/* The second one makes it critical, once; the third adds nothing. */
	round_of(cfg, LOCS + 1, 1);
	round_of(cfg, LOCS + 2, 1);
	drain(&e);
	cr_assert_eq(alerts(&e), 1);
	text = alert_text(&e, 0);
	want = h_strf("CRITICAL api (https://localhost:%d/loc): critical from "
	    "2 of 2 locations (fra, nyc): certificate expires in 3 days",
	    h_srv_port(e.web));
	cr_assert(strncmp(text, want, strlen(want)) == 0, "%s", text);
	free(want);
	free(text);
	s = h_redis_str(e.rd, "HGET peekl:site:api cert_state");
	cr_assert_str_eq(s, "critical");
	free(s);
	/* The verdict's change is the incident, with what its alert says. */
	{
		struct h_run	 r;
		json_t		*doc, *in;
		const char	*env[] = { "PEEKL_LOC_HDR=x", NULL };

		h_run(&r, (const char *[]){ "-c", cfg, "incidents", "--json",
		    NULL }, env);
		cr_assert_eq(r.status, 0, "%s", r.err);
		cr_assert_not_null(doc = json_loads(r.out, 0, NULL), "%s",
		    r.out);
		in = json_array_get(json_object_get(doc, "incidents"), 0);
		cr_assert_str_eq(json_string_value(json_object_get(in, "kind")),
		    "cert", "%s", r.out);
		cr_assert_str_eq(json_string_value(json_object_get(in, "to")),
		    "critical", "%s", r.out);
		cr_assert_str_eq(json_string_value(json_object_get(in,
		    "reason")), "certificate expires in 3 days", "%s", r.out);
		json_decref(doc);
		h_run_free(&r);
	}
	free(ca);
	free(cfg);
	h_env_stop(&e);
}

Test(locations, leases_are_the_locations_own, .timeout = 60)
{
	struct h_env	 e;
	struct h_proc	*p;
	struct h_run	 r;
	char		*cfg;
	double		 deadline;
	int		 seen = 0;

	h_env_start(&e);
	cfg = h_config_named(&e, "slow.yaml", h_strf("redis:\n  port: %d\n"
	    "websites:\n  - url: http://127.0.0.1:%d/slow/2000\n"
	    "    name: api\n", h_redis_port(e.rd), h_srv_port(e.web)));
	p = h_spawn((const char *[]){ "-c", cfg, "check", "--location", "fra",
	    NULL }, NULL);
	/* While the check runs, the lease is fra's. */
	deadline = h_now_ms() + 10000;
	while (!seen && h_now_ms() < deadline) {
		seen = h_redis_int(e.rd, "EXISTS peekl:lease:api:http:fra") == 1;
		if (!seen)
			nanosleep(&(struct timespec){ 0, 20000000L }, NULL);
	}
	cr_assert(seen, "no lease peekl:lease:api:http:fra");
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:lease:api:http"), 0);
	h_wait(p, &r);
	cr_assert_eq(r.status, 0, "%s", r.err);
	h_run_free(&r);
	/* Released at the end, with the verdict's. */
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:lease:api:http:fra "
	    "peekl:lease:api:verdict"), 0);
	free(cfg);
	h_env_stop(&e);
}

/* The incident i of `incidents --json`'s array, as "from>to|reason". */
static char *
incident_at(json_t *arr, size_t i)
{
	json_t	*in = json_array_get(arr, i);

	cr_assert_not_null(in, "no incident %zu", i);
	return h_strf("%s>%s|%s",
	    json_string_value(json_object_get(in, "from")),
	    json_string_value(json_object_get(in, "to")),
	    json_string_value(json_object_get(in, "reason")));
}

Test(locations, incidents_are_the_verdicts_changes, .timeout = 120)
{
	struct h_env	 e;
	struct h_run	 r;
	json_t		*doc, *arr;
	json_error_t	 je;
	char		*cfg, *s, *got;
	long long	 down_since;
	const char	*env[] = { "PEEKL_LOC_HDR=x", NULL };
	static const char *const want[] = {
		"down>up|", "up>down|HTTP 503", "unknown>up|",
	};

	h_env_start(&e);
	cfg = loc_config(&e, "");
	/* One location after another, so every run decides in turn. */
	for (size_t i = 0; i < 3; i++)
		round_of(cfg, LOCS + i, 1);
	/* fra alone down changes fra, not the verdict: no incident. */
	h_loc_answer(&e, "fra", "503");
	round_of(cfg, LOCS, 1);
	s = h_redis_str(e.rd, "HGET peekl:site:api:loc:fra state");
	cr_assert_str_eq(s, "down");
	free(s);
	cr_assert_eq(h_redis_int(e.rd, "XLEN peekl:incidents:api"), 1);
	/* nyc makes it 2 of 3: the verdict goes down, at its own since. */
	h_loc_answer(&e, "nyc", "503");
	round_of(cfg, LOCS + 1, 1);
	s = h_redis_str(e.rd, "HGET peekl:site:api since");
	down_since = atoll(s);
	free(s);
	round_of(cfg, LOCS + 2, 1);
	/* fra back: 1 of 3 down, the verdict is up again; nyc, still down,
	 * changes nothing. */
	h_loc_answer(&e, "fra", NULL);
	round_of(cfg, LOCS, 1);
	round_of(cfg, LOCS + 1, 1);
	s = h_redis_str(e.rd, "HGET peekl:site:api state");
	cr_assert_str_eq(s, "up");
	free(s);

	h_run(&r, (const char *[]){ "-c", cfg, "incidents", "--json", NULL },
	    env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(doc = json_loads(r.out, 0, &je), "%s", r.out);
	arr = json_object_get(doc, "incidents");
	cr_assert_eq(json_array_size(arr), 3, "%s", r.out);
	for (size_t i = 0; i < 3; i++) {
		got = incident_at(arr, i);
		cr_assert_str_eq(got, want[i], "incident %zu: %s", i, r.out);
		free(got);
	}
	cr_assert_eq((long long)(json_real_value(json_object_get(
	    json_array_get(arr, 1), "t")) * 1000.0 + 0.5), down_since, "%s",
	    r.out);
	json_decref(doc);
	h_run_free(&r);
	free(cfg);
	h_env_stop(&e);
}

/* The labels of TS.INFO reply info, as "name=value,..." (malloc'd). */
static char *
ts_labels(redisReply *info)
{
	char	*out = strdup(""), *next;

	cr_assert_eq(info->type, REDIS_REPLY_ARRAY);
	for (size_t i = 0; i + 1 < info->elements; i += 2) {
		redisReply *l = info->element[i + 1];

		if (strcmp(info->element[i]->str, "labels") != 0)
			continue;
		for (size_t j = 0; j < l->elements; j++) {
			next = h_strf("%s%s=%s,", out,
			    l->element[j]->element[0]->str,
			    l->element[j]->element[1]->str);
			free(out);
			out = next;
		}
	}
	return out;
}

/*
 * RedisTimeSeries with long retention and locations: every location's
 * raw series and compactions are its own (key and label), and a host
 * without a location reads history and reports across all of them.
 */
Test(locations, compactions_per_location_read_across_locations,
    .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*cfg, *s;
	json_t		*doc, *pts, *site;
	double		 checks = 0, up = 0;
	const char	*env[] = { "PEEKL_LOC_HDR=x", "PEEKL_LOCATION", NULL };
	redisReply	*x;

	if (h_env_start_ts(&e) == -1)
		cr_skip("RedisTimeSeries module not available (set "
		    "PEEKL_TEST_TS_MODULE)");
	cfg = loc_config(&e, "  retention: {raw: 1h}\n");
	h_loc_answer(&e, "nyc", "503");
	round_of(cfg, LOCS, 1);
	round_of(cfg, LOCS + 1, 1);
	for (size_t i = 0; i < 2; i++) {
		char	*want = h_strf("location=%s,", LOCS[i]);

		x = h_redis_cmd(e.rd, "TS.INFO peekl:ts:api:up:%s", LOCS[i]);
		s = ts_labels(x);
		freeReplyObject(x);
		cr_assert_not_null(strstr(s, want), "%s", s);
		free(s);
		x = h_redis_cmd(e.rd, "TS.INFO peekl:ts:api:up:%s:1h",
		    LOCS[i]);
		s = ts_labels(x);
		freeReplyObject(x);
		cr_assert_not_null(strstr(s, want), "%s", s);
		cr_assert_not_null(strstr(s, "resolution=1h,"), "%s", s);
		free(s);
		free(want);
		cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:ts:api:up:%s:1d",
		    LOCS[i]), 1);
	}
	cr_assert_eq(h_redis_int(e.rd, "EXISTS peekl:ts:api:up:1h "
	    "peekl:ts:api:up"), 0);

	/* Raw points: both locations' checks. */
	h_run(&r, (const char *[]){ "-c", cfg, "history", "--site", "api",
	    "--since", "30m", "--json", NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(doc = json_loads(r.out, 0, NULL), "%s", r.out);
	cr_assert_eq(json_array_size(json_object_get(doc, "points")), 2, "%s",
	    r.out);
	json_decref(doc);
	h_run_free(&r);
	/* Hourly compactions, each location's hour: one up, one down. */
	h_run(&r, (const char *[]){ "-c", cfg, "history", "--site", "api",
	    "--since", "2h", "--json", NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(doc = json_loads(r.out, 0, NULL), "%s", r.out);
	pts = json_object_get(doc, "points");
	cr_assert_geq(json_array_size(pts), 1, "%s", r.out);
	for (size_t i = 0; i < json_array_size(pts); i++) {
		json_t *p = json_array_get(pts, i);
		double	n = (double)json_integer_value(json_object_get(p,
			    "checks"));

		checks += n;
		up += n * json_number_value(json_object_get(p, "up"));
	}
	cr_assert_float_eq(checks, 2.0, 1e-9, "%s", r.out);
	cr_assert_float_eq(up, 1.0, 1e-9, "%s", r.out);
	json_decref(doc);
	h_run_free(&r);
	h_run(&r, (const char *[]){ "-c", cfg, "report", "--since", "2h",
	    "--json", NULL }, env);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not_null(doc = json_loads(r.out, 0, NULL), "%s", r.out);
	site = json_array_get(json_object_get(doc, "sites"), 0);
	cr_assert(json_is_number(json_object_get(site, "p50_ms")), "%s",
	    r.out);
	json_decref(doc);
	h_run_free(&r);
	free(cfg);
	h_env_stop(&e);
}
