#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "log.h"
#include "util.h"

long
site_find(const struct config *cfg, const char *query)
{
	long	 found = -1;
	size_t	 i, nhost = 0;
	char	 red[512];

	for (i = 0; i < cfg->nsites; i++)
		if (strcmp(cfg->sites[i].name, query) == 0 ||
		    strcmp(cfg->sites[i].url, query) == 0)
			return (long)i;
	for (i = 0; i < cfg->nsites; i++)
		if (strcmp(cfg->sites[i].host, query) == 0) {
			found = (long)i;
			nhost++;
		}
	if (nhost == 1)
		return found;

	if (nhost == 0)
		fprintf(stderr, "peekl: no site matches \"%s\"; configured sites:\n",
		    query);
	else
		fprintf(stderr, "peekl: \"%s\" matches %zu sites; name one of:\n",
		    query, nhost);
	for (i = 0; i < cfg->nsites; i++)
		if (nhost == 0 || strcmp(cfg->sites[i].host, query) == 0)
			fprintf(stderr, "  %s  (%s)\n", cfg->sites[i].name,
			    redact_site_url(cfg->sites[i].url, red, sizeof(red)));
	return -1;
}

unsigned char *
view_sites(const struct config *cfg, const struct view_opts *o)
{
	unsigned char	*want = xcalloc(cfg->nsites, 1);

	for (size_t i = 0; i < o->nsites; i++) {
		long idx = site_find(cfg, o->sites[i]);

		if (idx < 0) {
			free(want);
			return NULL;
		}
		want[idx] = 1;
	}
	if (o->nsites == 0)
		memset(want, 1, cfg->nsites);
	return want;
}
