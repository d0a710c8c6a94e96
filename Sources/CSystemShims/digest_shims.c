// digest_shims.c — bodies of chttp_digest.h: EVP digests and the HMAC EVP_MAC, fetched once per
// process, with one set of contexts per thread.
#include "chttp_digest.h"
#include "chttp_openssl.h"
#include <openssl/core_names.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// A key this long or shorter is remembered, so signing with the same key again (SigV4 signs every
// request of a day with one derived key) re-initialises the MAC without re-deriving its pads.
enum { remembered_key_capacity = 64 };

// Each digest starts by copying a context initialised once per thread. EVP_DigestInit_ex2 would
// also free and re-create the provider's context, and first ask the ENGINE table (loading the
// OpenSSL config on the way) whether an engine replaces the algorithm: 15-25 ns more per call.
typedef struct {
    EVP_MD_CTX *initialised;  // NULL when the provider lacks the algorithm
    EVP_MD_CTX *ctx;
    const char *name;
} digest_slot;

typedef struct {
    digest_slot sha256;
    digest_slot md5;
    EVP_MAC_CTX *hmac;
    int has_key;
    size_t key_length;
    uint8_t key[remembered_key_capacity];
} thread_contexts;

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;
static EVP_MD *md5_md;
static EVP_MAC *hmac_mac;
// Frees a thread's contexts when the thread exits.
static pthread_key_t contexts_key;
// The same pointer as the key's value, read without a call on every digest.
static __thread thread_contexts *current;

static void fail(const char *what) {
    fprintf(stderr, "pismo: OpenSSL: %s failed\n", what);
    abort();
}

static void free_contexts(void *value) {
    thread_contexts *c = value;
    current = NULL;
    EVP_MD_CTX_free(c->sha256.initialised);
    EVP_MD_CTX_free(c->sha256.ctx);
    EVP_MD_CTX_free(c->md5.initialised);
    EVP_MD_CTX_free(c->md5.ctx);
    EVP_MAC_CTX_free(c->hmac);
    OPENSSL_cleanse(c->key, sizeof c->key);
    free(c);
}

// An algorithm a provider configuration leaves out stays NULL and fails only when it is used.
static void fetch_algorithms(void) {
    sha256_md = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    md5_md = EVP_MD_fetch(NULL, "MD5", NULL);
    hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (pthread_key_create(&contexts_key, free_contexts) != 0) fail("pthread_key_create");
}

static digest_slot make_slot(const EVP_MD *md, const char *name) {
    digest_slot slot = {NULL, EVP_MD_CTX_new(), name};
    if (slot.ctx == NULL) fail("EVP_MD_CTX_new");
    if (md != NULL) {
        slot.initialised = EVP_MD_CTX_new();
        if (slot.initialised == NULL || !EVP_DigestInit_ex2(slot.initialised, md, NULL)) fail(name);
    }
    return slot;
}

static thread_contexts *make_contexts(void) {
    pthread_once(&fetch_once, fetch_algorithms);
    thread_contexts *c = calloc(1, sizeof *c);
    if (c == NULL) fail("allocating digest contexts");
    c->sha256 = make_slot(sha256_md, "SHA2-256");
    c->md5 = make_slot(md5_md, "MD5");
    if (hmac_mac != NULL) {
        char digest_name[] = "SHA2-256";
        OSSL_PARAM params[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
            OSSL_PARAM_construct_end(),
        };
        c->hmac = EVP_MAC_CTX_new(hmac_mac);
        if (c->hmac == NULL || !EVP_MAC_CTX_set_params(c->hmac, params)) fail("creating the HMAC-SHA-256 context");
    }
    pthread_setspecific(contexts_key, c);
    current = c;
    return c;
}

static inline thread_contexts *contexts(void) { return current != NULL ? current : make_contexts(); }

static void digest(const digest_slot *slot, const void *data, size_t length, uint8_t *out) {
    if (slot->initialised == NULL || !EVP_MD_CTX_copy_ex(slot->ctx, slot->initialised) ||
        !EVP_DigestUpdate(slot->ctx, data, length) || !EVP_DigestFinal_ex(slot->ctx, out, NULL)) {
        fail(slot->name);
    }
}

void chttp_sha256(const void *data, size_t length, uint8_t *out) { digest(&contexts()->sha256, data, length, out); }

void chttp_md5(const void *data, size_t length, uint8_t *out) { digest(&contexts()->md5, data, length, out); }

// Sets the MAC's key unless it already holds this one. EVP_MAC_init with a NULL key restarts the
// MAC under the key it has, so an empty key is passed as a non-NULL pointer to zero bytes.
static int init_hmac(thread_contexts *c, const void *key, size_t key_length) {
    static const uint8_t no_key[1] = {0};
    if (key_length == 0) key = no_key;
    if (c->has_key && c->key_length == key_length && memcmp(c->key, key, key_length) == 0) {
        return EVP_MAC_init(c->hmac, NULL, 0, NULL);
    }
    c->has_key = 0;
    if (!EVP_MAC_init(c->hmac, key, key_length, NULL)) return 0;
    if (key_length <= remembered_key_capacity) {
        memcpy(c->key, key, key_length);
        c->key_length = key_length;
        c->has_key = 1;
    }
    return 1;
}

void chttp_hmac_sha256(const void *key, size_t key_length, const void *message, size_t message_length, uint8_t *out) {
    thread_contexts *c = contexts();
    size_t written = 0;
    if (c->hmac == NULL || !init_hmac(c, key, key_length) || !EVP_MAC_update(c->hmac, message, message_length) ||
        !EVP_MAC_final(c->hmac, out, &written, 32) || written != 32) {
        fail("HMAC-SHA-256");
    }
}
