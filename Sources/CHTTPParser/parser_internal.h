// parser_internal.h — shared between the parser's C files; not part of the public API.
#ifndef CHTTP_PARSER_INTERNAL_H
#define CHTTP_PARSER_INTERNAL_H

#include "chttp_parser.h"

// Character classes, one bit each, in one 256-entry table so the hot loops do a single load per byte.
enum {
    CC_TOKEN = 1,   // tchar (RFC 9110 5.6.2)
    CC_VALUE = 2,   // field-vchar / obs-text / SP / HTAB: may appear inside a field value
    CC_TARGET = 4,  // visible ASCII: may appear in a request-target
    CC_REASON = 8,  // HTAB / SP / VCHAR / obs-text: may appear in a reason-phrase
    CC_HEX = 16,    // hexadecimal digit
};

extern const unsigned char chttp_char_class[256];

#define CHTTP_IS(cls, c) ((chttp_char_class[(unsigned char)(c)] & (cls)) != 0)

// Compares buf[0..len) with a lower-case ASCII literal, ignoring the case of the input. Safe for the
// literals we use (letters and '-'): no other token byte folds onto them.
static inline int chttp_eq_lower(const char *buf, size_t len, const char *lit, size_t lit_len) {
    if (len != lit_len) return 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)buf[i] | 0x20) != (unsigned char)lit[i]) return 0;
    }
    return 1;
}
#define CHTTP_EQ(buf, len, lit) chttp_eq_lower((buf), (len), lit, sizeof(lit) - 1)

// Everything one call of chttp_parse_request/response learns, kept on the stack of that call.
typedef struct {
    const char *buf;
    size_t len;
    uint32_t max_head, max_line;
    uint64_t max_body;
    chttp_message *msg;
    size_t capacity;        // of msg->headers, read from msg->num_headers on entry
    unsigned options;
    int is_request;
    // Framing facts gathered header by header, judged together at the end of the head.
    int cl_count;
    uint64_t cl_value;
    int te_count;           // Transfer-Encoding lines
    int te_chunked;         // "chunked" seen
    int te_after_chunked;   // a coding followed "chunked"
    int te_other;           // a coding other than chunked seen
    int host_count;
    int conn_close, conn_keep_alive, conn_upgrade;
    int has_upgrade;
} chttp_head_state;

// parser_framing.c: reacts to one header (Content-Length, Transfer-Encoding, Host, Connection, ...).
// Returns CHTTP_OK or the error the header deserves.
chttp_error chttp_framing_header(chttp_head_state *s, const chttp_header *h);
// Decides body kind, keep-alive and upgrade once the head is complete.
chttp_error chttp_framing_finish_request(chttp_head_state *s);
chttp_error chttp_framing_finish_response(chttp_head_state *s, int request_was_head);

#endif
