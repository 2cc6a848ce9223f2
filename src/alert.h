/* Alerts: what a transition says, how it is queued (JSON in Redis), how it
 * is rendered for each integration (notify.c), and delivery from the queues
 * (alert_deliver.c). */
#ifndef PEEKL_ALERT_H
#define PEEKL_ALERT_H

#include <signal.h>
#include <stdint.h>

#include "check.h"
#include "config.h"
#include "state.h"

struct store;
struct net;
struct json_t;


/* The colour family an event is shown in. */
enum alert_tone {
	TONE_DANGER,		/* DOWN, CRITICAL */
	TONE_WARNING,		/* WARNING, DEGRADED */
	TONE_GOOD,		/* UP, OK */
	TONE__MAX
};

/* One labelled value shown under the summary: a Slack attachment field or
 * a Discord embed field. */
struct alert_field {
	const char	*title;		/* "Website", ... (static) */
	char		*value;		/* malloc'd, owned by the alert */
	int		 is_short;	/* fits beside another field */
};

#define ALERT_FIELDS_MAX 8

/*
 * One alert. The facts come first: they are what the queue keeps. The rest
 * is what every renderer shows, built once from the facts by alert_finish
 * (the constructors and alert_decode call it), so a renderer only reads.
 */
struct alert {
	enum check_kind	 kind;
	enum alert_event event;
	union {
		enum http_state	 http;	/* kind KIND_HTTP */
		enum cert_state	 cert;	/* kind KIND_CERT */
	}		 previous;	/* the state the site left */
	char		*site;		/* site name */
	char		*url;		/* site URL (password redacted) */
	char		*error;		/* NULL or the check's error */
	int		 http_code;	/* 0 when none */
	double		 response_ms;	/* < 0 when not applicable */
	int		 failures;	/* consecutive failures (http) */
	int		 slow;		/* consecutive slow checks (http) */
	int		 have_cert;	/* days_left/not_after are meaningful */
	long		 days_left;
	int64_t		 not_after;	/* unix seconds */
	char		*issuer;	/* NULL or the leaf's issuer (cert) */
	char		*intermediate;	/* NULL or the certificate after the leaf
					 * that expires first, when before it */
	long		 chain_days_left; /* its days left, with intermediate */
	int64_t		 duration_ms;	/* time in the previous state (outage for UP) */
	int64_t		 timestamp_ms;	/* when the transition happened */
	/* spec/locations.md: a quorum verdict names its locations; a
	 * location's own DOWN/UP has is_location set, site = its name and
	 * url "". */
	char		*locations;	/* NULL, or "fra, nyc" */
	int		 loc_count;	/* locations behind the verdict */
	int		 loc_total;	/* locations that reported */
	int		 is_location;	/* about a location, not a site */

	const char	*word;		/* "DOWN", "UP", ... (static) */
	const char	*previous_word;	/* "up", "unknown", ... (static) */
	enum alert_tone	 tone;
	char		*reason;	/* "HTTP 503, 2 failed checks" */
	char		*text;		/* "WORD SITE (URL): REASON" */
	struct alert_field fields[ALERT_FIELDS_MAX];
	size_t		 nfields;
	char		 timestamp_iso[40]; /* "2026-11-25T13:20:04.048Z" */
	char		 not_after_iso[32]; /* "2026-12-07T10:00:00Z", or "" */

	/* A grouped alert (event ALERT_GROUP) has no site of its own: its
	 * members are the alerts it stands for, each finished, in the order
	 * they were judged. Its word and tone are its worst member's, its
	 * text "12 alerts: DOWN api, ...", its reason one line per member. */
	struct alert	*members;	/* owned */
	size_t		 nmembers;
};

/* The most members a grouped alert holds: every check of the largest
 * config. */
#define ALERT_GROUP_MAX	100000
/* The most names a grouped alert's text lists. */
#define ALERT_GROUP_NAMES 10

/* The word of an event ("DOWN", ...), and back: -1 for an unknown word. */
const char	*alert_event_word(enum alert_event ev);
int		 alert_event_parse(const char *word, enum alert_event *ev);
/* The colour family of an event. */
enum alert_tone	 alert_event_tone(enum alert_event ev);

