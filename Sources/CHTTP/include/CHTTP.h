// Umbrella header for the C layer: our HTTP/1.1 parser plus thin shims over system C APIs that
// Swift cannot reach directly (variadic/macros in OpenSSL, epoll's packed struct, zlib macros).
#ifndef CHTTP_H
#define CHTTP_H
#include "chttp_parser.h"
#include "chttp_shims.h"
#include "chttp_tls.h"
#include "chttp_digest.h"
#endif
