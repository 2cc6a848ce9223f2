/*
 * The decisions of several locations (quorum.c): every verdict rule, the
 * default quorum, silent locations, which verdict changes alert, the
 * location timeout and heartbeat changes; and the texts of those alerts
 * (alert.c), with their queue form's round trip. The config keys of
 * spec/locations.md are tested here too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "alert.h"
#include "config.h"
#include "harness.h"
#include "quorum.h"
#include "state.h"
#include "util.h"

#define NOW	1795597200000LL
#define MIN	60000LL
#define STR(s)	((char []){ s })

static struct site api = {
	.name = STR("api"), .url = STR("https://api.example.com/health"),
	.interval_ms = 60000, .cert_interval_ms = 3600000,
};
static struct config cfg0;

/* Views of fra, nyc, sgp with the given HTTP states, all fresh. */
static void
views3(struct loc_view *v, int a, int b, int c)
{
	static const char *names[3] = { "fra", "nyc", "sgp" };
	int	st[3] = { a, b, c };

	for (int i = 0; i < 3; i++) {
		v[i].name = names[i];
		v[i].state = st[i];
		v[i].last_check = NOW - 1000;
	}
}

static int
decide3(int a, int b, int c, struct verdict *v)
{
	struct loc_view lv[3];

	views3(lv, a, b, c);
	quorum_decide(&cfg0, &api, KIND_HTTP, lv, 3,
	    quorum_window(&api, KIND_HTTP), NOW, v);
	return v->state;
}

Test(quorum, one_of_three_down_is_up)
{
	struct verdict v;

	cr_assert_eq(decide3(HTTP_DOWN, HTTP_UP, HTTP_UP, &v), HTTP_UP);
	cr_assert_eq(v.quorum, 2);
	cr_assert_eq(v.total, 3);
	cr_assert_eq(v.nagree, 2);
	cr_assert_eq(v.agree[0], 1);
	cr_assert_eq(v.agree[1], 2);
}

Test(quorum, two_of_three_down_is_down)
{
	struct verdict v;

	cr_assert_eq(decide3(HTTP_DOWN, HTTP_DOWN, HTTP_UP, &v), HTTP_DOWN);
	cr_assert_eq(v.nagree, 2);
	cr_assert_eq(v.agree[0], 0);
	cr_assert_eq(v.agree[1], 1);
}

Test(quorum, down_and_degraded_make_degraded)
{
	struct verdict v;

	cr_assert_eq(decide3(HTTP_DOWN, HTTP_DEGRADED, HTTP_UP, &v),
	    HTTP_DEGRADED);
	cr_assert_eq(v.nagree, 2);
	cr_assert_eq(decide3(HTTP_DEGRADED, HTTP_UP, HTTP_UP, &v), HTTP_UP);
}

Test(quorum, nobody_knows_is_unknown)
{
	struct verdict v;

	cr_assert_eq(decide3(HTTP_UNKNOWN, HTTP_UNKNOWN, HTTP_UNKNOWN, &v),
	    HTTP_UNKNOWN);
	cr_assert_eq(v.nagree, 0);
}

Test(quorum, silent_location_does_not_count)
{
	struct loc_view	lv[3];
	struct verdict	v;

	/* nyc's down is older than 3 intervals: fra alone is 1 of 2. */
	views3(lv, HTTP_DOWN, HTTP_DOWN, HTTP_UP);
	lv[1].last_check = NOW - 3 * MIN - 1;
	quorum_decide(&cfg0, &api, KIND_HTTP, lv, 3,
	    quorum_window(&api, KIND_HTTP), NOW, &v);
	cr_assert_eq(v.total, 2);
	cr_assert_eq(v.quorum, 2);
	cr_assert_eq(v.state, HTTP_UP);
	/* Within 3 intervals it still counts. */
	lv[1].last_check = NOW - 3 * MIN;
	quorum_decide(&cfg0, &api, KIND_HTTP, lv, 3,
	    quorum_window(&api, KIND_HTTP), NOW, &v);
	cr_assert_eq(v.state, HTTP_DOWN);
	/* A location that never checked the site counts neither. */
	lv[1].last_check = 0;
	quorum_decide(&cfg0, &api, KIND_HTTP, lv, 3,
	    quorum_window(&api, KIND_HTTP), NOW, &v);
	cr_assert_eq(v.total, 2);
}

