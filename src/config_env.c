#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config_env.h"
#include "util.h"

/* Returns the length of a valid variable name at the start of s, 0 if none. */
static size_t
var_name_len(const char *s)
{
	size_t	n = 0;

	if (!isalpha((unsigned char)s[0]) && s[0] != '_')
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

/*
 * Expands the reference starting at p (just after "${") into b. Returns the
 * position after its closing brace, or NULL with *err set.
 */
static const char *
expand_one(const char *p, struct buf *b, char **err)
{
	const char	*close, *val, *def = NULL;
	char		*name;
	size_t		 n;

	if ((close = strchr(p, '}')) == NULL) {
		*err = xasprintf("unterminated \"${\" (write \"$${\" for a "
		    "literal \"${\")");
		return NULL;
	}
	n = var_name_len(p);
	if (n == 0 || (p[n] != '}' && strncmp(p + n, ":-", 2) != 0)) {
		*err = xasprintf("\"${%.*s}\" is not a valid variable reference "
		    "(expected ${NAME} or ${NAME:-default})",
		    (int)(close - p), p);
		return NULL;
	}
	if (p[n] == ':')
		def = p + n + 2;
	name = xstrndup(p, n);
	val = getenv(name);
	if (def != NULL && (val == NULL || *val == '\0'))
		buf_append(b, def, (size_t)(close - def));
	else if (val != NULL)
		buf_puts(b, val);
	else {
		*err = xasprintf("environment variable %s is not set (use "
		    "${%s:-default} for a default)", name, name);
		free(name);
		return NULL;
	}
	free(name);
	return close + 1;
}

char *
env_expand(const char *s, char **err)
{
	struct buf	 b = { 0 };
	const char	*p = s;

	*err = NULL;
	buf_append(&b, "", 0);
	while (*p != '\0') {
		if (strncmp(p, "$${", 3) == 0) {
			buf_puts(&b, "${");
			p += 3;
		} else if (strncmp(p, "${", 2) == 0) {
			if ((p = expand_one(p + 2, &b, err)) == NULL) {
				buf_free(&b);
				return NULL;
			}
		} else {
			buf_append(&b, p, 1);
			p++;
		}
	}
	return b.data;
}
