/*
 * What peekl keeps in Redis. This file names every key and field; the
 * other store files build keys only through the functions below, so this
 * table is the whole schema. PREFIX is redis.prefix (default "peekl"),
 * NAME a site's name, KIND "http" or "cert", INSTANCE the name of an
 * integration instance under alertmanagers: ("slack", "oncall", ...).
 *
 * | key | type | holds | lifetime |
 * |---|---|---|---|
 * | `PREFIX:site:NAME` | hash | the site's state: `state`, `failures`, `slow` (consecutive slow checks), `last_check` (unix ms), `since` (ms of the last state change), `http_code`, `response_ms`, `error`; `cert_state`, `cert_last_check`, `cert_since`, `cert_error`, `cert_days_left`, `cert_not_after` (ISO 8601), `cert_chain_days_left`, `cert_issuer`, `cert_tls_version`; `alerted` / `cert_alerted`, the state of the last alert queued for the site (absent: the state); `reminded_at`, `cert_reminded_at` (unix ms of the last reminder of the HTTP / certificate state, once one was sent) | no expiry; written by every check of the site (`HSET` in the run's MULTI), the `cert_*` details of the certificate deleted when no certificate is known, `cert_chain_days_left` when the server sent the leaf alone |
 * | `PREFIX:lease:NAME:KIND` | string | the token of the run doing that check | `PX` the longest due check timeout (times the waves) plus 5 s; deleted by its owner (compare-and-delete script) when the run ends |
 * | `PREFIX:alerts:INSTANCE` | list | encoded alerts waiting for delivery to one integration instance, oldest first | no expiry; `RPUSH`ed in the run's MULTI, trimmed to the newest 1000 by a script there (the oldest dropped with a warning), popped (compare-and-pop script) only after the service's success answer (a complete 2xx; exactly 202 for PagerDuty and Opsgenie, 200 with `"ok": true` for Telegram, 250 after DATA for email) |
 * | `PREFIX:alerts:INSTANCE:dead` | list | entries of the queue that could not be decoded or rendered, set aside byte for byte (never dropped, never retried for ever), oldest first | no expiry; moved there from the queue's head by a script (compare, pop, push, trim) that keeps the newest 1000; emptied only by the operator (`LMOVE` back, or `DEL`) |
 * | `PREFIX:alerts:INSTANCE:lease` | string | the token of the run delivering that queue | `PX` the instance's timeout plus 5 s; deleted by its owner (compare-and-delete script) |
 * | `PREFIX:alerts:INSTANCE:hold` | string | `1` while the instance's receiver asked to wait (HTTP 429/503 `Retry-After`, or Telegram's `parameters.retry_after`) | `PX` the Retry-After (60 s when the answer gave none) |
 * | `PREFIX:ts:NAME:METRIC` | TimeSeries | one sample per check: METRIC `response_ms`, `http_code` (0 when no response), `up` (1 or 0), `cert_days_left`; labels `peekl=1 site=NAME metric=METRIC` (`,()` in NAME become `_`), `DUPLICATE_POLICY LAST`; with a location the key ends in `:LOCATION` and the label `location=LOCATION` is added (also when the compaction script creates it); a host without a location reads every location's | `RETENTION` redis.retention, set when `TS.ADD` creates it; only with `timeseries` on or auto-detected |
 * | `PREFIX:history:NAME` | stream | one entry per check, instead of the timeseries: `kind http` with `up`, `http_code`, `response_ms`, `t` (unix ms); `kind cert` with `days_left`, `t`; with a location, `location` too | trimmed exactly to redis.retention on every `XADD` (`MINID`, not `MINID ~`) |
 * | `PREFIX:crl:HEX` | string | a CRL fetched from a CRL Distribution Point (its bytes as served, DER or PEM); HEX is the SHA-256 of the URL, lowercase hex | `PX` until the CRL's nextUpdate, at most 7 days; never written by a dry run |
 * | `PREFIX:silence:NAME` | string | a silence of one site: JSON `{"until": unix_s, "reason": TEXT or null, "created": unix_s}` | `PX` until `until`; set by `peekl silence`, deleted by `peekl silence --clear` |
 * | `PREFIX:silence:all` | string | a silence of every site (`peekl silence all`), the same JSON | as `PREFIX:silence:NAME` |
 * | `PREFIX:incidents:NAME` | stream | one entry per state change (with a location, of the quorum verdict), http and cert: `kind`, `from`, `to` (state names), `reason` (`HTTP 503`, `timeout`, ...; "" when none); the entry ID is the change's time, `MS-SEQ`: changes of one millisecond (a site's http and cert in one run) are `MS-0`, `MS-1`; a stream already ahead of the writer's clock takes the change in its newest millisecond | trimmed exactly to redis.incident_retention (default 400d, `MINID`) on every append; appended by a script in the run's MULTI |
 * | `PREFIX:rollup:NAME:RES` | stream | with redis.retention as a mapping and without RedisTimeSeries: one entry per hour (RES `1h`) or UTC day (`1d`) of HTTP checks: `checks`, `up`, `sum_ms`, `max_ms`; the entry ID is the bucket's start, `MS-SEQ`, rewritten (`XDEL`, `XADD MS-*`) by a script in the run's MULTI as the bucket fills | trimmed exactly to redis.retention's `hourly` / `daily` (default 400d / 5y) on every write |
 * | `PREFIX:ts:NAME:METRIC:RES` | TimeSeries | with redis.retention as a mapping and RedisTimeSeries: the compaction (`TS.CREATERULE`) of `PREFIX:ts:NAME:METRIC` per hour (`1h`) or day (`1d`): `avg` of `response_ms` and `up`, `min` of `cert_days_left`, `last` of `http_code`; the raw series' labels plus `resolution=1h` or `1d`; with a location, of `PREFIX:ts:NAME:METRIC:LOCATION` into `PREFIX:ts:NAME:METRIC:LOCATION:RES` (both labelled `location=LOCATION`), read across every location in `PREFIX:locations` by a host without one | `RETENTION` redis.retention's `hourly` / `daily`; created with its rule before the first sample |
 * | `PREFIX:site:NAME:loc:LOCATION` | hash | with a location: that location's own state of the site, the fields of `PREFIX:site:NAME` (which then holds the quorum verdict) | no expiry; written by that location's checks |
 * | `PREFIX:lease:NAME:KIND:LOCATION` | string | with a location: the token of the run doing that location's check | as `PREFIX:lease:NAME:KIND` |
 * | `PREFIX:lease:NAME:verdict` | string | the token of the run deciding the site's quorum verdict | `PX` 30 s; deleted by its owner (compare-and-delete) once the verdict and its alert are written |
 * | `PREFIX:location:LOCATION` | hash | a location's heartbeat: `last_run` (unix ms), `host`, `version`; `silent_since` (the `last_run` seen when it was reported down) while it is reported down | no expiry; written by every run of that location (`default` without one) |
 * | `PREFIX:location:LOCATION:lease` | string | the token of the run deciding that location's DOWN/UP | `PX` 30 s; deleted by its owner |
 * | `PREFIX:locations` | set | the name of every location that ever ran | no expiry; a retired location is removed by hand (`SREM`, and `DEL` of its heartbeat) |
 *
 * Each key is written by the store alone: the site hash by store_site.c,
 * the queues by store_queue.c, leases by store.c and store_queue.c,
 * measurements by store_series.c, cached CRLs by store_crl.c, silences
 * by store_silence.c, incidents by store_incidents.c, rollups and
 * compaction rules by store_rollup.c, the locations' heartbeats and
 * verdict leases by store_loc.c.
 */
