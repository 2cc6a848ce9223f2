/* What a response must be to pass: the status rule and the assertions of
 * spec/checks.md (keyword, keyword_absent, body_regex, headers_expect,
 * json), judged from what the HTTP check read. Pure: no I/O. */
#ifndef PEEKL_CHECK_ASSERT_H
#define PEEKL_CHECK_ASSERT_H

#include <stddef.h>

#include "config.h"

#define ASSERT_ERROR_MAX 200	/* bytes of an assertion's error text */

/* What the HTTP check read of the final response. */
struct response {
	int		 status;
	const char	*headers;	/* "Name: value\r\n" lines, or NULL */
	size_t		 headers_len;
	const char	*body;		/* at most the first 1 MiB, or NULL */
	size_t		 body_len;
	int		 keyword_found;	/* the streaming keyword scan's verdict */
};

/* Returns 1 when the response must be read beyond its headers. */
int	assert_needs_body(const struct site *site);

/*
 * Returns 1 when status code fails the check whatever else it says (every
 * 5xx and non_acceptable_status, or any code not in expect_status), and
 * words it in err ("HTTP 503", "HTTP 302 not in expect_status").
 */
int	assert_status(const struct site *site, int code, char *err,
	    size_t errsz);

/*
 * Returns 0 when every assertion of the site passes, else -1 with the first
 * that failed, in the order written, in err: valid UTF-8, at most
 * ASSERT_ERROR_MAX bytes whatever the server sent.
 */
int	assert_response(const struct site *site, const struct response *r,
	    char *err, size_t errsz);

/* Returns 1 when path is a json path: dotted names with [N] indexes. */
int	assert_json_path_ok(const char *path);

/* The operator names, as written in the config ("equals", ...). */
const char *json_op_name(enum json_op op);

#endif
