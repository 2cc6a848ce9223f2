/*
 * redis.sentinels: the list of "host:port" entries of the Redis Sentinels
 * that peekl asks for the master's address (spec/locations.md, "Redis
 * Sentinel"). The rules between it and the other redis keys are in
 * config.c, with the redis key table.
 */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config.h"
#include "config_int.h"
#include "util.h"

#define SENTINEL_PORT	26379	/* Sentinel's own default port */
#define HOST_MAX	253	/* the longest DNS name */

/* Returns 1 when s is usable as a host name or address: printable, no
 * spaces, no characters that could only be a mistake. */
static int
host_ok(const char *s, size_t len)
{
	if (len == 0 || len > HOST_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f ||
		    strchr("/@[]?#", s[i]) != NULL)
			return 0;
	return 1;
}

/*
 * Splits "host:port", "[v6addr]:port" or "host" (port 26379) into a; a->host
 * is malloc'd. Returns NULL, or why s is none of those.
 */
static const char *
parse_addr(const char *s, struct redis_addr *a)
{
	const char	*host = s, *colon, *end;
	size_t		 hlen;
	long long	 port = SENTINEL_PORT;

	if (*s == '[') {
		host = s + 1;
		if ((end = strchr(host, ']')) == NULL)
			return "has a '[' without its ']'";
		hlen = (size_t)(end - host);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return "has something other than :PORT after ']'";
	} else {
		colon = strrchr(s, ':');
		if (colon != NULL && strchr(s, ':') != colon)
			return "is an IPv6 address without brackets "
			    "(write [ADDRESS]:PORT)";
		hlen = colon != NULL ? (size_t)(colon - s) : strlen(s);
	}
	if (!host_ok(host, hlen))
		return "has no valid host";
	if (colon != NULL && parse_ll(colon + 1, 1, 65535, &port) == -1)
		return "has no valid port (1 to 65535)";
	a->host = xstrndup(host, hlen);
	a->port = (int)port;
	return NULL;
}

void
read_sentinels(struct ctx *c, yaml_node_t *node, const char *kp,
    struct redis_conf *r)
{
	yaml_node_item_t	*it;
	char			 ikp[KP_LEN], *s;
	const char		*why;
	size_t			 n;

	if (node->type != YAML_SEQUENCE_NODE) {
		cerr(c, AT(node), kp, "expected a list of \"host:port\", found "
		    "%s", node_kind(node));
		return;
	}
	n = (size_t)(node->data.sequence.items.top -
	    node->data.sequence.items.start);
	if (n == 0) {
		cerr(c, AT(node), kp, "lists no sentinel (give at least one "
		    "\"host:port\")");
		return;
	}
	if (n > MAX_SENTINELS) {
		cerr(c, AT(node), kp, "%zu sentinels is too many (at most %d)",
		    n, MAX_SENTINELS);
		return;
	}
	r->sentinels = xcalloc(n, sizeof(*r->sentinels));
	for (it = node->data.sequence.items.start;
	    it < node->data.sequence.items.top; it++) {
		yaml_node_t	*v = node_get(c, *it);

		kp_fmt(ikp, "%s[%zu]", kp,
		    (size_t)(it - node->data.sequence.items.start));
		if (scalar(c, v, ikp, "a \"host:port\"", &s) == -1)
			continue;
		if ((why = parse_addr(s, &r->sentinels[r->nsentinels])) != NULL)
			cerr(c, AT(v), ikp, "\"%s\" %s", s, why);
		else
			r->nsentinels++;
		free(s);
	}
}
