/* The site hash, PREFIX:site:NAME: one site's state between runs, read
 * back field by field and written by the run's MULTI. The only file that
 * knows its fields' formats; store_keys.c names them. */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "log.h"
#include "state.h"
#include "store.h"
#include "store_int.h"
#include "store_keys.h"
#include "util.h"

/* Parses a finite decimal field in [0, 1e12); keeps *out when the text
 * is not one. */
static void
field_double(const char *s, double *out)
{
	double	v;

	if (parse_double(s, &v) == 0 && v >= 0 && v < 1e12)
		*out = v;
}

/* Sets one field of st from its hash field; unknown fields are ignored so
 * newer or foreign fields never break an older peekl. */
static void
state_field(struct site_state *st, const char *f, const char *v)
{
	const long long	 tmax = INT64_MAX / 2;
	long long	 n;
	int64_t		 t;

	switch (site_field_find(f)) {
	case SF_STATE:
		st->state = http_state_parse(v);
		break;
	case SF_CERT_STATE:
		st->cert_state = cert_state_parse(v);
		break;
	case SF_ERROR:
		strlcpy_trunc(st->error, v, sizeof(st->error));
		break;
	case SF_RESPONSE_MS:
		field_double(v, &st->response_ms);
		break;
	case SF_CERT_NOT_AFTER:
		if (parse_iso8601(v, &t) == 0)
			st->cert_not_after = t;
		break;
	case SF_CERT_DAYS_LEFT:
		if (parse_ll(v, -DAYS_LEFT_MAX, DAYS_LEFT_MAX, &n) == 0) {
			st->cert_days_left = (long)n;
			st->have_cert = 1;
		}
		break;
	case SF_CERT_CHAIN_DAYS_LEFT:
		if (parse_ll(v, -DAYS_LEFT_MAX, DAYS_LEFT_MAX, &n) == 0) {
			st->cert_chain_days_left = (long)n;
			st->have_chain_days = 1;
		}
		break;
	case SF_CERT_ISSUER:
		strlcpy_trunc(st->cert_issuer, v, sizeof(st->cert_issuer));
		break;
	case SF_CERT_ERROR:
		strlcpy_trunc(st->cert_error, v, sizeof(st->cert_error));
		break;
	case SF_CERT_TLS_VERSION:
		strlcpy_trunc(st->cert_tls_version, v,
		    sizeof(st->cert_tls_version));
		break;
	case SF_FAILURES:
		if (parse_ll(v, 0, 1000000, &n) == 0)
			st->failures = (int)n;
		break;
	case SF_SLOW:
		if (parse_ll(v, 0, 1000000, &n) == 0)
			st->slow = (int)n;
		break;
	case SF_HTTP_CODE:
		if (parse_ll(v, 0, 999, &n) == 0)
			st->http_code = (int)n;
		break;
	case SF_LAST_CHECK:
		if (parse_ll(v, 0, tmax, &n) == 0)
			st->last_check = n;
		break;
	case SF_SINCE:
		if (parse_ll(v, 0, tmax, &n) == 0)
			st->since = n;
		break;
	case SF_CERT_LAST_CHECK:
		if (parse_ll(v, 0, tmax, &n) == 0)
			st->cert_last_check = n;
		break;
	case SF_CERT_SINCE:
		if (parse_ll(v, 0, tmax, &n) == 0)
			st->cert_since = n;
		break;
	case SF_ALERTED:
		st->alerted = http_state_parse(v);
		break;
	case SF_CERT_ALERTED:
		st->cert_alerted = cert_state_parse(v);
		break;
	case SF_REMINDED_AT:
		if (parse_ll(v, 0, tmax, &n) == 0)
			st->reminded_at = n;
		break;
	case SF_CERT_REMINDED_AT:
		if (parse_ll(v, 0, tmax, &n) == 0)
			st->cert_reminded_at = n;
		break;
	default:
		/* Unknown fields are not read back. */
		break;
	}
}

/* Fills out from an HGETALL reply; anything but a flat array of strings
 * (an absent key, a key of another type) gives the zeroed UNKNOWN state. */
