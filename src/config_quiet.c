/*
 * The config of quiet times (spec/alerting.md): a site's depends_on, and
 * the top-level maintenance: windows. Names are resolved, cycles found and
 * windows checked once every site is read, so each error can name the
 * sites involved and where they were written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "config.h"
#include "config_int.h"
#include "util.h"
#include "window.h"

static const char *const day_names[7] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat",
};

void
read_depends_on(struct ctx *c, yaml_node_t *v, const char *kp, struct site *s)
{
	yaml_node_item_t	*it;
	char			 ikp[KP_LEN], *name;
	size_t			 n, i = 0;

	if (v->type != YAML_SEQUENCE_NODE) {
		cerr(c, AT(v), kp, "expected a list of site names, found %s",
		    node_kind(v));
		return;
	}
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (n > MAX_SITES) {
		cerr(c, AT(v), kp, "%zu names is too many", n);
		return;
	}
	s->depends_on = xcalloc(n ? n : 1, sizeof(*s->depends_on));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	    it++, i++) {
		yaml_node_t *item = node_get(c, *it);

		kp_fmt(ikp, "%s[%zu]", kp, i);
		if (scalar(c, item, ikp, "a site name", &name) == -1)
			continue;
		s->depends_on[s->ndepends].name = name;
		s->depends_on[s->ndepends].line = (int)item->start_mark.line + 1;
		s->depends_on[s->ndepends++].column =
		    (int)item->start_mark.column + 1;
	}
}

/* The sites by name, sorted, to resolve many references quickly. */
struct byname {
	const char	*name;
	size_t		 idx;
};

static int
byname_cmp(const void *a, const void *b)
{
	return strcmp(((const struct byname *)a)->name,
	    ((const struct byname *)b)->name);
}

static struct byname *
byname_new(const struct config *cfg)
{
	struct byname	*t = xcalloc(cfg->nsites ? cfg->nsites : 1, sizeof(*t));

	for (size_t i = 0; i < cfg->nsites; i++) {
		t[i].name = cfg->sites[i].name ? cfg->sites[i].name : "";
		t[i].idx = i;
	}
	qsort(t, cfg->nsites, sizeof(*t), byname_cmp);
	return t;
}

/* Returns the index of the site called name, or -1. */
static long
byname_find(const struct byname *t, size_t n, const char *name)
{
	struct byname	 key = { name, 0 }, *hit;

	hit = bsearch(&key, t, n, sizeof(*t), byname_cmp);
	return hit != NULL ? (long)hit->idx : -1;
}

/* Reports an error at dependency d of site i. */
static void
dep_error(struct ctx *c, const struct config *cfg, size_t i,
    const struct dep_ref *d, size_t j, const char *msg)
{
	yaml_mark_t	m = { 0 };
	char		kp[KP_LEN];

	m.line = (size_t)d->line - 1;
	m.column = (size_t)d->column - 1;
	kp_fmt(kp, "websites[%zu].depends_on[%zu]", i, j);
	c->site = cfg->sites[i].name;
	cerr(c, &m, kp, "%s", msg);
	c->site = NULL;
}

/*
 * Walks the graph from site root depth first, without recursion (a config
 * may hold 50,000 sites); reports each cycle it closes, naming its sites in
 * order. color: 0 unseen, 1 on the path, 2 done.
 */
static void
find_cycles(struct ctx *c, const struct config *cfg, size_t root,
    unsigned char *color, size_t *path, size_t *edge)
{
	size_t	depth = 0;

	path[0] = root;
	edge[0] = 0;
	color[root] = 1;
	while (1) {
		size_t			 u = path[depth];
		const struct site	*s = &cfg->sites[u];

		if (edge[depth] == s->ndepends) {
			color[u] = 2;
			if (depth-- == 0)
				return;
			edge[depth]++;
			continue;
		}
		size_t	v = s->depends_on[edge[depth]].idx;

		if (v == (size_t)-1 || color[v] == 2) {
			edge[depth]++;
			continue;
		}
		if (color[v] == 1) {
			struct buf	b = { 0 };
			size_t		k = depth;

			while (path[k] != v)
				k--;
			buf_puts(&b, "dependency cycle: ");
			for (; k <= depth; k++)
				buf_printf(&b, "%s -> ", cfg->sites[path[k]].name);
			buf_puts(&b, cfg->sites[v].name);
			dep_error(c, cfg, u, &s->depends_on[edge[depth]],
			    edge[depth], b.data);
			free(b.data);
			edge[depth]++;
			continue;
		}
		color[v] = 1;
		path[++depth] = v;
		edge[depth] = 0;
	}
}

