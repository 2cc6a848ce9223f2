/* The `metrics` command, and `check --metrics FILE` after a run: what the
 * metrics show, read from Redis, and where they are written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "file_atomic.h"
#include "log.h"
#include "metrics.h"
#include "quiet.h"
#include "store.h"

/*
 * The queues peekl_alerts_queued shows, one per configured integration,
 * labelled with its name. This is the one place that knows how an alert
 * queue is named for the metrics. Returns 0, or -1 on a Redis error.
 */
static int
collect_queues(struct store *store, const struct config *cfg,
    struct metrics_in *in)
{
	in->queues = xcalloc(cfg->nintegrations + 1, sizeof(*in->queues));
	for (size_t i = 0; i < cfg->nintegrations; i++) {
		const char *name = integration_name(&cfg->integrations[i]);
		long n;

		if ((n = store_queue_len(store, name)) == -1)
			return -1;
		in->queues[in->nqueues].instance = name;
		in->queues[in->nqueues++].len = n;
	}
	return 0;
}

/*
 * Fills in->quiet, one flag per site: 1 while the site is silenced or in
 * a maintenance window (quiet.c decides, as for status). This is the one
 * input of peekl_silenced. Returns 0, or -1 on a Redis error.
 */
static int
collect_quiet(struct store *store, const struct config *cfg,
    struct metrics_in *in)
{
	struct quiet_now	q;
	char			why[SILENCE_REASON_MAX + 1];
	int			rc = -1;

	in->quiet = xcalloc(cfg->nsites + 1, 1);
	if (quiet_now_read(store, cfg, &q) == 0) {
		for (size_t i = 0; i < cfg->nsites; i++)
			in->quiet[i] = quiet_now_until(&q, i, why,
			    sizeof(why)) != 0;
		rc = 0;
	}
	quiet_now_free(&q);
	return rc;
}

int
metrics_collect(struct store *store, const struct config *cfg,
    struct metrics_in *in)
{
	memset(in, 0, sizeof(*in));
	in->cfg = cfg;
	/* A location exports its own measurements, labelled; the quorum is
	 * Prometheus's to take across the hosts. */
	in->location = cfg->location;
	if (cfg->location != NULL)
		store_set_location(store, cfg->location);
	in->states = xcalloc(cfg->nsites + 1, sizeof(*in->states));
	if (store_read_states(store, cfg, in->states) == -1 ||
	    collect_queues(store, cfg, in) == -1 ||
	    collect_quiet(store, cfg, in) == -1)
		return -1;
	return 0;
}

void
metrics_in_free(struct metrics_in *in)
{
	if (in == NULL)
		return;
	free(in->states);
	free(in->quiet);
	free(in->queues);
	memset(in, 0, sizeof(*in));
}

int
metrics_write(struct store *store, const struct config *cfg,
    const char *path)
{
	struct metrics_in	 in;
	struct buf		 b = { 0 };
	int			 rc = -1;

	if (metrics_collect(store, cfg, &in) == -1)
		goto out;
	metrics_render(&in, &b);
	if (path != NULL)
		rc = file_write_atomic(path, b.data, b.len);
	else if (fwrite(b.data, 1, b.len, stdout) != b.len ||
	    fflush(stdout) != 0)
		log_error("metrics: cannot write to stdout");
	else
		rc = 0;
out:
	metrics_in_free(&in);
	buf_free(&b);
	return rc;
}

int
cmd_metrics(const struct config *cfg, const char *out)
{
	struct store	*store = NULL;
	int		 rc = 3;

	if (store_open(&cfg->redis, &store) == -1)
		return 3;
	if (metrics_write(store, cfg, out) == 0)
		rc = 0;
	store_close(store);
	return rc;
}
