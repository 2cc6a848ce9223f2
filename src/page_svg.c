/*
 * The page's pictures: the 24-hour response-time chart (inline SVG in
 * index.html, coloured by the page's CSS so it follows dark mode) and the
 * badges (standalone SVG files with their own colours, since they are
 * shown on other pages). Every text goes through esc_html.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "jsonstr.h"
#include "page.h"
#include "store.h"

#define CHART_BUCKETS	288		/* five minutes each */
#define CHART_H		60
#define DAY_MS		(86400LL * 1000)
#define CHART_GAP	6		/* buckets: 30 minutes */
#define BADGE_NAME_MAX	40		/* characters of a name on a badge */

double
page_round(double pct)
{
	return round(pct * 100.0) / 100.0;
}

void
page_pct(double pct, char *out, size_t outsz)
{
	if (pct < 0) {
		snprintf(out, outsz, "-");
		return;
	}
	snprintf(out, outsz, "%.2f", page_round(pct));
}

/* One bucket of the chart: the mean response of its passing checks, and
 * whether any check in it failed. */
struct bucket {
	double	sum;
	int	n;
	int	failed;
};

/* Returns 1 when a bucket after i within CHART_GAP holds a point. */
static int
next_within(const struct bucket *bk, int i)
{
	for (int j = i + 1; j < CHART_BUCKETS && j - i <= CHART_GAP; j++)
		if (bk[j].n > 0)
			return 1;
	return 0;
}

void
page_svg_chart(const struct point *pts, size_t npts, int64_t now,
    struct buf *b)
{
	struct bucket	 bk[CHART_BUCKETS];
	int64_t		 start = now - DAY_MS;
	double		 max = 0, min = -1;
	int		 pen, any = 0;

	memset(bk, 0, sizeof(bk));
	for (size_t i = 0; i < npts; i++) {
		const struct point *p = &pts[i];
		int64_t k;

		if (p->kind != KIND_HTTP || p->t < start || p->t > now)
			continue;
		k = (p->t - start) * CHART_BUCKETS / DAY_MS;
		if (k >= CHART_BUCKETS)
			k = CHART_BUCKETS - 1;
		if (!p->up) {
			bk[k].failed = 1;
			continue;
		}
		bk[k].sum += p->response_ms;
		bk[k].n++;
	}
	for (int i = 0; i < CHART_BUCKETS; i++) {
		double avg;

		if (bk[i].failed)
			any = 1;
		if (bk[i].n == 0)
			continue;
		any = 1;
		avg = bk[i].sum / bk[i].n;
		if (avg > max)
			max = avg;
		if (min < 0 || avg < min)
			min = avg;
	}
	if (!any) {
		buf_puts(b, "<p class=\"muted\">No HTTP checks in the last 24 "
		    "hours.</p>\n");
		return;
	}
	if (max <= 0)
		max = 1;
	buf_printf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" "
	    "preserveAspectRatio=\"none\" role=\"img\" aria-label=\"Response "
	    "time over the last 24 hours\"><title>Response time over the last "
	    "24 hours, 5-minute means: ", CHART_BUCKETS, CHART_H);
	if (min >= 0)
		buf_printf(b, "%.0f to %.0f ms", min, max);
	else
		buf_puts(b, "no successful check");
	buf_puts(b, "; red: failed checks</title>\n");
	for (int i = 0; i < CHART_BUCKETS; i++)
		if (bk[i].failed)
			buf_printf(b, "<rect class=\"fail\" x=\"%d\" y=\"0\" "
			    "width=\"1\" height=\"%d\"/>", i, CHART_H);
	buf_puts(b, "<path class=\"line\" vector-effect=\"non-scaling-stroke\" "
	    "d=\"");
	for (int i = 0, last = -1; i < CHART_BUCKETS; i++) {
		double y;

		if (bk[i].n == 0)
			continue;
		y = (CHART_H - 2) - (bk[i].sum / bk[i].n) / (max * 1.1) *
		    (CHART_H - 6);
		/* Checks further apart than CHART_GAP buckets are not joined:
		 * nothing was measured in between. */
		pen = last >= 0 && i - last <= CHART_GAP;
		buf_printf(b, "%s%d.5 %.1f", pen ? " L" : " M", i, y);
		/* A lone point still shows, as a short dash. */
		if (!pen && !next_within(bk, i))
			buf_printf(b, " L%d.5 %.1f", i + 1, y);
		last = i;
	}
	buf_puts(b, "\"/></svg>\n");
	buf_puts(b, "<div class=\"axis\"><span>24 h ago</span><span>");
	if (min >= 0)
		buf_printf(b, "max %.0f ms", max);
	else
		buf_puts(b, "every check failed");
	buf_puts(b, "</span><span>now</span></div>\n");
}

