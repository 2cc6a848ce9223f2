/* The `page` command, and `check --page DIR` after a run. */
#include "commands.h"
#include "log.h"
#include "page.h"
#include "store.h"

int
page_write(struct store *store, const struct config *cfg, const char *dir,
    const char *title)
{
	(void)store; (void)cfg; (void)dir; (void)title;
	log_error("page: not yet");
	return -1;
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
