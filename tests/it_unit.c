/*
 * The systemd unit: it loads (systemd-analyze verify) and stays locked down
 * (systemd-analyze security, exposure at most 2.0). Skipped where
 * systemd-analyze is not installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "harness.h"
#include "util.h"

/* The bound of the issue; systemd-analyze's --threshold is exposure x 10. */
#define MAX_EXPOSURE	"20"

/* Returns the path of systemd/peekl@.service in this tree (caller frees). */
static char *
unit_path(void)
{
	const char	*slash = strrchr(__FILE__, '/');
	char		*dir, *path;

	dir = slash ? xstrndup(__FILE__, (size_t)(slash - __FILE__)) :
	    xstrdup(".");
	path = xasprintf("%s/../systemd/peekl@.service", dir);
	free(dir);
	return path;
}

/* Skips the test when systemd-analyze is not in $PATH. */
static void
need_systemd_analyze(void)
{
	struct h_run	r;
	int		st;

	st = h_run_bin(&r, "sh", (const char *[]){ "-c",
	    "command -v systemd-analyze", NULL }, NULL);
	h_run_free(&r);
	if (st != 0)
		cr_skip_test("systemd-analyze is not installed: the unit file "
		    "is not checked");
}

/*
 * verify refuses a unit whose ExecStart binary does not exist, and peekl is
 * not installed where tests run: it checks a copy whose only change is
 * ExecStart pointing at the binary under test (an instance, since verify
 * cannot load a bare template).
 */
Test(unit_file, verifies)
{
	struct h_dir	*d;
	struct h_run	 r;
	const char	*bin = getenv("PEEKL_BIN");
	char		*path = unit_path(), *text, *at, *copy, *copypath;
	const char	*exec = "ExecStart=/usr/local/bin/peekl ";

	need_systemd_analyze();
	cr_assert_not_null(bin, "PEEKL_BIN is not set");
	text = h_read_file(path);
	cr_assert_not_null(text, "cannot read %s", path);
	at = strstr(text, exec);
	cr_assert_not_null(at, "%s has no line %s...", path, exec);
	copy = xasprintf("%.*sExecStart=%s %s", (int)(at - text), text, bin,
	    at + strlen(exec));
	d = h_dir_new();
	h_write_file(d, "peekl@test.service", copy);
	copypath = h_path(d, "peekl@test.service");
	h_run_bin(&r, "systemd-analyze", (const char *[]){ "verify",
	    "--man=no", copypath, NULL }, NULL);
	cr_assert_eq(r.status, 0, "systemd-analyze verify failed:\n%s%s",
	    r.out, r.err);
	/* verify's complaints about a loaded unit are warnings, exit 0. */
	cr_assert_null(strstr(r.err, "peekl@test.service:"),
	    "systemd-analyze verify warns:\n%s", r.err);
	h_run_free(&r);
	free(copypath);
	free(copy);
	free(text);
	free(path);
	h_dir_free(d);
}

/* The real unit file, unchanged, rates at most 2.0. */
Test(unit_file, exposure_at_most_2)
{
	struct h_run	 r;
	char		*path = unit_path();
	const char	*at;
	double		 exposure;

	need_systemd_analyze();
	h_run_bin(&r, "systemd-analyze", (const char *[]){ "security",
	    "--offline=yes", "--threshold=" MAX_EXPOSURE, path, NULL }, NULL);
	/* --offline came with systemd 250. */
	if (strstr(r.err, "unrecognized option") != NULL) {
		h_run_free(&r);
		free(path);
		cr_skip_test("this systemd-analyze has no --offline");
	}
	at = strstr(r.out, "Overall exposure level for ");
	cr_assert_not_null(at, "no exposure in the output:\n%s%s", r.out,
	    r.err);
	at = strstr(at, ": ");
	cr_assert_not_null(at);
	exposure = strtod(at + 2, NULL);
	cr_assert_eq(r.status, 0, "exposure %.1f is over 2.0 (or "
	    "systemd-analyze failed):\n%s", exposure, r.err);
	cr_assert_leq(exposure, 2.0, "exposure %.1f is over 2.0", exposure);
	h_run_free(&r);
	free(path);
}
