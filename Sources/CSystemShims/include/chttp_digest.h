// chttp_digest.h — SHA-256, HMAC-SHA-256 and MD5 over OpenSSL 3's EVP API.
//
// Safe to call from any thread. Each algorithm is fetched from the provider registry once per
// process, and each thread keeps its own digest and MAC contexts for its whole life: the EVP
// one-shots (EVP_Digest, EVP_Q_digest, EVP_Q_mac, HMAC()) fetch or allocate on every call, which
// for the short inputs of request signing costs more than the hashing itself.
// The functions cannot fail: if OpenSSL cannot allocate a context or lacks an algorithm they abort,
// since a caller given a wrong digest could not tell.
#ifndef CHTTP_DIGEST_H
#define CHTTP_DIGEST_H
#include <stddef.h>
#include <stdint.h>

/// out = SHA-256(data[0..<length]) (32 bytes).
void chttp_sha256(const void *data, size_t length, uint8_t *out);
/// out = HMAC-SHA-256(key, message) (32 bytes), RFC 2104; keys longer than 64 bytes are hashed first.
void chttp_hmac_sha256(const void *key, size_t key_length, const void *message, size_t message_length, uint8_t *out);
/// out = MD5(data[0..<length]) (16 bytes). Only as a checksum (SQS message digests).
void chttp_md5(const void *data, size_t length, uint8_t *out);

#endif
