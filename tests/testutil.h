/*
 * testutil.h: shared set-up for the check unit tests.
 *
 * tfe_test_main() makes glib criticals and warnings fatal (a test that
 * trips a g_return_if_fail() must fail, not print and carry on) and runs
 * the suite with check's normal output.
 */
#ifndef TFE_TESTUTIL_H
#define TFE_TESTUTIL_H

#include <check.h>
#include <glib.h>
#include <stdlib.h>

static inline int
tfe_test_main(Suite *s)
{
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* TFE_TESTUTIL_H */
