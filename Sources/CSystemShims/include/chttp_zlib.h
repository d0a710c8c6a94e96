// chttp_zlib.h — zlib's init functions, which are macros over *_(..., ZLIB_VERSION, sizeof(z_stream)).
// Including zlib.h here also gives Swift callers zlib itself (inflate, deflate, crc32).
#ifndef CHTTP_ZLIB_H
#define CHTTP_ZLIB_H

#include <zlib.h>

/// inflateInit2: window_bits 31 decodes gzip, 47 auto-detects gzip or zlib.
int chttp_inflate_init2(z_stream *stream, int window_bits);
/// deflateInit2 with default memory level and strategy; window_bits 31 writes gzip.
int chttp_deflate_init2(z_stream *stream, int level, int window_bits);

#endif
