/* The commands main() dispatches to. Each returns the process exit status
 * (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) and reports its own errors. */
#ifndef PEEKL_COMMANDS_H
#define PEEKL_COMMANDS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"

/* Set by the SIGTERM/SIGINT handler; every long wait polls it. */
extern volatile sig_atomic_t peekl_stop;

struct check_opts {
	const char	**sites;	/* --site values; borrowed */
	size_t		  nsites;
	int		  json;
	int		  dry_run;
	const char	 *metrics_out;	/* --metrics FILE, or NULL */
	const char	 *page_dir;	/* --page DIR, or NULL */
	const char	 *page_title;	/* --title TEXT, or NULL */
};

int	cmd_check(const struct config *cfg, const struct check_opts *o);
int	cmd_status(const struct config *cfg, int json);
int	cmd_history(const struct config *cfg, const char *site,
	    int64_t since_ms, int json);

/* What `peekl silence` was asked. */
struct silence_opts {
	const char	**sites;	/* SITE... ("all" for every site); borrowed */
	size_t		  nsites;
	const char	 *duration;	/* --for */
	const char	 *reason;	/* --reason, NULL when not given */
	int		  list;		/* --list */
	int		  clear;	/* --clear */
	int		  json;		/* --list --json */
};

int	cmd_silence(const struct config *cfg, const struct silence_opts *o);
struct store;
struct site_state;

/* The `status --json` document of states (cfg->nsites entries), with the
 * set-aside counts read from store; the caller owns it. NULL on a Redis
 * error (logged). */
json_t	*status_document(struct store *store, const struct config *cfg,
	    const struct site_state *states);

/* `metrics [--out FILE]`: the Prometheus metrics on stdout or in FILE. */
int	cmd_metrics(const struct config *cfg, const char *out);

/* `page --out DIR [--title TEXT]`: the status page, status.json and the
 * badges in DIR (title NULL for the default). */
int	cmd_page(const struct config *cfg, const char *dir, const char *title);

/*
 * Finds the site a --site argument names: its name, its URL, or its URL's
 * host. Returns the index, or -1 after printing an error that lists the
 * candidates (no match, or a host shared by several sites).
 */
long	site_find(const struct config *cfg, const char *query);

/* The options of the commands that read history: incidents, report. */
struct view_opts {
	const char	**sites;	/* --site values; borrowed; none: all */
	size_t		  nsites;
	int64_t		  since_ms;	/* the window's start, unix ms */
	int64_t		  until_ms;	/* its end (now, or --month's end) */
	int64_t		  at_ms;	/* the instant it was fixed at */
	int		  month;	/* the window is --month's */
	int		  json;
	int		  csv;
};

int	cmd_incidents(const struct config *cfg, const struct view_opts *o);
int	cmd_report(const struct config *cfg, const struct view_opts *o);

/* Returns a malloc'd flag per configured site (caller frees): the sites
 * o->sites name, or all when none; NULL after site_find printed why a
 * --site names none. */
unsigned char *view_sites(const struct config *cfg,
	    const struct view_opts *o);

/* Parses --month's "YYYY-MM" into [*from, *to), unix ms of the calendar
 * month in UTC; -1 when s is not such a month. */
int	parse_month(const char *s, int64_t *from, int64_t *to);

#endif
