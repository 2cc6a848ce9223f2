/*
 * libFuzzer target: the site-hash reader. The input is a Redis reply in
 * RESP, as any host sharing the Redis could have made the HGETALL answer;
 * hiredis' own reader turns it into the redisReply that site_parse reads.
 */
#include <stdint.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "state.h"
#include "store.h"
#include "store_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Returns 1 when the input announces an array of more than 65536 elements.
 * Debian 12's hiredis (0.14, no maxelements) allocates the element array
 * as soon as it reads "*N", so such an input only measures hiredis' malloc,
 * not peekl: a server that answers HGETALL that way is trusted by hiredis
 * with peekl's memory, which the README's fuzzing notes say.
 */
static int
huge_array(const uint8_t *data, size_t size)
{
	size_t		i, j;
	unsigned long	n;

	for (i = 0; i < size; i++) {
		if (data[i] != '*')
			continue;
		for (n = 0, j = i + 1; j < size && data[j] >= '0' &&
		    data[j] <= '9' && n <= 65536; j++)
			n = n * 10 + (data[j] - '0');
		if (n > 65536)
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store		 st;
	struct site_state	 out;
	redisReader		*rd;
	void			*reply = NULL;

	if (huge_array(data, size))
		return 0;
	memset(&st, 0, sizeof(st));
	st.prefix = (char *)"peekl";
	st.where = (char *)"fuzz";
	if ((rd = redisReaderCreate()) == NULL)
		return 0;
	if (redisReaderFeed(rd, (const char *)data, size) == REDIS_OK &&
	    redisReaderGetReply(rd, &reply) == REDIS_OK && reply != NULL) {
		site_parse(&st, reply, "fuzz site", &out);
		freeReplyObject(reply);
	}
	redisReaderFree(rd);
	return 0;
}
