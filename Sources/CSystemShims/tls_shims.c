// tls_shims.c — bodies of the OpenSSL macro shims declared in chttp_tls.h.
#include "chttp_tls.h"

long chttp_tls_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }

int chttp_tls_ctx_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

long chttp_tls_ctx_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

void chttp_tls_ctx_disable_renegotiation(SSL_CTX *ctx) { SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION); }

int chttp_tls_ctx_set_app_data(SSL_CTX *ctx, void *data) { return SSL_CTX_set_app_data(ctx, data); }
void *chttp_tls_ctx_get_app_data(const SSL_CTX *ctx) { return SSL_CTX_get_app_data(ctx); }

int chttp_tls_set_app_data(SSL *ssl, void *data) { return SSL_set_app_data(ssl, data); }
void *chttp_tls_get_app_data(const SSL *ssl) { return SSL_get_app_data(ssl); }

// The macro casts away const on the name; OpenSSL copies it.
int chttp_tls_set_host_name(SSL *ssl, const char *name) { return (int)SSL_set_tlsext_host_name(ssl, name); }

long chttp_tls_set_mode(SSL *ssl, long mode) { return SSL_set_mode(ssl, mode); }

int chttp_tls_bio_shutdown_wr(BIO *bio) { return BIO_shutdown_wr(bio); }
int chttp_tls_bio_pending(BIO *bio) { return (int)BIO_pending(bio); }

EVP_PKEY *chttp_tls_ec_key_generate(const char *curve) { return EVP_EC_gen(curve); }

