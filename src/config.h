/* The configuration: YAML file -> struct config, with every default applied
 * and every validation done. Nothing outside config.c reads YAML. */
#ifndef PEEKL_CONFIG_H
#define PEEKL_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <regex.h>

enum ts_mode {
	TS_AUTO,	/* RedisTimeSeries when the server has it, else streams */
	TS_ON,		/* require RedisTimeSeries */
	TS_OFF		/* always streams */
};

/* The types of integration. Each is one row of notify.c's type table (its
 * name, renderer and rules) and one of config_alerting.c's key tables. */
enum integration_type {
	ITYPE_SLACK,
	ITYPE_DISCORD,
	ITYPE_WEBHOOK,
	ITYPE_EMAIL,		/* spec/notifiers.md, as are the five below */
	ITYPE_PAGERDUTY,
	ITYPE_OPSGENIE,
	ITYPE_TEAMS,
	ITYPE_TELEGRAM,
	ITYPE_NTFY,
	ITYPE__MAX
};

/* A site's URL scheme: http(s) sites have an HTTP check (and may have a
 * certificate check); the others are TLS endpoints with a certificate
 * check only (spec/certificates.md). */
enum site_scheme {
	SCHEME_HTTP,
	SCHEME_HTTPS,
	SCHEME_TLS,	/* TLS from the first byte; the port is required */
	SCHEME_SMTP,	/* SMTP, then STARTTLS; port 25 */
	SCHEME_IMAP,	/* IMAP, then STARTTLS; port 143 */
	SCHEME_POP3,	/* POP3, then STLS; port 110 */
	SCHEME__MAX
};

/* What a weak signature or key makes a certificate's state (weak_crypto). */
enum weak_crypto {
	WEAK_WARNING,	/* the default */
	WEAK_CRITICAL,
	WEAK_IGNORE
};

struct header {
	char	*name;
	char	*value;		/* after ${VAR} substitution; may be secret */
};

struct status_range {
	int	lo;		/* inclusive */
	int	hi;		/* inclusive; == lo for a single code */
};

/* headers_expect: a response header and the POSIX ERE its value must match. */
struct header_expect {
	char		*name;		/* as written; compared in any case */
	char		*pattern;	/* "" = present, any value */
	regex_t		*re;		/* NULL for "" */
};

/* The operators of a `json` assertion (spec/checks.md). */
enum json_op {
	JOP_EQUALS,
	JOP_NOT_EQUALS,
	JOP_BELOW,
	JOP_ABOVE,
	JOP_MATCHES,
	JOP_LENGTH,
	JOP_EXISTS,
	JOP__MAX
};

/* One item of `json`: a path, one operator and its operand. */
struct json_assert {
	char		*path;		/* "db.latency_ms", "checks[0].state" */
	enum json_op	 op;
	struct json_t	*value;		/* equals, not_equals, below, above,
					 * length (a number), exists (a bool) */
	char		*pattern;	/* matches */
	regex_t		*re;		/* matches, compiled */
	char		*plain;		/* equals, not_equals: an unquoted
					 * operand's text, which a JSON string
					 * also equals (2.1 and "2.1") */
};

/* The checks on a response's body and headers, in the order written. */
enum assert_kind {
	ASSERT_KEYWORD,
	ASSERT_KEYWORD_ABSENT,
	ASSERT_BODY_REGEX,
	ASSERT_HEADERS,
	ASSERT_JSON,
	ASSERT__MAX
};

/* One redis.sentinels entry. */
struct redis_addr {
	char		*host;		/* name or address, without [] for IPv6 */
	int		 port;		/* default 26379 */
};

