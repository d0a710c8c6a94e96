// zlib_shims.c — bodies of the zlib init shims declared in chttp_zlib.h.
#include "chttp_zlib.h"

int chttp_inflate_init2(z_stream *stream, int window_bits) { return inflateInit2(stream, window_bits); }

int chttp_deflate_init2(z_stream *stream, int level, int window_bits) {
    return deflateInit2(stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
}
