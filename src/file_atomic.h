/* Files that readers (node_exporter's textfile collector, a web server)
 * must never see half-written: each is written to a temporary file in its
 * own directory, then renamed over the old one. */
#ifndef PEEKL_FILE_ATOMIC_H
#define PEEKL_FILE_ATOMIC_H

#include <stddef.h>

/*
 * Replaces path with the len bytes of data, mode 0644: a temporary
 * ".NAME.XXXXXX" in path's directory, written, then renamed over path;
 * the temporary file is removed on any failure.
 * Returns 0, or -1 after logging what failed and where.
 */
int	file_write_atomic(const char *path, const char *data, size_t len);

/* Creates the directory path (mode 0755) unless it exists as one.
 * Returns 0, or -1 (logged). */
int	file_mkdir(const char *path);

#endif
