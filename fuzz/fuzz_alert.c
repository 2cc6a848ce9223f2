/*
 * libFuzzer target: the queued-alert decoder. A queue entry may have been
 * written by another peekl version or by a person with redis-cli. What
 * decodes must also re-encode into an entry that decodes again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alert	 a, b;
	char		*json, *text;

	if (alert_decode((const char *)data, size, &a) == -1)
		return 0;
	text = alert_text(&a);
	free(text);
	if ((json = alert_encode(&a)) == NULL)
		abort();
	if (alert_decode(json, strlen(json), &b) == -1)
		abort();
	free(json);
	alert_clear(&b);
	alert_clear(&a);
	return 0;
}
