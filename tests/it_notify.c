/*
 * spec/notifiers.md end to end: peekl runs against a real Redis, the test
 * web server and testsrv playing each service (webhook mode: the HTTP
 * APIs; smtp mode: a mail server with STARTTLS, smtps and AUTH). Each type
 * is delivered once with the right path, headers and body; refused, 5xx,
 * hanging and cut deliveries stay queued and go exactly once later; the
 * services' retry hints hold the queue; no secret reaches peekl's output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "harness.h"

/* Every secret below contains this, so one search finds any leak. */
#define SECRET	"SeCrEt"

/* One service as testsrv plays it. */
struct service {
	const char	*type;		/* the alertmanagers: key */
	const char	*keys;		/* its settings; %d is the receiver's port */
	const char	*ok;		/* the control line of its success */
	const char	*path;		/* where a failure is POSTed */
};

static const struct service pagerduty = { "pagerduty",
	"    url: http://127.0.0.1:%d/v2/enqueue\n"
	"    routing_key: R0ut1ng" SECRET "\n", "202", "/v2/enqueue" };
static const struct service opsgenie = { "opsgenie",
	"    url: http://127.0.0.1:%d\n    api_key: 0psK3y" SECRET "\n",
	"202", "/v2/alerts" };
static const struct service teams = { "teams",
	"    webhook: http://127.0.0.1:%d/workflows/" SECRET "/run\n", "200",
	"/workflows/" SECRET "/run" };
static const struct service telegram = { "telegram",
	"    api_url: http://127.0.0.1:%d\n    bot_token: \"123456:ABC" SECRET
	"\"\n    chat_id: \"-1001234567890\"\n",
	"200 - {\"ok\":true,\"result\":{}}",
	"/bot123456:ABC" SECRET "/sendMessage" };
static const struct service ntfy = { "ntfy",
	"    url: http://127.0.0.1:%d/topic" SECRET "\n    token: tk_" SECRET
	"\n", "200", "/topic" SECRET };

/* Returns tmpl with its "%d" (if any) replaced by port; malloc'd. */
static char *
with_port(const char *tmpl, int port)
{
	const char	*at = strstr(tmpl, "%d");

	if (at == NULL)
		return strdup(tmpl);
	return h_strf("%.*s%d%s", (int)(at - tmpl), tmpl, port, at + 2);
}

/* Writes config NAME.yaml: the site at web's path, one instance of s (its
 * keys formatted with port), and extra instance keys. Returns its path. */
static char *
config(struct h_env *e, const char *name, const char *path,
    const struct service *s, int port, const char *extra)
{
	char	*keys = with_port(s->keys, port);
	char	*yaml = h_strf("redis:\n  port: %d\n"
	    "websites:\n  - url: http://127.0.0.1:%d/%s\n    name: web\n"
	    "    retry: 0\n    timeout: 2\n"
	    "alertmanagers:\n  %s:\n%s    timeout: 1\n%s",
	    h_redis_port(e->rd), h_srv_port(e->web), path, s->type, keys,
	    extra ? extra : "");
	char	*file = h_strf("%s.yaml", name);
	char	*p;

	h_write_file(e->d, file, yaml);
	p = h_path(e->d, file);
	free(keys);
	free(yaml);
	free(file);
	return p;
}

/* Runs `peekl check --site web` and asserts that no secret leaked. */
static int
run(const char *cfg, struct h_run *r)
{
	h_run(r, (const char *[]){ "-c", cfg, "check", "--site", "web", NULL },
	    NULL);
	cr_assert_null(strstr(r->err, SECRET), "secret in stderr: %s", r->err);
	cr_assert_null(strstr(r->out, SECRET), "secret in stdout: %s", r->out);
	return r->status;
}

/* Runs and frees; returns the exit status. */
static int
run1(const char *cfg)
{
	struct h_run	r;
	int		st = run(cfg, &r);

	h_run_free(&r);
	return st;
}

