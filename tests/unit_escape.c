/* Escaping for the page, the badges, the metrics and badge file names:
 * what a hostile site name turns into. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "escape.h"
#include "metrics.h"
#include "state.h"

static char *
html(const char *s)
{
	struct buf	b = { 0 };

	esc_html(&b, s);
	return b.data;
}

static char *
prom(const char *s)
{
	struct buf	b = { 0 };

	esc_prom_label(&b, s);
	return b.data;
}

static char *
fname(const char *s)
{
	struct buf	b = { 0 };

	esc_file_name(&b, s);
	return b.data;
}

Test(escape, html_script_and_quotes)
{
	char	*s = html("<script>alert(\"x\")</script> & 'y'");

	cr_assert_str_eq(s, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
	    " &amp; &#39;y&#39;");
	free(s);
}

Test(escape, html_control_and_invalid_bytes)
{
	char	*s = html("a\x01" "b\xff" "c\n\xc3\xa9");

	cr_assert_str_eq(s, "a?b?c\n\xc3\xa9");
	free(s);
	s = html(NULL);
	cr_assert_str_eq(s, "");
	free(s);
}

Test(escape, prometheus_label_value)
{
	char	*s = prom("<script>\"x\"\\\n\xff");

	cr_assert_str_eq(s, "<script>\\\"x\\\"\\\\\\n?");
	free(s);
}

Test(escape, file_names_are_safe_and_distinct)
{
	const char	*names[] = { "api", "api/v1", "api_2Fv1", ".", "..",
	    "", "a b", "<script>\"", "d\xc3\xa9j\xc3\xa0" };
	char		*got[ARRAY_LEN(names)];

	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		got[i] = fname(names[i]);
		cr_assert(strchr(got[i], '/') == NULL, "%s", got[i]);
		cr_assert(got[i][0] != '.' && got[i][0] != '\0', "%s", got[i]);
		cr_assert(strspn(got[i], "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
		    strlen(got[i]), "%s", got[i]);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(got[i], got[j], "%s and %s",
			    names[i], names[j]);
	}
	cr_assert_str_eq(got[0], "api");
	cr_assert_str_eq(got[1], "api_2Fv1");
	cr_assert_str_eq(got[2], "api_5F2Fv1");
	cr_assert_str_eq(got[3], "_2E");
	cr_assert_str_eq(got[4], "_2E.");
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		free(got[i]);
}

Test(escape, long_file_names_are_cut_with_a_hash)
{
	char	 name[400], *a, *b;

	memset(name, 'x', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	a = fname(name);
	name[0] = 'y';
	b = fname(name);
	cr_assert_eq(strlen(a), 200);
	cr_assert_str_neq(a, b);
	free(a);
	free(b);
}

/* A name with every character the text format must escape, rendered
 * through the real renderer: one line per sample, nothing unescaped. */
Test(metrics, render_escapes_label_values)
{
	struct site		 site = { .name = (char *)"a\"b\\c\nd<x>",
	    .url = (char *)"https://x.example/" };
	struct config		 cfg = { .sites = &site, .nsites = 1 };
	struct site_state	 st = { .state = HTTP_DOWN, .last_check = 1000,
	    .since = 1000 };
	unsigned char		 quiet = 1;
	struct metrics_in	 in = { .cfg = &cfg, .states = &st,
	    .quiet = &quiet };
	struct buf		 b = { 0 };

	metrics_render(&in, &b);
	cr_assert_not_null(strstr(b.data,
	    "peekl_up{site=\"a\\\"b\\\\c\\nd<x>\"} 0\n"), "%s", b.data);
	cr_assert_not_null(strstr(b.data,
	    "peekl_silenced{site=\"a\\\"b\\\\c\\nd<x>\"} 1\n"), "%s", b.data);
	/* Every line is a comment or a sample of a peekl_ family. */
	for (char *line = b.data; *line != '\0'; line = strchr(line, '\n') + 1)
		cr_assert(strncmp(line, "# HELP peekl_", 13) == 0 ||
		    strncmp(line, "# TYPE peekl_", 13) == 0 ||
		    strncmp(line, "peekl_", 6) == 0, "stray line: %s", line);
	buf_free(&b);
}
