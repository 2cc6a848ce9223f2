/* The status page's rendering without Redis: the headline's wording, the
 * day cells' colours and titles, percentages, badges, an empty chart. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "state.h"
#include "store.h"

#define NOW	1796126400000LL		/* 2026-12-01T12:00:00Z */
#define DAY	(86400LL * 1000)

static struct site	 sites[4];
static struct site_state states[4];
static struct page_site	 ps[4];

/* Four sites in the given HTTP states (HTTP_UNKNOWN for a TLS endpoint
 * when tls is set at that index). */
static struct page
make(const enum http_state st[4], const int tls[4])
{
	struct page	p = { .title = "T", .now = NOW, .sites = ps,
			    .nsites = 4 };
	static char	names[4][16];

	memset(sites, 0, sizeof(sites));
	memset(states, 0, sizeof(states));
	memset(ps, 0, sizeof(ps));
	for (int i = 0; i < 4; i++) {
		snprintf(names[i], sizeof(names[i]), "s%d", i);
		sites[i].name = names[i];
		sites[i].url = (char *)"https://example.com/";
		sites[i].scheme = tls[i] ? SCHEME_TLS : SCHEME_HTTPS;
		states[i].state = st[i];
		states[i].last_check = NOW - 1000;
		states[i].cert_state = CERT_CRITICAL;
		states[i].cert_last_check = NOW - 1000;
		ps[i].site = &sites[i];
		ps[i].st = &states[i];
		ps[i].up_24h = ps[i].up_30d = ps[i].up_90d = 100;
		ps[i].day0 = NOW / DAY * DAY - (PAGE_DAYS - 1) * DAY;
	}
	return p;
}

static char *
render(const struct page *p)
{
	struct buf	b = { 0 };

	page_html(p, &b);
	return b.data;
}

Test(page_render, headline_words)
{
	const int	 none[4] = { 0, 0, 0, 0 }, tls3[4] = { 0, 0, 0, 1 };
	struct page	 p;
	char		*h;

	p = make((enum http_state[]){ HTTP_UP, HTTP_UP, HTTP_UNKNOWN,
	    HTTP_UP }, tls3);
	h = render(&p);
	/* A critical certificate is shown on its site, not in the headline. */
	cr_assert_not_null(strstr(h, ">All systems operational</p>"), "%s", h);
	free(h);
	p = make((enum http_state[]){ HTTP_DOWN, HTTP_DEGRADED, HTTP_DOWN,
	    HTTP_UP }, none);
	h = render(&p);
	cr_assert_not_null(strstr(h, "class=\"headline st-down\" id=\"headline\">"
	    "2 sites down, 1 degraded</p>"));
	free(h);
	p = make((enum http_state[]){ HTTP_UP, HTTP_DEGRADED, HTTP_UP,
	    HTTP_UP }, none);
	h = render(&p);
	cr_assert_not_null(strstr(h, "class=\"headline st-degraded\" "
	    "id=\"headline\">1 site degraded</p>"));
	free(h);
}

Test(page_render, day_cells_by_uptime_and_no_data)
{
	const int	 none[4] = { 0, 0, 0, 0 };
	struct page	 p;
	char		*h;

	p = make((enum http_state[]){ HTTP_UP, HTTP_UP, HTTP_UP, HTTP_UP },
	    none);
	for (int i = 80; i < PAGE_DAYS; i++)
		ps[0].days[i].window_ms = DAY;
	ps[0].days[87].down_ms = 10 * 60 * 1000;	/* 99.31 % */
	ps[0].days[88].down_ms = 30 * 60 * 1000;	/* 97.92 % */
	ps[0].days[89].degraded_ms = 5 * 60 * 1000;
	h = render(&p);
	cr_assert_not_null(strstr(h, "<div class=\"d\" title=\"2026-09-03: no "
	    "data\"></div>"), "%s", h);
	cr_assert_not_null(strstr(h, "<div class=\"d ok\" title=\"2026-11-22: "
	    "100.00% up, down 0s\"></div>"));
	cr_assert_not_null(strstr(h, "<div class=\"d minor\" title=\"2026-11-29: "
	    "99.31% up, down 10m 0s\"></div>"));
	cr_assert_not_null(strstr(h, "<div class=\"d major\" title=\"2026-11-30: "
	    "97.92% up, down 30m 0s\"></div>"));
	cr_assert_not_null(strstr(h, "<div class=\"d ok\" title=\"2026-12-01: "
	    "100.00% up, down 0s, degraded 5m 0s\"></div>"));
	free(h);
}

