/* The `incidents` command: the state changes of some or all sites, newest
 * first, with how long each state lasted. */
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "incidents.h"
#include "jsonstr.h"
#include "output.h"
#include "store.h"
#include "util.h"

/* One listed change: its site and its place in that site's changes. */
struct row {
	size_t		 site;		/* index in cfg->sites */
	struct incident	*in;
	int64_t		 until;		/* the next change of its kind, 0: none */
};

/* Newest first; at one instant, sites in config order, http first. */
static int
row_cmp(const void *a, const void *b)
{
	const struct row	*p = a, *q = b;

	if (p->in->t != q->in->t)
		return p->in->t > q->in->t ? -1 : 1;
	if (p->site != q->site)
		return p->site < q->site ? -1 : 1;
	return (int)p->in->kind - (int)q->in->kind;
}

static json_t *
row_json(const struct config *cfg, const struct row *r)
{
	const struct incident	*in = r->in;

	return json_pack("{s:o, s:s, s:s, s:s, s:f, s:o, s:o, s:o}",
	    "site", json_text(cfg->sites[r->site].name, 0),
	    "kind", check_kind_name(in->kind),
	    "from", incident_state_name(in->kind, in->from),
	    "to", incident_state_name(in->kind, in->to),
	    "t", (double)in->t / 1000.0,
	    "until", r->until ? json_real((double)r->until / 1000.0) :
	    json_null(),
	    "duration_s", r->until ? json_integer((r->until - in->t) / 1000) :
	    json_null(),
	    "reason", json_text(in->reason, 0));
}

/* Prints "2026-06-01T00:10:00Z  shop  http  up -> down    down 10m 0s,
 * HTTP 503", the site padded to namew. */
static void
print_row(const struct config *cfg, const struct row *r, int namew,
    int64_t now)
{
	const struct incident	*in = r->in;
	char			 when[32], took[32], change[64];

	format_iso8601(in->t / 1000, when, sizeof(when));
	format_duration((r->until ? r->until : now) - in->t, took,
	    sizeof(took));
	snprintf(change, sizeof(change), "%s -> %s",
	    incident_state_name(in->kind, in->from),
	    incident_state_name(in->kind, in->to));
	printf("%s  %-*s  %-4s  %-20s  %s %s%s%s%s\n", when, namew,
	    cfg->sites[r->site].name, check_kind_name(in->kind), change,
	    incident_state_name(in->kind, in->to), took,
	    r->until ? "" : " so far", in->reason[0] ? ", " : "", in->reason);
}

int
cmd_incidents(const struct config *cfg, const struct view_opts *o)
{
	struct store	 *store = NULL;
	struct incident	**lists;
	size_t		 *nlists;
	struct row	 *rows = NULL;
	size_t		  nrows = 0, cap = 0, i, j;
	unsigned char	 *want;
	int64_t		  now = now_ms(), since = o->since_ms;
	int		  rc = SEV_UNKNOWN, namew = 1;

	lists = xcalloc(cfg->nsites, sizeof(*lists));
	nlists = xcalloc(cfg->nsites, sizeof(*nlists));
	if ((want = view_sites(cfg, o)) == NULL ||
	    store_open(&cfg->redis, &store) == -1)
		goto out;
	for (i = 0; i < cfg->nsites; i++) {
		if (!want[i])
			continue;
		if (store_read_incidents(store, cfg->sites[i].name, since, now,
		    &lists[i], &nlists[i]) == -1)
			goto out;
		for (j = 0; j < nlists[i]; j++) {
			size_t	next = incident_next(lists[i], nlists[i], j);

			if (lists[i][j].t < since)
				continue;
			if (nrows == cap) {
				cap = cap ? cap * 2 : 64;
				rows = xrealloc(rows, cap * sizeof(*rows));
			}
			rows[nrows].site = i;
			rows[nrows].in = &lists[i][j];
			rows[nrows++].until = next < nlists[i] ?
			    lists[i][next].t : 0;
			if ((int)strlen(cfg->sites[i].name) > namew)
				namew = (int)strlen(cfg->sites[i].name);
		}
	}
	if (namew > 40)
		namew = 40;
	if (nrows > 1)
		qsort(rows, nrows, sizeof(*rows), row_cmp);
	if (o->json) {
		json_t	*arr = json_array();

		for (i = 0; i < nrows; i++)
			json_array_append_new(arr, row_json(cfg, &rows[i]));
		output_json_doc(json_pack("{s:o}", "incidents", arr));
	} else if (nrows == 0) {
		char	from[32];

		format_iso8601(since / 1000, from, sizeof(from));
		printf("no incidents since %s\n", from);
	} else
		for (i = 0; i < nrows; i++)
			print_row(cfg, &rows[i], namew, now);
	rc = 0;
out:
	for (i = 0; i < cfg->nsites; i++)
		free(lists[i]);
	free(lists);
	free(nlists);
	free(rows);
	free(want);
	store_close(store);
	return rc;
}
