#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstr.h"
#include "log.h"
#include "output.h"
#include "util.h"

/* The short form of the certificate's situation for the human line: the
 * reason first when there is one, then the leaf's expiry and its issuer. */
static void
cert_detail(const struct cert_result *r, char *out, size_t outsz)
{
	const char	*why = cert_result_reason(r);
	char		 date[32] = "", issuer[160] = "", lead[ERROR_LEN + 2] = "";

	if (r->have_cert) {
		format_iso8601(r->not_after, date, sizeof(date));
		date[10] = '\0';	/* YYYY-MM-DD */
		if (r->d.issuer != NULL && r->d.issuer[0] != '\0') {
			snprintf(issuer, sizeof(issuer), ", issuer ");
			strlcpy_trunc(issuer + 9, r->d.issuer,
			    sizeof(issuer) - 9);
		}
	}
	if (why[0] != '\0')
		snprintf(lead, sizeof(lead), "%s, ", why);
	if (!r->have_cert)
		snprintf(out, outsz, "certificate check failed: %s", r->error);
	else if (r->days_left < 0)
		snprintf(out, outsz, "certificate expired %ld day%s ago (%s)%s",
		    -r->days_left, r->days_left == -1 ? "" : "s", date, issuer);
	else if (why[0] != '\0')
		snprintf(out, outsz, "%s%ld days left (%s)%s", lead,
		    r->days_left, date, issuer);
	else
		snprintf(out, outsz, "certificate expires in %ld day%s (%s)%s",
		    r->days_left, r->days_left == 1 ? "" : "s", date, issuer);
}

static void
http_line(FILE *fp, const struct site *site,
    const struct http_result *r, const struct site_state *st, int namew)
{
	char	url[1024], what[ERROR_LEN + 128], fails[64] = "";

	if (r->ok && r->slow)
		snprintf(what, sizeof(what), "HTTP %d in %.0f ms, slow (over "
		    "%lld ms)", r->http_code, r->response_ms,
		    (long long)site->slow_ms);
	else if (r->ok)
		snprintf(what, sizeof(what), "HTTP %d in %.0f ms", r->http_code,
		    r->response_ms);
	else if (strncmp(r->error, "HTTP ", 5) == 0)
		snprintf(what, sizeof(what), "%s in %.0f ms", r->error,
		    r->response_ms);
	else
		snprintf(what, sizeof(what), "%s after %.0f ms", r->error,
		    r->response_ms);
	if (!r->ok && st->state != HTTP_DOWN)
		snprintf(fails, sizeof(fails), " (%d/%d failures)", st->failures,
		    site->retry + 1);
	else if (!r->ok)
		snprintf(fails, sizeof(fails), " (down, %d failure%s)",
		    st->failures, st->failures == 1 ? "" : "s");
	else if (r->slow && st->state != HTTP_DEGRADED)
		snprintf(fails, sizeof(fails), " (%d/%d slow)", st->slow,
		    site->retry + 1);
	else if (r->slow)
		snprintf(fails, sizeof(fails), " (degraded, %d slow)",
		    st->slow);
	fprintf(fp, "%-9s %-*s  %s  %s%s\n",
	    !r->ok ? "CRITICAL" : r->slow ? "WARNING" : "OK", namew, site->name,
	    redact_site_url(site->url, url, sizeof(url)), what, fails);
}

static void
cert_line(FILE *fp, const struct site *site,
    const struct cert_result *r, const struct site_state *st, int namew)
{
	char	url[1024], what[512], sev[16];

	cert_detail(r, what, sizeof(what));
	snprintf(sev, sizeof(sev), "%s", severity_name(cert_severity(st->cert_state)));
	for (char *p = sev; *p; p++)
		*p = (char)(*p - ('a' <= *p && *p <= 'z' ? 32 : 0));
	fprintf(fp, "%-9s %-*s  %s  %s\n", sev, namew, site->name,
	    redact_site_url(site->url, url, sizeof(url)), what);
}

static json_t *
http_json(const struct site *site, const struct http_result *r,
    const struct site_state *st)
{
	char	url[1024];

	return json_pack("{s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:i, s:s}",
	    "site", json_text(site->name, 0),
	    "url", json_text(redact_site_url(site->url, url, sizeof(url)), 0),
	    "kind", "http",
	    "status", severity_name(http_severity(r)),
	    "http_code", r->http_code ? json_integer(r->http_code) : json_null(),
	    "response_ms", json_ms(r->response_ms),
	    "error", json_text_or_null(r->error),
	    "failures", st->failures,
	    "state", http_state_name(st->state));
}

