/*
 * spec/notifiers.md's renderers: the whole request of every type for every
 * event (method line, URL, headers, body) compared byte for byte with
 * tests/golden/notify/TYPE_EVENT.txt (PEEKL_GOLDEN_UPDATE=1 rewrites them;
 * review the diff), the delivery rules' verdicts, the mail helpers and the
 * redaction of every secret these types hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "alert.h"
#include "alert_fixtures.h"
#include "config.h"
#include "harness.h"
#include "log.h"
#include "mime.h"
#include "notify.h"
#include "state.h"
#include "util.h"

static char *to_list[] = { STR("ops@example.com"),
	STR("On call <oncall@example.com>") };

static struct integration email = {
	.type = ITYPE_EMAIL, .url = STR("smtp://mail.example.com:587"),
	.from = STR("peekl <peekl@example.com>"), .to = to_list, .nto = 2,
	.smtp_user = STR("peekl"), .secret = STR("smtp-secret-pw"),
};
static struct integration pagerduty = {
	.type = ITYPE_PAGERDUTY,
	.url = STR("https://events.pagerduty.com/v2/enqueue"),
	.secret = STR("R0UTINGKEYsecret0000000000000000"),
};
static struct integration opsgenie = {
	.type = ITYPE_OPSGENIE, .url = STR("https://api.opsgenie.com"),
	.secret = STR("0psg3nie-key-secret"),
};
static struct integration teams = {
	.type = ITYPE_TEAMS,
	.url = STR("https://example.webhook.office.com/workflows/abc/secret"),
};
static struct integration telegram = {
	.type = ITYPE_TELEGRAM, .url = STR("https://api.telegram.org"),
	.secret = STR("123456:ABC-tg-secret"), .chat_id = STR("-1001234567890"),
};
static struct integration ntfy = {
	.type = ITYPE_NTFY, .url = STR("https://ntfy.sh/peekl-alerts"),
	.secret = STR("tk_ntfysecret"),
};

static void
make_http(struct alert *a, enum alert_event ev, int from, int to,
    int code, const char *error, int failures, int slow)
{
	struct transition	tr = { KIND_HTTP, ev, from, to, 3600000 };
	struct http_result	r = { .done = 1, .http_code = code,
				      .response_ms = 41.2, .ok = error == NULL };
	struct site_state	st = { .state = to, .failures = failures,
				       .slow = slow };

	snprintf(r.error, sizeof(r.error), "%s", error ? error : "");
	alert_from_http(a, &fx_api, &tr, &r, &st, T0_MS);
}

static void
make_down(struct alert *a)
{
	fx_down(a, &fx_api, "HTTP 503");
}

static void
make_up(struct alert *a)
{
	make_http(a, ALERT_UP, HTTP_DOWN, HTTP_UP, 200, NULL, 0, 0);
}

static void
make_degraded(struct alert *a)
{
	make_http(a, ALERT_DEGRADED, HTTP_UP, HTTP_DEGRADED, 200, NULL, 0, 3);
}

/* Still down four hours later (spec/alerting.md's reminder). */
static void
make_reminder(struct alert *a)
{
	struct transition	tr = { KIND_HTTP, ALERT_REMINDER, HTTP_DOWN,
	    HTTP_DOWN, 4 * 3600000 + 120000 };
	struct http_result	r = { .done = 1, .http_code = 503,
				      .response_ms = 41.2 };
	struct site_state	st = { .state = HTTP_DOWN, .failures = 40 };

	snprintf(r.error, sizeof(r.error), "HTTP 503");
	alert_from_http(a, &fx_api, &tr, &r, &st, T0_MS);
}

/* An alert storm of three alerts, grouped (spec/alerting.md). */
static void
make_group(struct alert *g)
{
	struct alert		 m[3];
	const struct alert	*mp[3] = { &m[0], &m[1], &m[2] };

	make_down(&m[0]);
	fx_expired(&m[1]);
	make_degraded(&m[2]);
	alert_group(g, mp, 3, T0_MS);
	for (size_t i = 0; i < 3; i++)
		alert_clear(&m[i]);
}

