/* What one check measured, shared by the HTTP and certificate checkers, the
 * state machine, storage and output. */
#ifndef PEEKL_CHECK_H
#define PEEKL_CHECK_H

#include <stdint.h>

enum check_kind {
	KIND_HTTP,
	KIND_CERT,
	KIND__MAX
};

/* Nagios-style severity; also the exit status (0..3). */
enum severity {
	SEV_OK = 0,
	SEV_WARNING = 1,
	SEV_CRITICAL = 2,
	SEV_UNKNOWN = 3
};

#define ERROR_LEN 128

struct http_result {
	int	 done;		/* 0: not run or abandoned (signal) */
	int	 ok;		/* 1 when the check passed */
	int	 http_code;	/* 0 when no response came */
	double	 response_ms;	/* elapsed time of the attempt, also on failure */
	char	 error[ERROR_LEN]; /* "" when ok; "timeout", "HTTP 503", ... */
	int64_t	 started_ms;	/* unix ms when the check started */
};

struct cert_result {
	int	 done;		/* 0: not run or abandoned (signal) */
	int	 have_cert;	/* a leaf certificate was read */
	long	 days_left;	/* floor((not_after - now) / 86400 s), UTC */
	int64_t	 not_after;	/* unix seconds */
	char	 error[ERROR_LEN]; /* "" when verified; "certificate expired", ... */
	double	 elapsed_ms;
	int64_t	 started_ms;	/* unix ms when the check started */
};

const char *check_kind_name(enum check_kind kind);	/* "http", "cert" */
const char *severity_name(enum severity sev);		/* "ok", ... */

#endif
