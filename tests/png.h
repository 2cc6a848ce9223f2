/* A small PNG reader for the page tests: chromium's screenshots (8-bit
 * RGB or RGBA, not interlaced) decoded to RGB pixels, so a test can say
 * "the page rendered" and "the background is dark" without a library. */
#ifndef PEEKL_TESTS_PNG_H
#define PEEKL_TESTS_PNG_H

#include <stddef.h>

struct png {
	unsigned	 width;
	unsigned	 height;
	unsigned char	*rgb;		/* width * height * 3 bytes, row by row */
};

/* Decodes the PNG file at path into p (free with png_free). Returns 0, or
 * -1 with a reason in err (errsz bytes) for anything it cannot read. */
int	png_load(const char *path, struct png *p, char *err, size_t errsz);
void	png_free(struct png *p);

#endif