static long long
queue_len(struct h_env *e, const char *type)
{
	return h_redis_int(e->rd, "LLEN peekl:alerts:%s", type);
}

/* Returns how many requests the receiver answered with its success. */
static int
delivered(struct h_srv *hook, const struct service *s)
{
	return h_webhook_count(hook, atoi(s->ok));
}

/*
 * The contract of one HTTP service: every way of failing keeps the alert
 * queued (refused connection, 5xx, hang, cut, the wrong 2xx), and a later
 * run delivers it exactly once, to the right path with the right body.
 */
static void
at_least_once(const struct service *s)
{
	struct h_env	 e;
	struct h_run	 r;
	struct h_request	 l;
	char		*cfg, *dead;
	int		 n;

	h_env_start(&e);
	cfg = config(&e, "live", "status/503", s, h_srv_port(e.hook), NULL);
	/* A closed port: connection refused. */
	dead = config(&e, "dead", "status/503", s, 1, NULL);
	cr_assert_eq(run(dead, &r), 2, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "delivery to"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(queue_len(&e, s->type), 1, "a refused alert left");
	h_webhook_respond(e.hook, "500");
	cr_assert_eq(run1(cfg), 2);
	h_webhook_respond(e.hook, "hang");
	cr_assert_eq(run1(cfg), 2);
	h_webhook_respond(e.hook, "cut");
	cr_assert_eq(run1(cfg), 2);
	/* A 2xx other than the service's success is no delivery either
	 * (PagerDuty's 202, Telegram's "ok": true). */
	if (strcmp(s->ok, "200") != 0) {
		h_webhook_respond(e.hook, "200");
		cr_assert_eq(run1(cfg), 2);
		cr_assert_eq(queue_len(&e, s->type), 1);
	}
	cr_assert_eq(queue_len(&e, s->type), 1, "a failed alert left");
	n = delivered(e.hook, s);
	h_webhook_respond(e.hook, s->ok);
	cr_assert_eq(run1(cfg), 2);
	cr_assert_eq(queue_len(&e, s->type), 0);
	cr_assert_eq(delivered(e.hook, s), n + 1, "not delivered once");
	n = h_webhook_count(e.hook, -1);
	cr_assert_eq(h_webhook_request(e.hook, n - 1, &l), 0);
	cr_assert_str_eq(l.target, s->path);
	cr_assert(strncmp(l.body, "DOWN web", 8) == 0 ||
	    strstr(l.body, "DOWN web (") != NULL, "%s", l.body);
	h_request_free(&l);
	/* Nothing more to send: the next run posts nothing. */
	cr_assert_eq(run1(cfg), 2);
	cr_assert_eq(h_webhook_count(e.hook, -1), n);
	free(cfg);
	free(dead);
	h_env_stop(&e);
}

Test(notify_e2e, pagerduty_at_least_once, .timeout = 60)
{
	at_least_once(&pagerduty);
}

Test(notify_e2e, opsgenie_at_least_once, .timeout = 60)
{
	at_least_once(&opsgenie);
}

Test(notify_e2e, teams_at_least_once, .timeout = 60)
{
	at_least_once(&teams);
}

Test(notify_e2e, telegram_at_least_once, .timeout = 60)
{
	at_least_once(&telegram);
}

Test(notify_e2e, ntfy_at_least_once, .timeout = 60)
{
	at_least_once(&ntfy);
}

/* Returns the JSON body of the n-th request (a new reference). */
static json_t *
body_json(struct h_srv *hook, int n, struct h_request *l)
{
	json_t	*j;

	cr_assert_eq(h_webhook_request(hook, n, l), 0, "no request %d", n);
	j = json_loads(l->body, 0, NULL);
	cr_assert_not_null(j, "not JSON: %s", l->body);
	return j;
}

static const char *
str_at(json_t *j, const char *k1, const char *k2)
{
	json_t	*v = json_object_get(j, k1);

	if (k2 != NULL)
		v = json_object_get(v, k2);
	return json_string_value(v) ? json_string_value(v) : "(none)";
}

/* Runs web up, down, then up again against s (answering 202), so the
 * service received its two requests: the failure's, then the recovery's. */
static void
up_down_up(struct h_env *e, const struct service *s)
{
	char	*down, *up;

	down = config(e, "down", "status/503", s, h_srv_port(e->hook), NULL);
	up = config(e, "up", "ok", s, h_srv_port(e->hook), NULL);
	h_webhook_respond(e->hook, "202");
	cr_assert_eq(run1(up), 0);
	cr_assert_eq(run1(down), 2);
	cr_assert_eq(run1(up), 0);
	cr_assert_eq(h_webhook_count(e->hook, 202), 2, "%s", s->type);
	free(down);
	free(up);
}

Test(notify_e2e, pagerduty_trigger_then_resolve, .timeout = 60)
{
	struct h_env	 e;
	struct h_request	 l;
	json_t		*j;

	h_env_start(&e);
	up_down_up(&e, &pagerduty);
	j = body_json(e.hook, 0, &l);
	cr_assert_str_eq(l.ctype, "application/json");
	cr_assert_str_eq(str_at(j, "event_action", NULL), "trigger");
	cr_assert_str_eq(str_at(j, "dedup_key", NULL), "peekl/web/http");
	cr_assert_str_eq(str_at(j, "routing_key", NULL), "R0ut1ng" SECRET);
	cr_assert_str_eq(str_at(j, "payload", "severity"), "critical");
	cr_assert_str_eq(str_at(j, "payload", "component"), "web");
	json_decref(j);
	h_request_free(&l);
	j = body_json(e.hook, 1, &l);
	cr_assert_str_eq(str_at(j, "event_action", NULL), "resolve");
	cr_assert_str_eq(str_at(j, "dedup_key", NULL), "peekl/web/http");
	cr_assert_str_eq(str_at(j, "payload", "severity"), "info");
	json_decref(j);
	h_request_free(&l);
	h_env_stop(&e);
}

Test(notify_e2e, opsgenie_create_then_close, .timeout = 60)
{
	struct h_env	 e;
	struct h_request	 l;
	json_t		*j;

	h_env_start(&e);
	up_down_up(&e, &opsgenie);
	j = body_json(e.hook, 0, &l);
	cr_assert_str_eq(l.target, "/v2/alerts");
	cr_assert_not_null(strstr(l.headers, "Authorization: GenieKey 0psK3y"
	    SECRET), "%s", l.headers);
	cr_assert_str_eq(str_at(j, "alias", NULL), "peekl/web/http");
	cr_assert_str_eq(str_at(j, "priority", NULL), "P1");
	cr_assert_str_eq(str_at(j, "source", NULL), "peekl");
	json_decref(j);
	h_request_free(&l);
	j = body_json(e.hook, 1, &l);
	cr_assert_str_eq(l.target,
	    "/v2/alerts/peekl%2Fweb%2Fhttp/close?identifierType=alias");
	cr_assert_not_null(strstr(l.headers, "GenieKey"), "%s", l.headers);
	json_decref(j);
	h_request_free(&l);
	h_env_stop(&e);
}

Test(notify_e2e, ntfy_headers_and_body, .timeout = 60)
{
	struct h_env	 e;
	struct h_request	 l;
	char		*down;

	h_env_start(&e);
	down = config(&e, "down", "status/503", &ntfy, h_srv_port(e.hook), NULL);
	cr_assert_eq(run1(down), 2);
	cr_assert_eq(h_webhook_request(e.hook, 0, &l), 0);
	cr_assert_eq(l.status, 200);
	cr_assert_str_eq(l.target, "/topic" SECRET);
	cr_assert(strncmp(l.ctype, "text/plain", 10) == 0, "%s", l.ctype);
	cr_assert(strncmp(l.body, "DOWN web (http://127.0.0.1:", 27) == 0,
	    "%s", l.body);
	cr_assert_not_null(strstr(l.body, "\n\nWebsite: "), "%s", l.body);
	cr_assert_not_null(strstr(l.headers, "Title: DOWN web"), "%s",
	    l.headers);
	cr_assert_not_null(strstr(l.headers, "Priority: 5"), "%s", l.headers);
	cr_assert_not_null(strstr(l.headers, "Tags: rotating_light"), "%s",
	    l.headers);
	cr_assert_not_null(strstr(l.headers, "Authorization: Bearer tk_"
	    SECRET), "%s", l.headers);
	h_request_free(&l);
	free(down);
	h_env_stop(&e);
}

/* Returns the milliseconds left on the hold of type's queue. */
static long long
hold_ms(struct h_env *e, const char *type)
{
	return h_redis_int(e->rd, "PTTL peekl:alerts:%s:hold", type);
}

Test(notify_e2e, telegram_retry_after_holds_the_queue, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	struct h_request	 l;
	char		*down;
	long long	 ms;

	h_env_start(&e);
	down = config(&e, "down", "status/503", &telegram, h_srv_port(e.hook),
	    NULL);
	/* The body's hint, 120 s, not the default 60 s. */
	h_webhook_respond(e.hook, "429 - {\"ok\":false,\"error_code\":429,"
	    "\"parameters\":{\"retry_after\":120}}");
	cr_assert_eq(run(down, &r), 2);
	cr_assert_not_null(strstr(r.err, "/bot***/"), "%s", r.err);
	h_run_free(&r);
	ms = hold_ms(&e, "telegram");
	cr_assert(ms > 110000 && ms <= 120000, "hold %lld ms", ms);
	cr_assert_eq(queue_len(&e, "telegram"), 1);
	/* Held: the next run does not even ask. */
	h_webhook_respond(e.hook, telegram.ok);
	cr_assert_eq(run1(down), 2);
	cr_assert_eq(h_webhook_count(e.hook, -1), 1);
	/* Once the hold is over, it goes, once, with the right JSON. */
	h_redis_int(e.rd, "DEL peekl:alerts:telegram:hold");
	cr_assert_eq(run1(down), 2);
	cr_assert_eq(queue_len(&e, "telegram"), 0);
	cr_assert_eq(h_webhook_request(e.hook, 1, &l), 0);
	cr_assert_str_eq(l.target, telegram.path);
	cr_assert_not_null(strstr(l.body, "\"chat_id\":\"-1001234567890\""),
	    "%s", l.body);
	cr_assert_not_null(strstr(l.body, "\"disable_web_page_preview\":"
	    "true"), "%s", l.body);
	h_request_free(&l);
	free(down);
	h_env_stop(&e);
}

Test(notify_e2e, retry_after_holds_every_service, .timeout = 60)
{
	const struct service *const all[] = { &pagerduty, &opsgenie, &teams,
	    &telegram, &ntfy };
	struct h_env	 e;
	char		*down;
	long long	 ms;
	size_t		 i;

	h_env_start(&e);
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		char	*name = h_strf("down-%zu", i);

		down = config(&e, name, "status/503", all[i],
		    h_srv_port(e.hook), NULL);
		/* A 429 with Retry-After: 90, and nothing in the body. */
		h_webhook_respond(e.hook, "429 90");
		h_redis_int(e.rd, "DEL peekl:site:web");
		cr_assert_eq(run1(down), 2);
		ms = hold_ms(&e, all[i]->type);
		cr_assert(ms > 80000 && ms <= 90000, "%s: hold %lld ms",
		    all[i]->type, ms);
		cr_assert_eq(queue_len(&e, all[i]->type), 1, "%s",
		    all[i]->type);
		free(down);
		free(name);
	}
	h_env_stop(&e);
}

