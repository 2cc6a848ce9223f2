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
	char	 tls_version[16]; /* "TLSv1.2", "TLSv1.3"; "" when unknown */
	double	 elapsed_ms;
	int64_t	 started_ms;	/* unix ms when the check started */
};

/* A state change that deserves an alert (decided by state.c). */
struct transition {
	enum check_kind	 kind;
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
	size_t			 site_idx;	/* index into cfg->sites */
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

/* Returns the check's finished result flag (http.done or cert.done). */
int	check_done(const struct check *c);

const char *check_kind_name(enum check_kind kind);	/* "http", "cert" */
const char *severity_name(enum severity sev);		/* "ok", ... */

#endif
