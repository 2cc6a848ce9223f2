/* The check model: one (site, kind) pair carried through a run, and what
 * it measured. Shared by every stage: plan, probe, judge, record, report,
 * notify. */
#ifndef PEEKL_CHECK_H
#define PEEKL_CHECK_H

#include <stddef.h>
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

#define ERROR_LEN 256	/* an assertion's error is at most 200 bytes */

struct http_result {
	int	 done;		/* 0: not run or abandoned (signal) */
	int	 ok;		/* 1 when the check passed */
	int	 slow;		/* passed, but slower than the site's `slow` */
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
	char	 tls_version[16]; /* "TLSv1.2", "TLSv1.3"; "" when unknown */
	double	 elapsed_ms;
	int64_t	 started_ms;	/* unix ms when the check started */
};

/* What happened, the word an alert is known by. A new event (DEGRADED, a
 * reminder) is one name here, one line in alert.c's event table, and the
 * rule in state.c that decides it. */
enum alert_event {
	ALERT_DOWN,		/* http: confirmed down */
	ALERT_UP,		/* http: down, now up again */
	ALERT_WARNING,		/* cert: expires within cert_warning days */
	ALERT_CRITICAL,		/* cert: within cert_critical, or unusable */
	ALERT_OK,		/* cert: fine (again) */
	ALERT_DEGRADED,		/* http: slow retry + 1 times in a row */
	ALERT__MAX
};

/* A state change that deserves an alert (decided by state.c). */
struct transition {
	enum check_kind	 kind;
	enum alert_event event;	/* what the alert says */
	int		 from;		/* enum http_state or enum cert_state */
	int		 to;
	int64_t		 duration_ms;	/* time spent in `from` (the outage, for UP) */
};

struct site;
struct site_state;
struct alert;

/*
 * One check of a run: a site and a kind. Each stage fills its own part for
 * every check; run.c owns the array and frees what judge allocated.
 */
struct check {
	/* plan */
	const struct site	*site;		/* borrowed from the config */
	enum check_kind		 kind;
	int			 forced;	/* named by --site: due whatever the clock */
	int			 due;		/* probe it in this run */
	int64_t			 lease_ttl_ms;	/* how long its lease lives */
	int			 leased;	/* this run holds its lease */
	struct site_state	*state;		/* the site's memory, shared by its checks:
						 * read in plan, updated in judge */
	/* probe */
	struct http_result	 http;		/* kind == KIND_HTTP */
	struct cert_result	 cert;		/* kind == KIND_CERT */
	/* judge */
	int			 judged;	/* a finished result was applied */
	enum severity		 severity;	/* of this check, for output and exit */
	struct transition	 tr;		/* valid when alert != NULL */
	struct alert		*alert;		/* NULL, or the alert to queue (owned) */
};

/*
 * One range for every number peekl measures, writes and reads back. The
 * producers clamp to it where a number is computed (so a far-future
 * certificate or a clock step between hosts gives a large or zero value,
 * never an absurd one), and every reader accepts exactly it: what peekl
 * writes, it can read back.
 */
#define TIME_MS_MAX	 253402300799999LL	/* 9999-12-31T23:59:59.999Z */
#define TIME_S_MAX	 (TIME_MS_MAX / 1000)
#define DAYS_LEFT_MAX	 3000000L	/* more than 1970 to 9999 (2,932,896) */
#define RESPONSE_MS_MAX	 1e9		/* eleven days: no check lasts that */
#define HTTP_CODE_MAX	 999

long	clamp_days(double days);		/* to [-DAYS_LEFT_MAX, DAYS_LEFT_MAX] */
int64_t	clamp_duration_ms(int64_t ms);		/* to [0, TIME_MS_MAX] */
int64_t	clamp_time_ms(double ms);		/* to [0, TIME_MS_MAX] */
double	clamp_response_ms(double ms);		/* to [0, RESPONSE_MS_MAX]; NaN is 0 */
int	clamp_http_code(double code);		/* to [0, HTTP_CODE_MAX] */

/* Returns the check's finished result flag (http.done or cert.done). */
int	check_done(const struct check *c);

const char *check_kind_name(enum check_kind kind);	/* "http", "cert" */
const char *severity_name(enum severity sev);		/* "ok", ... */

#endif
