/* `peekl metrics` and `check --metrics FILE` as an operator meets them:
 * golden output on a seeded Redis, promtool's verdict, hostile names,
 * the atomic file and its errors. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

/* A site named with everything that needs escaping somewhere. */
#define EVIL "<script>alert(\"x\")</script> back\\slash"

static int
run(struct h_run *r, const char *const argv[])
{
	return h_run(r, argv, (const char *[]){ "PEEKL_CONFIG", NULL });
}

/* Four sites: one up with a certificate warning, one down with a hostile
 * name, a TLS endpoint with a certificate only, one never checked; and
 * two alerts waiting for Slack. */
static char *
seed(struct h_redis *rd, struct h_dir *d)
{
	redisReply	*r;

	r = h_redis_cmd(rd, "HSET peekl:site:api state up failures 0 "
	    "last_check 1764547200123 since 1764500000000 http_code 200 "
	    "response_ms 41.250 cert_state warning cert_last_check "
	    "1764547200456 cert_days_left 12 cert_not_after "
	    "2026-12-13T00:00:00Z");
	freeReplyObject(r);
	r = h_redis_cmd(rd, "HSET %s state down failures 3 last_check "
	    "1764547200000 since 1764540000000 http_code 0 response_ms "
	    "10000.000 error timeout", "peekl:site:" EVIL);
	freeReplyObject(r);
	r = h_redis_cmd(rd, "HSET peekl:site:mail cert_state ok "
	    "cert_last_check 1764547200000 cert_days_left 80 cert_not_after "
	    "2027-02-19T00:00:00Z");
	freeReplyObject(r);
	r = h_redis_cmd(rd, "RPUSH peekl:alerts:slack one two");
	freeReplyObject(r);
	return h_configf(d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: https://api.example.com/health\n    name: api\n"
	    "    certificate_monitoring: yes\n"
	    "  - url: https://x.example.com/\n"
	    "    name: '<script>alert(\"x\")</script> back\\slash'\n"
	    "  - url: tls://mail.example.com:993\n    name: mail\n"
	    "    certificate_monitoring: yes\n"
	    "  - url: https://new.example.com/\n    name: new\n"
	    "alertmanagers:\n  slack:\n"
	    "    webhook: https://hooks.slack.com/services/T0/B0/XX\n",
	    h_redis_port(rd));
}

/* Compares got with tests/golden/name; PEEKL_GOLDEN_UPDATE rewrites it. */
static void
golden(const char *name, const char *got)
{
	const char	*dir = getenv("PEEKL_GOLDEN_DIR");
	char		*path, *want;
	FILE		*f;

	path = h_strf("%s/%s", dir ? dir : "tests/golden", name);
	if (getenv("PEEKL_GOLDEN_UPDATE") != NULL) {
		cr_assert_not_null(f = fopen(path, "w"), "cannot write %s", path);
		fputs(got, f);
		fclose(f);
		free(path);
		return;
	}
	want = h_read_file(path);
	cr_assert_not_null(want, "cannot read %s (run from the repository "
	    "root)", path);
	cr_assert_str_eq(got, want, "%s differs:\nwant:\n%s\ngot:\n%s", path,
	    want, got);
	free(want);
	free(path);
}

/* Returns how many entries dir holds besides . and .. */
static int
dir_entries(const char *dir)
{
	DIR		*dp = opendir(dir);
	struct dirent	*de;
	int		 n = 0;

	cr_assert_not_null(dp, "%s", dir);
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

Test(metrics, golden_on_seeded_state_and_same_file)
{
	struct h_redis	*rd = h_redis_start();
	struct h_dir	*d = h_dir_new(), *out = h_dir_new();
	char		*cfg = seed(rd, d), *file, *text;
	struct h_run	 r, rf;
	struct stat	 sb;

	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "metrics", NULL }),
	    0, "%s", r.err);
	golden("metrics_seeded.prom", r.out);
	/* The webhook URL is a secret: never in the output. */
	cr_assert_null(strstr(r.out, "hooks.slack.com"));
	file = h_path(out, "peekl.prom");
	cr_assert_eq(run(&rf, (const char *[]){ "-c", cfg, "metrics", "--out",
	    file, NULL }), 0, "%s", rf.err);
	cr_assert_str_eq(rf.out, "");
	text = h_read_file(file);
	cr_assert_str_eq(text, r.out);
	cr_assert_eq(stat(file, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0644);
	/* Written again over itself, and no temporary file left behind. */
	h_run_free(&rf);
	cr_assert_eq(run(&rf, (const char *[]){ "-c", cfg, "metrics",
	    "--out=" , NULL }), 3);
	h_run_free(&rf);
	cr_assert_eq(run(&rf, (const char *[]){ "-c", cfg, "metrics", "--out",
	    file, NULL }), 0, "%s", rf.err);
	cr_assert_eq(dir_entries(h_dir_path(out)), 1);
	free(text);
	h_run_free(&rf);
	h_run_free(&r);
	free(file);
	free(cfg);
	h_dir_free(out);
	h_dir_free(d);
	h_redis_stop(rd);
}