Test(quorum, default_is_a_majority)
{
	cr_assert_eq(quorum_for(&cfg0, &api, 1), 1);
	cr_assert_eq(quorum_for(&cfg0, &api, 2), 2);
	cr_assert_eq(quorum_for(&cfg0, &api, 3), 2);
	cr_assert_eq(quorum_for(&cfg0, &api, 4), 3);
	cr_assert_eq(quorum_for(&cfg0, &api, 5), 3);
	cr_assert_eq(quorum_for(&cfg0, &api, 0), 1);
}

Test(quorum, site_quorum_over_top_level)
{
	struct config	c = { .quorum = 3 };
	struct site	s = api;
	struct verdict	v;
	struct loc_view	lv[3];

	cr_assert_eq(quorum_for(&c, &api, 3), 3);
	s.quorum = 1;
	cr_assert_eq(quorum_for(&c, &s, 3), 1);
	/* quorum 1: one location seeing it down is enough. */
	views3(lv, HTTP_UP, HTTP_UP, HTTP_DOWN);
	quorum_decide(&c, &s, KIND_HTTP, lv, 3, quorum_window(&s, KIND_HTTP),
	    NOW, &v);
	cr_assert_eq(v.state, HTTP_DOWN);
	cr_assert_eq(v.nagree, 1);
	cr_assert_eq(v.agree[0], 2);
	/* quorum 3: two are not enough. */
	views3(lv, HTTP_DOWN, HTTP_UP, HTTP_DOWN);
	quorum_decide(&c, &api, KIND_HTTP, lv, 3,
	    quorum_window(&api, KIND_HTTP), NOW, &v);
	cr_assert_eq(v.state, HTTP_UP);
}

Test(quorum, certificates_have_their_own)
{
	struct loc_view	lv[3];
	struct verdict	v;

	views3(lv, CERT_CRITICAL, CERT_WARNING, CERT_OK);
	/* Certificate checks are hourly here: a check 2 h ago counts. */
	lv[2].last_check = NOW - 2 * 60 * MIN;
	quorum_decide(&cfg0, &api, KIND_CERT, lv, 3,
	    quorum_window(&api, KIND_CERT), NOW, &v);
	cr_assert_eq(v.total, 3);
	cr_assert_eq(v.state, CERT_WARNING);
	cr_assert_eq(v.nagree, 2);
	views3(lv, CERT_CRITICAL, CERT_CRITICAL, CERT_OK);
	quorum_decide(&cfg0, &api, KIND_CERT, lv, 3,
	    quorum_window(&api, KIND_CERT), NOW, &v);
	cr_assert_eq(v.state, CERT_CRITICAL);
}

Test(quorum, only_a_change_alerts)
{
	struct verdict		v = { .state = HTTP_DOWN };
	struct transition	tr;

	cr_assert_eq(quorum_transition(KIND_HTTP, HTTP_UP, NOW - MIN, &v, NOW,
	    &tr), 1);
	cr_assert_eq(tr.event, ALERT_DOWN);
	cr_assert_eq(tr.from, HTTP_UP);
	cr_assert_eq(tr.duration_ms, MIN);
	cr_assert_eq(quorum_transition(KIND_HTTP, HTTP_DOWN, NOW - MIN, &v,
	    NOW, &tr), 0);
	v.state = HTTP_UP;
	cr_assert_eq(quorum_transition(KIND_HTTP, HTTP_DOWN, NOW - MIN, &v,
	    NOW, &tr), 1);
	cr_assert_eq(tr.event, ALERT_UP);
	/* A first verdict that is up is news to nobody. */
	cr_assert_eq(quorum_transition(KIND_HTTP, HTTP_UNKNOWN, 0, &v, NOW,
	    &tr), 0);
	/* Nobody knowing keeps the old verdict. */
	v.state = HTTP_UNKNOWN;
	cr_assert_eq(quorum_transition(KIND_HTTP, HTTP_DOWN, 0, &v, NOW, &tr),
	    0);
	v.state = HTTP_DEGRADED;
	cr_assert_eq(quorum_transition(KIND_HTTP, HTTP_UP, 0, &v, NOW, &tr), 1);
	cr_assert_eq(tr.event, ALERT_DEGRADED);
	v.state = CERT_WARNING;
	cr_assert_eq(quorum_transition(KIND_CERT, CERT_OK, 0, &v, NOW, &tr), 1);
	cr_assert_eq(tr.event, ALERT_WARNING);
	v.state = CERT_OK;
	cr_assert_eq(quorum_transition(KIND_CERT, CERT_UNKNOWN, 0, &v, NOW,
	    &tr), 0);
}

