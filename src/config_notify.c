/*
 * The configuration of spec/notifiers.md's integrations: the values only
 * they have (an email's smtp URL and its list of recipients), their
 * defaults, and the rules between their keys. The key tables themselves
 * are in config_alerting.c with every other integration's.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "config.h"
#include "config_int.h"
#include "mime.h"
#include "util.h"

#define MAX_RECIPIENTS	100
#define ADDR_MAX	320	/* RFC 5321: 64 + "@" + 255 */

/* The services' own URLs; `url:`/`api_url:` replace them. */
#define PAGERDUTY_URL	"https://events.pagerduty.com/v2/enqueue"
#define OPSGENIE_URL	"https://api.opsgenie.com"
#define TELEGRAM_URL	"https://api.telegram.org"

/* Checks an smtp:// or smtps:// URL: a host and an optional port, nothing
 * else (credentials belong in username/password). */
static int
conv_smtp_url(struct ctx *c, yaml_node_t *v, const char *kp, char *s,
    char **field)
{
	struct url	 u;
	const char	*why, *rest;
	char		*as_http;
	int		 tls;

	if (strncasecmp(s, "smtps://", 8) == 0)
		tls = 1;
	else if (strncasecmp(s, "smtp://", 7) == 0)
		tls = 0;
	else {
		cerr(c, AT(v), kp, "is not an smtp:// or smtps:// URL");
		free(s);
		return -1;
	}
	rest = s + (tls ? 8 : 7);
	/* The host and port rules are those of an http(s) URL. */
	as_http = xasprintf("%s://%s", tls ? "https" : "http", rest);
	why = url_parse(as_http, &u);
	if (why == NULL) {
		if (strchr(rest, '@') != NULL)
			why = "must not hold a user or password (use username: "
			    "and password:)";
		else if (strcmp(u.hostport + strcspn(u.hostport, "/?#"),
		    "") != 0 && strcmp(u.hostport + strcspn(u.hostport,
		    "/?#"), "/") != 0)
			why = "must be smtp[s]://HOST[:PORT] without a path";
		free(u.host);
	}
	free(as_http);
	if (why != NULL) {
		/* The URL holds no secret once userinfo is refused, but a
		 * refused one might: print only the scheme. */
		cerr(c, AT(v), kp, "%s URL %s", tls ? "smtps://" : "smtp://",
		    why);
		free(s);
		return -1;
	}
	free(*field);
	*field = s;
	return 0;
}

/* Reads one address of `to` (a scalar) into *out; -1 after reporting. */
static int
conv_addr(struct ctx *c, yaml_node_t *v, const char *kp, char **out)
{
	char	*s, addr[ADDR_MAX];

	if (scalar(c, v, kp, "an email address", &s) == -1)
		return -1;
	if (mime_addr(s, addr, sizeof(addr)) == -1) {
		cerr(c, AT(v), kp, "\"%s\" is not an email address (e.g. "
		    "ops@example.com or \"On call <oncall@example.com>\")",
		    mime_is_plain(s) ? s : "(not printable)");
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

/* Reads `to`: one address or a list of them. */
static int
conv_addr_list(struct ctx *c, yaml_node_t *v, const char *kp,
    struct integration *in)
{
	yaml_node_item_t	*it;
	char			 ikp[KP_LEN];
	size_t			 n = 0;
	int			 rc = 0;

	if (v->type == YAML_SCALAR_NODE) {
		in->to = xcalloc(1, sizeof(*in->to));
		if (conv_addr(c, v, kp, &in->to[0]) == -1)
			return -1;
		in->nto = 1;
		return 0;
	}
	if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start ==
	    v->data.sequence.items.top) {
		cerr(c, AT(v), kp, "expected an address or a list of them, "
		    "found %s", node_kind(v));
		return -1;
	}
	n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (n > MAX_RECIPIENTS) {
		cerr(c, AT(v), kp, "has %zu addresses; at most %d", n,
		    MAX_RECIPIENTS);
		return -1;
	}
	in->to = xcalloc(n, sizeof(*in->to));
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	    it++) {
		kp_fmt(ikp, "%s[%zu]", kp, in->nto);
		if (conv_addr(c, node_get(c, *it), ikp, &in->to[in->nto]) == -1)
			rc = -1;
		else
			in->nto++;
	}
	return rc;
}

int
parse_notify_value(struct ctx *c, const struct keydef *k, yaml_node_t *v,
    const char *kp, void *obj)
{
	struct integration	*in = obj;
	char			*s;

	if (k->type == V_ADDRLIST)
		return conv_addr_list(c, v, kp, in);
	if (scalar(c, v, kp, "an smtp:// or smtps:// URL", &s) == -1)
		return -1;
	return conv_smtp_url(c, v, kp, s, (char **)((char *)obj + k->off));
}

int
notify_default_url(struct integration *in)
{
	const char	*url;

	switch (in->type) {
	case ITYPE_PAGERDUTY:
		url = PAGERDUTY_URL;
		break;
	case ITYPE_OPSGENIE:
		url = OPSGENIE_URL;
		break;
	case ITYPE_TELEGRAM:
		url = TELEGRAM_URL;
		break;
	default:
		return 0;
	}
	in->url = xstrdup(url);
	return 1;
}

void
notify_finish(struct ctx *c, yaml_node_t *node, const char *kp,
    struct integration *in)
{
	char	addr[ADDR_MAX];

	if (in->type != ITYPE_EMAIL)
		return;
	if ((in->smtp_user == NULL) != (in->secret == NULL))
		cerr(c, AT(node), kp, "username and password go together: "
		    "give both or neither");
	if (in->from != NULL && mime_addr(in->from, addr, sizeof(addr)) == -1)
		cerr(c, AT(node), kp, "from: \"%s\" is not an email address "
		    "(e.g. \"peekl <peekl@example.com>\")",
		    mime_is_plain(in->from) ? in->from : "(not printable)");
}

void
integration_notify_clear(struct integration *in)
{
	size_t	i;

	free(in->ca_file);
	free(in->secret);
	free(in->chat_id);
	free(in->smtp_user);
	free(in->from);
	for (i = 0; i < in->nto; i++)
		free(in->to[i]);
	free(in->to);
}