/* The request as one text: "POST URL", the headers, a blank line, the
 * body. malloc'd. */
static char *
request_text(const struct integration *in, const struct alert *a)
{
	struct notify_req	 rq;
	struct buf		 b = { 0 };
	size_t			 i;

	cr_assert_eq(notify_request(in, a, &rq), 0, "%s: no request",
	    integration_name(in));
	buf_printf(&b, "POST %s\n", rq.url);
	for (i = 0; i < rq.nheaders; i++)
		buf_printf(&b, "%s\n", rq.headers[i]);
	buf_printf(&b, "\n%s", rq.body);
	notify_req_clear(&rq);
	return b.data;
}

/* Compares got (plus a final newline) with tests/golden/notify/name.txt
 * (h_golden). */
static void
golden(const char *name, const char *got)
{
	char	*file = h_strf("notify/%s.txt", name), *text = h_strf("%s\n", got);

	h_golden(file, text);
	free(text);
	free(file);
}

static void
golden_request(const char *name, const struct integration *in,
    void (*make)(struct alert *))
{
	struct alert	 a;
	char		*got;

	make(&a);
	got = request_text(in, &a);
	golden(name, got);
	free(got);
	alert_clear(&a);
}

/* The certificate events of GOLDEN_ALL, named as their golden files are. */
#define make_warning	fx_warning
#define make_critical	fx_expired
#define make_ok		fx_ok