Test(heartbeat, timeout_default_and_floor)
{
	struct site	sites[2] = { api, api };
	struct config	c = { .sites = sites, .nsites = 2 };

	sites[0].interval_ms = 60000;
	sites[1].interval_ms = 20000;
	cr_assert_eq(location_timeout(&c), 90000);	/* 3 x 20 s < 90 s */
	sites[1].interval_ms = 45000;
	cr_assert_eq(location_timeout(&c), 135000);
	c.location_timeout_ms = 5000;			/* explicit: shorter ok */
	cr_assert_eq(location_timeout(&c), 5000);
}

Test(heartbeat, changes)
{
	int64_t	t = 90000;

	cr_assert_eq(location_change(NOW - 1000, 0, t, NOW), LOC_SAME);
	cr_assert_eq(location_change(NOW - t, 0, t, NOW), LOC_SAME);
	cr_assert_eq(location_change(NOW - t - 1, 0, t, NOW), LOC_DOWN);
	/* Declared down: nothing more until it runs again. */
	cr_assert_eq(location_change(NOW - 10 * t, NOW - 10 * t, t, NOW),
	    LOC_SAME);
	cr_assert_eq(location_change(NOW, NOW - 10 * t, t, NOW), LOC_UP);
	/* Never ran: nothing to say. */
	cr_assert_eq(location_change(0, 0, t, NOW), LOC_SAME);
}

Test(location_alert, texts_and_round_trip)
{
	struct alert	a, b;
	char		*enc;

	alert_from_location(&a, "nyc", 0, 5 * MIN + 12000, NOW);
	cr_assert_str_eq(a.text, "DOWN location nyc: no run for 5m 12s");
	enc = alert_encode(&a);
	cr_assert_not_null(enc);
	cr_assert_not_null(strstr(enc, "\"kind\":\"location\""), "%s", enc);
	cr_assert_eq(alert_decode(enc, strlen(enc), &b), 0);
	cr_assert_str_eq(b.text, a.text);
	free(enc);
	alert_clear(&a);
	alert_clear(&b);
	alert_from_location(&a, "nyc", 1, 7 * MIN, NOW);
	cr_assert_str_eq(a.text, "UP location nyc: running again after 7m");
	cr_assert_eq(a.event, ALERT_UP);
	alert_clear(&a);
}

Test(location_alert, webhook_says_location)
{
	struct integration	in = { .type = ITYPE_WEBHOOK,
				    .url = STR("http://127.0.0.1:1/hook") };
	struct alert		a;
	char			*p;

	alert_from_location(&a, "sgp", 0, 90000, NOW);
	p = alert_payload(&in, &a);
	cr_assert_not_null(p);
	cr_assert_not_null(strstr(p, "\"site\":\"sgp\",\"url\":\"\","
	    "\"kind\":\"location\",\"state\":\"DOWN\""), "%s", p);
	cr_assert_not_null(strstr(p, "\"text\":\"DOWN location sgp: no run "
	    "for 1m 30s\""), "%s", p);
	free(p);
	alert_clear(&a);
}

