/* JSON values from C strings and numbers: every string goes through
 * json_text, so text from Redis, a server or the environment that is not
 * valid UTF-8 can never make a document (and with it an alert) fail. */
#ifndef PEEKL_JSONSTR_H
#define PEEKL_JSONSTR_H

#include <jansson.h>
#include <stddef.h>

/* Returns the length of the valid UTF-8 sequence at p (1 to 4), or 0. */
size_t	 utf8_len(const unsigned char *p);

/* A JSON string of s (NULL as ""), invalid bytes replaced by '?', cut at
 * maxlen bytes on a character boundary when maxlen > 0. Never NULL unless
 * memory is exhausted. */
json_t	*json_text(const char *s, size_t maxlen);

/* null for NULL or "", else json_text(s, 0). */
json_t	*json_text_or_null(const char *s);

/* A number of milliseconds rounded to one decimal, as the output shows. */
json_t	*json_ms(double ms);

/* Dumps root compact, keys in insertion order, doubles to 15 digits, and
 * frees it; root may be NULL (a failed json_pack). Returns the malloc'd
 * text, or NULL on error, logged. */
char	*json_dump_free(json_t *root);

#endif
