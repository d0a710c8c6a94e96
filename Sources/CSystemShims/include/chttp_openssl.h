// chttp_openssl.h — the one place OpenSSL headers are included, for the shims and for Swift.
// Pinning the API to 3.0 with deprecated declarations removed makes any call to an API OpenSSL 3
// deprecated a compile error, in C and in Swift alike, instead of a warning that is easy to miss.
#ifndef CHTTP_OPENSSL_H
#define CHTTP_OPENSSL_H

#ifndef OPENSSL_API_COMPAT
#define OPENSSL_API_COMPAT 30000
#endif
#ifndef OPENSSL_NO_DEPRECATED
#define OPENSSL_NO_DEPRECATED 1
#endif

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#endif
