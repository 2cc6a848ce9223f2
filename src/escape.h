/* Text from the config or from Redis made safe for the formats peekl
 * writes files in. Every name, URL and reason that goes into the status
 * page, a badge or the metrics passes through one of these. */
#ifndef PEEKL_ESCAPE_H
#define PEEKL_ESCAPE_H

#include "util.h"

/* Appends s (NULL as "") to b escaped for HTML and XML text and attribute
 * values: & < > " ' become entities, control characters other than tab
 * and newline and bytes that are not UTF-8 become '?'. */
void	esc_html(struct buf *b, const char *s);

/* Appends s to b escaped as a Prometheus label value (text format 0.0.4):
 * backslash, double quote and newline become \\, \" and \n; bytes that
 * are not UTF-8 become '?'. */
void	esc_prom_label(struct buf *b, const char *s);

/* Appends s to b as a file name without '/' and that never starts with a
 * dot: ASCII letters, digits, '.' and '-' stay, every other byte becomes
 * '_' and two uppercase hex digits ("api/v1 x" -> "api_2Fv1_20x"), so two
 * names never map to one file. Names whose mapping would be longer than
 * 200 bytes are cut there and end in '_' and 16 hex digits of their
 * SHA-256. */
void	esc_file_name(struct buf *b, const char *s);

#endif
