// parser_tables.c — the character-class table and the error table (names and suggested statuses).
#include "parser_internal.h"

// Generated once from the RFC 9110 ABNF: tchar = 1, field value byte = 2, target byte (VCHAR) = 4,
// reason-phrase byte = 8, HEXDIG = 16. Field values allow obs-text (0x80-0xFF) as RFC 9110 5.5 says;
// the request-target does not (RFC 3986 has no raw non-ASCII).
const unsigned char chttp_char_class[256] = {
     0,  0,  0,  0,  0,  0,  0,  0,  0, 10,  0,  0,  0,  0,  0,  0,  // 0x00
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  // 0x10
    10, 15, 14, 15, 15, 15, 15, 15, 14, 14, 15, 15, 14, 15, 15, 14,  // 0x20
    31, 31, 31, 31, 31, 31, 31, 31, 31, 31, 14, 14, 14, 14, 14, 14,  // 0x30
    14, 31, 31, 31, 31, 31, 31, 15, 15, 15, 15, 15, 15, 15, 15, 15,  // 0x40
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14, 14, 14, 15, 15,  // 0x50
    15, 31, 31, 31, 31, 31, 31, 15, 15, 15, 15, 15, 15, 15, 15, 15,  // 0x60
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 14, 15, 14, 15,  0,  // 0x70
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,  // 0x80
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,  // 0x90
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,  // 0xA0
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,  // 0xB0
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,  // 0xC0
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,  // 0xD0
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,  // 0xE0
    10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,  // 0xF0
};

typedef struct {
    const char *name;
    int status;
} error_info;

// Indexed by chttp_error. Statuses follow RFC 9110/9112: framing and syntax errors are 400, oversized
// heads 431, oversized request lines 414, oversized bodies 413, unknown transfer codings 501,
// unsupported HTTP major versions 505.
static const error_info error_table[] = {
    [CHTTP_OK] = {"ok", 200},
    [CHTTP_E_BAD_REQUEST_LINE] = {"bad_request_line", 400},
    [CHTTP_E_BAD_METHOD] = {"bad_method", 400},
    [CHTTP_E_BAD_TARGET] = {"bad_target", 400},
    [CHTTP_E_BAD_VERSION] = {"bad_version", 400},
    [CHTTP_E_BAD_STATUS_LINE] = {"bad_status_line", 400},
    [CHTTP_E_BAD_HEADER_NAME] = {"bad_header_name", 400},
    [CHTTP_E_BAD_HEADER_VALUE] = {"bad_header_value", 400},
    [CHTTP_E_OBS_FOLD] = {"obs_fold", 400},
    [CHTTP_E_BARE_CR] = {"bare_cr", 400},
    [CHTTP_E_BARE_LF] = {"bare_lf", 400},
    [CHTTP_E_CL_AND_TE] = {"cl_and_te", 400},
    [CHTTP_E_BAD_CONTENT_LENGTH] = {"bad_content_length", 400},
    [CHTTP_E_BAD_TRANSFER_ENCODING] = {"bad_transfer_encoding", 400},
    [CHTTP_E_BAD_CHUNK_SIZE] = {"bad_chunk_size", 400},
    [CHTTP_E_BAD_CHUNK_DATA] = {"bad_chunk_data", 400},
    [CHTTP_E_BAD_TRAILER] = {"bad_trailer", 400},
    [CHTTP_E_HEADERS_TOO_LARGE] = {"headers_too_large", 431},
    [CHTTP_E_TOO_MANY_HEADERS] = {"too_many_headers", 431},
    [CHTTP_E_LINE_TOO_LONG] = {"line_too_long", 414},
    [CHTTP_E_BODY_TOO_LARGE] = {"body_too_large", 413},
    [CHTTP_E_MISSING_HOST] = {"missing_host", 400},
    [CHTTP_E_TRUNCATED] = {"truncated", 400},
    [CHTTP_E_UNSUPPORTED_VERSION] = {"unsupported_version", 505},
    [CHTTP_E_UNSUPPORTED_TRANSFER_CODING] = {"unsupported_transfer_coding", 501},
    [CHTTP_E_HEADER_LINE_TOO_LONG] = {"header_line_too_long", 431},
};

#define ERROR_COUNT (sizeof(error_table) / sizeof(error_table[0]))

int chttp_error_status(chttp_error e) {
    if ((unsigned)e >= ERROR_COUNT || error_table[e].name == NULL) return 400;
    return error_table[e].status;
}

const char *chttp_error_name(chttp_error e) {
    if ((unsigned)e >= ERROR_COUNT || error_table[e].name == NULL) return "unknown";
    return error_table[e].name;
}
