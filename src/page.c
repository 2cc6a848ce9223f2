/*
 * index.html of the status page: one self-contained file, its CSS and
 * SVG inline, no script, nothing fetched from anywhere (a Content
 * Security Policy says so to the browser), so it reads the same from a
 * web server or from file://. Light and dark colours come from CSS
 * variables switched by prefers-color-scheme; one column that wraps, so
 * it reads on a 375 px phone and a 1280 px desktop. Every text from the
 * config or Redis goes through esc_html.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "log.h"
#include "page.h"

#define DAY_MS	(86400LL * 1000)

static const char css[] =
":root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--card:#f6f8fa;"
"--line:#d0d7de;--up:#1a7f37;--deg:#9a6700;--down:#cf222e;--unk:#6e7781;"
"--nd:#d8dee4;--minor:#d4a72c;--chart:#0969da;--fail:rgba(207,34,46,.25)}\n"
"@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;"
"--muted:#9198a1;--card:#161b22;--line:#30363d;--up:#3fb950;--deg:#d29922;"
"--down:#f85149;--unk:#8b949e;--nd:#30363d;--minor:#bb8009;--chart:#58a6ff;"
"--fail:rgba(248,81,73,.3)}}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;background:var(--bg);color:var(--fg);"
"font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}\n"
"main{max-width:960px;margin:0 auto;padding:16px}\n"
"h1{font-size:1.6em;margin:.2em 0;overflow-wrap:anywhere}\n"
".headline{font-size:1.2em;font-weight:600;margin:12px 0;padding:12px 16px;"
"border-radius:8px;background:var(--card);border:1px solid var(--line);"
"border-left:8px solid var(--c,var(--unk))}\n"
".site{background:var(--card);border:1px solid var(--line);"
"border-radius:8px;padding:12px 16px;margin:16px 0}\n"
".head{display:flex;flex-wrap:wrap;justify-content:space-between;"
"align-items:baseline;gap:4px 12px}\n"
"h2{font-size:1.1em;margin:0;overflow-wrap:anywhere}\n"
"h3{font-size:.9em;margin:12px 0 0}\n"
".state{font-weight:600;white-space:nowrap}\n"
".st-up{--c:var(--up);color:var(--up)}\n"
".st-degraded{--c:var(--deg);color:var(--deg)}\n"
".st-down{--c:var(--down);color:var(--down)}\n"
".st-unknown{--c:var(--unk);color:var(--unk)}\n"
".headline.st-up,.headline.st-degraded,.headline.st-down{color:var(--fg)}\n"
".muted,.meta{color:var(--muted);font-size:.875em;overflow-wrap:anywhere;"
"margin:4px 0}\n"
".uptimes{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.875em;"
"margin:8px 0 0}\n"
".bar{display:flex;gap:1px;height:28px;margin:8px 0 2px}\n"
".d{flex:1 1 0;min-width:1px;border-radius:1px;background:var(--nd)}\n"
".d.ok{background:var(--up)}.d.minor{background:var(--minor)}"
".d.major{background:var(--down)}\n"
".axis{display:flex;justify-content:space-between;font-size:.75em;"
"color:var(--muted)}\n"
".chart{display:block;width:100%;height:60px;margin-top:12px;"
"border-bottom:1px solid var(--line)}\n"
".chart .line{fill:none;stroke:var(--chart);stroke-width:1.5}\n"
".chart .fail{fill:var(--fail)}\n"
"ul.incidents{margin:4px 0 0;padding-left:1.2em;font-size:.875em}\n"
"footer{color:var(--muted);font-size:.8em;margin:24px 0 8px}\n"
"footer a{color:inherit}\n"
"@media (min-width:768px){main{padding:24px}.site{padding:16px 24px}}\n";

enum utc_form {
	UTC_WHEN,	/* 2026-11-30 14:02 UTC */
	UTC_DAY		/* 2026-11-30 */
};

