#ifndef PEEKL_TESTS_ALERT_FIXTURES_H
#define PEEKL_TESTS_ALERT_FIXTURES_H

/*
 * The alerts the renderer tests share (unit_alert.c, unit_notify.c), built
 * as a run builds them, so that both compare their golden files against
 * the same events.
 */
#include <stdint.h>

#include "alert.h"
#include "config.h"

/* 2026-11-25T09:00:00.048Z: every alert below happens then. */
#define T0_MS		1795597200048LL
#define T0_S		1795597200LL
#define DAY_S		86400LL

/* A writable copy of a literal, for the char * fields of the config. */
#define STR(s)		((char []){ s })

extern struct site	fx_api;		/* api, https://api.example.com/health */
extern struct site	fx_example;	/* example.com, https://example.com */

/* The DOWN alert of the examples: HTTP 503 (error) on the second failure,
 * after an hour up, answered in 41.2 ms. */
void	fx_down(struct alert *, const struct site *, const char *error);
/* A certificate alert of fx_example from one cert state to another. */
void	fx_cert(struct alert *, int from, int to, long days,
	    int64_t not_after, const char *error);
void	fx_warning(struct alert *);	/* 12 days left (2026-12-07) */
void	fx_expired(struct alert *);	/* critical: expired 3.5 days ago */
void	fx_ok(struct alert *);		/* ok again: 80 days (2027-02-13) */

#endif