struct redis_conf {
	char		*host;		/* default 127.0.0.1 */
	int		 port;		/* default 6379 */
	int		 db;		/* default 0 */
	char		*password;	/* NULL: no AUTH; secret */
	char		*username;	/* NULL: AUTH with password only */
	char		*socket;	/* unix socket path; overrides host/port */
	char		*prefix;	/* key namespace, default "peekl" */
	enum ts_mode	 timeseries;	/* default TS_AUTO */
	int64_t		 retention_ms;	/* default 30 days */
	int64_t		 hourly_ms;	/* hourly history kept; 0 (no hourly and
					 * daily history) unless retention is a
					 * mapping, which defaults it to 400 days */
	int64_t		 daily_ms;	/* daily history kept; 0, or 5 years */
	int64_t		 incident_retention_ms; /* default 400 days */
	struct redis_addr *sentinels;	/* NULL: host/port/socket is the Redis */
	size_t		 nsentinels;
	char		*master;	/* the master's name the sentinels know */
	char		*sentinel_password; /* NULL: no AUTH to sentinels; secret */
};

/* One name of a site's depends_on, resolved once every site is read. */
struct dep_ref {
	char		*name;		/* as written */
	size_t		 idx;		/* the parent's index in config.sites */
	int		 line;		/* where it was written, 1-based */
	int		 column;
};

struct site {
	char		*name;		/* default: URL without scheme and trailing "/" */
	char		*url;		/* http:// or https://, as written */
	char		*host;		/* URL's host, without [] for IPv6 literals */
	int		 url_port;	/* URL's port (explicit, or 80/443) */
	int		 is_https;	/* URL scheme is https */
	enum site_scheme scheme;	/* http, https, or a TLS endpoint's */
	int		 port;		/* certificate-check port, default url_port */
	int64_t		 interval_ms;	/* default 30 s */
	int		 retry;		/* failures tolerated before DOWN, default 1 */
	int64_t		 retry_interval_ms; /* default interval_ms */
	int64_t		 timeout_ms;	/* whole HTTP check, default 10 s */
	int		 cert_monitoring; /* default 0 */
	int64_t		 cert_interval_ms; /* default 30 s */
	int		 cert_warning;	/* days, default 30 */
	int		 cert_critical;	/* days, default 5 */
	struct status_range *bad_status; /* non_acceptable_status */
	size_t		 nbad_status;
	char		*method;	/* default "GET" */
	struct header	*headers;
	size_t		 nheaders;
	char		*keyword;	/* NULL: no keyword check */
	int		 follow_redirects; /* default 1, at most 10 */
	char		*ca_file;	/* NULL: system bundle */
	int64_t		 slow_ms;	/* a passing check slower is "slow"; 0 off */
	struct status_range *ok_status;	/* expect_status: only these pass */
	size_t		 nok_status;	/* 0: non_acceptable_status rules */
	char		*keyword_absent; /* NULL: no such check */
	char		*body_regex;	/* NULL: no such check */
	regex_t		*body_re;	/* body_regex, compiled */
	struct header_expect *hexpect;	/* headers_expect */
	size_t		 nhexpect;
	struct json_assert *jassert;	/* json */
	size_t		 njassert;
	enum assert_kind order[ASSERT__MAX]; /* the assertions set, as written */
	size_t		 norder;
	char		*body;		/* request body, NULL: none */
	char		*auth_user;	/* basic_auth; NULL: none */
	char		*auth_password;	/* basic_auth; secret */
	char		*client_cert;	/* mTLS, PEM; NULL: none */
	char		*client_key;
	int		 ip_version;	/* 0 any, 4 or 6 */
	enum weak_crypto weak_crypto;	/* default WEAK_WARNING */
	int		 check_revocation; /* default 0: CRLs not fetched */
	char		**alert_to;	/* instances its alerts go to; none: all */
	size_t		 nalert_to;
	int64_t		 remind_every_ms; /* reminder period while down, degraded,
					 * warning or critical; 0: none */
	int		 quorum;	/* locations that must agree; 0: the
					 * top-level quorum, else a majority */
	int		 line;		/* position in the config, 1-based */
	int		 column;
	struct dep_ref	*depends_on;	/* depends_on, as written */
	size_t		 ndepends;
};

/* One instance under alertmanagers:, known by its name: its own queue,
 * hold and lease (PREFIX:alerts:NAME...). */