/* Writes unix ms in UTC in that form, or "-" when it cannot. */
static void
utc_format(int64_t ms, enum utc_form form, char *out, size_t outsz)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);

	if (gmtime_r(&t, &tm) == NULL || strftime(out, outsz,
	    form == UTC_DAY ? "%Y-%m-%d" : "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, outsz, "-");
}

/* The state a site is shown in: its HTTP state, or for a TLS endpoint
 * its certificate's, mapped onto the same four colours. */
static const char *
shown_state(const struct page_site *s, const char **cls)
{
	if (site_cert_only(s->site)) {
		switch (s->st->cert_state) {
		case CERT_OK: *cls = "st-up"; break;
		case CERT_WARNING: *cls = "st-degraded"; break;
		case CERT_CRITICAL: *cls = "st-down"; break;
		default: *cls = "st-unknown"; break;
		}
		return s->st->cert_state == CERT_UNKNOWN ? "not checked" :
		    cert_state_name(s->st->cert_state);
	}
	switch (s->st->state) {
	case HTTP_UP: *cls = "st-up"; break;
	case HTTP_DEGRADED: *cls = "st-degraded"; break;
	case HTTP_DOWN: *cls = "st-down"; break;
	default: *cls = "st-unknown"; break;
	}
	return s->st->state == HTTP_UNKNOWN ? "not checked yet" :
	    http_state_name(s->st->state);
}

static void
headline(const struct page *p, struct buf *b)
{
	size_t	down = 0, degraded = 0;

	for (size_t i = 0; i < p->nsites; i++) {
		const struct page_site *s = &p->sites[i];

		if (site_cert_only(s->site))
			continue;
		down += s->st->state == HTTP_DOWN;
		degraded += s->st->state == HTTP_DEGRADED;
	}
	if (down == 0 && degraded == 0) {
		buf_puts(b, "<p class=\"headline st-up\" id=\"headline\">"
		    "All systems operational</p>\n");
		return;
	}
	buf_printf(b, "<p class=\"headline %s\" id=\"headline\">",
	    down ? "st-down" : "st-degraded");
	if (down)
		buf_printf(b, "%zu site%s down", down, down == 1 ? "" : "s");
	if (down && degraded)
		buf_printf(b, ", %zu degraded", degraded);
	else if (degraded)
		buf_printf(b, "%zu site%s degraded", degraded,
		    degraded == 1 ? "" : "s");
	buf_puts(b, "</p>\n");
}

/* The line under a site's name: its URL, since when it is in its state,
 * its certificate. */
static void
site_meta(const struct page *p, const struct page_site *s, struct buf *b)
{
	const struct site_state	*st = s->st;
	char			 url[1024], t[64], d[64];
	int64_t			 since = site_cert_only(s->site) ?
				    st->cert_since : st->since;

	buf_puts(b, "<p class=\"meta\">");
	esc_html(b, redact_site_url(s->site->url, url, sizeof(url)));
	if (since > 0) {
		utc_format(since, UTC_WHEN, t, sizeof(t));
		format_duration(p->now > since ? p->now - since : 0, d,
		    sizeof(d));
		buf_printf(b, " &middot; since <time>%s</time> (%s)", t, d);
	}
	/* Plain http:// sites have no certificate to speak of. */
	if (st->cert_last_check <= 0 && !s->site->is_https) {
		buf_puts(b, "</p>\n");
		return;
	}
	buf_puts(b, " &middot; certificate: ");
	if (st->cert_last_check > 0 && st->have_cert) {
		if (st->cert_days_left >= 0)
			buf_printf(b, "%ld day%s left", st->cert_days_left,
			    st->cert_days_left == 1 ? "" : "s");
		else
			buf_printf(b, "expired %ld day%s ago",
			    -st->cert_days_left,
			    st->cert_days_left == -1 ? "" : "s");
		buf_printf(b, " (%s)", cert_state_name(st->cert_state));
	} else if (st->cert_last_check > 0)
		buf_printf(b, "%s, none read", cert_state_name(st->cert_state));
	else
		buf_puts(b, "not checked");
	buf_puts(b, "</p>\n");
}

static void
uptimes(const struct page_site *s, struct buf *b)
{
	const struct { const char *label; double v; } u[] = {
		{ "24 hours", s->up_24h }, { "30 days", s->up_30d },
		{ "90 days", s->up_90d },
	};
	char	pct[16];

	if (site_cert_only(s->site))
		return;
	buf_puts(b, "<div class=\"uptimes\">");
	for (size_t i = 0; i < ARRAY_LEN(u); i++) {
		page_pct(u[i].v, pct, sizeof(pct));
		buf_printf(b, "<span>%s: <b>%s%s</b></span>", u[i].label, pct,
		    u[i].v < 0 ? "" : "%");
	}
	buf_puts(b, "</div>\n");
}

/* The 90-day bar: one cell a day, its title the day, uptime, downtime. */
static void
day_bar(const struct page_site *s, struct buf *b)
{
	char	day[16], pct[16], dur[64];

	if (site_cert_only(s->site))
		return;
	buf_printf(b, "<div class=\"bar\" role=\"img\" aria-label=\"Uptime "
	    "per day over the last %d days\">\n", PAGE_DAYS);
	for (int i = 0; i < PAGE_DAYS; i++) {
		const struct downtime *d = &s->days[i];
		double up = downtime_uptime_pct(d);

		utc_format(s->day0 + (int64_t)i * DAY_MS, UTC_DAY, day,
		    sizeof(day));
		if (up < 0) {
			buf_printf(b, "<div class=\"d\" title=\"%s: no data\">"
			    "</div>\n", day);
			continue;
		}
		page_pct(up, pct, sizeof(pct));
		format_duration(d->down_ms, dur, sizeof(dur));
		buf_printf(b, "<div class=\"d %s\" title=\"%s: %s%% up, down "
		    "%s", d->down_ms == 0 ? "ok" : up >= 99 ? "minor" : "major",
		    day, pct, d->down_ms ? dur : "0s");
		if (d->degraded_ms > 0) {
			format_duration(d->degraded_ms, dur, sizeof(dur));
			buf_printf(b, ", degraded %s", dur);
		}
		buf_puts(b, "\"></div>\n");
	}
	buf_printf(b, "</div>\n<div class=\"axis\"><span>%d days ago</span>"
	    "<span>today</span></div>\n", PAGE_DAYS);
}

/* Returns 1 for a change a reader calls an incident: into down,
 * degraded, or a certificate warning or critical. */
static int
is_incident(const struct incident *v)
{
	if (v->kind == KIND_HTTP)
		return v->to == HTTP_DOWN || v->to == HTTP_DEGRADED;
	return v->to == CERT_WARNING || v->to == CERT_CRITICAL;
}

void
page_last_incidents(struct page_site *s, const struct incident *v, size_t n,
    int64_t from, int64_t now)
{
	s->nlast = 0;
	for (size_t k = n; k-- > 0 && s->nlast < PAGE_INCIDENTS;) {
		struct page_incident	*l;
		size_t			 next;

		if (v[k].t < from || !is_incident(&v[k]))
			continue;
		l = &s->last[s->nlast++];
		next = incident_next(v, n, k);
		l->t = v[k].t;
		l->ongoing = next == n;
		l->duration_ms = (l->ongoing ? now : v[next].t) - v[k].t;
		if (l->duration_ms < 0)
			l->duration_ms = 0;
		l->kind = v[k].kind;
		l->to = v[k].to;
		strlcpy_trunc(l->reason, v[k].reason, sizeof(l->reason));
	}
}

/* The last incidents, newest first, each with how long it lasted. */
static void
incidents(const struct page_site *s, struct buf *b)
{
	char	t[64], d[64];

	buf_puts(b, "<h3>Last incidents</h3>\n");
	if (s->nlast == 0) {
		buf_printf(b, "<p class=\"muted\">None in the last %d days."
		    "</p>\n", PAGE_DAYS);
		return;
	}
	buf_puts(b, "<ul class=\"incidents\">\n");
	for (size_t k = 0; k < s->nlast; k++) {
		const struct page_incident	*l = &s->last[k];
		const char			*cls;

		utc_format(l->t, UTC_WHEN, t, sizeof(t));
		format_duration(l->duration_ms, d, sizeof(d));
		cls = (l->kind == KIND_HTTP && l->to == HTTP_DOWN) ||
		    (l->kind == KIND_CERT && l->to == CERT_CRITICAL) ?
		    "st-down" : "st-degraded";
		buf_printf(b, "<li><time>%s</time> <span class=\"%s\">%s%s"
		    "</span> for %s%s", t, cls, l->kind == KIND_CERT ?
		    "certificate " : "", incident_state_name(l->kind, l->to),
		    d, l->ongoing ? " (ongoing)" : "");
		if (l->reason[0] != '\0') {
			buf_puts(b, ": ");
			esc_html(b, l->reason);
		}
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ul>\n");
}

static void
site_section(const struct page *p, size_t i, struct buf *b)
{
	const struct page_site	*s = &p->sites[i];
	const char		*cls, *state = shown_state(s, &cls);

	buf_printf(b, "<section class=\"site\" id=\"site-%zu\">\n"
	    "<div class=\"head\"><h2 class=\"name\">", i + 1);
	esc_html(b, s->site->name);
	buf_printf(b, "</h2><span class=\"state %s\">%s%s</span></div>\n",
	    cls, site_cert_only(s->site) ? "certificate " : "", state);
	site_meta(p, s, b);
	uptimes(s, b);
	day_bar(s, b);
	if (s->chart != NULL)
		buf_puts(b, s->chart);
	incidents(s, b);
	buf_puts(b, "</section>\n");
}

void
page_html(const struct page *p, struct buf *b)
{
	char	t[64];

	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<title>");
	esc_html(b, p->title);
	buf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n"
	    "<header>\n<h1>", css);
	esc_html(b, p->title);
	buf_puts(b, "</h1>\n");
	headline(p, b);
	buf_puts(b, "</header>\n");
	for (size_t i = 0; i < p->nsites; i++)
		site_section(p, i, b);
	utc_format(p->now, UTC_WHEN, t, sizeof(t));
	buf_printf(b, "<footer>Updated <time>%s</time> by peekl &middot; "
	    "<a href=\"status.json\">status.json</a></footer>\n"
	    "</main>\n</body>\n</html>\n", t);
}
