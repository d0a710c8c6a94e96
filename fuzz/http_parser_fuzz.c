// http_parser_fuzz.c — libFuzzer target for the HTTP/1.1 parser (CHTTPParser): request heads,
// response heads and the chunked decoder on arbitrary bytes, with invariant checks beyond
// "does not crash".
//
// Input layout: byte 0 selects options (small limits, header capacity, HEAD response), the rest is the
// message. Every input is copied into a buffer of exactly its size so AddressSanitizer sees over-reads.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chttp_parser.h"

#define MAX_HEADERS 32

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

typedef struct {
    chttp_limits limits;
    size_t capacity;
    int request_was_head;
    size_t split; // chunk size for the split-input chunked decode
} options;

static options read_options(uint8_t selector) {
    options o;
    memset(&o, 0, sizeof(o));
    if (selector & 1) {
        // Small limits so that short inputs reach the limit paths too.
        o.limits.max_header_bytes = 200;
        o.limits.max_line_bytes = 64;
        o.limits.max_body_bytes = 100;
    }
    o.capacity = (selector >> 1) & 7 ? (size_t)((selector >> 1) & 7) : MAX_HEADERS;
    o.request_was_head = (selector >> 4) & 1;
    o.split = 1 + ((selector >> 5) & 7);
    return o;
}

static int parse(const char *buf, size_t len, int is_request, const options *o, chttp_message *msg,
                 chttp_header *headers) {
    memset(msg, 0, sizeof(*msg));
    msg->headers = headers;
    msg->num_headers = o->capacity;
    if (is_request) return chttp_parse_request(buf, len, &o->limits, msg);
    return chttp_parse_response(buf, len, &o->limits, o->request_was_head, msg);
}

static void check_span(uint32_t off, uint32_t len, size_t limit) {
    CHECK((uint64_t)off + len <= limit);
}

// A successful head must point inside itself, be reproducible from exactly its own bytes, and its
// prefix one byte shorter must be incomplete (the parser never reads past the end of the head).
static void check_head(const char *buf, size_t len, int is_request, const options *o) {
    chttp_header headers[MAX_HEADERS];
    chttp_message msg;
    int r = parse(buf, len, is_request, o, &msg, headers);
    CHECK(r == CHTTP_INCOMPLETE || r == CHTTP_ERROR || (r > 0 && (size_t)r <= len));
    if (r == CHTTP_ERROR) {
        CHECK(msg.error != CHTTP_OK);
        CHECK(msg.error_offset <= len);
        int status = chttp_error_status(msg.error);
        CHECK(status == 400 || status == 413 || status == 414 || status == 431 || status == 501 || status == 505);
        return;
    }
    if (r < 0) return;
    size_t n = (size_t)r;
    CHECK(msg.num_headers <= o->capacity);
    CHECK(msg.body_kind >= CHTTP_BODY_NONE && msg.body_kind <= CHTTP_BODY_UNTIL_CLOSE);
    CHECK(msg.version_minor == 0 || msg.version_minor == 1);
    if (is_request) {
        check_span(msg.method_off, msg.method_len, n);
        check_span(msg.target_off, msg.target_len, n);
        CHECK(msg.method_len > 0 && msg.target_len > 0);
        CHECK(msg.body_kind != CHTTP_BODY_UNTIL_CLOSE);
    } else {
        check_span(msg.reason_off, msg.reason_len, n);
        CHECK(msg.status >= 100 && msg.status <= 999);
    }
    for (size_t i = 0; i < msg.num_headers; i++) {
        check_span(headers[i].name_off, headers[i].name_len, n);
        check_span(headers[i].value_off, headers[i].value_len, n);
        CHECK(headers[i].name_len > 0);
    }
    if (msg.body_kind == CHTTP_BODY_LENGTH) CHECK(msg.content_length > 0);

    chttp_header again_headers[MAX_HEADERS];
    chttp_message again;
    char *exact = malloc(n);
    memcpy(exact, buf, n);
    CHECK(parse(exact, n, is_request, o, &again, again_headers) == r);
    CHECK(again.num_headers == msg.num_headers && again.body_kind == msg.body_kind);
    CHECK(again.content_length == msg.content_length && again.keep_alive == msg.keep_alive);
    CHECK(parse(exact, n - 1, is_request, o, &again, again_headers) == CHTTP_INCOMPLETE);
    free(exact);
}

typedef struct {
    long result;
    chttp_error error;
    size_t consumed; // input bytes consumed up to completion
    size_t body_len;
    char *body;
} chunked_run;

// Decodes buf[0..len) handing it over `split` bytes at a time (SIZE_MAX: all at once).
static chunked_run decode_chunked(const char *input, size_t len, size_t split, uint64_t max_body) {
    chunked_run run = {CHTTP_INCOMPLETE, CHTTP_OK, 0, 0, malloc(len + 1)};
    chttp_chunked_decoder d;
    memset(&d, 0, sizeof(d));
    d.max_body_bytes = max_body;
    size_t pos = 0;
    while (pos < len) {
        size_t n = len - pos < split ? len - pos : split;
        char *piece = malloc(n);
        memcpy(piece, input + pos, n);
        size_t out = 0;
        chttp_error err = CHTTP_OK;
        long r = chttp_chunked_decode(&d, piece, n, &out, &err);
        CHECK(out <= n);
        CHECK(r == CHTTP_INCOMPLETE || r == CHTTP_ERROR || (r >= 0 && (size_t)r <= n));
        memcpy(run.body + run.body_len, piece, out);
        run.body_len += out;
        free(piece);
        run.result = r;
        run.error = err;
        if (r >= 0) {
            run.consumed = pos + (size_t)r;
            break;
        }
        if (r == CHTTP_ERROR) {
            CHECK(err != CHTTP_OK);
            break;
        }
        CHECK(err == CHTTP_OK);
        pos += n;
    }
    CHECK(d.total == run.body_len || run.result == CHTTP_ERROR);
    return run;
}

// Splitting the input differently must never change the outcome or the decoded body.
static void check_chunked(const char *buf, size_t len, const options *o) {
    uint64_t max_body = o->limits.max_body_bytes;
    chunked_run whole = decode_chunked(buf, len, SIZE_MAX, max_body);
    chunked_run split = decode_chunked(buf, len, o->split, max_body);
    CHECK((whole.result >= 0) == (split.result >= 0));
    CHECK((whole.result == CHTTP_ERROR) == (split.result == CHTTP_ERROR));
    if (whole.result == CHTTP_ERROR) CHECK(whole.error == split.error);
    if (whole.result >= 0) CHECK(whole.consumed == split.consumed);
    if (whole.result != CHTTP_ERROR) {
        CHECK(whole.body_len == split.body_len);
        CHECK(memcmp(whole.body, split.body, whole.body_len) == 0);
    }
    free(whole.body);
    free(split.body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    options o = read_options(data[0]);
    size_t len = size - 1;
    char *buf = malloc(len ? len : 1);
    memcpy(buf, data + 1, len);
    check_head(buf, len, 1, &o);
    check_head(buf, len, 0, &o);
    check_chunked(buf, len, &o);
    // A chunked body right after a request head, as a server would see it.
    chttp_header headers[MAX_HEADERS];
    chttp_message msg;
    int r = parse(buf, len, 1, &o, &msg, headers);
    if (r > 0 && msg.body_kind == CHTTP_BODY_CHUNKED) check_chunked(buf + r, len - (size_t)r, &o);
    free(buf);
    return 0;
}
