/* Routing: which integration instance takes which alert (an instance's
 * events: and sites:, a site's alert_to:). Pure, so every rule is
 * unit-tested without servers. */
#ifndef PEEKL_ROUTE_H
#define PEEKL_ROUTE_H

#include "check.h"
#include "config.h"

/* Returns 1 when instance in takes an alert of event ev about site. */
int	route_takes(const struct integration *in, const struct site *site,
	    enum alert_event ev);

#endif