/* Returns the leaf's subjectAltNames as a JSON list, null when unknown. */
static json_t *
sans_json(const struct cert_result *r)
{
	json_t	*arr;
	size_t	 i;

	if (!r->have_cert)
		return json_null();
	arr = json_array();
	for (i = 0; arr != NULL && i < r->d.nsans; i++)
		json_array_append_new(arr, json_text(r->d.sans[i], 0));
	return arr != NULL ? arr : json_null();
}

/* Returns every certificate the server sent, leaf first, as a JSON list;
 * null when none was read. */
static json_t *
chain_json(const struct cert_result *r)
{
	const struct cert_link	*l;
	json_t			*arr;
	char			 date[32];
	size_t			 i;

	if (!r->have_cert)
		return json_null();
	arr = json_array();
	for (i = 0; arr != NULL && i < r->d.nchain; i++) {
		l = &r->d.chain[i];
		format_iso8601(l->not_after, date, sizeof(date));
		json_array_append_new(arr, json_pack("{s:o, s:o, s:s, s:I}",
		    "subject", json_text(l->subject, 0),
		    "issuer", json_text(l->issuer, 0),
		    "not_after", date,
		    "days_left", (json_int_t)l->days_left));
	}
	return arr != NULL ? arr : json_null();
}

static json_t *
cert_json(const struct site *site, const struct cert_result *r,
    const struct site_state *st)
{
	char	 url[1024], date[32];
	json_t	*o;

	format_iso8601(r->not_after, date, sizeof(date));
	o = json_pack("{s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:s, s:o}",
	    "site", json_text(site->name, 0),
	    "url", json_text(redact_site_url(site->url, url, sizeof(url)), 0),
	    "kind", "cert",
	    "status", severity_name(cert_severity(st->cert_state)),
	    "days_left", r->have_cert ? json_integer(r->days_left) : json_null(),
	    "not_after", r->have_cert ? json_string(date) : json_null(),
	    "error", json_text_or_null(cert_result_reason(r)),
	    "state", cert_state_name(st->cert_state),
	    "tls_version", json_text_or_null(r->tls_version));
	if (o == NULL)
		return NULL;
	/* The chain's details (spec/certificates.md), null when unknown. */
	json_object_set_new(o, "subject", json_text_or_null(r->d.subject));
	json_object_set_new(o, "issuer", json_text_or_null(r->d.issuer));
	json_object_set_new(o, "sans", sans_json(r));
	json_object_set_new(o, "serial", json_text_or_null(r->d.serial));
	json_object_set_new(o, "sha256", json_text_or_null(r->d.sha256));
	json_object_set_new(o, "key", json_text_or_null(r->d.key));
	json_object_set_new(o, "signature", json_text_or_null(r->d.signature));
	json_object_set_new(o, "chain", chain_json(r));
	json_object_set_new(o, "chain_days_left", r->d.have_chain_days ?
	    json_integer(r->d.chain_days_left) : json_null());
	return o;
}

void
output_check_line(FILE *fp, const struct check *c, int namew)
{
	if (c->kind == KIND_HTTP)
		http_line(fp, c->site, &c->http, c->state, namew);
	else
		cert_line(fp, c->site, &c->cert, c->state, namew);
}

json_t *
output_check_json(const struct check *c)
{
	json_t	*o = c->kind == KIND_HTTP ?
	    http_json(c->site, &c->http, c->state) :
	    cert_json(c->site, &c->cert, c->state);

	/* Only when an alert is held back (spec/alerting.md), so the
	 * documents of a monitor without quiet times stay as they were. */
	if (o != NULL && c->suppressed[0] != '\0')
		json_object_set_new(o, "suppressed",
		    json_text(c->suppressed, 0));
	return o;
}

void
output_json_doc(json_t *root)
{
	char	*s;

	if (root == NULL) {
		log_error("cannot build the JSON output");
		return;
	}
	/* Fifteen digits print 41.2 as "41.2", not "41.200000000000003". */
	if ((s = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15))) != NULL) {
		puts(s);
		free(s);
	}
	json_decref(root);
}
