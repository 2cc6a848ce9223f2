/* The command line as a user meets it: help, versions, exit codes, validate,
 * status and history, run against the built binary. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static int
run(struct h_run *r, const char *const argv[])
{
	return h_run(r, argv, (const char *[]){ "PEEKL_CONFIG", NULL });
}

Test(cli, help_lists_commands_and_exit_codes)
{
	struct h_run	r;

	cr_assert_eq(run(&r, (const char *[]){ "--help", NULL }), 0);
	cr_assert_not_null(strstr(r.out, "validate"));
	cr_assert_not_null(strstr(r.out, "history"));
	cr_assert_not_null(strstr(r.out, "3 UNKNOWN"));
	h_run_free(&r);
	cr_assert_eq(run(&r, (const char *[]){ "check", "--help", NULL }), 0);
	cr_assert_not_null(strstr(r.out, "--dry-run"));
	h_run_free(&r);
	cr_assert_eq(run(&r, (const char *[]){ "history", "-h", NULL }), 0);
	cr_assert_not_null(strstr(r.out, "--since"));
	h_run_free(&r);
}

/* Every command is listed by --help and has its own help. */
Test(cli, help_names_every_command)
{
	static const char *const cmds[] = { "check", "status", "history",
	    "validate", "silence", "incidents", "report", "metrics", "page" };
	struct h_run	r;
	char		*line;

	cr_assert_eq(run(&r, (const char *[]){ "--help", NULL }), 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		line = h_strf("\n  %-9s ", cmds[i]);
		cr_assert_not_null(strstr(r.out, line), "--help lacks %s",
		    cmds[i]);
		free(line);
	}
	h_run_free(&r);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		line = h_strf("usage: peekl [-c PATH] %s", cmds[i]);
		cr_assert_eq(run(&r, (const char *[]){ cmds[i], "--help",
		    NULL }), 0);
		cr_assert(strncmp(r.out, line, strlen(line)) == 0, "%s", r.out);
		h_run_free(&r);
		free(line);
	}
}

Test(cli, version)
{
	struct h_run	r;

	cr_assert_eq(run(&r, (const char *[]){ "--version", NULL }), 0);
	cr_assert(strncmp(r.out, "peekl ", 6) == 0, "%s", r.out);
	h_run_free(&r);
}

Test(cli, bad_arguments_are_exit_3)
{
	struct h_run	r;

	cr_assert_eq(run(&r, (const char *[]){ "frobnicate", NULL }), 3);
	cr_assert_not_null(strstr(r.err, "unknown command"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(run(&r, (const char *[]){ "check", "--bogus", NULL }), 3);
	cr_assert_not_null(strstr(r.err, "--bogus"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(run(&r, (const char *[]){ "-c", NULL }), 3);
	h_run_free(&r);
	cr_assert_eq(run(&r, (const char *[]){ NULL }), 3);
	h_run_free(&r);
}

Test(cli, missing_config_is_exit_3_with_path)
{
	struct h_run	r;

	cr_assert_eq(run(&r, (const char *[]){ "-c", "/nonexistent/peekl.yaml",
	    "validate", NULL }), 3);
	cr_assert_not_null(strstr(r.err, "/nonexistent/peekl.yaml"), "%s", r.err);
	h_run_free(&r);
}

Test(cli, config_from_environment)
{
	struct h_dir	*d = h_dir_new();
	char		*cfg = h_config(d, "websites:\n  - url: https://example.com\n");
	char		*env = h_strf("PEEKL_CONFIG=%s", cfg);
	struct h_run	 r;

	cr_assert_eq(h_run(&r, (const char *[]){ "validate", NULL },
	    (const char *[]){ env, NULL }), 0, "%s", r.err);
	cr_assert_str_eq(r.out, "config OK: 1 site\n");
	h_run_free(&r);
	free(env);
	free(cfg);
	h_dir_free(d);
}

Test(cli, validate_reports_every_error_with_position)
{
	struct h_dir	*d = h_dir_new();
	char		*cfg = h_config(d,
	    "redis:\n"
	    "  port: 70000\n"				/* 2 */
	    "websites:\n"
	    "  - url: ftp://example.com\n"		/* 4 */
	    "  - url: https://b.example.com\n"
	    "    intervall: 30\n"			/* 6 */
	    "  - url: https://c.example.com\n"
	    "    interval: soon\n"			/* 8 */
	    "    cert_warning: 3\n"
	    "    cert_critical: 10\n");
	struct h_run	 r;

	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "validate", NULL }), 3);
	cr_assert_not_null(strstr(r.err, "config.yaml:2:"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "config.yaml:4:"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "config.yaml:6:"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "did you mean"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "config.yaml:8:"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "\"soon\" is not a duration"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "cert_critical"), "%s", r.err);
	cr_assert_eq(r.out[0], '\0');
	h_run_free(&r);
	free(cfg);
	h_dir_free(d);
}

Test(cli, invalid_config_writes_nothing_to_redis)
{
	struct h_redis	*rd = h_redis_start();
	struct h_dir	*d = h_dir_new();
	char		*cfg = h_configf(d, "redis:\n  port: %d\nwebsites:\n"
	    "  - url: https://example.com\n    retry: many\n", h_redis_port(rd));
	struct h_run	 r;

	cr_assert_eq(run(&r, (const char *[]){ "-c", cfg, "check", NULL }), 3);
	h_run_free(&r);
	cr_assert_eq(h_redis_int(rd, "DBSIZE"), 0);
	free(cfg);
	h_dir_free(d);
	h_redis_stop(rd);
}
