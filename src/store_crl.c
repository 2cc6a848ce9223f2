/* Cached CRLs, PREFIX:crl:HEX: what a CRL Distribution Point served, kept
 * until the CRL's nextUpdate so a run does not download it again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "store_keys.h"
#include "util.h"

/* A CRL larger than this is not one peekl fetched (the fetch is bounded
 * the same way): it is ignored as if absent. */
#define CRL_CACHE_MAX	(10 * 1024 * 1024)

int
store_crl_get(struct store *st, char *const *urls, size_t n,
    unsigned char **out, size_t *lens)
{
	redisReply	**r = NULL;
	char		 *key;
	size_t		  i;
	int		  rc;

	for (i = 0; i < n; i++) {
		out[i] = NULL;
		lens[i] = 0;
		key = key_crl(st, urls[i]);
		rc = redisAppendCommand(st->c, "GET %s", key);
		free(key);
		if (rc != REDIS_OK) {
			store_io_error(st, "reading cached CRLs");
			return -1;
		}
	}
	if (store_replies(st, n, &r, "reading cached CRLs") == -1)
		return -1;
	for (i = 0; i < n; i++) {
		/* A key of another type is a foreign one: fetch afresh. */
		if (r[i]->type != REDIS_REPLY_STRING || r[i]->len == 0 ||
		    r[i]->len > CRL_CACHE_MAX)
			continue;
		out[i] = xcalloc(1, r[i]->len + 1);
		memcpy(out[i], r[i]->str, r[i]->len);
		lens[i] = r[i]->len;
	}
	store_free_replies(r, n);
	return 0;
}

int
store_crl_put(struct store *st, const char *url, const unsigned char *crl,
    size_t len, int64_t ttl_ms)
{
	redisReply	*r;
	char		*key = key_crl(st, url);
	int		 rc = -1;

	r = store_command(st, "caching a CRL", "SET %s %b PX %lld", key,
	    (const char *)crl, len, (long long)ttl_ms);
	if (r != NULL && !store_reply_failed(st, r, key))
		rc = 0;
	freeReplyObject(r);
	free(key);
	return rc;
}
