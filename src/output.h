/* What `check` prints: one human line per check, or one JSON document. */
#ifndef PEEKL_OUTPUT_H
#define PEEKL_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

#include "check.h"
#include "config.h"
#include "state.h"

/* The line for a judged check, e.g.
 * "CRITICAL  api  https://api.example.com/health  HTTP 503 in 41 ms (2/3 failures)",
 * its name padded to namew. */
void	output_check_line(FILE *fp, const struct check *c, int namew);

/* The JSON object of SPEC "check --json" for a judged check; caller owns
 * the reference. */
json_t	*output_check_json(const struct check *c);

/* Prints a JSON document on stdout followed by a newline; steals root. */
void	output_json_doc(json_t *root);

#endif