/* ---- email */

#define MAIL_PW		"pw-" SECRET

/* Starts testsrv's mail receiver with args (NULL-terminated). */
static struct h_srv *
smtp_start(const char *const args[])
{
	const char	*argv[16] = { "--mode", "smtp" };
	size_t		 n = 2;

	for (; args[n - 2] != NULL && n < 15; n++)
		argv[n] = args[n - 2];
	argv[n] = NULL;
	return h_srv_start(argv);
}

/* Writes an email config for mail server m: scheme "smtp" or "smtps". */
static char *
mail_config(struct h_env *e, const char *name, const char *path,
    struct h_srv *m, const char *scheme, const char *extra)
{
	char	*ca = h_srv_file(m, "ca.pem");
	/* A server without TLS wrote no CA. */
	char	*ca_key = access(ca, R_OK) == 0 ? h_strf("    ca_file: %s\n",
	    ca) : strdup("");
	char	*keys = h_strf("    smtp: %s://localhost:%d\n"
	    "    username: peekl\n    password: \"" MAIL_PW "\"\n"
	    "    from: \"peekl <peekl@example.com>\"\n"
	    "    to: [ops@example.com, \"On call <oncall@example.com>\"]\n"
	    "%s%s", scheme, h_srv_port(m), ca_key, extra ? extra : "");
	struct service	s = { "email", keys, "250", "" };
	char	*p;