#define GOLDEN(type, event) \
	Test(notify_golden, type##_##event) { \
		golden_request(#type "_" #event, &type, make_##event); \
	}
#define GOLDEN_ALL(type) \
	GOLDEN(type, down) GOLDEN(type, up) GOLDEN(type, degraded) \
	GOLDEN(type, warning) GOLDEN(type, critical) GOLDEN(type, ok) \
	GOLDEN(type, reminder)

GOLDEN_ALL(email)
GOLDEN_ALL(pagerduty)
GOLDEN_ALL(opsgenie)
GOLDEN_ALL(teams)
GOLDEN_ALL(telegram)
GOLDEN_ALL(ntfy)
/* Grouping applies to every type but PagerDuty and Opsgenie. */
GOLDEN(email, group)
GOLDEN(teams, group)
GOLDEN(telegram, group)
GOLDEN(ntfy, group)

Test(notify_payload, incident_types_never_take_a_group)
{
	struct alert	g;

	make_group(&g);
	cr_assert_null(alert_payload(&pagerduty, &g));
	cr_assert_null(alert_payload(&opsgenie, &g));
	cr_assert_not(integration_type_groupable(ITYPE_PAGERDUTY));
	cr_assert_not(integration_type_groupable(ITYPE_OPSGENIE));
	cr_assert(integration_type_groupable(ITYPE_EMAIL));
	cr_assert(integration_type_groupable(ITYPE_TEAMS));
	cr_assert(integration_type_groupable(ITYPE_TELEGRAM));
	cr_assert(integration_type_groupable(ITYPE_NTFY));
	alert_clear(&g);
}

/* Every JSON body parses, and holds what the spec names. */
Test(notify_payload, pagerduty_resolve_shares_the_dedup_key)
{
	struct alert	 down, up;
	char		*p1, *p2;
	json_t		*j1, *j2;

	make_down(&down);
	make_up(&up);
	p1 = alert_payload(&pagerduty, &down);
	p2 = alert_payload(&pagerduty, &up);
	cr_assert_not_null(j1 = json_loads(p1, 0, NULL));
	cr_assert_not_null(j2 = json_loads(p2, 0, NULL));
	cr_assert_str_eq(json_string_value(json_object_get(j1,
	    "event_action")), "trigger");
	cr_assert_str_eq(json_string_value(json_object_get(j2,
	    "event_action")), "resolve");
	cr_assert_str_eq(json_string_value(json_object_get(j1, "dedup_key")),
	    "peekl/api/http");
	cr_assert_str_eq(json_string_value(json_object_get(j2, "dedup_key")),
	    "peekl/api/http");
	json_decref(j1);
	json_decref(j2);
	free(p1);
	free(p2);
	alert_clear(&down);
	alert_clear(&up);
}

/* Long texts are cut to the services' limits, on character boundaries. */
Test(notify_payload, limits_in_characters)
{
	struct alert	 a;
	char		 err[600];
	char		*p;
	json_t		*j;
	size_t		 i;

	/* 300 two-byte characters: 600 bytes. */
	for (i = 0; i + 2 < sizeof(err); i += 2)
		memcpy(err + i, "\xc3\xa9", 2);
	err[i] = '\0';
	make_http(&a, ALERT_DOWN, HTTP_UP, HTTP_DOWN, 0, err, 2, 0);
	p = alert_payload(&opsgenie, &a);
	cr_assert_not_null(j = json_loads(p, 0, NULL));
	cr_assert_eq(json_string_length(json_object_get(j, "message")) > 0, 1);
	{
		const char	*m = json_string_value(json_object_get(j,
		    "message"));
		size_t		 chars = 0;

		for (; *m != '\0'; m++)
			chars += ((unsigned char)*m & 0xc0) != 0x80;
		cr_assert_eq(chars, 130);
	}
	json_decref(j);
	free(p);
	alert_clear(&a);
}

Test(notify_judge, success_answers)
{
	long	ra = -1;

	cr_assert_eq(notify_judge(&pagerduty, 202, "{}", 2, &ra),
	    NOTIFY_DELIVERED);
	cr_assert_eq(notify_judge(&pagerduty, 200, "{}", 2, &ra),
	    NOTIFY_FAILED);
	cr_assert_eq(notify_judge(&opsgenie, 202, "", 0, &ra),
	    NOTIFY_DELIVERED);
	cr_assert_eq(notify_judge(&opsgenie, 201, "", 0, &ra), NOTIFY_FAILED);
	cr_assert_eq(notify_judge(&teams, 204, "", 0, &ra), NOTIFY_DELIVERED);
	cr_assert_eq(notify_judge(&ntfy, 200, "", 0, &ra), NOTIFY_DELIVERED);
	cr_assert_eq(notify_judge(&ntfy, 500, "", 0, &ra), NOTIFY_FAILED);
	cr_assert_eq(notify_judge(&telegram, 200, "{\"ok\":true}", 11, &ra),
	    NOTIFY_DELIVERED);
	cr_assert_eq(notify_judge(&telegram, 200, "{\"ok\":false}", 12, &ra),
	    NOTIFY_FAILED);
	cr_assert_eq(notify_judge(&telegram, 200, "ok", 2, &ra),
	    NOTIFY_FAILED);
	cr_assert_eq(notify_judge(&pagerduty, 429, "", 0, &ra), NOTIFY_HOLD);
}

Test(notify_judge, telegram_retry_after_in_the_body)
{
	const char	*b = "{\"ok\":false,\"error_code\":429,\"parameters\":"
	    "{\"retry_after\":37}}";
	long		 ra = -1;

	cr_assert_eq(notify_judge(&telegram, 429, b, strlen(b), &ra),
	    NOTIFY_HOLD);
	cr_assert_eq(ra, 37);
	ra = 5;
	cr_assert_eq(notify_judge(&telegram, 429, "{}", 2, &ra), NOTIFY_HOLD);
	cr_assert_eq(ra, 5, "the header's value stays without a hint");
}

Test(notify_mime, header_values)
{
	char	*v;

	v = mime_header_value("DOWN api", " ");
	cr_assert_str_eq(v, "DOWN api");
	free(v);
	/* A plain value past 900 bytes is folded as encoded words: no line
	 * of the message passes 998 bytes. */
	{
		char	long_text[2001];

		memset(long_text, 'a', 2000);
		long_text[2000] = '\0';
		v = mime_header_value(long_text, "\r\n ");
		cr_assert(strncmp(v, "=?UTF-8?B?", 10) == 0, "%.40s", v);
		for (char *line = v, *nl; line != NULL; line = nl) {
			nl = strstr(line, "\r\n");
			cr_assert_leq(nl ? (size_t)(nl - line) : strlen(line),
			    998);
			nl = nl ? nl + 2 : NULL;
		}
	}
	free(v);
	v = mime_header_value("DOWN caf\xc3\xa9", " ");
	cr_assert_str_eq(v, "=?UTF-8?B?RE9XTiBjYWbDqQ==?=");
	free(v);
	v = mime_header_value("a\r\nBcc: x@y", "\r\n ");
	cr_assert_str_eq(v, "a  Bcc: x@y", "no header injection");
	free(v);
	/* Long text: several words, none longer than 75 characters. */
	v = mime_header_value("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", "\r\n ");
	cr_assert_not_null(strstr(v, "?=\r\n =?UTF-8?B?"));
	{
		char	*w = v, *end;

		while ((end = strstr(w, "\r\n ")) != NULL) {
			cr_assert_leq(end - w, 75);
			w = end + 3;
		}
		cr_assert_leq(strlen(w), 75);
	}
	free(v);
}

Test(notify_mime, addresses)
{
	char	a[320];

	cr_assert_eq(mime_addr("ops@example.com", a, sizeof(a)), 0);
	cr_assert_str_eq(a, "ops@example.com");
	cr_assert_eq(mime_addr("On call <oncall@example.com>", a, sizeof(a)),
	    0);
	cr_assert_str_eq(a, "oncall@example.com");
	cr_assert_eq(mime_addr("nobody", a, sizeof(a)), -1);
	cr_assert_eq(mime_addr("a <b@c> d", a, sizeof(a)), -1);
	cr_assert_eq(mime_addr("x@y\r\nRCPT TO:<z@w>", a, sizeof(a)), -1);
}

/* Every secret of these types is hidden wherever a URL is printed. */
Test(notify_redact, secrets_in_urls)
{
	char	out[256];

	redact_secret_url("https://api.telegram.org/bot123456:ABC-tg-secret/"
	    "sendMessage", out, sizeof(out));
	cr_assert_str_eq(out, "https://api.telegram.org/bot***/sendMessage");
	/* A token of another form (pasted with its "bot" prefix, malformed)
	 * is hidden all the same. */
	redact_secret_url("https://api.telegram.org/botbot123:SECRETTOKEN/"
	    "sendMessage", out, sizeof(out));
	cr_assert_str_eq(out, "https://api.telegram.org/bot***/sendMessage");
	redact_secret_url("http://127.0.0.1:1/botSECRETTOKEN123/sendMessage",
	    out, sizeof(out));
	cr_assert_str_eq(out, "http://127.0.0.1:1/bot***/sendMessage");
	redact_secret_url("https://ntfy.sh/peekl-alerts", out, sizeof(out));
	cr_assert_str_eq(out, "https://ntfy.sh/***");
	redact_secret_url("https://api.opsgenie.com/v2/alerts/peekl%2Fapi%2F"
	    "http/close?identifierType=alias", out, sizeof(out));
	cr_assert_str_eq(out, "https://api.opsgenie.com/v2/***");
	redact_secret_url("smtp://mail.example.com:587", out, sizeof(out));
	cr_assert_str_eq(out, "smtp://mail.example.com:587");
}

Test(notify_mime, opsgenie_close_url_encodes_the_alias)
{
	struct alert	 a;
	char		*got;

	make_up(&a);
	free(a.site);
	a.site = xstrdup("shop/eu 1");
	got = request_text(&opsgenie, &a);
	cr_assert_not_null(strstr(got, "POST https://api.opsgenie.com/v2/"
	    "alerts/peekl%2Fshop%2Feu%201%2Fhttp/close?identifierType=alias\n"),
	    "%s", got);
	free(got);
	alert_clear(&a);
}

/* A title that is not ASCII reaches ntfy as RFC 2047 encoded words, and
 * an email's Subject too; the address of a From with a non-ASCII name
 * stays readable. */
Test(notify_mime, non_ascii_titles_and_subjects)
{
	struct alert	 a;
	char		*got;
	struct integration mail = email;

	make_down(&a);
	free(a.site);
	a.site = xstrdup("caf\xc3\xa9");
	alert_finish(&a);
	got = request_text(&ntfy, &a);
	cr_assert_not_null(strstr(got, "\nTitle: =?UTF-8?B?RE9XTiBjYWbDqQ==?=\n"),
	    "%s", got);
	free(got);
	mail.from = (char *)"P\xc3\xa9" "ekl <peekl@example.com>";
	got = request_text(&mail, &a);
	cr_assert_not_null(strstr(got, "\r\nSubject: =?UTF-8?B?"), "%s", got);
	cr_assert_not_null(strstr(got, "\r\nFrom: =?UTF-8?B?UMOpZWts?= "
	    "<peekl@example.com>\r\n"), "%s", got);
	free(got);
	alert_clear(&a);
}

/* ---- configuration (spec/notifiers.md's keys) */

#define SECRET_WORD	"t0ps3cret"

/* Loads yaml (with one site) from a fresh dir; returns config_load's
 * result, *err its stderr (malloc'd). */
static int
load(const char *yaml, struct config **cfg, char **err)
{
	struct h_dir	*d = h_dir_new();
	char		*text = h_strf("websites:\n  - url: https://example.com\n"
	    "alertmanagers:\n%s", yaml);
	char		*path = h_config(d, text);
	int		 rc;

	h_write_file(d, "ca.pem", "not checked here\n");
	rc = h_config_load(path, cfg, err);
	free(path);
	free(text);
	h_dir_free(d);
	return rc;
}

static void
load_fails(const char *yaml, const char *want)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load(yaml, &cfg, &err), -1, "accepted:\n%s", yaml);
	cr_assert_not_null(strstr(err, want), "expected \"%s\" in:\n%s", want,
	    err);
	cr_assert_null(strstr(err, SECRET_WORD), "a secret in: %s", err);
	free(err);
}

