/* Routing decisions: an alert goes to an instance when the instance takes
 * its event and its site, and the site sends to the instance. Each list,
 * when absent, means "all". */
#include <string.h>

#include "notify.h"
#include "route.h"

/* Returns 1 when name is one of the n names. */
static int
listed(char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

int
route_takes(const struct integration *in, const struct site *site,
    enum alert_event ev)
{
	if ((unsigned)ev >= ALERT__MAX || !(in->events & (1u << ev)))
		return 0;
	/* A location's own DOWN/UP (site NULL) is about no site: only
	 * events: decides. */
	if (site == NULL)
		return 1;
	if (in->nsites > 0 && !listed(in->sites, in->nsites, site->name))
		return 0;
	if (site->nalert_to > 0 &&
	    !listed(site->alert_to, site->nalert_to, integration_name(in)))
		return 0;
	return 1;
}

int
route_groups(const struct integration *in, size_t nalerts, int threshold)
{
	/* PagerDuty and Opsgenie track one incident per site: a group
	 * would be one incident for all of them. */
	return threshold > 0 && nalerts > (size_t)threshold &&
	    integration_type_groupable(in->type);
}
