/*
 * The `page` command, and `check --page DIR` after a run: what the status
 * page shows, read from Redis (states, the last 24 hours of points, 90
 * days of incidents), and the files it is written to.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "escape.h"
#include "file_atomic.h"
#include "jsonstr.h"
#include "log.h"
#include "page.h"
#include "store.h"

#define DAY_MS	(86400LL * 1000)

/* Fills s->up_* and s->days from the incidents v (n, oldest first), as
 * `report` counts them. */
static void
compute_uptime(struct page_site *s, const struct incident *v, size_t n,
    int64_t now)
{
	const struct {
		double	*out;
		int64_t	 span;
	} w[] = {
		{ &s->up_24h, DAY_MS }, { &s->up_30d, 30 * DAY_MS },
		{ &s->up_90d, 90 * DAY_MS },
	};
	struct downtime	 d;
	int64_t		 first = incidents_first_check(v, n);
	int		 cur = (int)s->st->state;

	s->day0 = (now / DAY_MS - (PAGE_DAYS - 1)) * DAY_MS;
	memset(s->days, 0, sizeof(s->days));
	/* A site never checked has no uptime, whatever the windows hold. */
	if (site_cert_only(s->site) || s->st->last_check <= 0) {
		s->up_24h = s->up_30d = s->up_90d = -1;
		return;
	}
	for (size_t i = 0; i < ARRAY_LEN(w); i++) {
		incidents_downtime(v, n, now - w[i].span, now, first, cur, &d);
		*w[i].out = downtime_uptime_pct(&d);
	}
	/* Today's cell ends now: the rest of the day has not happened. */
	for (int i = 0; i < PAGE_DAYS; i++) {
		int64_t from = s->day0 + (int64_t)i * DAY_MS;
		int64_t to = from + DAY_MS < now ? from + DAY_MS : now;

		incidents_downtime(v, n, from, to, first, cur, &s->days[i]);
	}
}

/*
 * Reads one site's points and incidents and keeps only what the page
 * shows of them (its chart, uptimes, days, last incidents): the points
 * and changes are freed before the next site is read, so memory does not
 * grow with sites times history. Returns 0, or -1 (logged).
 */
static int
gather_site(struct store *store, const struct config *cfg,
    struct page_site *s, int64_t now)
{
	int64_t		 from = now - (int64_t)PAGE_DAYS * DAY_MS;
	struct point	*pts = NULL;
	struct incident	*inc = NULL;
	size_t		 npts = 0, ninc = 0;
	struct buf	 chart = { 0 };

	if (!site_cert_only(s->site)) {
		if (s->st->last_check > 0 && store_read_history(store, cfg,
		    s->site, now - DAY_MS, now, &pts, &npts) == -1)
			return -1;
		page_svg_chart(pts, npts, now, &chart);
		s->chart = chart.data;
		free(pts);
	}
	if (store_read_incidents(store, s->site->name, from, now, &inc,
	    &ninc) == -1)
		return -1;
	compute_uptime(s, inc, ninc, now);
	page_last_incidents(s, inc, ninc, from, now);
	free(inc);
	return 0;
}

static void
page_free(struct page *p)
{
	for (size_t i = 0; i < p->nsites; i++)
		free(p->sites[i].chart);
	free(p->sites);
}

/* A percentage for status.json: two decimals, as the page shows it;
 * null for no data. */
static json_t *
json_pct(double pct)
{
	if (pct < 0)
		return json_null();
	return json_real(page_round(pct));
}

/* Returns status.json's text (malloc'd, caller frees), or NULL (logged). */
static char *
status_text(struct store *store, const struct page *p,
    const struct config *cfg, const struct site_state *states)
{
	json_t	*doc = status_document(store, cfg, states), *sites;
	char	*text, *line;

	if (doc == NULL)
		return NULL;
	sites = json_object_get(doc, "sites");
	for (size_t i = 0; i < p->nsites; i++) {
		json_t *o = json_array_get(sites, i);

		json_object_set_new(o, "uptime_24h", json_pct(p->sites[i].up_24h));
		json_object_set_new(o, "uptime_30d", json_pct(p->sites[i].up_30d));
		json_object_set_new(o, "uptime_90d", json_pct(p->sites[i].up_90d));
	}
	if ((text = json_dump_free(doc)) == NULL)
		return NULL;
	line = xasprintf("%s\n", text);
	free(text);
	return line;
}

/* Writes DIR/badge/NAME.svg for every site; 0, or -1 (logged). */
static int
write_badges(const struct page *p, const char *dir)
{
	char	*bdir = xasprintf("%s/badge", dir);
	int	 rc = -1;

	if (file_mkdir(bdir) == -1)
		goto out;
	for (size_t i = 0; i < p->nsites; i++) {
		struct buf	path = { 0 }, svg = { 0 };
		int		ok;

		buf_printf(&path, "%s/", bdir);
		esc_file_name(&path, p->sites[i].site->name);
		buf_puts(&path, ".svg");
		page_svg_badge(&p->sites[i], &svg);
		ok = file_write_atomic(path.data, svg.data, svg.len);
		buf_free(&path);
		buf_free(&svg);
		if (ok == -1)
			goto out;
	}
	rc = 0;
out:
	free(bdir);
	return rc;
}

int
page_write(struct store *store, const struct config *cfg, const char *dir,
    const char *title)
{
	struct page		 p;
	struct site_state	*states;
	struct buf		 html = { 0 };
	char			*json = NULL, *path = NULL;
	int			 rc = -1;

	memset(&p, 0, sizeof(p));
	p.title = title != NULL ? title : PAGE_TITLE_DEFAULT;
	p.now = now_ms();
	states = xcalloc(cfg->nsites + 1, sizeof(*states));
	p.sites = xcalloc(cfg->nsites + 1, sizeof(*p.sites));
	if (store_read_states(store, cfg, states) == -1)
		goto out;
	for (size_t i = 0; i < cfg->nsites; i++) {
		p.sites[p.nsites].site = &cfg->sites[i];
		p.sites[p.nsites].st = &states[i];
		if (gather_site(store, cfg, &p.sites[p.nsites++], p.now) == -1)
			goto out;
	}
	if ((json = status_text(store, &p, cfg, states)) == NULL)
		goto out;
	if (file_mkdir(dir) == -1 || write_badges(&p, dir) == -1)
		goto out;
	path = xasprintf("%s/status.json", dir);
	if (file_write_atomic(path, json, strlen(json)) == -1)
		goto out;
	free(path);
	page_html(&p, &html);
	path = xasprintf("%s/index.html", dir);
	if (file_write_atomic(path, html.data, html.len) == -1)
		goto out;
	rc = 0;
out:
	free(path);
	free(json);
	buf_free(&html);
	page_free(&p);
	free(states);
	return rc;
}

int
cmd_page(const struct config *cfg, const char *dir, const char *title)
{
	struct store	*store = NULL;
	int		 rc = 3;

	if (store_open(&cfg->redis, &store) == -1)
		return 3;
	if (page_write(store, cfg, dir, title) == 0)
		rc = 0;
	store_close(store);
	return rc;
}
