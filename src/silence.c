/* The stored form of a silence and how its end is shown. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "jsonstr.h"
#include "silence.h"
#include "util.h"

char *
silence_encode(const struct silence *s)
{
	return json_dump_free(json_pack("{s:I, s:o, s:I}",
	    "until", (json_int_t)s->until,
	    "reason", json_text_or_null(s->reason),
	    "created", (json_int_t)s->created));
}

int
silence_decode(const char *json, size_t len, struct silence *s)
{
	json_t		*doc, *reason;
	json_int_t	 until = 0, created = 0;
	int		 rc = -1;

	memset(s, 0, sizeof(*s));
	if ((doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return -1;
	if (json_unpack(doc, "{s:I, s?I}", "until", &until,
	    "created", &created) == -1 ||
	    until <= 0 || until > TIME_S_MAX || created < 0 ||
	    created > TIME_S_MAX)
		goto out;
	reason = json_object_get(doc, "reason");
	if (reason != NULL && !json_is_null(reason) && !json_is_string(reason))
		goto out;
	if (json_is_string(reason))
		strlcpy_trunc(s->reason, json_string_value(reason),
		    sizeof(s->reason));
	s->until = until;
	s->created = created;
	rc = 0;
out:
	json_decref(doc);
	if (rc == -1)
		memset(s, 0, sizeof(*s));
	return rc;
}

int
silence_active(const struct silence *s, int64_t now_s)
{
	return s->until > now_s;
}

void
silence_format_until(int64_t until, int64_t now_s, char *out, size_t outsz)
{
	time_t		t = (time_t)until;
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL) {
		snprintf(out, outsz, "?");
		return;
	}
	if (until - now_s < 86400)
		strftime(out, outsz, "%H:%M", &tm);
	else
		strftime(out, outsz, "%Y-%m-%d %H:%M", &tm);
}
