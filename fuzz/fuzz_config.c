/*
 * libFuzzer target: the whole config loader (YAML, every validation,
 * ${VAR} expansion) on arbitrary file contents. config_load reads a path,
 * so each input is written to one file in a private directory first.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	cfgpath[64];

/* Creates the directory the input is written to, and the variables the
 * corpus's ${VAR} references expand to (set, empty and long). */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	dir[] = "/tmp/peekl-fuzz-XXXXXX";

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(cfgpath, sizeof(cfgpath), "%s/config.yaml", dir);
	setenv("TOKEN", "s3cret", 1);
	setenv("EMPTY", "", 1);
	setenv("PORT", "6380", 1);
	setenv("HOOK", "https://hooks.example.com/T000/B000/xyz", 1);
	setenv("LONG", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cfg;
	int		 fd;

	/* 0600: a config that holds secrets is otherwise warned about. */
	fd = open(cfgpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (config_load(cfgpath, &cfg) == 0)
		config_free(cfg);
	return 0;
}