#include <stdio.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "store.h"
#include "store_int.h"
#include "store_keys.h"
#include "util.h"

const char *const site_fields[SF__MAX] = {
	[SF_STATE] = "state",
	[SF_FAILURES] = "failures",
	[SF_LAST_CHECK] = "last_check",
	[SF_SINCE] = "since",
	[SF_HTTP_CODE] = "http_code",
	[SF_RESPONSE_MS] = "response_ms",
	[SF_ERROR] = "error",
	[SF_CERT_STATE] = "cert_state",
	[SF_CERT_LAST_CHECK] = "cert_last_check",
	[SF_CERT_SINCE] = "cert_since",
	[SF_CERT_ERROR] = "cert_error",
	[SF_CERT_DAYS_LEFT] = "cert_days_left",
	[SF_CERT_NOT_AFTER] = "cert_not_after",
	[SF_SLOW] = "slow",
	[SF_CERT_CHAIN_DAYS_LEFT] = "cert_chain_days_left",
	[SF_CERT_ISSUER] = "cert_issuer",
	[SF_CERT_TLS_VERSION] = "cert_tls_version",
	[SF_ALERTED] = "alerted",
	[SF_CERT_ALERTED] = "cert_alerted",
	[SF_REMINDED_AT] = "reminded_at",
	[SF_CERT_REMINDED_AT] = "cert_reminded_at",
};

