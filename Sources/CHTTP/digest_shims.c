// The low-level digest functions are marked deprecated in OpenSSL 3 in favour of EVP; see
// chttp_digest.h for why we use them on the signing path anyway.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "chttp_digest.h"
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <string.h>

void chttp_sha256(const void *data, size_t length, uint8_t *out) {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, data, length);
    SHA256_Final(out, &ctx);
}

void chttp_hmac_sha256(const void *key, size_t key_length, const void *message, size_t message_length, uint8_t *out) {
    enum { block = SHA256_CBLOCK };
    uint8_t padded[block] = {0};
    if (key_length > block) {
        chttp_sha256(key, key_length, padded);
    } else if (key_length > 0) {
        memcpy(padded, key, key_length);
    }
    uint8_t inner_pad[block], outer_pad[block];
    for (int i = 0; i < block; i++) {
        inner_pad[i] = padded[i] ^ 0x36;
        outer_pad[i] = padded[i] ^ 0x5c;
    }
    uint8_t inner[SHA256_DIGEST_LENGTH];
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, inner_pad, block);
    SHA256_Update(&ctx, message, message_length);
    SHA256_Final(inner, &ctx);
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, outer_pad, block);
    SHA256_Update(&ctx, inner, sizeof inner);
    SHA256_Final(out, &ctx);
}

void chttp_md5(const void *data, size_t length, uint8_t *out) {
    MD5_CTX ctx;
    MD5_Init(&ctx);
    MD5_Update(&ctx, data, length);
    MD5_Final(out, &ctx);
}
