/* The names of everything peekl keeps in Redis: every key, every field of
 * the site hash and of a history stream entry, every timeseries metric.
 * store_keys.c holds them all, with the table that describes them; no
 * other file spells a key. Internal to the store. */
#ifndef PEEKL_STORE_KEYS_H
#define PEEKL_STORE_KEYS_H

#include "check.h"
#include "config.h"
#include "store.h"

struct store;

/* The fields of PREFIX:site:NAME; site_fields[] names them. */
enum site_field {
	SF_STATE,		/* http_state_name() */
	SF_FAILURES,		/* consecutive failed checks */
	SF_LAST_CHECK,		/* unix ms of the last HTTP check */
	SF_SINCE,		/* unix ms of the last state change */
	SF_HTTP_CODE,		/* 0 when no response */
	SF_RESPONSE_MS,		/* "%.3f" */
	SF_ERROR,		/* the last check's error, "" when none */
	SF_CERT_STATE,		/* cert_state_name() */
	SF_CERT_LAST_CHECK,	/* unix ms of the last certificate check */
	SF_CERT_SINCE,		/* unix ms of the last cert state change */
	SF_CERT_ERROR,		/* the last certificate check's error */
	SF_CERT_DAYS_LEFT,	/* absent when no certificate was read */
	SF_CERT_NOT_AFTER,	/* ISO 8601, absent when none was read */
	SF_SLOW,		/* consecutive slow checks */
	SF_CERT_CHAIN_DAYS_LEFT, /* earliest after the leaf; absent when the
				 * server sent the leaf alone */
	SF_CERT_ISSUER,		/* the leaf's issuer, "CN=..." */
	SF_CERT_TLS_VERSION,	/* "TLSv1.3" */
	SF_ALERTED,		/* state of the last HTTP alert queued */
	SF_CERT_ALERTED,	/* state of the last certificate alert queued */
	SF_REMINDED_AT,		/* unix ms of the last reminder (http) */
	SF_CERT_REMINDED_AT,	/* unix ms of the last certificate reminder */
	SF__MAX
};
extern const char *const site_fields[SF__MAX];

/* Returns the field called name, or -1 for one peekl does not know. */
int	site_field_find(const char *name);

/* The measurements of PREFIX:ts:NAME:METRIC; metric_names[] names them. */
enum metric {
	METRIC_RESPONSE_MS,
	METRIC_HTTP_CODE,
	METRIC_UP,
	METRIC_CERT_DAYS_LEFT,
	METRIC__MAX
};
extern const char *const metric_names[METRIC__MAX];

/* The fields of a PREFIX:history:NAME entry; entry_fields[] names them. */
enum entry_field {
	EF_KIND,		/* "http" or "cert" */
	EF_UP,			/* http */
	EF_HTTP_CODE,		/* http */
	EF_RESPONSE_MS,		/* http */
	EF_DAYS_LEFT,		/* cert */
	EF_T,			/* unix ms the check started */
	EF_LOCATION,		/* the location that checked, when one is set */
	EF__MAX
};
extern const char *const entry_fields[EF__MAX];

/* Each returns a malloc'd key name (caller frees). */
char	*key_site(const struct store *st, const char *site);
char	*key_lease(const struct store *st, const char *site,
	    enum check_kind kind);
char	*key_queue(const struct store *st, const char *inst);
char	*key_queue_dead(const struct store *st, const char *inst);
char	*key_queue_lease(const struct store *st, const char *inst);
char	*key_queue_hold(const struct store *st, const char *inst);
char	*key_ts(const struct store *st, const char *site, enum metric m);
char	*key_history(const struct store *st, const char *site);
char	*key_crl(const struct store *st, const char *url);
char	*key_silence(const struct store *st, const char *site);
char	*key_silence_all(const struct store *st);

/* The fields of a PREFIX:incidents:NAME entry; incident_fields[] names
 * them. The entry's ID is the change's time. */
enum incident_field {
	IF_KIND,		/* "http" or "cert" */
	IF_FROM,		/* the state left: http_state_name(), cert_state_name() */
	IF_TO,			/* the state entered */
	IF_REASON,		/* why, "" when none: "HTTP 503", "timeout" */
	IF__MAX
};
extern const char *const incident_fields[IF__MAX];

/* The fields of a PREFIX:rollup:NAME:RES entry; rollup_fields[] names
 * them. The entry's ID is the bucket's start. */
enum rollup_field {
	RF_CHECKS,		/* HTTP checks in the bucket */
	RF_UP,			/* of which up */
	RF_SUM_MS,		/* sum of their response times, "%.3f" */
	RF_MAX_MS,		/* the slowest */
	RF__MAX
};
extern const char *const rollup_fields[RF__MAX];

/* The names of the coarser resolutions of store.h ("1h", "1d"), and
 * their bucket width. */
extern const char *const resolution_names[RES__MAX];
extern const int64_t resolution_ms[RES__MAX];

char	*key_incidents(const struct store *st, const char *site);
char	*key_rollup(const struct store *st, const char *site,
	    enum resolution res);
/* PREFIX:ts:NAME:METRIC:RES, the compaction of key_ts(); with a location
 * PREFIX:ts:NAME:METRIC:LOCATION:RES */
char	*key_ts_rollup(const struct store *st, const char *site,
	    enum metric m, enum resolution res);
/* The same keys for the location loc, whatever the store's (NULL: the
 * keys without one), for reading across locations. */
char	*key_ts_at(const struct store *st, const char *site, enum metric m,
	    const char *loc);
char	*key_ts_rollup_at(const struct store *st, const char *site,
	    enum metric m, const char *loc, enum resolution res);

/* spec/locations.md. With a location set on the store (store_set_location)
 * key_lease and key_ts end in ":LOCATION"; key_site_state is the
 * location's own hash, else key_site. */
char	*key_site_state(const struct store *st, const char *site);
char	*key_site_loc(const struct store *st, const char *site,
	    const char *location);
char	*key_verdict_lease(const struct store *st, const char *site);
char	*key_location(const struct store *st, const char *location);
char	*key_location_lease(const struct store *st, const char *location);
char	*key_locations(const struct store *st);

/* The fields of PREFIX:location:LOCATION; location_fields[] names them. */
enum location_field {
	LF_LAST_RUN,		/* unix ms the location's last run started */
	LF_HOST,		/* gethostname() of that run */
	LF_VERSION,		/* peekl's version */
	LF_SILENT_SINCE,	/* last_run seen when DOWN location was sent;
				 * absent while the location is running */
	LF__MAX
};
extern const char *const location_fields[LF__MAX];

/* Returns the integration's name in a key_queue() key (a pointer into
 * key), or NULL when key is not one. */
const char *key_queue_integration(const struct store *st, const char *key);

#endif
