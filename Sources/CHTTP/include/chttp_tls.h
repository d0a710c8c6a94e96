// chttp_tls.h — shims over OpenSSL macros and variadic calls that Swift cannot import directly.
#ifndef CHTTP_TLS_H
#define CHTTP_TLS_H
#include <openssl/ssl.h>
#endif