	p = config(e, name, path, &s, 0, NULL);
	free(keys);
	free(ca_key);
	free(ca);
	return p;
}

/* Returns the n-th (1-based) message m received, or NULL. */
static char *
mail_get(struct h_srv *m, int n)
{
	char	*name = h_strf("mail-%d.eml", n), *p = h_srv_file(m, name);
	char	*text = h_read_file(p);

	free(name);
	free(p);
	return text;
}

static void
mail_check(struct h_srv *m)
{
	char	*msg = mail_get(m, 1), *log;
	char	*p = h_srv_file(m, "log");

	cr_assert_not_null(msg, "no message received");
	cr_assert_not_null(strstr(msg, "X-Envelope-From: FROM:<peekl@example"
	    ".com>"), "%s", msg);
	cr_assert_not_null(strstr(msg, "X-Envelope-To: TO:<ops@example.com>"),
	    "%s", msg);
	cr_assert_not_null(strstr(msg, "X-Envelope-To: TO:<oncall@example."
	    "com>"), "%s", msg);
	cr_assert_not_null(strstr(msg, "\r\nSubject: DOWN web (http://"),
	    "%s", msg);
	cr_assert_not_null(strstr(msg, "\r\nFrom: peekl <peekl@example.com>"
	    "\r\n"), "%s", msg);
	cr_assert_not_null(strstr(msg, "\r\nDate: "), "%s", msg);
	cr_assert_not_null(strstr(msg, "\r\nMessage-ID: <peekl."), "%s", msg);
	cr_assert_not_null(strstr(msg, "Content-Type: text/plain; charset="
	    "utf-8\r\n"), "%s", msg);
	cr_assert_not_null(strstr(msg, "\r\n\r\nDOWN web (http://"), "%s",
	    msg);
	cr_assert_not_null(strstr(msg, "\r\nWebsite: http://"), "%s", msg);
	cr_assert_null(mail_get(m, 2), "sent twice");
	log = h_read_file(p);
	cr_assert_not_null(log);
	cr_assert_null(strstr(log, SECRET), "the password crossed in the "
	    "log's clear text: %s", log);
	free(log);
	free(p);
	free(msg);
}

