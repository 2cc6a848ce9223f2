#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static enum log_level	 log_min = LOG_INFO;
static int		 log_color;

static const char *const level_names[LOG__MAX] = {
	"DEBUG", "INFO", "WARNING", "ERROR",
};
static const char *const level_colors[LOG__MAX] = {
	"\033[34m", "\033[1m", "\033[33m", "\033[31m",
};

void
log_setup(enum log_level min)
{
	log_min = min;
	log_color = isatty(STDERR_FILENO);
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char		 stamp[32], msg[2048];
	struct tm	 tm;
	struct timespec	 ts;
	va_list		 ap;

	if (lvl < log_min || lvl >= LOG__MAX)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One fprintf per line: stdio locks the stream, so lines written by
	 * the certificate threads never interleave. */
	if (log_color)
		fprintf(stderr, "%s.%03ld | %s%-8s\033[0m | %s\n", stamp,
		    ts.tv_nsec / 1000000, level_colors[lvl], level_names[lvl], msg);
	else
		fprintf(stderr, "%s.%03ld | %-8s | %s\n", stamp,
		    ts.tv_nsec / 1000000, level_names[lvl], msg);
}

/* Returns the length of "scheme://" at the start of url, 0 if none. */
static size_t
scheme_len(const char *url)
{
	const char	*p = strstr(url, "://");

	return p == NULL ? 0 : (size_t)(p - url) + 3;
}

/* Returns 1 when the path segment [s, end) is "bot" and what may be a
 * Telegram bot token: "bot123456:ABC...", but any text after "bot" counts,
 * since the token's form is Telegram's, not checked by the config (a
 * token pasted with its "bot" prefix, a malformed one). */
static int
is_bot_token(const char *s, const char *end)
{
	return end - s > 3 && strncmp(s, "bot", 3) == 0;
}

char *
redact_secret_url(const char *url, char *out, size_t outsz)
{
	struct buf	 b = { 0 };
	const char	*auth, *host, *path, *at, *seg_end;
	size_t		 sl = scheme_len(url);

	auth = url + sl;
	path = auth + strcspn(auth, "/?#");
	/* Drop "user:pass@" entirely: it is a secret in a webhook URL. */
	at = memrchr(auth, '@', (size_t)(path - auth));
	host = at ? at + 1 : auth;
	buf_append(&b, url, sl);
	buf_append(&b, host, (size_t)(path - host));
	if (*path == '/') {
		/* Keep "/services" of /services/T0/B0/XX; a lone segment
		 * (/peekl) may itself be the secret. A Telegram bot token
		 * (/bot123:ABC/sendMessage) is the segment itself: the
		 * method after it is not secret. */
		seg_end = path + 1 + strcspn(path + 1, "/?#");
		if (is_bot_token(path + 1, seg_end)) {
			buf_puts(&b, "/bot***");
			buf_puts(&b, seg_end);
		} else if (*seg_end != '\0') {
			buf_append(&b, path, (size_t)(seg_end - path));
			buf_puts(&b, "/***");
		} else if (seg_end - path > 1)
			buf_puts(&b, "/***");
		else
			buf_puts(&b, "/");
	} else if (*path != '\0')
		buf_puts(&b, "/***");
	strlcpy_trunc(out, b.data ? b.data : "", outsz);
	buf_free(&b);
	return out;
}

char *
redact_site_url(const char *url, char *out, size_t outsz)
{
	struct buf	 b = { 0 };
	const char	*auth, *path, *at, *colon;
	size_t		 sl = scheme_len(url);

	auth = url + sl;
	path = auth + strcspn(auth, "/?#");
	at = memrchr(auth, '@', (size_t)(path - auth));
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon == NULL) {
		strlcpy_trunc(out, url, outsz);
		return out;
	}
	buf_append(&b, url, (size_t)(colon - url));
	buf_puts(&b, ":***");
	buf_puts(&b, at);
	strlcpy_trunc(out, b.data, outsz);
	buf_free(&b);
	return out;
}
