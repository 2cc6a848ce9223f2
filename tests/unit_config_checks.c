/*
 * Unit tests of the config keys of spec/checks.md: sub-second durations,
 * `slow`, the response assertions and the request shaping, each value
 * form and each validation error with its file:line:col and site.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "config.h"
#include "util.h"

/* Loads text as DIR/config.yaml in a fresh directory, with stderr in *err
 * (caller frees); extra files (name, text pairs, NULL-ended) go next to it.
 * Returns config_load's result. */
static int
load(const char *text, struct config **cfg, char **err,
    const char *const *files)
{
	char	 dir[] = "/tmp/peekl-cfgchk-XXXXXX", *path;
	FILE	*f, *tmp = tmpfile();
	long	 len;
	int	 saved, rc;

	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	for (; files != NULL && files[0] != NULL; files += 2) {
		path = xasprintf("%s/%s", dir, files[0]);
		cr_assert_not_null(f = fopen(path, "w"));
		fputs(files[1], f);
		fclose(f);
		free(path);
	}
	path = xasprintf("%s/config.yaml", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	rc = config_load(path, cfg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	len = ftell(tmp);
	*err = xcalloc(1, (size_t)len + 1);
	rewind(tmp);
	cr_assert_eq(fread(*err, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	if (**err != '\0')
		cr_log_info("stderr of config_load:\n%s", *err);
	free(path);
	path = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(path), 0);
	free(path);
	return rc;
}

static struct config *
load_ok_files(const char *text, const char *const *files)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load(text, &cfg, &err, files), 0, "rejected:\n%s", err);
	free(err);
	return cfg;
}

static struct config *
load_ok(const char *text)
{
	return load_ok_files(text, NULL);
}

/* Loads text that must be invalid; stderr must hold every string of want
 * (NULL-ended). */
static void
fails_with_all(const char *text, const char *const *want,
    const char *const *files)
{
	struct config	*cfg = (struct config *)1;
	char		*err = NULL;

	cr_assert_eq(load(text, &cfg, &err, files), -1, "accepted:\n%s", text);
	cr_assert_null(cfg);
	for (; *want != NULL; want++)
		cr_assert_not_null(strstr(err, *want), "expected \"%s\" in:\n%s",
		    *want, err);
	free(err);
}

static void
fails_with(const char *text, const char *want)
{
	fails_with_all(text, (const char *[]){ want, NULL }, NULL);
}

#define SITE1(extra) "websites:\n  - url: https://example.com\n" extra

Test(config_checks, sub_second_durations)
{
	struct config	*cfg = load_ok(SITE1("    slow: 800ms\n"
	    "    timeout: 1.5s\n"
	    "  - url: https://b.example\n    slow: 0.25\n"
	    "    interval: 1.5m\n"));

	cr_assert_eq(cfg->sites[0].slow_ms, 800);
	cr_assert_eq(cfg->sites[0].timeout_ms, 1500);
	cr_assert_eq(cfg->sites[1].slow_ms, 250);
	cr_assert_eq(cfg->sites[1].interval_ms, 90000);
	config_free(cfg);
}

Test(config_checks, no_slow_by_default)
{
	struct config	*cfg = load_ok(SITE1(""));

	cr_assert_eq(cfg->sites[0].slow_ms, 0);
	config_free(cfg);
}

Test(config_checks, sub_second_refused_where_it_cannot_be_used)
{
	fails_with_all(SITE1("    interval: 800ms\n"
	    "    retry_interval: 1.5s\n"
	    "    certificate_monitoring_interval: 2500ms\n"
	    "redis:\n  retention: 0.5s\n"),
	    (const char *[]){
	    "config.yaml:3:15: websites[0].interval (site \"example.com\"): "
	    "\"800ms\" is below a second: the smallest unit here is 1s",
	    "config.yaml:4:21: websites[0].retry_interval (site \"example.com\"):"
	    " \"1.5s\" is below a second: the smallest unit here is 1s",
	    "websites[0].certificate_monitoring_interval (site \"example.com\"): "
	    "\"2500ms\" is below a second",
	    "config.yaml:7:14: redis.retention: \"0.5s\" is below a second",
	    NULL }, NULL);
}

Test(config_checks, slow_is_checked)
{
	fails_with(SITE1("    slow: quick\n"),
	    "config.yaml:3:11: websites[0].slow (site \"example.com\"): "
	    "\"quick\" is not a duration (e.g. 30, 90s, 5m, 800ms, 1.5s)");
	fails_with(SITE1("    slow: 0\n"),
	    "websites[0].slow (site \"example.com\"): \"0\" is out of range "
	    "(1ms to 5m)");
	fails_with(SITE1("    slow: 1.0005s\n"), "is not a duration");
}

Test(config_checks, slow_under_defaults)
{
	struct config	*cfg = load_ok("defaults:\n  slow: 2s\n" SITE1(""));

	cr_assert_eq(cfg->sites[0].slow_ms, 2000);
	config_free(cfg);
}