static void
mail_ok(const char *const srv_args[], const char *scheme, const char *mech)
{
	struct h_env	 e;
	struct h_srv	*m;
	char		*cfg, *log, *p;

	h_env_start(&e);
	m = smtp_start(srv_args);
	cfg = mail_config(&e, "mail", "status/503", m, scheme, NULL);
	cr_assert_eq(run1(cfg), 2);
	cr_assert_eq(queue_len(&e, "email"), 0);
	mail_check(m);
	p = h_srv_file(m, "log");
	log = h_read_file(p);
	if (strcmp(scheme, "smtp") == 0)
		cr_assert_not_null(strstr(log, "STARTTLS"), "%s", log);
	cr_assert_not_null(strstr(log, mech), "%s", log);
	free(log);
	free(p);
	free(cfg);
	h_srv_stop(m);
	h_env_stop(&e);
}

Test(notify_email, starttls_auth_plain, .timeout = 60)
{
	mail_ok((const char *[]){ "--tls", "--auth", "peekl:" MAIL_PW,
	    "--auth-mechs", "PLAIN", NULL }, "smtp", "AUTH PLAIN");
}

Test(notify_email, starttls_auth_login, .timeout = 60)
{
	mail_ok((const char *[]){ "--tls", "--auth", "peekl:" MAIL_PW,
	    "--auth-mechs", "LOGIN", NULL }, "smtp", "AUTH LOGIN");
}

