/*
 * The test binary's entry point: Criterion's own main, plus one rule it
 * lacks. Each test runs in a worker process; LeakSanitizer (make asan)
 * checks a worker for leaks as it exits, after the test has reported
 * "passed", and Criterion records that exit status without failing the
 * test. Here a test whose process exited with another status than the one
 * it expects fails, so a leak fails its test and the run.
 */
#include <stdbool.h>
#include <stdio.h>

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/options.h>
#include <criterion/stats.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

/* Tests failed here, after Criterion counted them passed. */
static size_t	exited_badly;

/*
 * PRE_ALL runs in the runner process only, never in a worker. Criterion
 * 2.4's runner loses the timeout requests of tests with a .timeout
 * (BoxFort's bxfi_push_timeout, a race when they are cancelled); LSan
 * would report them at its exit, and they are no test's. The runner's
 * thread runs no peekl code, so nothing of ours goes unchecked.
 */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	(void)set;
#ifdef __SANITIZE_ADDRESS__
	__lsan_disable();
#endif
}

/* Fails every passed test whose worker then exited with an unexpected
 * status: by the time POST_ALL runs, every worker has been reaped. */
ReportHook(POST_ALL)(struct criterion_global_stats *gs)
{
	struct criterion_suite_stats	*ss;
	struct criterion_test_stats	*ts;

	for (ss = gs->suites; ss != NULL; ss = ss->next)
		for (ts = ss->tests; ts != NULL; ts = ts->next) {
			if (ts->test_status != CR_STATUS_PASSED ||
			    ts->exit_code == ts->test->data->exit_code)
				continue;
			fprintf(stderr, "[FAIL] %s::%s: passed, then its "
			    "process exited with status %d (see the "
			    "sanitizer's report above)\n", ss->suite->name,
			    ts->test->name, ts->exit_code);
			ts->test_status = CR_STATUS_FAILED;
			ss->tests_passed--;
			ss->tests_failed++;
			gs->tests_passed--;
			gs->tests_failed++;
			exited_badly++;
		}
}

/* Criterion's default main, which decides its result before POST_ALL. */
int
main(int argc, char *argv[])
{
	struct criterion_test_set	*tests = criterion_initialize();
	int				 rc = 0;

	if (criterion_handle_args(argc, argv, true))
		rc = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	if (rc == 0 && exited_badly > 0 && !criterion_options.always_succeed)
		rc = 1;
	return rc;
}
