/* The `silence` command: set, list and clear silences in Redis, where
 * every peekl sharing the store honours them (spec/alerting.md). */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "jsonstr.h"
#include "log.h"
#include "output.h"
#include "silence.h"
#include "store.h"
#include "util.h"

#define EXIT_FAIL 3

/* Returns 0 when the options make one of the three forms, else -1 after
 * saying what is wrong. */
static int
check_form(const struct silence_opts *o)
{
	const char	*why = NULL;

	if (o->list && (o->nsites > 0 || o->duration || o->reason || o->clear))
		why = "--list takes no SITE, --for, --reason or --clear";
	else if (o->list)
		return 0;
	else if (o->json)
		why = "--json goes with --list";
	else if (o->nsites == 0)
		why = "name at least one SITE (or all)";
	else if (o->clear && (o->duration || o->reason))
		why = "--clear takes no --for or --reason";
	else if (!o->clear && o->duration == NULL)
		why = "--for DURATION is required (e.g. --for 2h)";
	if (why == NULL)
		return 0;
	fprintf(stderr, "peekl: silence: %s\n", why);
	return -1;
}

/* Fills names (NULL for `all`) from the SITE arguments; -1 when one
 * matches no site (site_find said why). */
static int
resolve(const struct config *cfg, const struct silence_opts *o,
    const char **names)
{
	int	rc = 0;

	for (size_t i = 0; i < o->nsites; i++) {
		long idx;

		if (strcmp(o->sites[i], "all") == 0) {
			names[i] = NULL;
			continue;
		}
		if ((idx = site_find(cfg, o->sites[i])) < 0)
			rc = -1;
		else if (strcmp(cfg->sites[idx].name, "all") == 0) {
			/* Its key would be the one of `all`. */
			fprintf(stderr, "peekl: silence: \"%s\" is the site "
			    "named all, whose silence is every site's: say "
			    "all\n", o->sites[i]);
			rc = -1;
		} else
			names[i] = cfg->sites[idx].name;
	}
	return rc;
}

static int
check_reason(const char *r)
{
	if (strlen(r) > SILENCE_REASON_MAX) {
		fprintf(stderr, "peekl: silence: --reason is longer than %d "
		    "bytes\n", SILENCE_REASON_MAX);
		return -1;
	}
	for (const char *p = r; *p != '\0'; p++)
		if (iscntrl((unsigned char)*p)) {
			fprintf(stderr, "peekl: silence: --reason contains a "
			    "control character\n");
			return -1;
		}
	return 0;
}

static int
silence_set(struct store *st, const struct silence_opts *o,
    const char **names)
{
	struct silence	s;
	int64_t		ms, now = now_ms();
	char		until[32];

	if (parse_duration_ms(o->duration, &ms) == -1 || ms < 1000 ||
	    ms > SILENCE_MAX_MS) {
		fprintf(stderr, "peekl: silence: --for \"%s\" is not a "
		    "duration from 1s to 366d (e.g. 30m, 2h, 1d)\n",
		    o->duration);
		return EXIT_FAIL;
	}
	if (o->reason != NULL && check_reason(o->reason) == -1)
		return EXIT_FAIL;
	memset(&s, 0, sizeof(s));
	s.created = now / 1000;
	s.until = (now + ms) / 1000;
	if (o->reason != NULL)
		strlcpy_trunc(s.reason, o->reason, sizeof(s.reason));
	if (store_set_silences(st, names, o->nsites, &s, ms) == -1)
		return EXIT_FAIL;
	silence_format_until(s.until, now / 1000, until, sizeof(until));
	for (size_t i = 0; i < o->nsites; i++)
		printf("%s: silenced until %s%s%s%s\n",
		    names[i] ? names[i] : "all sites", until,
		    s.reason[0] ? " (" : "", s.reason, s.reason[0] ? ")" : "");
	return 0;
}

static int
silence_clear(struct store *st, const struct config *cfg,
    const struct silence_opts *o, const char **names)
{
	const char	**keys = (const char **)names;
	size_t		  n = o->nsites, i;
	long		  cleared;
	int		  every = 0;

	for (i = 0; i < o->nsites; i++)
		every |= names[i] == NULL;
	/* `--clear all` ends every silence: the one of all and each site's. */
	if (every) {
		keys = xcalloc(cfg->nsites + 1, sizeof(*keys));
		keys[0] = NULL;
		for (i = 0; i < cfg->nsites; i++)
			keys[i + 1] = cfg->sites[i].name;
		n = cfg->nsites + 1;
	}
	cleared = store_clear_silences(st, keys, n);
	if (keys != (const char **)names)
		free(keys);
	if (cleared < 0)
		return EXIT_FAIL;
	printf("%ld silence%s cleared\n", cleared, cleared == 1 ? "" : "s");
	return 0;
}

/* Appends one silence to the --list output (a line, or arr's entry). */
static void
list_one(json_t *arr, const char *site, const struct silence *s,
    int64_t now_s)
{
	char	until[32], left[32];

	if (arr != NULL) {
		json_array_append_new(arr, json_pack("{s:o, s:I, s:o, s:I}",
		    "site", json_text(site, 0), "until", (json_int_t)s->until,
		    "reason", json_text_or_null(s->reason),
		    "created", (json_int_t)s->created));
		return;
	}
	silence_format_until(s->until, now_s, until, sizeof(until));
	format_duration((s->until - now_s) * 1000, left, sizeof(left));
	printf("%s: silenced until %s (%s left)%s%s\n", site, until, left,
	    s->reason[0] ? ": " : "", s->reason);
}

static int
silence_list(struct store *st, const struct config *cfg, int json)
{
	struct silence	*sil, all;
	json_t		*arr = json ? json_array() : NULL;
	int64_t		 now = now_ms() / 1000;
	size_t		 shown = 0;

	sil = xcalloc(cfg->nsites ? cfg->nsites : 1, sizeof(*sil));
	if (store_read_silences(st, cfg, NULL, sil, &all) == -1) {
		free(sil);
		json_decref(arr);
		return EXIT_FAIL;
	}
	if (silence_active(&all, now)) {
		list_one(arr, "all", &all, now);
		shown++;
	}
	for (size_t i = 0; i < cfg->nsites; i++)
		if (silence_active(&sil[i], now)) {
			list_one(arr, cfg->sites[i].name, &sil[i], now);
			shown++;
		}
	if (arr != NULL)
		output_json_doc(json_pack("{s:o}", "silences", arr));
	else if (shown == 0)
		printf("no silences\n");
	free(sil);
	return 0;
}

int
cmd_silence(const struct config *cfg, const struct silence_opts *o)
{
	struct store	*st = NULL;
	const char	**names;
	int		  rc = EXIT_FAIL;

	if (check_form(o) == -1)
		return EXIT_FAIL;
	names = xcalloc(o->nsites ? o->nsites : 1, sizeof(*names));
	/* Every SITE is resolved before anything is written. */
	if (resolve(cfg, o, names) == -1)
		goto out;
	if (store_open(&cfg->redis, &st) == -1)
		goto out;
	if (o->list)
		rc = silence_list(st, cfg, o->json);
	else if (o->clear)
		rc = silence_clear(st, cfg, o, names);
	else
		rc = silence_set(st, o, names);
out:
	store_close(st);
	free(names);
	return rc;
}
