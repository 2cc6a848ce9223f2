/* Log lines on stderr in the original's format:
 *   2026-11-25 13:20:04.048 | INFO     | message
 * and the redaction every printed URL or secret goes through. */
#ifndef PEEKL_LOG_H
#define PEEKL_LOG_H

#include <stddef.h>

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARNING,
	LOG_ERROR,
	LOG__MAX
};

/* Sets the lowest level printed; colour is used only when stderr is a TTY. */
void	log_setup(enum log_level min);

void	log_msg(enum log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)

/*
 * Writes a printable form of a secret URL (a webhook) into out: scheme, host,
 * port and the first path segment are kept, everything after becomes "***",
 * and userinfo is dropped: https://hooks.slack.com/services/T0/B0/XX prints
 * as https://hooks.slack.com/services followed by a slash and three stars.
 * Returns out.
 */
char	*redact_secret_url(const char *url, char *out, size_t outsz);

/*
 * Writes a printable form of a monitored site's URL: only a password in its
 * userinfo is hidden (https://user:***@host/path). Returns out.
 */
char	*redact_site_url(const char *url, char *out, size_t outsz);

#endif