static void
parse_state(const redisReply *r, struct site_state *out)
{
	int	have_alerted = 0, have_cert_alerted = 0;

	memset(out, 0, sizeof(*out));
	if (r == NULL || r->type != REDIS_REPLY_ARRAY)
		return;
	for (size_t i = 0; i + 1 < r->elements; i += 2) {
		const char	*f = store_reply_str(r->element[i]);
		const char	*v = store_reply_str(r->element[i + 1]);

		if (f != NULL && v != NULL) {
			state_field(out, f, v);
			have_alerted |= site_field_find(f) == SF_ALERTED;
			have_cert_alerted |= site_field_find(f) ==
			    SF_CERT_ALERTED;
		}
	}
	/* A hash written before these fields existed: every change of
	 * state was alerted then, so the state is what was last said. */
	if (!have_alerted)
		out->alerted = out->state;
	if (!have_cert_alerted)
		out->cert_alerted = out->cert_state;
}

/*
 * Returns 1 (logged) when the site's key holds something other than a hash.
 * Such a site is not checked: writing its results would fail inside the
 * transaction, which Redis does not roll back, and its alerts would be
 * queued again on every run.
 */
static int
unreadable_state(const struct store *st, const redisReply *r,
    const char *name, char *(*keyf)(const struct store *, const char *),
    struct site_state *out)
{
	char	*key;

	if (r->type != REDIS_REPLY_ERROR || strncmp(r->str, "WRONGTYPE", 9) != 0)
		return 0;
	key = keyf(st, name);
	log_error("redis: %s: %s is not a hash; the site is not checked "
	    "until that key is removed", st->where, key);
	free(key);
	memset(out, 0, sizeof(*out));
	out->unreadable = 1;
	return 1;
}

int
site_append_read(struct store *st, const char *name)
{
	char	*key = key_site_state(st, name);
	int	 rc;

	rc = redisAppendCommand(st->c, "HGETALL %s", key);
	free(key);
	return rc == REDIS_OK ? 0 : -1;
}

void
site_parse(const struct store *st, const redisReply *r, const char *name,
    struct site_state *out)
{
	if (!unreadable_state(st, r, name, key_site_state, out))
		parse_state(r, out);
}

void
site_parse_verdict(const struct store *st, const redisReply *r,
    const char *name, struct site_state *out)
{
	if (!unreadable_state(st, r, name, key_site, out))
		parse_state(r, out);
}

int
store_read_states(struct store *st, const struct config *cfg,
    struct site_state *out)
{
	redisReply	**r = NULL;
	char		 *key;
	int		  ret = -1;

	for (size_t i = 0; i < cfg->nsites; i++)
		if (site_append_read(st, cfg->sites[i].name) == -1) {
			store_io_error(st, "reading site states");
			return -1;
		}
	if (store_replies(st, cfg->nsites, &r, "reading site states") == -1)
		return -1;
	for (size_t i = 0; i < cfg->nsites; i++) {
		if (unreadable_state(st, r[i], cfg->sites[i].name,
		    key_site_state, &out[i]))
			continue;
		if (r[i]->type == REDIS_REPLY_ERROR) {
			key = key_site_state(st, cfg->sites[i].name);
			log_error("redis: %s: %s: %s", st->where, key,
			    r[i]->str);
			free(key);
			goto out;
		}
		parse_state(r[i], &out[i]);
	}
	ret = 0;
out:
	store_free_replies(r, cfg->nsites);
	return ret;
}

/* Queues the HSET (and HDEL) of state s of check c to the hash keyf
 * names; 0, or -1 (logged). */
