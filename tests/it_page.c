/*
 * `peekl page` and `check --page DIR` as an operator meets them: Redis
 * seeded by real `peekl check` runs against the loopback servers at
 * pinned instants (PEEKL_TEST_NOW_MS), then the files the page command
 * writes: uptime figures, the 90-day bar, incidents, escaping in the page,
 * status.json and the badges; tidy on the HTML and a headless chromium
 * rendering it, each skipped with a message when not installed.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "harness.h"
#include "png.h"

#define EVIL	"<script>alert(\"x\")</script> back\\slash"
#define EVIL_HTML "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; back\\slash"
#define EVIL_FILE "_3Cscript_3Ealert_28_22x_22_29_3C_2Fscript_3E_20back_5Cslash"
#define MIN_MS	(60LL * 1000)
#define DAY_MS	(86400LL * 1000)

/* The seeded world: a Redis, a web server, a TLS server with a
 * certificate 20 days from expiry, and "now" for the page. */
struct seeded {
	struct h_redis	*rd;
	struct h_srv	*web;
	struct h_srv	*tls;
	struct h_dir	*d;
	int64_t		 now;
	char		*cfg;		/* the last config written */
	char		*out;		/* DIR for the page */
};

/* Writes the config with the hostile site's URL path and slowpoke's. */
static void
seeded_config(struct seeded *s, const char *evil_path, const char *slow_path)
{
	char	*ok = h_srv_url(s->web, "ok"), *evil = h_srv_url(s->web,
		    evil_path), *slow = h_srv_url(s->web, slow_path);
	char	*tls = h_srv_url(s->tls, "ok"), *ca = h_srv_file(s->tls,
		    "ca.pem");

	free(s->cfg);
	s->cfg = h_configf(s->d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: %s\n    name: api\n"
	    "  - url: %s\n    name: '" EVIL "'\n    retry: 0\n"
	    "  - url: %s\n    name: slowpoke\n%s    retry: 0\n"
	    "  - url: %s\n    name: secure\n    ca_file: %s\n"
	    "    certificate_monitoring: yes\n"
	    "    certificate_monitoring_interval: 1\n",
	    h_redis_port(s->rd), ok, evil, slow,
	    /* Only the slow run judges speed, so a busy machine (or
	     * valgrind) cannot make another run's check slow. */
	    strcmp(slow_path, "ok") != 0 ? "    slow: 300ms\n" : "", tls, ca);
	free(ok);
	free(evil);
	free(slow);
	free(tls);
	free(ca);
}

/* Runs peekl with "now" pinned at t; returns its exit status. */
static int
run_at(struct h_run *r, int64_t t, const char *const argv[])
{
	char	pin[64];

	snprintf(pin, sizeof(pin), "PEEKL_TEST_NOW_MS=%lld", (long long)t);
	return h_run(r, argv, (const char *[]){ "PEEKL_CONFIG", pin, NULL });
}

/* One `check` at t with the given paths. */
static void
check_at(struct seeded *s, int64_t t, const char *evil_path,
    const char *slow_path)
{
	struct h_run	r;

	seeded_config(s, evil_path, slow_path);
	run_at(&r, t, (const char *[]){ "-c", s->cfg, "check", NULL });
	cr_assert(r.status >= 0 && r.status <= 2, "check: %d %s", r.status,
	    r.err);
	h_run_free(&r);
}

/*
 * now is noon UTC of the latest day whose noon has passed, so every run
 * (from two hours before it) falls in one UTC day and before the real
 * clock (history streams are read by their real-time IDs). The hostile
 * site is first checked at now-120m, down from now-90m to now-80m, and
 * down again from now-1m; slowpoke is degraded from now-60m to now-50m.
 */
static void
seeded_start(struct seeded *s)
{
	struct timespec	ts;
	int64_t		real;

	memset(s, 0, sizeof(*s));
	clock_gettime(CLOCK_REALTIME, &ts);
	real = (int64_t)ts.tv_sec * 1000;
	s->now = (real - DAY_MS / 2) / DAY_MS * DAY_MS + DAY_MS / 2;
	s->rd = h_redis_start();
	s->web = h_srv_start((const char *[]){ NULL });
	s->tls = h_srv_start((const char *[]){ "--tls", "--days-left", "20",
	    NULL });
	s->d = h_dir_new();
	s->out = h_path(s->d, "www");
	check_at(s, s->now - 120 * MIN_MS, "ok", "ok");
	check_at(s, s->now - 90 * MIN_MS, "status/503", "ok");
	check_at(s, s->now - 80 * MIN_MS, "ok", "ok");
	check_at(s, s->now - 60 * MIN_MS, "ok", "slow/400");
	check_at(s, s->now - 50 * MIN_MS, "ok", "ok");
	check_at(s, s->now - 1 * MIN_MS, "status/500", "ok");
}

