/* The config file as libyaml reads it: the file, the document, positions,
 * and the errors collected while reading it, printed in file order. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "config.h"
#include "config_env.h"
#include "config_int.h"
#include "log.h"
#include "util.h"

/*
 * Records one error as "FILE:LINE:COL: KEYPATH (site "x"): message" (without
 * a position when mark is NULL, without a key path when kp is empty). They
 * are printed sorted by position once the whole file has been read, since
 * sections are read in an order of our choosing, not the file's.
 */
void
cerr(struct ctx *c, const yaml_mark_t *mark, const char *kp, const char *fmt,
    ...)
{
	struct buf	 b = { 0 };
	struct cerror	*e;
	va_list		 ap;
	char		*msg;

	if (c->mute)
		return;
	if (c->nerrors == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->errors = xrealloc(c->errors, c->cap * sizeof(*c->errors));
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	buf_puts(&b, c->path);
	if (mark != NULL)
		buf_printf(&b, ":%zu:%zu", mark->line + 1, mark->column + 1);
	buf_puts(&b, ": ");
	if (kp != NULL && *kp != '\0') {
		buf_puts(&b, kp);
		if (c->site != NULL)
			buf_printf(&b, " (site \"%s\")", c->site);
		buf_puts(&b, ": ");
	}
	buf_puts(&b, msg ? msg : "(out of memory)");
	free(msg);
	e = &c->errors[c->nerrors];
	e->line = mark ? mark->line + 1 : 0;
	e->column = mark ? mark->column + 1 : 0;
	e->seq = c->nerrors++;
	e->text = b.data;
}

static int
cerror_cmp(const void *a, const void *b)
{
	const struct cerror	*x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Prints the errors recorded in c, in file order, and their count. */
void
print_errors(struct ctx *c)
{
	size_t	i;

	qsort(c->errors, c->nerrors, sizeof(*c->errors), cerror_cmp);
	for (i = 0; i < c->nerrors; i++) {
		if (i < MAX_PRINTED)
			fprintf(stderr, "%s\n", c->errors[i].text);
		free(c->errors[i].text);
	}
	if (c->nerrors > MAX_PRINTED)
		fprintf(stderr, "%s: %zu more errors not shown\n", c->path,
		    c->nerrors - MAX_PRINTED);
	fprintf(stderr, "%s: %zu error%s\n", c->path, c->nerrors,
	    c->nerrors == 1 ? "" : "s");
	free(c->errors);
}

yaml_node_t *
node_get(struct ctx *c, int idx)
{
	return yaml_document_get_node(&c->doc, idx);
}

/* Returns "a string", "a list" or "a mapping", for "found ..." messages. */
const char *
node_kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "a single value";
	}
}

/* Returns 1 when n is a YAML null: "key:" with nothing after it, or ~. */
int
node_is_null(const yaml_node_t *n)
{
	const char	*v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return *v == '\0' || strcmp(v, "~") == 0 || strcasecmp(v, "null") == 0;
}

/* Formats a key path into out (KP_LEN bytes). A path too long for it is
 * cut, which only shortens a message, so truncation is not an error. */
void
kp_fmt(char *out, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vsnprintf(out, KP_LEN, fmt, ap) >= KP_LEN)
		memcpy(out + KP_LEN - 4, "...", 4);
	va_end(ap);
}

void
child_path(char *out, const char *kp, const char *key)
{
	kp_fmt(out, "%s%s%s", kp, *kp ? "." : "", key);
}

/*
 * Returns in *out the value of scalar node v after ${VAR} expansion (the
 * caller frees it), or -1 after reporting why there is none.
 */