static int
append_state(struct store *st, const struct check *c,
    const struct site_state *s,
    char *(*keyf)(const struct store *, const char *), struct batch *b)
{
	const char		*name = c->site->name;
	struct cmd		 cmd = { 0 };
	char			 iso[64];

	cmd_add(&cmd, "HSET");
	cmd_take(&cmd, keyf(st, name));
	if (c->kind == KIND_HTTP) {
		cmd_add(&cmd, "%s", site_fields[SF_STATE]);
		cmd_add(&cmd, "%s", http_state_name(s->state));
		cmd_add(&cmd, "%s", site_fields[SF_FAILURES]);
		cmd_add(&cmd, "%d", s->failures);
		cmd_add(&cmd, "%s", site_fields[SF_SLOW]);
		cmd_add(&cmd, "%d", s->slow);
		cmd_add(&cmd, "%s", site_fields[SF_LAST_CHECK]);
		cmd_add(&cmd, "%" PRId64, s->last_check);
		cmd_add(&cmd, "%s", site_fields[SF_SINCE]);
		cmd_add(&cmd, "%" PRId64, s->since);
		cmd_add(&cmd, "%s", site_fields[SF_HTTP_CODE]);
		cmd_add(&cmd, "%d", s->http_code);
		cmd_add(&cmd, "%s", site_fields[SF_RESPONSE_MS]);
		cmd_add(&cmd, "%.3f", s->response_ms);
		cmd_add(&cmd, "%s", site_fields[SF_ERROR]);
		cmd_add(&cmd, "%s", s->error);
		cmd_add(&cmd, "%s", site_fields[SF_ALERTED]);
		cmd_add(&cmd, "%s", http_state_name(s->alerted));
		/* Only once there was one, so a hash without reminders
		 * looks as before. */
		if (s->reminded_at > 0) {
			cmd_add(&cmd, "%s", site_fields[SF_REMINDED_AT]);
			cmd_add(&cmd, "%" PRId64, s->reminded_at);
		}
		return batch_append(st, b, &cmd);
	}
	cmd_add(&cmd, "%s", site_fields[SF_CERT_STATE]);
	cmd_add(&cmd, "%s", cert_state_name(s->cert_state));
	cmd_add(&cmd, "%s", site_fields[SF_CERT_LAST_CHECK]);
	cmd_add(&cmd, "%" PRId64, s->cert_last_check);
	cmd_add(&cmd, "%s", site_fields[SF_CERT_SINCE]);
	cmd_add(&cmd, "%" PRId64, s->cert_since);
	cmd_add(&cmd, "%s", site_fields[SF_CERT_ERROR]);
	cmd_add(&cmd, "%s", cert_result_reason(&c->cert));
	cmd_add(&cmd, "%s", site_fields[SF_CERT_ALERTED]);
	cmd_add(&cmd, "%s", cert_state_name(s->cert_alerted));
	if (s->cert_reminded_at > 0) {
		cmd_add(&cmd, "%s", site_fields[SF_CERT_REMINDED_AT]);
		cmd_add(&cmd, "%" PRId64, s->cert_reminded_at);
	}
	if (s->have_cert) {
		format_iso8601(s->cert_not_after, iso, sizeof(iso));
		cmd_add(&cmd, "%s", site_fields[SF_CERT_DAYS_LEFT]);
		cmd_add(&cmd, "%ld", s->cert_days_left);
		cmd_add(&cmd, "%s", site_fields[SF_CERT_NOT_AFTER]);
		cmd_add(&cmd, "%s", iso);
		cmd_add(&cmd, "%s", site_fields[SF_CERT_ISSUER]);
		cmd_add(&cmd, "%s", s->cert_issuer);
		cmd_add(&cmd, "%s", site_fields[SF_CERT_TLS_VERSION]);
		cmd_add(&cmd, "%s", s->cert_tls_version);
		if (s->have_chain_days) {
			cmd_add(&cmd, "%s",
			    site_fields[SF_CERT_CHAIN_DAYS_LEFT]);
			cmd_add(&cmd, "%ld", s->cert_chain_days_left);
			return batch_append(st, b, &cmd);
		}
		if (batch_append(st, b, &cmd) == -1)
			return -1;
		cmd_add(&cmd, "HDEL");
		cmd_take(&cmd, keyf(st, name));
		cmd_add(&cmd, "%s", site_fields[SF_CERT_CHAIN_DAYS_LEFT]);
		return batch_append(st, b, &cmd);
	}
	if (batch_append(st, b, &cmd) == -1)
		return -1;
	/* Without a certificate the old days_left would read back as
	 * current. */
	cmd_add(&cmd, "HDEL");
	cmd_take(&cmd, keyf(st, name));
	cmd_add(&cmd, "%s", site_fields[SF_CERT_DAYS_LEFT]);
	cmd_add(&cmd, "%s", site_fields[SF_CERT_NOT_AFTER]);
	cmd_add(&cmd, "%s", site_fields[SF_CERT_CHAIN_DAYS_LEFT]);
	cmd_add(&cmd, "%s", site_fields[SF_CERT_ISSUER]);
	cmd_add(&cmd, "%s", site_fields[SF_CERT_TLS_VERSION]);
	return batch_append(st, b, &cmd);
}

int
site_append_write(struct store *st, const struct check *c, struct batch *b)
{
	if (append_state(st, c, c->state, key_site_state, b) == -1)
		return -1;
	/* The site's own hash then holds the quorum verdict, with the
	 * latest measurement of any location. */
	if (c->verdict != NULL)
		return append_state(st, c, c->verdict, key_site, b);
	return 0;
}
