/*
 * libFuzzer target: the config's value parsers on their own, where a
 * fuzzer reaches the corners faster than through YAML: durations, status
 * codes and ranges, site URLs. The first byte picks the parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "config.h"
#include "config_int.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status_range	 r;
	struct url		 u;
	int64_t			 ms;
	char			*s, *name, buf[64];

	if (size == 0)
		return 0;
	/* The parsers take C strings, as the YAML scalars are. */
	s = xstrndup((const char *)data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		if (parse_duration_ms(s, &ms) == 0) {
			if (ms < 0)
				abort();
			format_duration(ms, buf, sizeof(buf));
		}
		break;
	case 1:
		if (parse_status_entry(s, &r) == 0 &&
		    (r.lo < 100 || r.hi > 599 || r.lo > r.hi))
			abort();
		break;
	default:
		memset(&u, 0, sizeof(u));
		if (url_parse(s, &u) == NULL) {
			if (u.host == NULL || u.port < 1 || u.port > 65535)
				abort();
			name = derive_name(&u);
			free(name);
		}
		free(u.host);
		break;
	}
	free(s);
	return 0;
}