/* promtool's only remark is the base-unit lint the spec allows. */
Test(metrics, promtool_accepts_it)
{
	char		*promtool = h_which("promtool");
	struct h_redis	*rd;
	struct h_dir	*d;
	char		*cfg, *file, *cmd;
	struct h_run	 r;

	if (promtool == NULL)
		cr_skip_test("skipped: promtool is not installed (Debian package "
		    "prometheus: sh scripts/deps.sh promtool)");
	rd = h_redis_start();
	d = h_dir_new();
	cfg = seed(rd, d);
	file = h_path(d, "m.prom");
	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "metrics", "--out",
	    file, NULL }), 0, "%s", r.err);
	h_run_free(&r);
	cmd = h_strf("'%s' check metrics < '%s' 2>&1", promtool, file);
	h_run_bin(&r, "sh", (const char *[]){ "-c", cmd, NULL }, NULL);
	/* Exit 3 is promtool's "lint problems", 0 none; 1 is invalid. */
	cr_assert(r.status == 0 || r.status == 3, "promtool: %d %s", r.status,
	    r.out);
	cr_assert_str_eq(r.out, r.status == 0 ? "" : "peekl_cert_days_left "
	    "use base unit \"seconds\" instead of \"days\"\n", "promtool: %s",
	    r.out);
	h_run_free(&r);
	free(cmd);
	free(file);
	free(cfg);
	free(promtool);
	h_dir_free(d);
	h_redis_stop(rd);
}

/* After real checks: one site up, one down, the file written after the
 * run, the exit status still the run's. */
Test(metrics, check_writes_the_file_after_the_run)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*ok, *bad, *cfg, *file, *text;

	h_env_start(&e);
	ok = h_srv_url(e.web, "ok");
	bad = h_srv_url(e.web, "status/503");
	cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: %s\n    name: api\n"
	    "  - url: %s\n    name: broken\n    retry: 0\n",
	    h_redis_port(e.rd), ok, bad);
	file = h_path(e.d, "peekl.prom");
	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "check", "--metrics",
	    file, NULL }), 2, "%s", r.err);
	text = h_read_file(file);
	cr_assert_not_null(text, "no metrics file; stderr: %s", r.err);
	cr_assert_not_null(strstr(text, "peekl_up{site=\"api\"} 1\n"), "%s",
	    text);
	cr_assert_not_null(strstr(text, "peekl_up{site=\"broken\"} 0\n"), "%s",
	    text);
	cr_assert_not_null(strstr(text,
	    "peekl_http_status_code{site=\"broken\"} 503\n"), "%s", text);
	cr_assert_not_null(strstr(text,
	    "peekl_http_state{site=\"api\",state=\"up\"} 1\n"), "%s", text);
	free(text);
	h_run_free(&r);
	free(file);
	free(cfg);
	free(ok);
	free(bad);
	h_env_stop(&e);
}

/* A file that cannot be written is exit 3 with its path named; the
 * run's results are recorded all the same. */
Test(metrics, unwritable_file_is_exit_3)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*ok, *cfg, *file, *state;

	h_env_start(&e);
	ok = h_srv_url(e.web, "ok");
	cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: %s\n    name: api\n", h_redis_port(e.rd), ok);
	file = h_path(e.d, "missing-dir/peekl.prom");
	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "metrics", "--out",
	    file, NULL }), 3);
	cr_assert_not_null(strstr(r.err, "missing-dir"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "check", "--metrics",
	    file, NULL }), 3);
	cr_assert_not_null(strstr(r.err, "missing-dir"), "%s", r.err);
	state = h_redis_str(e.rd, "HGET peekl:site:api state");
	cr_assert_str_eq(state, "up");
	free(state);
	h_run_free(&r);
	free(file);
	free(cfg);
	free(ok);
	h_env_stop(&e);
}

/* Replaces the value of every peekl_response_seconds sample (a measured
 * time) with "X", in place. */
static void
mask_response_times(char *text)
{
	for (char *p = text; (p = strstr(p, "\npeekl_response_seconds{")) != NULL;
	    p++) {
		char *nl = strchr(p + 1, '\n'), *sp;

		cr_assert_not_null(nl);
		/* The value follows the line's last space (names may hold
		 * spaces, values never do). */
		sp = memrchr(p + 1, ' ', (size_t)(nl - p - 1));
		cr_assert_not_null(sp);
		sp[1] = 'X';
		memmove(sp + 2, nl, strlen(nl) + 1);
	}
}

/* After real checks at a pinned instant: up, down with a hostile name,
 * degraded, and two alerts the webhook refused still queued. */
Test(metrics, golden_after_real_runs)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*ok, *bad, *slow, *hook, *cfg, *v;
	double		 secs;

	h_env_start(&e);
	ok = h_srv_url(e.web, "ok");
	bad = h_srv_url(e.web, "status/503");
	slow = h_srv_url(e.web, "slow/400");
	hook = h_srv_url(e.hook, "hook");
	cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: %s\n    name: api\n"
	    "  - url: %s\n    name: '" EVIL "'\n    retry: 0\n"
	    "  - url: %s\n    name: slowpoke\n    slow: 300ms\n    retry: 0\n"
	    "alertmanagers:\n  webhook:\n    url: %s\n",
	    h_redis_port(e.rd), ok, bad, slow, hook);
	h_webhook_respond(e.hook, "500");
	/* 2026-01-01T00:00:00Z */
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "check", NULL },
	    (const char *[]){ "PEEKL_CONFIG", "PEEKL_TEST_NOW_MS=1767225600000",
	    NULL }), 2, "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "metrics", NULL },
	    (const char *[]){ "PEEKL_CONFIG", NULL }), 0, "%s", r.err);
	/* slow/400 answers after 400 ms: seconds, not milliseconds. */
	v = strstr(r.out, "peekl_response_seconds{site=\"slowpoke\"} ");
	cr_assert_not_null(v, "%s", r.out);
	secs = strtod(v + strlen("peekl_response_seconds{site=\"slowpoke\"} "),
	    NULL);
	cr_assert(secs >= 0.4 && secs < 10, "%f", secs);
	mask_response_times(r.out);
	golden("metrics_after_runs.prom", r.out);
	h_run_free(&r);
	free(cfg);
	free(hook);
	free(slow);
	free(bad);
	free(ok);
	h_env_stop(&e);
}