Test(location_alert, verdict_texts_and_round_trip)
{
	struct site_state	st = { .state = HTTP_DOWN, .http_code = 0 };
	struct transition	tr = { .kind = KIND_HTTP, .event = ALERT_DOWN,
				    .from = HTTP_UP, .to = HTTP_DOWN };
	struct alert		a, b;
	char			*enc;

	snprintf(st.error, sizeof(st.error), "timeout");
	alert_from_verdict(&a, &api, &tr, &st, "fra, nyc", 2, 3, NOW);
	cr_assert_str_eq(a.text, "DOWN api (https://api.example.com/health): "
	    "down from 2 of 3 locations (fra, nyc): timeout");
	enc = alert_encode(&a);
	cr_assert_eq(alert_decode(enc, strlen(enc), &b), 0);
	cr_assert_str_eq(b.text, a.text);
	free(enc);
	alert_clear(&a);
	alert_clear(&b);

	st.state = HTTP_UP;
	st.error[0] = '\0';
	st.http_code = 200;
	tr.event = ALERT_UP;
	tr.from = HTTP_DOWN;
	tr.duration_ms = 4 * MIN;
	alert_from_verdict(&a, &api, &tr, &st, "fra, nyc, sgp", 3, 3, NOW);
	cr_assert_str_eq(a.text, "UP api (https://api.example.com/health): "
	    "up from 3 of 3 locations (fra, nyc, sgp): back after 4m 0s");
	alert_clear(&a);

	/* A verdict's reminder: the state it is still in, for how long,
	 * and from which locations; the same after a round trip. */
	st.state = HTTP_DOWN;
	st.http_code = 503;
	tr.event = ALERT_REMINDER;
	tr.from = tr.to = HTTP_DOWN;
	tr.duration_ms = 2 * 3600 * 1000LL;
	alert_from_verdict(&a, &api, &tr, &st, "fra, nyc", 2, 3, NOW);
	cr_assert_str_eq(a.text, "DOWN api (https://api.example.com/health): "
	    "still down after 2h 0m, down from 2 of 3 locations (fra, nyc): "
	    "HTTP 503");
	enc = alert_encode(&a);
	cr_assert_eq(alert_decode(enc, strlen(enc), &b), 0);
	cr_assert_str_eq(b.text, a.text);
	free(enc);
	alert_clear(&a);
	alert_clear(&b);
}

/* --- config --- */

static int
load(const char *yaml, struct config **cfg, char **err)
{
	char	dir[] = "/tmp/peekl-quorum-XXXXXX", *path;
	FILE	*f;
	int	 rc;

	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	path = xasprintf("%s/config.yaml", dir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(yaml, f);
	fclose(f);
	rc = h_config_load(path, cfg, err);
	unlink(path);
	rmdir(dir);
	free(path);
	return rc;
}

Test(location_config, keys)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load("location: fra\nquorum: 2\nlocation_timeout: 45s\n"
	    "websites:\n  - url: https://a.example\n    quorum: 1\n"
	    "  - url: https://b.example\n", &cfg, &err), 0, "%s", err);
	cr_assert_str_eq(cfg->location, "fra");
	cr_assert_eq(cfg->quorum, 2);
	cr_assert_eq(cfg->location_timeout_ms, 45000);
	cr_assert_eq(cfg->sites[0].quorum, 1);
	cr_assert_eq(cfg->sites[1].quorum, 0);
	/* The environment, then --location, override it. */
	cr_assert_eq(config_set_location(cfg, "nyc", "PEEKL_LOCATION"), 0);
	cr_assert_str_eq(cfg->location, "nyc");
	cr_assert_eq(config_set_location(cfg, "a b", "--location"), -1);
	cr_assert_str_eq(cfg->location, "nyc");
	config_free(cfg);
	free(err);
}

Test(location_config, none_by_default)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load("websites:\n  - url: https://a.example\n", &cfg,
	    &err), 0, "%s", err);
	cr_assert_null(cfg->location);
	cr_assert_eq(cfg->quorum, 0);
	cr_assert_eq(cfg->location_timeout_ms, 0);
	config_free(cfg);
	free(err);
}

Test(location_config, errors)
{
	struct config	*cfg = NULL;
	char		*err = NULL;

	cr_assert_eq(load("location: \"fra nyc\"\nquorum: 0\n"
	    "websites:\n  - url: https://a.example\n    quorum: many\n",
	    &cfg, &err), -1);
	cr_assert_not_null(strstr(err, "config.yaml:1:11: location: \"fra nyc\" "
	    "is not a location name"), "%s", err);
	cr_assert_not_null(strstr(err, "config.yaml:2:9: quorum"), "%s", err);
	cr_assert_not_null(strstr(err, "websites[0].quorum"), "%s", err);
	free(err);
}