Test(notify_config, every_type_with_defaults)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load(
	    "  mail:\n    type: email\n    smtp: smtp://mail.example.com:587\n"
	    "    username: peekl\n    password: pw\n"
	    "    from: \"peekl <peekl@example.com>\"\n"
	    "    to: [ops@example.com, \"On call <oncall@example.com>\"]\n"
	    "  oncall:\n    type: pagerduty\n    routing_key: rk\n"
	    "    events: [down, up]\n"
	    "  genie:\n    type: opsgenie\n    api_key: k\n"
	    "  teams:\n    webhook: https://example.webhook.office.com/x\n"
	    "    ca_file: ca.pem\n"
	    "  telegram:\n    bot_token: \"1:x\"\n    chat_id: -100123\n"
	    "  ntfy:\n    url: https://ntfy.sh/peekl\n"
	    "  slack:\n    webhook: https://hooks.slack.com/services/x\n"
	    "    ca_file: ca.pem\n", &cfg, &err), 0, "%s", err);
	cr_assert_eq(cfg->nintegrations, 7);
	for (size_t i = 0; i < cfg->nintegrations; i++) {
		struct integration *in = &cfg->integrations[i];

		if (in->type == ITYPE_EMAIL) {
			cr_assert_eq(in->nto, 2);
			cr_assert_str_eq(in->to[1], "On call <oncall@example.com>");
			cr_assert_eq(in->insecure_plaintext, 0);
		} else if (in->type == ITYPE_PAGERDUTY)
			cr_assert_str_eq(in->url,
			    "https://events.pagerduty.com/v2/enqueue");
		else if (in->type == ITYPE_OPSGENIE)
			cr_assert_str_eq(in->url, "https://api.opsgenie.com");
		else if (in->type == ITYPE_TELEGRAM) {
			cr_assert_str_eq(in->url, "https://api.telegram.org");
			cr_assert_str_eq(in->chat_id, "-100123");
		} else if (in->type == ITYPE_TEAMS || in->type == ITYPE_SLACK)
			cr_assert(in->ca_file != NULL && strstr(in->ca_file,
			    "/ca.pem") != NULL && in->ca_file[0] == '/',
			    "ca_file relative to the config's directory");
	}
	config_free(cfg);
	free(err);
}

