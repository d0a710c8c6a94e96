#include <pthread.h>
#include <sys/socket.h>
#include "chttp_shims.h"
#include "chttp_parser.h"
#include "chttp_tls.h"

int chttp_inflate_init_auto(z_stream *strm) {
    return inflateInit2(strm, 15 + 32);
}

int chttp_deflate_init_gzip(z_stream *strm, int level) {
    return deflateInit2(strm, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

int chttp_accept4(int fd, int flags) {
    return accept4(fd, NULL, NULL, flags);
}

int chttp_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}