/* Builds the alert for a transition of site after result (http or cert).
 * Free with alert_clear. */
void	alert_from_http(struct alert *a, const struct site *site,
	    const struct transition *tr, const struct http_result *r,
	    const struct site_state *st, int64_t now);
void	alert_from_cert(struct alert *a, const struct site *site,
	    const struct transition *tr, const struct cert_result *r,
	    int64_t now);
void	alert_clear(struct alert *a);

/* Builds the alert for a change of a site's quorum verdict: tr from
 * quorum_transition, the state and error of the location that speaks for
 * the verdict in st (its error and code, or its certificate), count of
 * total locations (names: "fra, nyc") behind it. Free with alert_clear. */
void	alert_from_verdict(struct alert *a, const struct site *site,
	    const struct transition *tr, const struct site_state *st,
	    const char *names, int count, int total, int64_t now);

/* Builds "DOWN location nyc: no run for 5m 12s" (up = 0) or "UP location
 * nyc: running again after 7m" (up = 1); silent_ms is how long it was
 * silent. Free with alert_clear. */
void	alert_from_location(struct alert *a, const char *location, int up,
	    int64_t silent_ms, int64_t now);

/* (Re)builds what a renderer shows (word, tone, reason, text, fields, ISO
 * times) from a's facts, freeing what it built before; for an alert that
 * started zeroed and had its facts set by hand. Free with alert_clear. */
void	alert_finish(struct alert *a);

/* Returns the queue form (malloc'd JSON), or NULL on error. */
char	*alert_encode(const struct alert *a);

/* Returns a short name for a in log lines, "DOWN api", "DOWN api
 * (reminder)" or "12 grouped alerts"; malloc'd. */
char	*alert_what(const struct alert *a);

/* The queue form of one alert as a JSON object (new reference), NULL on
 * error; and back: 0, or -1 when root is not one alert (a is then
 * cleared). For alert_group.c. */
struct json_t *alert_to_json(const struct alert *a);
int	alert_from_json(struct json_t *root, struct alert *a);

/* --- grouped alerts (alert_group.c) --- */

/* Builds in g the grouped alert of the n alerts at members (each deep
 * copied, none a group), at time now. Free with alert_clear. */
void	alert_group(struct alert *g, const struct alert *const *members,
	    size_t n, int64_t now);
/* The queue form of the group of the n alerts pointed to by members, as a
 * JSON object (new reference), without copying them; NULL on error. */
struct json_t *alert_group_to_json(const struct alert *const *members,
	    size_t n, int64_t now);
/* Returns the queue form (malloc'd JSON) of the group of the n alerts
 * pointed to by members, without copying them; NULL on error. */
char	*alert_group_encode(const struct alert *const *members, size_t n,
	    int64_t now);
/* Reads a group's queue form into g; -1 when it is not one. */
int	alert_group_from_json(struct json_t *root, struct alert *g);
/* Builds what a renderer shows of group g from its members (called by
 * alert_finish). */
void	alert_group_finish(struct alert *g);
/* Parses the queue form, len bytes at json (a NUL among them makes it
 * invalid); -1 if it is not a valid alert. */
int	alert_decode(const char *json, size_t len, struct alert *a);

/* A copy of the one-line summary, a->text: "DOWN api (https://...): HTTP
 * 503, 2 failed checks". malloc'd. */
char	*alert_text(const struct alert *a);

/* The request body for one integration (malloc'd JSON), NULL on error;
 * notify.c finds the integration's renderer in its table. */
char	*alert_payload(const struct integration *in, const struct alert *a);

/*
 * Delivers every queue, oldest first, integrations in parallel, each within
 * its own timeout. An alert leaves its queue only after a complete 2xx; on a
 * 429 with Retry-After the queue is held that long. Returns 0, or -1 on a
 * Redis error (delivery failures are logged and are not errors: they retry
 * next run).
 */
int	alert_deliver_all(struct store *st, const struct config *cfg,
	    struct net *net, const volatile sig_atomic_t *stop);

#endif
