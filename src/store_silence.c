/* Silences, PREFIX:silence:NAME and PREFIX:silence:all: JSON strings that
 * expire with the silence, so every host sharing the store honours them
 * and none has to clean up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "log.h"
#include "silence.h"
#include "store.h"
#include "store_int.h"
#include "store_keys.h"
#include "util.h"

/* Fills s from reply r of key; a malformed value is warned about and
 * counts as no silence. */
static void
silence_parse(const struct store *st, const redisReply *r, const char *key,
    struct silence *s)
{
	memset(s, 0, sizeof(*s));
	if (r == NULL || r->type != REDIS_REPLY_STRING)
		return;
	if (silence_decode(r->str, r->len, s) == -1)
		log_warn("redis: %s: %s is not a silence; ignored", st->where,
		    key);
}

int
store_read_silences(struct store *st, const struct config *cfg,
    const unsigned char *want, struct silence *out, struct silence *all)
{
	struct cmd	  cmd = { 0 };
	redisReply	**r = NULL;
	size_t		 *idx, n = 0, i;
	char		 *key;
	int		  rc = -1;

	idx = xcalloc(cfg->nsites + 1, sizeof(*idx));
	cmd_add(&cmd, "MGET");
	cmd_take(&cmd, key_silence_all(st));
	for (i = 0; i < cfg->nsites; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (want != NULL && !want[i])
			continue;
		idx[n++] = i;
		cmd_take(&cmd, key_silence(st, cfg->sites[i].name));
	}
	if (cmd_append(st, &cmd) == -1 ||
	    store_replies(st, 1, &r, "reading silences") == -1)
		goto out;
	key = key_silence_all(st);
	if (store_reply_failed(st, r[0], key) ||
	    r[0]->type != REDIS_REPLY_ARRAY || r[0]->elements != n + 1) {
		free(key);
		goto out;
	}
	silence_parse(st, r[0]->element[0], key, all);
	free(key);
	for (i = 0; i < n; i++) {
		key = key_silence(st, cfg->sites[idx[i]].name);
		silence_parse(st, r[0]->element[i + 1], key, &out[idx[i]]);
		free(key);
	}
	rc = 0;
out:
	store_free_replies(r, 1);
	free(idx);
	return rc;
}

/* Returns the key of site name, or of `all` for NULL (malloc'd). */
static char *
silence_key(const struct store *st, const char *name)
{
	return name != NULL ? key_silence(st, name) : key_silence_all(st);
}

int
store_set_silences(struct store *st, const char *const *names, size_t n,
    const struct silence *s, int64_t ttl_ms)
{
	struct cmd	  cmd = { 0 };
	redisReply	**r = NULL;
	char		 *json, *key;
	int		  rc = 0;

	if ((json = silence_encode(s)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cmd_add(&cmd, "SET");
		cmd_take(&cmd, silence_key(st, names[i]));
		cmd_add(&cmd, "%s", json);
		cmd_add(&cmd, "PX");
		cmd_add(&cmd, "%lld", (long long)ttl_ms);
		if (cmd_append(st, &cmd) == -1) {
			free(json);
			return -1;
		}
	}
	free(json);
	if (store_replies(st, n, &r, "setting silences") == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		key = silence_key(st, names[i]);
		if (store_reply_failed(st, r[i], key))
			rc = -1;
		free(key);
	}
	store_free_replies(r, n);
	return rc;
}

long
store_clear_silences(struct store *st, const char *const *names, size_t n)
{
	struct cmd	  cmd = { 0 };
	redisReply	**r = NULL;
	long		  cleared = 0;

	if (n == 0)
		return 0;
	cmd_add(&cmd, "DEL");
	for (size_t i = 0; i < n; i++)
		cmd_take(&cmd, silence_key(st, names[i]));
	if (cmd_append(st, &cmd) == -1 ||
	    store_replies(st, 1, &r, "clearing silences") == -1)
		return -1;
	if (store_reply_failed(st, r[0], "DEL") ||
	    r[0]->type != REDIS_REPLY_INTEGER)
		cleared = -1;
	else
		cleared = (long)r[0]->integer;
	store_free_replies(r, 1);
	return cleared;
}
