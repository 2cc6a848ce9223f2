/* The Prometheus metrics (spec/visibility.md "Prometheus metrics"): the
 * current state of every site and queue in text exposition format 0.0.4.
 * Rendering is pure; metrics_collect reads what it needs from Redis. */
#ifndef PEEKL_METRICS_H
#define PEEKL_METRICS_H

#include <stddef.h>

#include "config.h"
#include "state.h"
#include "util.h"

struct store;

/* One alert queue as peekl_alerts_queued shows it. */
struct metrics_queue {
	const char	*instance;	/* the label value, e.g. "slack" */
	long		 len;		/* alerts waiting */
};

/* Everything the metrics show, gathered by metrics_collect. */
struct metrics_in {
	const struct config	*cfg;
	const char		*location;	/* cfg->location, label of
						 * every per-site sample */
	struct site_state	*states;	/* cfg->nsites entries; with a
						 * location, its own view */
	unsigned char		*quiet;		/* per site: 1 while silenced or
						 * in maintenance (peekl_silenced) */
	struct metrics_queue	*queues;
	size_t			 nqueues;
};

/* Appends the exposition of in to out: every family with # HELP and
 * # TYPE, sites in config order, families in the spec's order. */
void	metrics_render(const struct metrics_in *in, struct buf *out);

/* Reads the states and queue lengths of cfg's sites and integrations from
 * store into in (free with metrics_in_free); with cfg->location, the
 * states are that location's own (PREFIX:site:NAME:loc:LOCATION), each
 * host exporting what it measured. Returns 0, or -1 (logged). */
int	metrics_collect(struct store *store, const struct config *cfg,
	    struct metrics_in *in);
void	metrics_in_free(struct metrics_in *in);

/* Writes the metrics of cfg's sites to path atomically, or to stdout
 * when path is NULL. Returns 0, or -1 (logged). */
int	metrics_write(struct store *store, const struct config *cfg,
	    const char *path);

#endif