int
scalar(struct ctx *c, yaml_node_t *v, const char *kp, const char *expect,
    char **out)
{
	char	*err;

	*out = NULL;
	if (v->type != YAML_SCALAR_NODE) {
		cerr(c, AT(v), kp, "expected %s, found %s", expect,
		    node_kind(v));
		return -1;
	}
	if (node_is_null(v)) {
		cerr(c, AT(v), kp, "no value given (expected %s)", expect);
		return -1;
	}
	if (strlen((char *)v->data.scalar.value) != v->data.scalar.length) {
		cerr(c, AT(v), kp, "value contains a NUL character");
		return -1;
	}
	if ((*out = env_expand((char *)v->data.scalar.value, &err)) == NULL) {
		cerr(c, AT(v), kp, "%s", err);
		free(err);
		return -1;
	}
	return 0;
}

/* Reads the whole file into *data (caller frees); -1 after reporting. */
int
read_file(struct ctx *c, char **data, size_t *len, struct stat *st)
{
	ssize_t	 n;
	int	 fd, rc = -1;

	*data = NULL;
	/* O_NONBLOCK: a FIFO must be refused below, not hang the run. */
	if ((fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		cerr(c, NULL, "", "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, st) == -1) {
		cerr(c, NULL, "", "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st->st_mode)) {
		cerr(c, NULL, "", "not a regular file");
		goto out;
	}
	if (st->st_size > MAX_FILE_SIZE) {
		cerr(c, NULL, "", "file is larger than 4 MiB");
		goto out;
	}
	*data = xcalloc(1, (size_t)st->st_size + 1);
	for (*len = 0; *len < (size_t)st->st_size; *len += (size_t)n) {
		n = read(fd, *data + *len, (size_t)st->st_size - *len);
		if (n == -1 && errno == EINTR)
			n = 0;
		else if (n == -1) {
			cerr(c, NULL, "", "cannot read: %s", strerror(errno));
			goto out;
		} else if (n == 0)
			break;
	}
	rc = 0;
out:
	if (rc == -1) {
		free(*data);
		*data = NULL;
	}
	close(fd);
	return rc;
}

static void
yaml_error(struct ctx *c, yaml_parser_t *p)
{
	const char	*problem = p->problem ? p->problem : "unknown error";

	/* The usual cause inside {...}: an unquoted ${VAR} or URL, whose
	 * braces and colons end the flow mapping early. */
	const char	*hint = p->context != NULL &&
	    strstr(p->context, "flow") != NULL ? "; inside {...} or [...] quote "
	    "values holding ${VAR}, ':' or braces: {X-Token: \"${TOKEN}\"}" : "";

	if (p->context != NULL)
		cerr(c, &p->problem_mark, "", "invalid YAML: %s %s (at line "
		    "%zu:%zu)%s", problem, p->context, p->context_mark.line + 1,
		    p->context_mark.column + 1, hint);
	else
		cerr(c, &p->problem_mark, "", "invalid YAML: %s", problem);
}

/*
 * Scans the events of data before loading it: returns -1 after reporting
 * malformed YAML, an alias (whose expansion could be made exponential,
 * the "billion laughs") or a second document.
 */
static int
yaml_precheck(struct ctx *c, const char *data, size_t len)
{
	yaml_parser_t	 p;
	yaml_event_t	 ev;
	int		 ndocs = 0, rc = 0, done = 0;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			yaml_error(c, &p);
			rc = -1;
			break;
		}
		if (ev.type == YAML_ALIAS_EVENT) {
			cerr(c, &ev.start_mark, "", "aliases are not supported");
			rc = -1;
		} else if (ev.type == YAML_DOCUMENT_START_EVENT && ++ndocs > 1) {
			cerr(c, &ev.start_mark, "", "only one YAML document is "
			    "allowed");
			rc = -1;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return rc;
}

int
load_document(struct ctx *c, const char *data, size_t len)
{
	yaml_parser_t	p;
	int		rc = 0;

	if (yaml_precheck(c, data, len) == -1)
		return -1;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	if (!yaml_parser_load(&p, &c->doc)) {
		yaml_error(c, &p);
		rc = -1;
	} else
		c->have_doc = 1;
	yaml_parser_delete(&p);
	return rc;
}