const char *const metric_names[METRIC__MAX] = {
	[METRIC_RESPONSE_MS] = "response_ms",
	[METRIC_HTTP_CODE] = "http_code",
	[METRIC_UP] = "up",
	[METRIC_CERT_DAYS_LEFT] = "cert_days_left",
};

const char *const entry_fields[EF__MAX] = {
	[EF_KIND] = "kind",
	[EF_UP] = "up",
	[EF_HTTP_CODE] = "http_code",
	[EF_RESPONSE_MS] = "response_ms",
	[EF_DAYS_LEFT] = "days_left",
	[EF_T] = "t",
	[EF_LOCATION] = "location",
};

const char *const location_fields[LF__MAX] = {
	[LF_LAST_RUN] = "last_run",
	[LF_HOST] = "host",
	[LF_VERSION] = "version",
	[LF_SILENT_SINCE] = "silent_since",
};

const char *const incident_fields[IF__MAX] = {
	[IF_KIND] = "kind",
	[IF_FROM] = "from",
	[IF_TO] = "to",
	[IF_REASON] = "reason",
};

const char *const rollup_fields[RF__MAX] = {
	[RF_CHECKS] = "checks",
	[RF_UP] = "up",
	[RF_SUM_MS] = "sum_ms",
	[RF_MAX_MS] = "max_ms",
};

const char *const resolution_names[RES__MAX] = {
	[RES_HOUR] = "1h",
	[RES_DAY] = "1d",
};

const int64_t resolution_ms[RES__MAX] = {
	[RES_HOUR] = 3600LL * 1000,
	[RES_DAY] = 86400LL * 1000,
};

int
site_field_find(const char *name)
{
	for (int i = 0; i < SF__MAX; i++)
		if (strcmp(name, site_fields[i]) == 0)
			return i;
	return -1;
}

char *
key_site(const struct store *st, const char *site)
{
	return xasprintf("%s:site:%s", st->prefix, site);
}

char *
key_lease(const struct store *st, const char *site, enum check_kind kind)
{
	if (st->location != NULL)
		return xasprintf("%s:lease:%s:%s:%s", st->prefix, site,
		    check_kind_name(kind), st->location);
	return xasprintf("%s:lease:%s:%s", st->prefix, site,
	    check_kind_name(kind));
}

char *
key_site_state(const struct store *st, const char *site)
{
	if (st->location != NULL)
		return key_site_loc(st, site, st->location);
	return key_site(st, site);
}

char *
key_site_loc(const struct store *st, const char *site, const char *location)
{
	return xasprintf("%s:site:%s:loc:%s", st->prefix, site, location);
}

