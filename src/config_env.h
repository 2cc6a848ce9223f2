/* ${NAME} substitution in configuration values, kept apart from config.c so
 * the YAML walk reads without string surgery in the middle of it. */
#ifndef PEEKL_CONFIG_ENV_H
#define PEEKL_CONFIG_ENV_H

/*
 * Expands ${NAME}, ${NAME:-default} (the default when NAME is unset or
 * empty, as in sh) and $${ (a literal "${") in s. Returns a malloc'd string
 * the caller frees, or NULL with *err set to a malloc'd message the caller
 * frees, e.g. "environment variable TOKEN is not set".
 */
char	*env_expand(const char *s, char **err);

#endif
