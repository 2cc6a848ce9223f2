/* Routing: which integration instance takes which alert (an instance's
 * events: and sites:, a site's alert_to:), and whether a storm of them is
 * grouped (alerting.group_threshold). Pure, so every rule is unit-tested
 * without servers. */
#ifndef PEEKL_ROUTE_H
#define PEEKL_ROUTE_H

#include "check.h"
#include "config.h"

/* Returns 1 when instance in takes an alert of event ev about site (NULL
 * for a location's own DOWN/UP, which only events: filters). */
int	route_takes(const struct integration *in, const struct site *site,
	    enum alert_event ev);

/* Returns 1 when the nalerts alerts one run queues for instance in are to
 * be sent as one grouped alert: more than threshold (0: never), and a
 * type that allows it. */
int	route_groups(const struct integration *in, size_t nalerts,
	    int threshold);

#endif