/* Rounded to two decimals, as `report` rounds uptime_pct. */
Test(page_render, percentages_have_two_decimals)
{
	char	s[16];

	page_pct(99.996, s, sizeof(s));
	cr_assert_str_eq(s, "100.00");
	page_pct(99.994, s, sizeof(s));
	cr_assert_str_eq(s, "99.99");
	page_pct(100, s, sizeof(s));
	cr_assert_str_eq(s, "100.00");
	page_pct(99.5, s, sizeof(s));
	cr_assert_str_eq(s, "99.50");
	page_pct(-1, s, sizeof(s));
	cr_assert_str_eq(s, "-");
}

Test(page_render, badges)
{
	const int	 tls0[4] = { 1, 0, 0, 0 };
	struct page	 p;
	struct buf	 b = { 0 };

	p = make((enum http_state[]){ HTTP_UNKNOWN, HTTP_DEGRADED, HTTP_UP,
	    HTTP_UP }, tls0);
	cr_assert_eq(p.nsites, 4);
	states[0].cert_state = CERT_WARNING;
	page_svg_badge(&ps[0], &b);
	cr_assert_not_null(strstr(b.data, "xmlns=\"http://www.w3.org/2000/svg\""));
	cr_assert_not_null(strstr(b.data, ">cert warning</text>"), "%s", b.data);
	cr_assert_not_null(strstr(b.data, "fill=\"#bf8700\""));
	buf_free(&b);
	ps[1].up_30d = 99.951;
	page_svg_badge(&ps[1], &b);
	cr_assert_not_null(strstr(b.data, ">up 99.95%</text>"), "%s", b.data);
	cr_assert_not_null(strstr(b.data, "fill=\"#bf8700\""), "degraded");
	buf_free(&b);
	/* A long name is cut, with an ellipsis, on a character boundary. */
	sites[2].name = (char *)"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaa";
	ps[2].up_30d = -1;
	page_svg_badge(&ps[2], &b);
	cr_assert_not_null(strstr(b.data, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\xe2\x80\xa6</text>"), "%s", b.data);
	cr_assert_not_null(strstr(b.data, ">no data</text>"));
	buf_free(&b);
}

/* The chart: 5-minute means on a path, failed checks as red bands,
 * checks more than 30 minutes apart not joined. */
Test(page_render, chart_of_the_last_24_hours)
{
	struct point	 pts[4];
	struct buf	 b = { 0 };
	memset(pts, 0, sizeof(pts));
	for (int i = 0; i < 4; i++) {
		pts[i].kind = KIND_HTTP;
		pts[i].up = i != 2;
		pts[i].response_ms = 100 * (i + 1);
	}
	pts[0].t = NOW - DAY + 1000;		/* bucket 0 */
	pts[1].t = NOW - DAY + 5 * 60000 + 1;	/* bucket 1, joined */
	pts[2].t = NOW - 60000;			/* bucket 287, failed */
	pts[3].t = NOW - 12 * 3600000;		/* bucket 144, alone */
	page_svg_chart(pts, 4, NOW, &b);
	cr_assert_not_null(strstr(b.data, "d=\" M0.5 "), "%s", b.data);
	cr_assert_not_null(strstr(b.data, " L1.5 "), "%s", b.data);
	cr_assert_not_null(strstr(b.data, " M144.5 "), "%s", b.data);
	cr_assert_not_null(strstr(b.data, " L145.5 "), "a lone point's dash");
	cr_assert_not_null(strstr(b.data, "<rect class=\"fail\" x=\"287\""));
	cr_assert_eq(strstr(b.data, "<rect class=\"fail\" x=\"287\""),
	    strstr(b.data, "<rect class=\"fail\""), "one failed bucket only");
	cr_assert_not_null(strstr(b.data, "max 400 ms"), "%s", b.data);
	buf_free(&b);
	page_svg_chart(&pts[2], 1, NOW, &b);
	cr_assert_not_null(strstr(b.data, "every check failed"), "%s", b.data);
	buf_free(&b);
	/* No points in 24 hours: said in words, no empty chart. */
	page_svg_chart(pts, 1, NOW + 2 * DAY, &b);
	cr_assert_str_eq(b.data, "<p class=\"muted\">No HTTP checks in the "
	    "last 24 hours.</p>\n");
	buf_free(&b);
}

/* A password in a site's URL never reaches the page; the title and names
 * are escaped. */
Test(page_render, secrets_hidden_and_text_escaped)
{
	const int	 none[4] = { 0, 0, 0, 0 };
	struct page	 p;
	char		*h;

	p = make((enum http_state[]){ HTTP_UP, HTTP_UP, HTTP_UP, HTTP_UP },
	    none);
	p.title = "<b>\"Ops\"</b>";
	sites[1].url = (char *)"https://ops:s3cret@example.com/<x>";
	sites[2].name = (char *)"a&b";
	h = render(&p);
	cr_assert_null(strstr(h, "s3cret"), "%s", h);
	cr_assert_not_null(strstr(h, "https://ops:***@example.com/&lt;x&gt;"),
	    "%s", h);
	cr_assert_not_null(strstr(h, "<h1>&lt;b&gt;&quot;Ops&quot;&lt;/b&gt;"
	    "</h1>"));
	cr_assert_not_null(strstr(h, "<h2 class=\"name\">a&amp;b</h2>"));
	free(h);
}

/* The last incidents: newest first, only changes into a bad state, at
 * most PAGE_INCIDENTS, each lasting until the next change of its kind. */
Test(page_render, last_incidents)
{
	const int		 none[4] = { 0, 0, 0, 0 };
	struct incident		 v[9];
	struct page		 p;
	char			*h;
	const int64_t		 m = 60000;

	p = make((enum http_state[]){ HTTP_DOWN, HTTP_UP, HTTP_UP, HTTP_UP },
	    none);
	memset(v, 0, sizeof(v));
	/* up, then down/up four times, a certificate warning, down again. */
	v[0] = (struct incident){ .t = NOW - 100 * m, .kind = KIND_HTTP,
	    .from = HTTP_UNKNOWN, .to = HTTP_UP };
	for (int i = 0; i < 3; i++) {
		v[1 + 2 * i] = (struct incident){ .t = NOW - (90 - 20 * i) * m,
		    .kind = KIND_HTTP, .from = HTTP_UP, .to = HTTP_DOWN };
		snprintf(v[1 + 2 * i].reason, ERROR_LEN, "HTTP 50%d", i);
		v[2 + 2 * i] = (struct incident){ .t = NOW - (85 - 20 * i) * m,
		    .kind = KIND_HTTP, .from = HTTP_DOWN, .to = HTTP_UP };
	}
	v[7] = (struct incident){ .t = NOW - 30 * m, .kind = KIND_CERT,
	    .from = CERT_OK, .to = CERT_WARNING };
	v[8] = (struct incident){ .t = NOW - 2 * m, .kind = KIND_HTTP,
	    .from = HTTP_UP, .to = HTTP_DOWN };
	strcpy(v[8].reason, "<timeout>");
	page_last_incidents(&ps[0], v, 9, NOW - 80 * m, NOW);
	cr_assert_eq(ps[0].nlast, 4, "the one before the window is left out");
	cr_assert(ps[0].last[0].ongoing);
	cr_assert_eq(ps[0].last[0].duration_ms, 2 * m);
	cr_assert_eq(ps[0].last[1].kind, KIND_CERT);
	cr_assert(ps[0].last[1].ongoing);
	cr_assert_eq(ps[0].last[2].duration_ms, 5 * m);
	cr_assert_str_eq(ps[0].last[3].reason, "HTTP 501");
	h = render(&p);
	cr_assert_not_null(strstr(h, "<span class=\"st-down\">down</span> for "
	    "2m 0s (ongoing): &lt;timeout&gt;</li>"), "%s", h);
	cr_assert_not_null(strstr(h, "<span class=\"st-degraded\">certificate "
	    "warning</span> for 30m 0s (ongoing)</li>"), "%s", h);
	cr_assert(strstr(h, "HTTP 502") < strstr(h, "HTTP 501"));
	free(h);
}