static void
seeded_stop(struct seeded *s)
{
	free(s->cfg);
	free(s->out);
	h_dir_free(s->d);
	h_srv_stop(s->tls);
	h_srv_stop(s->web);
	h_redis_stop(s->rd);
}

/* Runs `page --out DIR --title T` at s->now; returns index.html. */
static char *
make_page(struct seeded *s)
{
	struct h_run	 r;
	char		*path, *html;

	cr_assert_eq(run_at(&r, s->now, (const char *[]){ "-c", s->cfg,
	    "page", "--out", s->out, "--title", "Acme <status> & co", NULL }),
	    0, "page: %s", r.err);
	cr_assert_str_eq(r.out, "");
	h_run_free(&r);
	path = h_strf("%s/index.html", s->out);
	html = h_read_file(path);
	cr_assert_not_null(html, "no %s", path);
	free(path);
	return html;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t	n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Returns the site object of status.json called name. */
static json_t *
status_site(json_t *doc, const char *name)
{
	size_t	 i;
	json_t	*o;

	json_array_foreach(json_object_get(doc, "sites"), i, o)
		if (strcmp(json_string_value(json_object_get(o, "site")),
		    name) == 0)
			return o;
	cr_assert_fail("no site %s in status.json", name);
	return NULL;
}

Test(page, what_the_page_shows_after_real_runs)
{
	struct seeded	 s;
	char		*html, *path, *text, day[16], *want;
	json_t		*doc, *o, *st;
	struct h_run	 r;
	size_t		 i;
	time_t		 t;
	struct tm	 tm;

	seeded_start(&s);
	html = make_page(&s);
	/* The headline, the title and every site, names escaped. */
	cr_assert_not_null(strstr(html, "id=\"headline\">1 site down</p>"),
	    "%s", html);
	cr_assert_not_null(strstr(html, "<title>Acme &lt;status&gt; &amp; co"
	    "</title>"));
	cr_assert_not_null(strstr(html, "<h2 class=\"name\">" EVIL_HTML
	    "</h2>"));
	cr_assert_null(strstr(html, "<script"), "an unescaped name");
	cr_assert_null(strstr(html, "alert(\"x\")"), "an unescaped quote");
	cr_assert_eq(count(html, "<section class=\"site\""), 4);
	/* Self-contained: no script, no attribute loading anything, and
	 * the only link is status.json next to it. */
	cr_assert_null(strstr(html, "src="));
	cr_assert_null(strstr(html, "url("));
	cr_assert_null(strstr(html, "@import"));
	cr_assert_eq(count(html, "href="), 1);
	cr_assert_not_null(strstr(html, "href=\"status.json\""));
	cr_assert_not_null(strstr(html, "prefers-color-scheme:dark"));
	/* States with their colour classes. */
	cr_assert_not_null(strstr(html, "<span class=\"state st-down\">down"
	    "</span>"));
	cr_assert_not_null(strstr(html, "<span class=\"state st-up\">up"
	    "</span>"));
	/* Uptime: down 10 min + 1 min of the 120 min since the first check. */
	cr_assert_not_null(strstr(html, "24 hours: <b>90.83%</b>"), "%s", html);
	/* 90 cells for each of the four HTTP sites; today's cell of the
	 * hostile site gives the day, uptime and downtime. */
	cr_assert_eq(count(html, "<div class=\"d"), 4 * 90);
	t = (time_t)(s.now / 1000);
	gmtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	want = h_strf("<div class=\"d major\" title=\"%s: 90.83%% up, down "
	    "11m 0s\">", day);
	cr_assert_not_null(strstr(html, want), "no %s", want);
	free(want);
	want = h_strf("title=\"%s: 100.00%% up, down 0s, degraded 10m 0s\"",
	    day);
	cr_assert_not_null(strstr(html, want), "no %s", want);
	free(want);
	/* The last incidents, newest first, with durations and reasons. */
	cr_assert_not_null(strstr(html, "<span class=\"st-down\">down</span> "
	    "for 1m 0s (ongoing): HTTP 500</li>"), "%s", html);
	cr_assert_not_null(strstr(html, "<span class=\"st-down\">down</span> "
	    "for 10m 0s: HTTP 503</li>"));
	cr_assert(strstr(html, "HTTP 500") < strstr(html, "HTTP 503"));
	cr_assert_not_null(strstr(html, "<span class=\"st-degraded\">degraded"
	    "</span> for 10m 0s: slow: "));
	/* 20 days from the real clock, 20 or 21 from the pinned one. */
	cr_assert(strstr(html, "certificate: 20 days left (warning)") != NULL ||
	    strstr(html, "certificate: 21 days left (warning)") != NULL,
	    "%s", strstr(html, "secure"));
	cr_assert_not_null(strstr(html, "<span class=\"st-degraded\">"
	    "certificate warning</span> for 2h 0m"), "%s", html);
	/* A 24-hour chart for each HTTP site, with the failed checks. */
	cr_assert_eq(count(html, "<svg class=\"chart\""), 4);
	cr_assert_geq(count(html, "<rect class=\"fail\""), 2);
	free(html);

	/* status.json: the status --json document plus the uptimes. */
	path = h_strf("%s/status.json", s.out);
	text = h_read_file(path);
	cr_assert_not_null(text);
	doc = json_loads(text, 0, NULL);
	cr_assert_not_null(doc, "%s", text);
	cr_assert_not_null(json_object_get(doc, "set_aside"));
	o = status_site(doc, EVIL);
	cr_assert_str_eq(json_string_value(json_object_get(o, "state")), "down");
	cr_assert_str_eq(json_string_value(json_object_get(o, "error")),
	    "HTTP 500");
	cr_assert_float_eq(json_real_value(json_object_get(o, "uptime_24h")),
	    90.83, 1e-9);
	cr_assert_float_eq(json_real_value(json_object_get(o, "uptime_90d")),
	    90.83, 1e-9);
	o = status_site(doc, "api");
	cr_assert_float_eq(json_number_value(json_object_get(o, "uptime_30d")),
	    100, 1e-9);
	o = status_site(doc, "secure");
	cr_assert_str_eq(json_string_value(json_object_get(o, "cert_state")),
	    "warning");
	/* Without the uptimes it is exactly what `status --json` says. */
	json_array_foreach(json_object_get(doc, "sites"), i, o) {
		json_object_del(o, "uptime_24h");
		json_object_del(o, "uptime_30d");
		json_object_del(o, "uptime_90d");
	}
	run_at(&r, s.now, (const char *[]){ "-c", s.cfg, "status", "--json",
	    NULL });
	st = json_loads(r.out, 0, NULL);
	cr_assert_not_null(st, "%s", r.out);
	cr_assert(json_equal(doc, st), "status.json: %s\nstatus --json: %s",
	    text, r.out);
	json_decref(st);
	h_run_free(&r);
	json_decref(doc);
	free(text);
	free(path);

	/* Badges: one per site, the hostile name escaped in the file's
	 * name and in its text. */
	path = h_strf("%s/badge/" EVIL_FILE ".svg", s.out);
	text = h_read_file(path);
	cr_assert_not_null(text, "no %s", path);
	cr_assert_not_null(strstr(text, "<title>" EVIL_HTML ": up 90.83% "
	    "(30 days)</title>"), "%s", text);
	cr_assert_null(strstr(text, "<script"));
	cr_assert_not_null(strstr(text, "fill=\"#cf222e\""), "red for down");
	free(text);
	free(path);
	path = h_strf("%s/badge/api.svg", s.out);
	text = h_read_file(path);
	cr_assert_not_null(text, "no %s", path);
	cr_assert_not_null(strstr(text, ">up 100.00%</text>"), "%s", text);
	cr_assert_not_null(strstr(text, "fill=\"#2da44e\""), "green for up");
	free(text);
	free(path);
	seeded_stop(&s);
}

/* `check --page DIR --metrics FILE` writes both after its run; a dry run
 * writes neither; a directory that cannot be made is exit 3. */
Test(page, check_writes_page_and_metrics_after_the_run)
{
	struct h_env	 e;
	struct h_run	 r;
	char		*ok, *cfg, *dir, *prom, *html, *text, *bad;
	struct stat	 sb;

	h_env_start(&e);
	ok = h_srv_url(e.web, "ok");
	cfg = h_configf(e.d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: %s\n    name: api\n", h_redis_port(e.rd), ok);
	dir = h_path(e.d, "www");
	prom = h_path(e.d, "peekl.prom");
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "check",
	    "--dry-run", "--page", dir, "--metrics", prom, NULL }, NULL), 0,
	    "%s", r.err);
	cr_assert_neq(stat(dir, &sb), 0, "a dry run wrote the page");
	cr_assert_neq(stat(prom, &sb), 0, "a dry run wrote the metrics");
	h_run_free(&r);
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "check", "--page",
	    dir, "--title", "Ops", "--metrics", prom, NULL }, NULL), 0, "%s",
	    r.err);
	html = h_strf("%s/index.html", dir);
	text = h_read_file(html);
	cr_assert_not_null(text, "no page after check --page");
	cr_assert_not_null(strstr(text, "All systems operational"));
	cr_assert_not_null(strstr(text, "<h1>Ops</h1>"));
	free(text);
	text = h_read_file(prom);
	cr_assert_not_null(text, "no metrics after check --metrics");
	cr_assert_not_null(strstr(text, "peekl_up{site=\"api\"} 1\n"));
	free(text);
	cr_assert_eq(stat(html, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0644);
	h_run_free(&r);
	/* Under the unit's UMask=0077, what peekl creates is still readable
	 * by a web server. */
	text = h_strf("umask 077 && exec \"$PEEKL_BIN\" -c '%s' page --out "
	    "'%s/u77'", cfg, h_dir_path(e.d));
	h_run_free(&r);
	cr_assert_eq(h_run_bin(&r, "sh", (const char *[]){ "-c", text, NULL },
	    NULL), 0, "%s", r.err);
	free(text);
	text = h_strf("%s/u77/badge", h_dir_path(e.d));
	cr_assert_eq(stat(text, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0755);
	free(text);
	text = h_strf("%s/u77/badge/api.svg", h_dir_path(e.d));
	cr_assert_eq(stat(text, &sb), 0);
	cr_assert_eq(sb.st_mode & 0777, 0644);
	free(text);
	h_run_free(&r);
	/* A page whose parent directory is missing. */
	bad = h_path(e.d, "missing/www");
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "page", "--out",
	    bad, NULL }, NULL), 3);
	cr_assert_not_null(strstr(r.err, "missing/www"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(h_run(&r, (const char *[]){ "-c", cfg, "page", NULL },
	    NULL), 3);
	cr_assert_not_null(strstr(r.err, "--out"), "%s", r.err);
	h_run_free(&r);
	free(bad);
	free(html);
	free(prom);
	free(dir);
	free(cfg);
	free(ok);
	h_env_stop(&e);
}

/* tidy: no error in the generated HTML (warnings are tidy's taste). */
Test(page, tidy_finds_no_error)
{
	char		*tidy = h_which("tidy"), *html, *path;
	struct seeded	 s;
	struct h_run	 r;

	if (tidy == NULL)
		cr_skip_test("skipped: tidy is not installed (Debian package "
		    "tidy; make deps installs it)");
	seeded_start(&s);
	html = make_page(&s);
	path = h_strf("%s/index.html", s.out);
	h_run_bin(&r, tidy, (const char *[]){ "-errors", "-q", path, NULL },
	    NULL);
	/* 0: clean, 1: warnings only, 2: errors. */
	cr_assert(r.status == 0 || r.status == 1, "tidy: %d\n%s%s", r.status,
	    r.out, r.err);
	cr_assert_str_eq(r.err, "", "tidy: %s", r.err);
	h_run_free(&r);
	free(path);
	free(html);
	free(tidy);
	seeded_stop(&s);
}

/* One headless chromium on the page: a screenshot of w x h (dark: in the
 * browser's dark mode), or the DOM on stdout when w is 0. */
static struct h_proc *
chromium_start(const char *bin, struct h_dir *d, const char *page, int w,
    int h, int dark, const char *png)
{
	char	*udd = h_strf("%s/profile-%d-%d", h_dir_path(d), w, dark);
	char	*uddarg = h_strf("--user-data-dir=%s", udd);
	char	*size = h_strf("--window-size=%d,%d", w ? w : 1280, h ? h : 2000);
	char	*shot = h_strf("--screenshot=%s", png ? png : "");
	char	*url = h_strf("file://%s", page);
	struct h_proc *pr;

	pr = h_spawn_bin(bin, (const char *[]){ "--headless", "--no-sandbox",
	    "--disable-gpu", "--disable-quic", "--no-first-run",
	    "--disable-background-networking", "--disable-component-update",
	    "--disable-sync", uddarg, size,
	    w ? shot : "--dump-dom", dark ? "--force-dark-mode" : url,
	    dark ? url : NULL, NULL }, NULL);
	free(udd);
	free(uddarg);
	free(size);
	free(shot);
	free(url);
	return pr;
}

/* Checks a screenshot: its size, that the page drew something (a good
 * share of pixels differ from the background), and the background's
 * brightness (dark mode or not). */
static void
check_png(const char *path, unsigned w, unsigned h, int dark)
{
	struct png	 p;
	char		 err[256];
	const unsigned char *bg;
	size_t		 differ = 0, n;
	int		 lum;

	cr_assert_eq(png_load(path, &p, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.width, w, "%s: %u wide", path, p.width);
	cr_assert_eq(p.height, h, "%s: %u high", path, p.height);
	/* The top-left corner is the page's background. */
	bg = p.rgb;
	lum = bg[0] + bg[1] + bg[2];
	if (dark)
		cr_assert_lt(lum, 150, "%s: background %d,%d,%d is not dark",
		    path, bg[0], bg[1], bg[2]);
	else
		cr_assert_gt(lum, 700, "%s: background %d,%d,%d is not light",
		    path, bg[0], bg[1], bg[2]);
	n = (size_t)p.width * p.height;
	for (size_t i = 0; i < n; i++)
		if (memcmp(p.rgb + i * 3, bg, 3) != 0)
			differ++;
	cr_assert_gt(differ, n / 20, "%s: only %zu of %zu pixels drawn", path,
	    differ, n);
	png_free(&p);
}

Test(page, chromium_renders_it_at_375_and_1280_and_in_dark_mode,
    .timeout = 120)
{
	char		*bin = h_which("chromium"), *html, *page, *png[3];
	struct seeded	 s;
	struct h_proc	*pr[4];
	struct h_run	 r[4];
	const char	*names[] = { "api", "slowpoke", "secure" };

	if (bin == NULL)
		cr_skip_test("skipped: chromium is not installed (Debian "
		    "package chromium; make deps installs it)");
	seeded_start(&s);
	html = make_page(&s);
	page = h_strf("%s/index.html", s.out);
	for (int i = 0; i < 3; i++)
		png[i] = h_strf("%s/shot-%d.png", h_dir_path(s.d), i);
	/* Two at a time: each must end within the harness's 60 s, on a
	 * machine that may be busy. */
	pr[0] = chromium_start(bin, s.d, page, 375, 2000, 0, png[0]);
	pr[1] = chromium_start(bin, s.d, page, 1280, 2000, 0, png[1]);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(h_wait(pr[i], &r[i]), 0, "chromium %d: %s", i,
		    r[i].err);
	pr[2] = chromium_start(bin, s.d, page, 375, 1000, 1, png[2]);
	pr[3] = chromium_start(bin, s.d, page, 0, 0, 0, NULL);
	for (int i = 2; i < 4; i++)
		cr_assert_eq(h_wait(pr[i], &r[i]), 0, "chromium %d: %s", i,
		    r[i].err);
	check_png(png[0], 375, 2000, 0);
	check_png(png[1], 1280, 2000, 0);
	check_png(png[2], 375, 1000, 1);
	/* The DOM the browser built: every site and state, the hostile
	 * name as text, and no script element from it. */
	cr_assert_eq(count(r[3].out, "<h2 class=\"name\">"), 4, "%s", r[3].out);
	for (size_t i = 0; i < 3; i++) {
		char *h2 = h_strf("<h2 class=\"name\">%s</h2>", names[i]);

		cr_assert_not_null(strstr(r[3].out, h2), "no %s", h2);
		free(h2);
	}
	cr_assert_not_null(strstr(r[3].out, "<h2 class=\"name\">&lt;script&gt;"
	    "alert(\"x\")&lt;/script&gt; back\\slash</h2>"), "%s", r[3].out);
	cr_assert_null(strstr(r[3].out, "<script"), "a script element");
	cr_assert_eq(count(r[3].out, "<span class=\"state st-up\">up</span>"),
	    3);
	cr_assert_eq(count(r[3].out, "<span class=\"state st-down\">down"
	    "</span>"), 1);
	cr_assert_not_null(strstr(r[3].out, ">1 site down</p>"));
	for (int i = 0; i < 4; i++)
		h_run_free(&r[i]);
	for (int i = 0; i < 3; i++)
		free(png[i]);
	free(page);
	free(html);
	free(bin);
	seeded_stop(&s);
}
