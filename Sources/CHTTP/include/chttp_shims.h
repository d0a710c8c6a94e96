// chttp_shims.h — thin wrappers where Swift cannot call a C API directly. Nothing else lives here.
#ifndef CHTTP_SHIMS_H
#define CHTTP_SHIMS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <zlib.h>

// zlib's init functions are macros (they pass the library version and struct size), so Swift cannot
// call them. These two are the only zlib entry points we wrap; inflate/deflate/*End are called directly.

/// inflateInit2 accepting gzip or zlib framing (windowBits 15 + 32: automatic header detection).
int chttp_inflate_init_auto(z_stream *strm);
/// deflateInit2 producing gzip framing (windowBits 15 + 16) at `level` (0-9, -1 = default).
int chttp_deflate_init_gzip(z_stream *strm, int level);

// accept4 and pthread_setname_np are GNU extensions hidden from Swift's view of glibc (the importer
// does not see _GNU_SOURCE), so they are forwarded here.

/// accept4(fd, NULL, NULL, flags).
int chttp_accept4(int fd, int flags);
/// pthread_setname_np on the calling thread (name truncated to 15 bytes by the caller).
int chttp_set_thread_name(const char *name);

#endif