Test(notify_email, smtps_implicit_tls, .timeout = 60)
{
	mail_ok((const char *[]){ "--smtps", "--auth", "peekl:" MAIL_PW, NULL },
	    "smtps", "AUTH PLAIN");
}

/* smtp:// to a server without STARTTLS is refused (an ERROR, the alert
 * stays queued) unless insecure_plaintext says so. */
Test(notify_email, plaintext_needs_the_flag, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	struct h_srv	*m;
	char		*cfg, *ins;

	h_env_start(&e);
	m = smtp_start((const char *[]){ "--auth", "peekl:" MAIL_PW, NULL });
	cfg = mail_config(&e, "strict", "status/503", m, "smtp", NULL);
	ins = mail_config(&e, "insecure", "status/503", m, "smtp",
	    "    insecure_plaintext: true\n");
	cr_assert_eq(run(cfg, &r), 2, "%s", r.err);
	cr_assert_not_null(strstr(r.err, "ERROR"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "STARTTLS"), "%s", r.err);
	h_run_free(&r);
	cr_assert_eq(queue_len(&e, "email"), 1);
	cr_assert_null(mail_get(m, 1));
	cr_assert_eq(run1(ins), 2);
	cr_assert_eq(queue_len(&e, "email"), 0);
	mail_check(m);
	free(cfg);
	free(ins);
	h_srv_stop(m);
	h_env_stop(&e);
}

/* 4xx, 5xx (an ERROR), a wrong password, a cut connection and a closed
 * port all keep the message queued; it goes once when the server takes it. */
Test(notify_email, at_least_once, .timeout = 60)
{
	struct h_env	 e;
	struct h_run	 r;
	struct h_srv	*m;
	char		*cfg, *bad, *dead, *keys;

	h_env_start(&e);
	m = smtp_start((const char *[]){ "--tls", "--auth", "peekl:" MAIL_PW,
	    NULL });
	cfg = mail_config(&e, "mail", "status/503", m, "smtp", NULL);
	keys = h_strf("    smtp: smtp://localhost:1\n    from: peekl@example.com"
	    "\n    to: ops@example.com\n");
	{
		struct service s = { "email", keys, "250", "" };

		dead = config(&e, "dead", "status/503", &s, 0, NULL);
	}
	bad = h_path(e.d, "bad.yaml");
	{
		char	*text = h_read_file(cfg), *at = strstr(text, MAIL_PW);

		cr_assert_not_null(at);
		memcpy(at, "XX", 2);
		h_write_file(e.d, "bad.yaml", text);
		free(text);
	}
	cr_assert_eq(run1(dead), 2);
	cr_assert_eq(queue_len(&e, "email"), 1);
	cr_assert_eq(run(bad, &r), 2);
	cr_assert_not_null(strstr(r.err, "login refused"), "%s", r.err);
	h_run_free(&r);
	h_webhook_respond(m, "451");
	cr_assert_eq(run(cfg, &r), 2);
	cr_assert_not_null(strstr(r.err, "SMTP 451"), "%s", r.err);
	h_run_free(&r);
	h_webhook_respond(m, "554");
	cr_assert_eq(run(cfg, &r), 2);
	cr_assert_not_null(strstr(r.err, "ERROR"), "%s", r.err);
	cr_assert_not_null(strstr(r.err, "SMTP 554"), "%s", r.err);
	h_run_free(&r);
	h_webhook_respond(m, "hang");
	cr_assert_eq(run(cfg, &r), 2);
	cr_assert_not_null(strstr(r.err, "timeout"), "%s", r.err);
	h_run_free(&r);
	h_webhook_respond(m, "cut");
	cr_assert_eq(run1(cfg), 2);
	cr_assert_eq(queue_len(&e, "email"), 1);
	cr_assert_null(mail_get(m, 1));
	h_webhook_respond(m, "");
	cr_assert_eq(run1(cfg), 2);
	cr_assert_eq(queue_len(&e, "email"), 0);
	mail_check(m);
	free(cfg);
	free(bad);
	free(dead);
	free(keys);
	h_srv_stop(m);
	h_env_stop(&e);
}

