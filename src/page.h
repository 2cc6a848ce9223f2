/* The static status page (spec/visibility.md "Status page"): index.html,
 * status.json and one SVG badge per site, written into a directory. */
#ifndef PEEKL_PAGE_H
#define PEEKL_PAGE_H

#include "config.h"

struct store;

/* The title when none is given. */
#define PAGE_TITLE_DEFAULT "Status"

/* Reads what the page shows from store and writes DIR/index.html,
 * DIR/status.json and DIR/badge/NAME.svg, each atomically, creating DIR
 * and DIR/badge when missing. title NULL means PAGE_TITLE_DEFAULT.
 * Returns 0, or -1 (logged). */
int	page_write(struct store *store, const struct config *cfg,
	    const char *dir, const char *title);

#endif
