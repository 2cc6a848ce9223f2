/* Writing a file whole or not at all: a temporary file next to it, then
 * rename(2), which replaces the name in one step on the same file system. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_atomic.h"
#include "log.h"
#include "util.h"

/* Returns a malloc'd "DIR/.NAME.XXXXXX" template for path (caller frees):
 * in the same directory, so the rename never crosses file systems, and
 * hidden, so a collector globbing *.prom never reads it. */
static char *
temp_template(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return xasprintf(".%s.XXXXXX", path);
	return xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path,
	    slash + 1);
}

int
file_write_atomic(const char *path, const char *data, size_t len)
{
	char	*tmp = NULL;
	size_t	 off = 0;
	ssize_t	 n;
	int	 fd = -1, made = 0, rc = -1;

	if (path == NULL || *path == '\0' || path[strlen(path) - 1] == '/') {
		log_error("%s: not a file name", path == NULL ? "" : path);
		return -1;
	}
	tmp = temp_template(path);
	if ((fd = mkstemp(tmp)) == -1) {
		log_error("%s: cannot create a temporary file next to it: %s",
		    path, strerror(errno));
		goto out;
	}
	made = 1;
	while (off < len) {
		if ((n = write(fd, data + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			log_error("%s: write: %s", tmp, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	/* mkstemp makes 0600; these files are for other programs to read.
	 * No fsync: readers must never see half a file, which the rename
	 * ensures; a file rewritten every run need not survive a power
	 * cut, and a page of many badges would pay one disk flush each. */
	if (fchmod(fd, 0644) == -1) {
		log_error("%s: %s", tmp, strerror(errno));
		goto out;
	}
	n = close(fd);
	fd = -1;
	if (n == -1) {
		log_error("%s: close: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) == -1) {
		log_error("%s: cannot replace it: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (rc == -1 && made)
		unlink(tmp);
	free(tmp);
	return rc;
}

int
file_mkdir(const char *path)
{
	struct stat	sb;

	/* Made 0755 whatever the umask (the unit's is 0077): the directory
	 * is there for a web server or a collector to read. */
	if (mkdir(path, 0755) == 0) {
		if (chmod(path, 0755) == -1) {
			log_error("%s: chmod: %s", path, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (errno == EEXIST && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	log_error("%s: cannot create the directory: %s", path,
	    errno == EEXIST ? "a file of that name exists" : strerror(errno));
	return -1;
}