/* ca_file on an instance: an HTTPS receiver with the test CA. */
Test(notify_e2e, ca_file_trusts_a_private_ca, .timeout = 60)
{
	struct h_env	 e;
	struct h_srv	*tls;
	char		*ca, *extra, *cfg, *keys;
	struct service	 s = teams;

	h_env_start(&e);
	tls = h_srv_start((const char *[]){ "--mode", "webhook", "--tls", NULL });
	ca = h_srv_file(tls, "ca.pem");
	keys = h_strf("    webhook: https://localhost:%s/workflows/" SECRET
	    "\n    ca_file: %s\n", "%d", ca);
	s.keys = keys;
	extra = NULL;
	cfg = config(&e, "tls", "status/503", &s, h_srv_port(tls), extra);
	cr_assert_eq(run1(cfg), 2);
	cr_assert_eq(queue_len(&e, "teams"), 0);
	cr_assert_eq(h_webhook_count(tls, 200), 1);
	free(ca);
	free(keys);
	free(cfg);
	h_srv_stop(tls);
	h_env_stop(&e);
}

/* An instance of its own name (type: opsgenie) has its own queue, and a
 * site's alert_to and the instance's events route to it. */
Test(notify_e2e, named_instance_with_type, .timeout = 60)
{
	struct h_env	 e;
	struct h_request	 l;
	struct service	 s = opsgenie;
	char		*down, *up, *keys;

	h_env_start(&e);
	keys = h_strf("    type: opsgenie\n%s    events: [down]\n",
	    opsgenie.keys);
	s.type = "genie";
	s.keys = keys;
	down = config(&e, "down", "status/503", &s, h_srv_port(e.hook), NULL);
	up = config(&e, "up", "ok", &s, h_srv_port(e.hook), NULL);
	h_webhook_respond(e.hook, "500");
	cr_assert_eq(run1(up), 0);
	cr_assert_eq(run1(down), 2);
	cr_assert_eq(queue_len(&e, "genie"), 1);
	cr_assert_eq(queue_len(&e, "opsgenie"), 0);
	h_webhook_respond(e.hook, "202");
	cr_assert_eq(run1(down), 2);
	cr_assert_eq(queue_len(&e, "genie"), 0);
	/* events: [down]: the recovery is not sent. */
	cr_assert_eq(run1(up), 0);
	cr_assert_eq(h_webhook_count(e.hook, 202), 1);
	cr_assert_eq(h_webhook_request(e.hook, 1, &l), 0);
	cr_assert_str_eq(l.target, "/v2/alerts");
	h_request_free(&l);
	free(keys);
	free(down);
	free(up);
	h_env_stop(&e);
}