/* "Each notifier takes an optional url: (or api_url:)": either name. */
Test(notify_config, url_and_api_url_are_one_key)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load(
	    "  telegram:\n    url: http://127.0.0.1:1/tg\n"
	    "    bot_token: \"1:x\"\n    chat_id: -100123\n"
	    "  oncall:\n    type: pagerduty\n    routing_key: rk\n"
	    "    api_url: http://127.0.0.1:1/pd\n"
	    "  genie:\n    type: opsgenie\n    api_key: k\n"
	    "    api_url: http://127.0.0.1:1/og\n"
	    "  ntfy:\n    api_url: http://127.0.0.1:1/topic\n",
	    &cfg, &err), 0, "%s", err);
	cr_assert_str_eq(cfg->integrations[0].url, "http://127.0.0.1:1/tg");
	cr_assert_str_eq(cfg->integrations[1].url, "http://127.0.0.1:1/pd");
	cr_assert_str_eq(cfg->integrations[2].url, "http://127.0.0.1:1/og");
	cr_assert_str_eq(cfg->integrations[3].url, "http://127.0.0.1:1/topic");
	config_free(cfg);
	free(err);
	load_fails("  oncall:\n    type: pagerduty\n    routing_key: rk\n"
	    "    url: http://127.0.0.1:1/a\n    api_url: http://127.0.0.1:1/b\n",
	    "'url' and 'api_url' name the same URL: give one");
}