/* The badge colours: shields.io's palette, readable on light and dark. */
static const char *
badge_color(const struct page_site *s)
{
	if (site_cert_only(s->site))
		switch (s->st->cert_state) {
		case CERT_OK: return "#2da44e";
		case CERT_WARNING: return "#bf8700";
		case CERT_CRITICAL: return "#cf222e";
		default: return "#6e7781";
		}
	switch (s->st->state) {
	case HTTP_UP: return "#2da44e";
	case HTTP_DEGRADED: return "#bf8700";
	case HTTP_DOWN: return "#cf222e";
	default: return "#6e7781";
	}
}

/* Returns the number of UTF-8 characters of s, at most max, and sets
 * *bytes to the length of those characters. */
static size_t
chars(const char *s, size_t max, size_t *bytes)
{
	size_t	n = 0, off = 0, len;

	while (s[off] != '\0' && n < max) {
		len = utf8_len((const unsigned char *)s + off);
		off += len ? len : 1;
		n++;
	}
	*bytes = off;
	return n;
}

void
page_svg_badge(const struct page_site *s, struct buf *b)
{
	struct buf	 name = { 0 };
	char		 value[64], pct[16];
	size_t		 nbytes, nc, vc;
	int		 lw, rw;

	nc = chars(s->site->name, BADGE_NAME_MAX, &nbytes);
	buf_append(&name, s->site->name, nbytes);
	if (s->site->name[nbytes] != '\0') {
		buf_puts(&name, "\xe2\x80\xa6");	/* an ellipsis */
		nc++;
	}
	if (site_cert_only(s->site))
		snprintf(value, sizeof(value), "cert %s",
		    cert_state_name(s->st->cert_state));
	else if (s->up_30d < 0)
		snprintf(value, sizeof(value), "no data");
	else {
		page_pct(s->up_30d, pct, sizeof(pct));
		snprintf(value, sizeof(value), "up %s%%", pct);
	}
	vc = strlen(value);
	/* About 7 px a character in 11 px Verdana, 6 px of padding a side. */
	lw = (int)nc * 7 + 12;
	rw = (int)vc * 7 + 12;
	buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"20\" role=\"img\" aria-label=\"", lw + rw);
	esc_html(b, name.data);
	buf_printf(b, ": %s\"><title>", value);
	esc_html(b, name.data);
	buf_printf(b, ": %s (30 days)</title>\n", value);
	buf_printf(b, "<rect width=\"%d\" height=\"20\" rx=\"3\" "
	    "fill=\"#555\"/>\n", lw + rw);
	buf_printf(b, "<rect x=\"%d\" width=\"%d\" height=\"20\" rx=\"3\" "
	    "fill=\"%s\"/>\n", lw, rw, badge_color(s));
	buf_printf(b, "<rect x=\"%d\" width=\"4\" height=\"20\" fill=\"%s\"/>\n",
	    lw, badge_color(s));
	buf_puts(b, "<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,"
	    "sans-serif\" font-size=\"11\">\n");
	buf_printf(b, "<text x=\"6\" y=\"14\" textLength=\"%d\" "
	    "lengthAdjust=\"spacingAndGlyphs\">", (int)nc * 7);
	esc_html(b, name.data);
	buf_printf(b, "</text>\n<text x=\"%d\" y=\"14\">%s</text>\n</g>\n"
	    "</svg>\n", lw + 6, value);
	buf_free(&name);
}