void
check_depends(struct ctx *c, struct config *cfg)
{
	struct byname	*t;
	unsigned char	*color;
	size_t		*path, *edge, i, j, any = 0;
	char		*msg;
	long		 p;

	for (i = 0; i < cfg->nsites; i++)
		any += cfg->sites[i].ndepends;
	if (any == 0)
		return;
	t = byname_new(cfg);
	for (i = 0; i < cfg->nsites; i++)
		for (j = 0; j < cfg->sites[i].ndepends; j++) {
			struct dep_ref *d = &cfg->sites[i].depends_on[j];

			d->idx = (size_t)-1;
			if ((p = byname_find(t, cfg->nsites, d->name)) >= 0) {
				d->idx = (size_t)p;
				continue;
			}
			msg = xasprintf("no site is named \"%s\" (depends_on "
			    "takes site names)", d->name);
			dep_error(c, cfg, i, d, j, msg);
			free(msg);
		}
	free(t);
	color = xcalloc(cfg->nsites, 1);
	path = xcalloc(cfg->nsites + 1, sizeof(*path));
	edge = xcalloc(cfg->nsites + 1, sizeof(*edge));
	for (i = 0; i < cfg->nsites; i++)
		if (color[i] == 0 && cfg->sites[i].ndepends > 0)
			find_cycles(c, cfg, i, color, path, edge);
	free(color);
	free(path);
	free(edge);
}

/* --- maintenance: --------------------------------------------------- */

enum maint_key { MK_NAME, MK_SITES, MK_DAYS, MK_START, MK_DURATION,
	MK_TIMEZONE, MK__MAX };
static const struct keydef maint_keys[MK__MAX] = {
	[MK_NAME] = { "name", V_STR, offsetof(struct maintenance, name), 0, 0,
	    0, 0 },
	[MK_SITES] = { "sites", V_NODE, 0, 0, 0, 0, 0 },
	[MK_DAYS] = { "days", V_NODE, 0, 0, 0, 0, 0 },
	[MK_START] = { "start", V_NODE, 0, 0, 0, 0, 0 },
	[MK_DURATION] = { "duration", V_DURATION,
	    offsetof(struct maintenance, duration_ms), 0, SEC(60),
	    WINDOW_MAX_MS, F_WHOLE_S },
	[MK_TIMEZONE] = { "timezone", V_STR,
	    offsetof(struct maintenance, timezone), 0, 0, 0, 0 },
};

/* Reads "HH:MM" (00:00 to 23:59) into *min; -1 if it is not one. */
static int
parse_hhmm(const char *s, int *min)
{
	if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' ||
	    s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '5' ||
	    s[4] < '0' || s[4] > '9')
		return -1;
	*min = ((s[0] - '0') * 10 + (s[1] - '0')) * 60 +
	    (s[3] - '0') * 10 + (s[4] - '0');
	return *min < 24 * 60 ? 0 : -1;
}

static void
maint_days(struct ctx *c, yaml_node_t *v, const char *kp,
    struct maintenance *m)
{
	yaml_node_item_t	*it;
	char			 ikp[KP_LEN], *s;
	size_t			 i = 0;
	int			 d;

	if (v->type != YAML_SEQUENCE_NODE) {
		cerr(c, AT(v), kp, "expected a list of days (mon, tue, wed, "
		    "thu, fri, sat, sun), found %s", node_kind(v));
		return;
	}
	m->days = 0;
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	    it++, i++) {
		yaml_node_t *item = node_get(c, *it);

		kp_fmt(ikp, "%s[%zu]", kp, i);
		if (scalar(c, item, ikp, "a day", &s) == -1)
			continue;
		for (d = 0; d < 7; d++)
			if (strcasecmp(s, day_names[d]) == 0)
				break;
		if (d == 7)
			cerr(c, AT(item), ikp, "\"%s\" is not a day (mon, tue, "
			    "wed, thu, fri, sat, sun)", s);
		else
			m->days |= 1u << d;
		free(s);
	}
	if (i == 0)
		cerr(c, AT(v), kp, "lists no day (leave days out for every day)");
}

static int
idx_cmp(const void *a, const void *b)
{
	size_t	x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void
maint_sites(struct ctx *c, const struct config *cfg, const struct byname *t,
    yaml_node_t *v, const char *kp, struct maintenance *m)
{
	yaml_node_item_t	*it;
	char			 ikp[KP_LEN], *s;
	size_t			 i = 0;
	long			 p;

	if (v->type == YAML_SCALAR_NODE && !node_is_null(v)) {
		if (scalar(c, v, kp, "all or a list of site names", &s) == 0 &&
		    strcmp(s, "all") != 0)
			cerr(c, AT(v), kp, "\"%s\" is not a list: write [%s], "
			    "or all", s, s);
		else
			m->all = 1;
		free(s);
		return;
	}
	if (v->type != YAML_SEQUENCE_NODE) {
		cerr(c, AT(v), kp, "expected all or a list of site names, "
		    "found %s", node_kind(v));
		return;
	}
	m->sites = xcalloc(cfg->nsites ? cfg->nsites : 1, sizeof(*m->sites));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	    it++, i++) {
		yaml_node_t *item = node_get(c, *it);

		kp_fmt(ikp, "%s[%zu]", kp, i);
		if (scalar(c, item, ikp, "a site name", &s) == -1)
			continue;
		if ((p = byname_find(t, cfg->nsites, s)) < 0)
			cerr(c, AT(item), ikp, "no site is named \"%s\"", s);
		else if (m->nsites < cfg->nsites)
			m->sites[m->nsites++] = (size_t)p;
		free(s);
	}
	if (i == 0)
		cerr(c, AT(v), kp, "lists no site");
	/* Sorted and unique, so a run finds a site in it by bisection. */
	qsort(m->sites, m->nsites, sizeof(*m->sites), idx_cmp);
	for (i = 0; m->nsites > 0 && i + 1 < m->nsites; )
		if (m->sites[i] == m->sites[i + 1]) {
			memmove(&m->sites[i], &m->sites[i + 1],
			    (m->nsites - i - 1) * sizeof(*m->sites));
			m->nsites--;
		} else
			i++;
}