Test(notify_config, errors)
{
	load_fails("  telegram:\n    bot_token: \"1:" SECRET_WORD "\"\n",
	    "alertmanagers.telegram: missing required key 'chat_id'");
	load_fails("  oncall:\n    type: pagerduty\n",
	    "missing required key 'routing_key'");
	load_fails("  genie:\n    type: opsgenie\n    url: ftp://x\n"
	    "    api_key: " SECRET_WORD "\n", "alertmanagers.genie.url:");
	load_fails("  ntfy:\n    token: " SECRET_WORD "\n",
	    "missing required key 'url'");
	load_fails("  mail:\n    type: email\n    smtp: http://mail.example.com\n"
	    "    from: a@b.c\n    to: d@e.f\n",
	    "alertmanagers.mail.smtp: is not an smtp:// or smtps:// URL");
	load_fails("  mail:\n    type: email\n    smtp: smtp://u:" SECRET_WORD
	    "@mail.example.com\n    from: a@b.c\n    to: d@e.f\n",
	    "must not hold a user or password");
	load_fails("  mail:\n    type: email\n    smtp: smtp://mail.example.com\n"
	    "    from: a@b.c\n    to: [d@e.f, nobody]\n",
	    "alertmanagers.mail.to[1]: \"nobody\" is not an email address");
	load_fails("  mail:\n    type: email\n    smtp: smtps://mail.example.com\n"
	    "    username: peekl\n    from: a@b.c\n    to: d@e.f\n",
	    "username and password go together");
	load_fails("  email:\n    smtp: smtps://mail.example.com\n"
	    "    to: d@e.f\n", "missing required key 'from'");
	load_fails("  email:\n    smtp: smtps://mail.example.com\n"
	    "    from: a@b.c\n", "missing required key 'to'");
	load_fails("  pager:\n    type: pagerdutty\n    routing_key: x\n",
	    "did you mean 'pagerduty'?");
}
