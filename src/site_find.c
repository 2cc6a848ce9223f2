#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "log.h"

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