char *
key_verdict_lease(const struct store *st, const char *site)
{
	return xasprintf("%s:lease:%s:verdict", st->prefix, site);
}

char *
key_location(const struct store *st, const char *location)
{
	return xasprintf("%s:location:%s", st->prefix, location);
}

char *
key_location_lease(const struct store *st, const char *location)
{
	return xasprintf("%s:location:%s:lease", st->prefix, location);
}

char *
key_locations(const struct store *st)
{
	return xasprintf("%s:locations", st->prefix);
}

char *
key_queue(const struct store *st, const char *inst)
{
	return xasprintf("%s:alerts:%s", st->prefix, inst);
}

char *
key_queue_dead(const struct store *st, const char *inst)
{
	return xasprintf("%s:alerts:%s:dead", st->prefix, inst);
}

char *
key_queue_lease(const struct store *st, const char *inst)
{
	return xasprintf("%s:alerts:%s:lease", st->prefix,
	    inst);
}

char *
key_queue_hold(const struct store *st, const char *inst)
{
	return xasprintf("%s:alerts:%s:hold", st->prefix,
	    inst);
}

char *
key_ts(const struct store *st, const char *site, enum metric m)
{
	return key_ts_at(st, site, m, st->location);
}

char *
key_ts_at(const struct store *st, const char *site, enum metric m,
    const char *loc)
{
	if (loc != NULL)
		return xasprintf("%s:ts:%s:%s:%s", st->prefix, site,
		    metric_names[m], loc);
	return xasprintf("%s:ts:%s:%s", st->prefix, site, metric_names[m]);
}

char *
key_history(const struct store *st, const char *site)
{
	return xasprintf("%s:history:%s", st->prefix, site);
}

char *
key_incidents(const struct store *st, const char *site)
{
	return xasprintf("%s:incidents:%s", st->prefix, site);
}

char *
key_rollup(const struct store *st, const char *site, enum resolution res)
{
	return xasprintf("%s:rollup:%s:%s", st->prefix, site,
	    resolution_names[res]);
}

char *
key_ts_rollup(const struct store *st, const char *site, enum metric m,
    enum resolution res)
{
	return key_ts_rollup_at(st, site, m, st->location, res);
}

char *
key_ts_rollup_at(const struct store *st, const char *site, enum metric m,
    const char *loc, enum resolution res)
{
	if (loc != NULL)
		return xasprintf("%s:ts:%s:%s:%s:%s", st->prefix, site,
		    metric_names[m], loc, resolution_names[res]);
	return xasprintf("%s:ts:%s:%s:%s", st->prefix, site, metric_names[m],
	    resolution_names[res]);
}

char *
key_crl(const struct store *st, const char *url)
{
	unsigned char	sum[32];
	char		hex[65];
	size_t		i;

	memset(sum, 0, sizeof(sum));
	mbedtls_sha256_ret((const unsigned char *)url, strlen(url), sum, 0);
	for (i = 0; i < sizeof(sum); i++)
		snprintf(hex + i * 2, 3, "%02x", sum[i]);
	return xasprintf("%s:crl:%s", st->prefix, hex);
}

char *
key_silence(const struct store *st, const char *site)
{
	return xasprintf("%s:silence:%s", st->prefix, site);
}

/* PREFIX:silence:NAME with NAME `all`, as spec/alerting.md names it; a
 * site literally named "all" is therefore silenced only with `all`
 * (cmd_silence.c refuses it by its URL or host). */
char *
key_silence_all(const struct store *st)
{
	return key_silence(st, "all");
}

const char *
key_queue_integration(const struct store *st, const char *key)
{
	size_t	plen = strlen(st->prefix);

	if (strncmp(key, st->prefix, plen) != 0 ||
	    strncmp(key + plen, ":alerts:", 8) != 0 || key[plen + 8] == '\0')
		return NULL;
	return key + plen + 8;
}