/* Reads window i from node into m. */
static void
read_window(struct ctx *c, const struct config *cfg, const struct byname *t,
    yaml_node_t *node, size_t i, struct maintenance *m)
{
	yaml_node_t		*seen[MK__MAX] = { 0 };
	yaml_node_pair_t	*p;
	char			 kp[KP_LEN], ckp[KP_LEN], *s;
	int			 k;

	kp_fmt(kp, "maintenance[%zu]", i);
	m->days = 0x7f;
	if (node->type != YAML_MAPPING_NODE) {
		cerr(c, AT(node), kp, "expected a mapping (name, sites, days, "
		    "start, duration, timezone), found %s", node_kind(node));
		return;
	}
	for (p = node->data.mapping.pairs.start;
	    p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node_get(c, p->key), *v = node_get(c, p->value);

		if (kn->type != YAML_SCALAR_NODE) {
			cerr(c, AT(kn), kp, "a key must be a plain name, found %s",
			    node_kind(kn));
			continue;
		}
		if ((k = find_key(c, kn, kp, maint_keys, MK__MAX)) == -1)
			continue;
		child_path(ckp, kp, maint_keys[k].name);
		if (seen[k] != NULL) {
			cerr(c, AT(kn), ckp, "given twice (first at line %zu)",
			    seen[k]->start_mark.line + 1);
			continue;
		}
		seen[k] = v;
		switch (k) {
		case MK_SITES:
			maint_sites(c, cfg, t, v, ckp, m);
			break;
		case MK_DAYS:
			maint_days(c, v, ckp, m);
			break;
		case MK_START:
			if (scalar(c, v, ckp, "a time HH:MM", &s) == -1)
				break;
			if (parse_hhmm(s, &m->start_min) == -1)
				cerr(c, AT(v), ckp, "\"%s\" is not a time of day "
				    "HH:MM (00:00 to 23:59)", s);
			free(s);
			break;
		default:
			parse_value(c, &maint_keys[k], v, ckp, m);
			break;
		}
	}
	if (m->timezone != NULL && window_tz_valid(m->timezone) == -1) {
		child_path(ckp, kp, "timezone");
		cerr(c, AT(seen[MK_TIMEZONE]), ckp, "\"%s\" is not a timezone "
		    "in %s (e.g. UTC, Europe/Paris, America/New_York)",
		    m->timezone, WINDOW_ZONEINFO);
	}
	if (m->timezone == NULL)
		m->timezone = xstrdup("UTC");
	for (k = 0; k < MK__MAX; k++)
		if (seen[k] == NULL && k != MK_DAYS && k != MK_TIMEZONE)
			cerr(c, AT(node), kp, "missing required key '%s'",
			    maint_keys[k].name);
}

void
read_maintenance(struct ctx *c, struct config *cfg, yaml_node_t *list)
{
	yaml_node_item_t	*it;
	struct byname		*t;
	size_t			 n;

	if (list == NULL || node_is_null(list))
		return;
	if (list->type != YAML_SEQUENCE_NODE) {
		cerr(c, AT(list), "maintenance", "expected a list of windows, "
		    "found %s", node_kind(list));
		return;
	}
	n = (size_t)(list->data.sequence.items.top -
	    list->data.sequence.items.start);
	if (n > 1000) {
		cerr(c, AT(list), "maintenance", "%zu windows is too many (at "
		    "most 1000)", n);
		return;
	}
	t = byname_new(cfg);
	cfg->maint = xcalloc(n ? n : 1, sizeof(*cfg->maint));
	for (it = list->data.sequence.items.start;
	    it < list->data.sequence.items.top; it++, cfg->nmaint++)
		read_window(c, cfg, t, node_get(c, *it), cfg->nmaint,
		    &cfg->maint[cfg->nmaint]);
	free(t);
}

void
quiet_free_site(struct site *s)
{
	for (size_t i = 0; i < s->ndepends; i++)
		free(s->depends_on[i].name);
	free(s->depends_on);
	s->depends_on = NULL;
	s->ndepends = 0;
}

void
quiet_free_config(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nmaint; i++) {
		free(cfg->maint[i].name);
		free(cfg->maint[i].sites);
		free(cfg->maint[i].timezone);
	}
	free(cfg->maint);
	cfg->maint = NULL;
	cfg->nmaint = 0;
}
