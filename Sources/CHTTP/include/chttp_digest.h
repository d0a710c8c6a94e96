// chttp_digest.h — SHA-256, HMAC-SHA-256 and MD5 over OpenSSL's low-level digest API.
//
// Why not the EVP one-shots (SHA256(), HMAC(), EVP_Digest)? In OpenSSL 3 each of those looks the
// algorithm up in the provider registry and allocates a context on every call: for the short
// inputs of request signing (a canonical request, a 60-byte string to sign) that lookup costs
// more than the hashing. The low-level API keeps the same assembly block functions, with the
// state on the caller's stack and nothing fetched or allocated.
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
