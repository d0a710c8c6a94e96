// chttp_tls.h — shims over OpenSSL macros and variadic calls that Swift cannot import directly.
// Each shim is a one-line forward to the macro it names; nothing else lives here.
#ifndef CHTTP_TLS_H
#define CHTTP_TLS_H
#include "chttp_openssl.h"

/// SSL_CTX_set_mode: returns the new mode bitmask.
long chttp_tls_ctx_set_mode(SSL_CTX *ctx, long mode);
/// SSL_CTX_set_min_proto_version (e.g. TLS1_2_VERSION): 1 on success.
int chttp_tls_ctx_set_min_proto_version(SSL_CTX *ctx, int version);
/// SSL_CTX_set_session_cache_mode: returns the previous mode.
long chttp_tls_ctx_set_session_cache_mode(SSL_CTX *ctx, long mode);
/// Sets SSL_OP_NO_RENEGOTIATION (an SSL_OP_BIT macro, which Swift cannot import).
void chttp_tls_ctx_disable_renegotiation(SSL_CTX *ctx);
/// SSL_CTX_set_app_data / SSL_CTX_get_app_data (ex-data slot 0).
int chttp_tls_ctx_set_app_data(SSL_CTX *ctx, void *data);
void *chttp_tls_ctx_get_app_data(const SSL_CTX *ctx);
/// SSL_set_app_data / SSL_get_app_data (ex-data slot 0).
int chttp_tls_set_app_data(SSL *ssl, void *data);
void *chttp_tls_get_app_data(const SSL *ssl);
/// SSL_set_tlsext_host_name (SNI): 1 on success.
int chttp_tls_set_host_name(SSL *ssl, const char *name);
/// SSL_set_mode: returns the new mode bitmask.
long chttp_tls_set_mode(SSL *ssl, long mode);
/// BIO_shutdown_wr: marks the write side of a BIO pair as closed, so the peer BIO reads EOF.
int chttp_tls_bio_shutdown_wr(BIO *bio);
/// BIO_pending: bytes buffered in the BIO ready to be read.
int chttp_tls_bio_pending(BIO *bio);
/// EVP_EC_gen(curve): a fresh EC key on the named curve (e.g. "P-256"), or NULL.
EVP_PKEY *chttp_tls_ec_key_generate(const char *curve);

#endif
