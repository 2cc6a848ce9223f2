/* The decisions: is a check due, what state follows a result, does the
 * change deserve an alert. Pure functions, no I/O, so every rule is
 * unit-tested without servers. */
#ifndef PEEKL_STATE_H
#define PEEKL_STATE_H

#include <stdint.h>

#include "check.h"
#include "config.h"

enum http_state {
	HTTP_UNKNOWN,	/* never succeeded nor confirmed down */
	HTTP_UP,
	HTTP_DOWN,
	HTTP_DEGRADED,	/* answers, but slower than `slow` */
	HTTP__MAX
};

enum cert_state {
	CERT_UNKNOWN,	/* never checked */
	CERT_OK,
	CERT_WARNING,
	CERT_CRITICAL,
	CERT__MAX
};

#define CERT_ISSUER_LEN	256	/* bytes of an issuer kept between runs */

/* One site's memory between runs: the peekl:site:NAME hash. */
struct site_state {
	enum http_state	 state;
	int		 failures;	/* consecutive failed HTTP checks */
	int		 slow;		/* consecutive slow HTTP checks */
	int64_t		 last_check;	/* unix ms the last HTTP check started, 0 never */
	int64_t		 since;		/* unix ms of the last HTTP state change */
	int		 http_code;	/* last, 0 when no response */
	double		 response_ms;	/* last */
	char		 error[ERROR_LEN]; /* last, "" when ok */
	enum cert_state	 cert_state;
	int64_t		 cert_last_check; /* unix ms, 0 never */
	int64_t		 cert_since;	/* unix ms of the last cert state change */
	int		 have_cert;	/* cert_days_left/not_after are known */
	long		 cert_days_left;
	int64_t		 cert_not_after; /* unix seconds */
	int		 have_chain_days; /* cert_chain_days_left is known */
	long		 cert_chain_days_left; /* earliest after the leaf */
	char		 cert_issuer[CERT_ISSUER_LEN]; /* leaf's, "" unknown */
	char		 cert_tls_version[16]; /* "TLSv1.3", "" unknown */
	int		 unreadable;	/* its key holds another type: not checked */
	enum http_state	 alerted;	/* state of the last HTTP alert queued;
					 * when never written, the state */
	enum cert_state	 cert_alerted;	/* the same for the certificate */
	int64_t		 reminded_at;	/* unix ms of the last reminder of the
					 * HTTP state, 0 none (reminder.c) */
	int64_t		 cert_reminded_at; /* the same for the certificate */
	char		 cert_error[ERROR_LEN]; /* last certificate check's reason,
					 * read back for a quorum verdict's alert */
};


const char	*http_state_name(enum http_state s);	/* "unknown", "up", "down", "degraded" */
const char	*cert_state_name(enum cert_state s);	/* "unknown", "ok", ... */
/* Parse the names above; unknown strings give the UNKNOWN state. */
enum http_state	 http_state_parse(const char *s);
enum cert_state	 cert_state_parse(const char *s);


/* Returns 1 when a check last started at last_check is due at now. */
int	state_due(int64_t last_check, int64_t interval_ms, int64_t now);

/* Returns 1 when the site's HTTP check is due (retry_interval while a
 * failure is being confirmed). */
int	state_http_due(const struct site_state *st, const struct site *site,
	    int64_t now);

/* Returns 1 when the site's certificate check is due. */
int	state_cert_due(const struct site_state *st, const struct site *site,
	    int64_t now);

/*
 * Applies one HTTP result to st (failures, state, since, last fields).
 * Returns 1 and fills tr when the change deserves an alert, else 0.
 */
int	state_apply_http(struct site_state *st, const struct site *site,
	    const struct http_result *r, int64_t now, struct transition *tr);

/* The certificate state a result means under the site's thresholds and
 * weak_crypto, with its reason written to reason when not NULL: the error,
 * `intermediate certificate "CN=..." expires in 4 days`, `weak signature:
 * RSA with SHA1`; "" when only the leaf's days left decide. */
enum cert_state cert_verdict(const struct cert_result *r,
	    const struct site *site, char *reason, size_t reasonsz);

/* The certificate state a result means under the site's thresholds. */
enum cert_state cert_classify(const struct cert_result *r,
	    const struct site *site);

/* Like state_apply_http, for a certificate result. */
int	state_apply_cert(struct site_state *st, const struct site *site,
	    const struct cert_result *r, int64_t now, struct transition *tr);

/*
 * Marks a passing result that took longer than the site's `slow` as slow,
 * with the error "slow: 1240 ms > 800 ms". Returns 1 when it is slow.
 */
int	http_judge_speed(struct http_result *r, const struct site *site);

/* Severity of one result, for the exit status and the output. */
enum severity	 http_severity(const struct http_result *r);
enum severity	 cert_severity(enum cert_state cs);

#endif
