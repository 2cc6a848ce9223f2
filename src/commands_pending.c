/* The commands whose work is not built yet: they say so clearly, exit 3. */
#include <stdio.h>

#include "commands.h"

volatile sig_atomic_t peekl_stop;

/* Returns UNKNOWN after saying that name is not available yet. */
static int
pending(const char *name)
{
	fprintf(stderr, "peekl: %s is not available yet in this version\n",
	    name);
	return 3;
}

int
cmd_check(const struct config *cfg, const struct check_opts *o)
{
	(void)cfg;
	(void)o;
	return pending("check");
}

int
cmd_status(const struct config *cfg, int json)
{
	(void)cfg;
	(void)json;
	return pending("status");
}

int
cmd_history(const struct config *cfg, const char *site, int64_t since_ms,
    int json)
{
	(void)cfg;
	(void)site;
	(void)since_ms;
	(void)json;
	return pending("history");
}
