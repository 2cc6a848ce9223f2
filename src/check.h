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

/* One certificate the server sent, as the chain details show it. */
struct cert_link {
	char	*subject;	/* RFC 4514-like, "CN=..." (malloc'd) */
	char	*issuer;	/* the same form (malloc'd) */
	int64_t	 not_after;	/* unix seconds */
	long	 days_left;	/* as cert_result's, for this certificate */
};

/* The chain's details (the leaf's, and every certificate the server sent),
 * read by cert_verify; each string is malloc'd or NULL when unknown. */
struct cert_details {
	char		*subject;	/* leaf, "CN=api.example.com" */
	char		*issuer;	/* leaf's issuer */
	char		**sans;		/* dNSNames as written, IPs as text */
	size_t		 nsans;
	char		*serial;	/* lowercase hex, no separators */
	char		*sha256;	/* of the leaf's DER, lowercase hex */
	char		*key;		/* "EC P-256", "RSA 2048" */
	char		*signature;	/* "ECDSA with SHA256", "RSA with SHA1" */
	struct cert_link *chain;	/* leaf first */
	size_t		 nchain;
	int		 have_chain_days; /* the server sent more than the leaf */
	long		 chain_days_left; /* smallest days_left after the leaf */
	size_t		 chain_min;	/* index in chain of that certificate */
	char		 weak[ERROR_LEN]; /* "weak signature: RSA with SHA1",
					 * "weak key: RSA 1024"; "" when none */
	char		**crl_urls;	/* http:// CRL Distribution Points of the
					 * leaf and intermediates, deduplicated */
	size_t		 ncrl_urls;
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
	struct cert_details d;	/* free with cert_result_clear */
	unsigned char *chain_pem; /* the chain as received, kept for the
				 * revocation check (check_revocation) */
	size_t	 chain_len;
	char	 reason[ERROR_LEN]; /* judge: what the state is about, shown as
				 * "error"; "" when only the leaf's days say it */
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
	ALERT_REMINDER,		/* still down, degraded, warning or critical
				 * after remind_every (reminder.c) */
	ALERT_GROUP,		/* many alerts of one run for one instance,
				 * as one (alert_group.c) */
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
	struct transition	 tr;		/* filled on every state change
						 * (from != to), alerted or not */
	struct alert		*alert;		/* NULL, or the alert to queue (owned) */
	/* quiet */
	char			 suppressed[ERROR_LEN]; /* why its alert is held
						 * back ("gateway down"), "" if not */
	/* with a location (spec/locations.md) */
	struct site_state	*verdict;	/* NULL, or the site's quorum verdict
						 * to write to PREFIX:site:NAME (owned) */
	int			 verdict_changed; /* it changed in this
						 * run: an incident */
	struct transition	 verdict_tr;	/* that change (from != to),
						 * alerted or not */
	char			 verdict_reason[ERROR_LEN]; /* the error
						 * its alert tells, or "" */
	struct alert		*release;	/* NULL, or the verdict's alert for
						 * the end of a quiet time, in the
						 * verdict's words (owned) */
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

/* Frees a certificate result's details and clears it; NULL ok. */
void	cert_result_clear(struct cert_result *r);

/* Returns the reason to show for a certificate result: the judged reason,
 * else the check's error; "" for none. */
const char *cert_result_reason(const struct cert_result *r);

/* Writes why an intermediate certificate matters into out: `intermediate
 * certificate "SUBJECT" expires in 4 days` or `... expired 2 days ago`,
 * cut on a character boundary to fit. */
void	cert_intermediate_reason(const char *subject, long days_left,
	    char *out, size_t outsz);

/* Returns the check's finished result flag (http.done or cert.done). */
int	check_done(const struct check *c);

const char *check_kind_name(enum check_kind kind);	/* "http", "cert" */
const char *severity_name(enum severity sev);		/* "ok", ... */

#endif