struct integration {
	char		*name;		/* the instance name; NULL: the type's name */
	enum integration_type type;
	char		*url;		/* webhook URL; secret */
	char		*username;	/* discord only, default "Peekl" */
	struct header	*headers;	/* generic webhook only */
	size_t		 nheaders;
	int64_t		 timeout_ms;	/* per delivery attempt, default 10 s */
	unsigned	 events;	/* bit 1 << enum alert_event per event it
					 * takes; default all */
	char		**sites;	/* the sites it takes; none: all */
	size_t		 nsites;
	/* spec/notifiers.md. url above is also the smtp URL (email), the
	 * service's URL (pagerduty, opsgenie: default set), the webhook
	 * (teams), api_url (telegram) and the topic URL (ntfy). */
	char		*ca_file;	/* NULL: $SSL_CERT_FILE or the system's */
	char		*secret;	/* routing_key, api_key, bot_token, token
					 * (ntfy) or password (email); NULL none */
	char		*chat_id;	/* telegram */
	char		*smtp_user;	/* email: AUTH user, NULL: no AUTH */
	char		*from;		/* email: "Name <addr>" or "addr" */
	char		**to;		/* email: recipients, as written */
	size_t		 nto;
	int		 insecure_plaintext; /* email: smtp:// without STARTTLS */
};

/* A maintenance window (spec/alerting.md): its sites are quiet from each
 * start on one of its days, for its duration. */
struct maintenance {
	char		*name;		/* the reason shown: "maintenance: NAME" */
	int		 all;		/* sites: all */
	size_t		*sites;		/* indexes in config.sites, when not all;
					 * sorted, unique */
	size_t		 nsites;
	unsigned	 days;		/* bit tm_wday (0 = sunday); all 7 by default */
	int		 start_min;	/* minutes after local midnight */
	int64_t		 duration_ms;	/* elapsed time from the start */
	char		*timezone;	/* IANA name, default "UTC" */
};

struct config {
	char		*path;		/* the file it was loaded from */
	struct redis_conf redis;
	int		 max_concurrency; /* default 100 */
	struct site	*sites;
	size_t		 nsites;
	struct integration *integrations; /* only the configured ones */
	size_t		 nintegrations;
	struct maintenance *maint;	/* maintenance: windows */
	size_t		 nmaint;
	char		*heartbeat_url;	/* NULL: none; pinged after a check run;
					 * secret */
	int		 group_threshold; /* alerting.group_threshold: more alerts
					 * than this for one instance in one run
					 * are grouped; 0: never; default 10 */
	/* spec/locations.md */
	char		*location;	/* NULL: none (keys as without locations) */
	int		 quorum;	/* 0: a majority of reporting locations */
	int64_t		 location_timeout_ms; /* 0: 3 x smallest interval, >= 90 s */
};

#define LOCATIONS_MAX		64	/* locations one verdict counts */
#define LOCATION_NAME_MAX	32	/* characters of a location's name */

/*
 * Loads and validates path. On success returns 0 and sets *out (free with
 * config_free). On failure prints every error found, as
 * "FILE:LINE:COL: KEYPATH: message", to stderr and returns -1.
 */
int	config_load(const char *path, struct config **out);

void	config_free(struct config *cfg);

/* The name of an instance, as used in keys and messages: its own name, or
 * (when built without one) its type's: "slack", "oncall", ... */
const char *integration_name(const struct integration *in);

/* Returns NULL when name can name a location (1 to 32 letters, digits,
 * '-', '_', '.'), else why not. */
const char *config_location_invalid(const char *name);

/* Sets cfg's location to name (from: "PEEKL_LOCATION", "--location"), the
 * later source overriding; -1 after a message when name is not valid. */
int	config_set_location(struct config *cfg, const char *name,
	    const char *from);

/* Returns 1 when the site is a TLS endpoint with a certificate check only
 * (tls://, smtp://, imap://, pop3://). */
int	site_cert_only(const struct site *site);

/* Returns 1 when code is listed in the site's non_acceptable_status. */
int	site_status_unacceptable(const struct site *site, int code);

#endif
