/* Decoding chromium's screenshots: chunks, zlib, the five row filters. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "png.h"

#define PNG_MAX_SIDE	10000

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int
paeth(int a, int b, int c)
{
	int	p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	if (pa <= pb && pa <= pc)
		return a;
	return pb <= pc ? b : c;
}

/* Reverses the row filters of raw (h rows of 1 + stride bytes) in place
 * into out (h * stride). Returns -1 on an unknown filter. */
static int
unfilter(unsigned char *raw, unsigned char *out, unsigned h, size_t stride,
    unsigned bpp)
{
	for (unsigned y = 0; y < h; y++) {
		unsigned char	*row = raw + y * (stride + 1);
		unsigned char	*cur = out + y * stride;
		unsigned char	*prev = y ? out + (y - 1) * stride : NULL;

		for (size_t x = 0; x < stride; x++) {
			int a = x >= bpp ? cur[x - bpp] : 0;
			int b = prev ? prev[x] : 0;
			int c = prev && x >= bpp ? prev[x - bpp] : 0;
			int v = row[1 + x];

			switch (row[0]) {
			case 0: break;
			case 1: v += a; break;
			case 2: v += b; break;
			case 3: v += (a + b) / 2; break;
			case 4: v += paeth(a, b, c); break;
			default: return -1;
			}
			cur[x] = (unsigned char)v;
		}
	}
	return 0;
}

int
png_load(const char *path, struct png *p, char *err, size_t errsz)
{
	FILE		*f = fopen(path, "rb");
	unsigned char	*file = NULL, *idat = NULL, *raw = NULL, *pix = NULL;
	size_t		 len = 0, nidat = 0, stride = 0, off = 8;
	unsigned	 bpp = 0;
	uLongf		 rawlen;
	int		 rc = -1;

	memset(p, 0, sizeof(*p));
	if (f == NULL) {
		snprintf(err, errsz, "cannot open %s", path);
		return -1;
	}
	file = malloc(64 << 20);
	if (file != NULL)
		len = fread(file, 1, 64 << 20, f);
	fclose(f);
	if (file == NULL || len < 33 ||
	    memcmp(file, "\x89PNG\r\n\x1a\n", 8) != 0) {
		snprintf(err, errsz, "%s is not a PNG", path);
		goto out;
	}
	idat = malloc(len);
	while (idat != NULL && off + 12 <= len) {
		uint32_t	 clen = be32(file + off);
		unsigned char	*type = file + off + 4, *data = file + off + 8;

		if (clen > len - off - 12)
			break;
		if (memcmp(type, "IHDR", 4) == 0 && clen >= 13) {
			p->width = be32(data);
			p->height = be32(data + 4);
			if (data[8] != 8 || (data[9] != 2 && data[9] != 6) ||
			    data[12] != 0) {
				snprintf(err, errsz, "%s: not 8-bit RGB(A), "
				    "non-interlaced", path);
				goto out;
			}
			bpp = data[9] == 6 ? 4 : 3;
		} else if (memcmp(type, "IDAT", 4) == 0) {
			memcpy(idat + nidat, data, clen);
			nidat += clen;
		}
		off += 12 + clen;
	}
	if (bpp == 0 || p->width == 0 || p->height == 0 ||
	    p->width > PNG_MAX_SIDE || p->height > PNG_MAX_SIDE) {
		snprintf(err, errsz, "%s: no usable IHDR", path);
		goto out;
	}
	stride = (size_t)p->width * bpp;
	rawlen = (uLongf)((stride + 1) * p->height);
	raw = malloc(rawlen);
	pix = malloc(stride * p->height);
	if (raw == NULL || pix == NULL ||
	    uncompress(raw, &rawlen, idat, (uLong)nidat) != Z_OK ||
	    rawlen != (stride + 1) * p->height ||
	    unfilter(raw, pix, p->height, stride, bpp) == -1) {
		snprintf(err, errsz, "%s: image data does not decode", path);
		goto out;
	}
	p->rgb = malloc((size_t)p->width * p->height * 3);
	if (p->rgb == NULL)
		goto out;
	for (size_t i = 0; i < (size_t)p->width * p->height; i++)
		memcpy(p->rgb + i * 3, pix + i * bpp, 3);
	rc = 0;
out:
	free(file);
	free(idat);
	free(raw);
	free(pix);
	return rc;
}

void
png_free(struct png *p)
{
	if (p == NULL)
		return;
	free(p->rgb);
	p->rgb = NULL;
}
