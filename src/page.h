/* The static status page (spec/visibility.md "Status page"): index.html,
 * status.json and one SVG badge per site, written into a directory.
 * cmd_page.c gathers a struct page from Redis and writes the files;
 * page.c renders the HTML and page_svg.c the charts and badges, both
 * pure, so every byte of the page is tested without a server. */
#ifndef PEEKL_PAGE_H
#define PEEKL_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "incidents.h"
#include "state.h"
#include "util.h"

struct store;
struct point;

/* The title when none is given. */
#define PAGE_TITLE_DEFAULT "Status"
#define PAGE_DAYS	90	/* cells of the daily bar, today the last */
#define PAGE_INCIDENTS	5	/* the last incidents shown per site */

/* One of a site's last incidents, as the page lists it. */
struct page_incident {
	int64_t		 t;		/* unix ms it began */
	int64_t		 duration_ms;	/* until the next change, or until now */
	int		 ongoing;	/* no change since */
	enum check_kind	 kind;
	int		 to;		/* enum http_state or enum cert_state */
	char		 reason[ERROR_LEN];
};

/* What the page shows of one site: figures, not the points and changes
 * they come from, so a page of many sites holds a few KB for each. */
struct page_site {
	const struct site	*site;		/* borrowed from the config */
	const struct site_state	*st;		/* borrowed */
	double			 up_24h;	/* uptime %, -1 when not checked */
	double			 up_30d;	/* in the window (no data) */
	double			 up_90d;
	struct downtime		 days[PAGE_DAYS]; /* oldest first; window_ms 0
						 * for a day before the first check */
	int64_t			 day0;		/* unix ms of days[0]'s start */
	char			*chart;		/* page_svg_chart's output (owned),
						 * NULL for none */
	struct page_incident	 last[PAGE_INCIDENTS]; /* newest first */
	size_t			 nlast;
};

struct page {
	const char		*title;
	int64_t			 now;		/* unix ms the page shows */
	struct page_site	*sites;		/* one per configured site */
	size_t			 nsites;
};

/* Appends index.html for p to out. */
void	page_html(const struct page *p, struct buf *out);

/* Appends the 24-hour response-time chart of the points pts (n, any
 * order), an inline <svg>, or a sentence when none is in the window. */
void	page_svg_chart(const struct point *pts, size_t n, int64_t now,
	    struct buf *out);

/* Fills s->last with the last PAGE_INCIDENTS incidents among the changes
 * v (n, oldest first) made at or after from: changes into down, degraded,
 * or a certificate warning or critical, each with how long it lasted. */
void	page_last_incidents(struct page_site *s, const struct incident *v,
	    size_t n, int64_t from, int64_t now);

/* Appends the badge of s, a standalone SVG document: the site's name and
 * "up 99.95%" over 30 days, coloured by its state. */
void	page_svg_badge(const struct page_site *s, struct buf *out);

/* Returns an uptime percentage rounded to two decimals, as `report`
 * rounds its uptime_pct, so the page and the report agree. */
double	page_round(double pct);

/* Writes an uptime percentage as the page shows it, "99.95"; "-" for a
 * negative pct (no data). */
void	page_pct(double pct, char *out, size_t outsz);

/* Reads what the page shows from store and writes DIR/index.html,
 * DIR/status.json and DIR/badge/NAME.svg, each atomically, creating DIR
 * and DIR/badge when missing. title NULL means PAGE_TITLE_DEFAULT.
 * Returns 0, or -1 (logged). */
int	page_write(struct store *store, const struct config *cfg,
	    const char *dir, const char *title);

#endif
