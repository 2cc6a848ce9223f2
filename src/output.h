/* What `check` prints: one human line per check, or one JSON document. */
#ifndef PEEKL_OUTPUT_H
#define PEEKL_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

#include "check.h"
#include "config.h"
#include "state.h"

/* The line for an HTTP check, e.g.
 * "CRITICAL  api  https://api.example.com/health  HTTP 503 in 41 ms (2/3 failures)". */
void	output_http_line(FILE *fp, const struct site *site,
	    const struct http_result *r, const struct site_state *st, int namew);
void	output_cert_line(FILE *fp, const struct site *site,
	    const struct cert_result *r, const struct site_state *st, int namew);

/* The JSON objects of SPEC "check --json"; caller owns the reference. */
json_t	*output_http_json(const struct site *site, const struct http_result *r,
	    const struct site_state *st);
json_t	*output_cert_json(const struct site *site, const struct cert_result *r,
	    const struct site_state *st);

/* Prints a JSON document on stdout followed by a newline; steals root. */
void	output_json_doc(json_t *root);

#endif
