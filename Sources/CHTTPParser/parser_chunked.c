// parser_chunked.c — chunked transfer coding decoder (RFC 9112 section 7.1), in place and resumable.
//
// The decoder is a byte-at-a-time state machine for the framing (size lines, CRLFs, trailers) and a
// memmove for chunk data, so the cost is proportional to the framing, not the body. State lives in
// chttp_chunked_decoder, so input may be split anywhere, down to one byte per call.
#include <string.h>

#include "parser_internal.h"

// A size line (hex size plus extensions) longer than this is an attack, not a chunk: real extensions
// are a few dozen bytes. Trailers get the same budget as a head section.
#define MAX_CHUNK_LINE 4096u
#define MAX_TRAILER_BYTES 65536u

enum {
    CH_SIZE_START = 0, // zero-initialised decoder starts here
    CH_SIZE,
    CH_SIZE_WS,        // BWS after the size: only legal before a ';'
    CH_EXT_BEFORE_NAME,// after ';', BWS then a token
    CH_EXT_NAME,
    CH_EXT_AFTER_NAME, // BWS, then '=' or ';'
    CH_EXT_BEFORE_VALUE,
    CH_EXT_TOKEN_VALUE,
    CH_EXT_QUOTED,
    CH_EXT_QUOTED_ESCAPE,
    CH_EXT_QUOTED_END,
    CH_EXT_AFTER_VALUE,// BWS, then ';'
    CH_SIZE_LF,
    CH_DATA,
    CH_DATA_CR,
    CH_DATA_LF,
    CH_TRAILER_START,
    CH_TRAILER_NAME,
    CH_TRAILER_VALUE,
    CH_TRAILER_LF,
    CH_END_LF,
    CH_DONE,
};

static int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static int is_ws(unsigned char c) {
    return c == ' ' || c == '\t';
}

// qdtext and quoted-pair bytes (RFC 9110 5.6.4), except the '"' and '\\' that change state.
static int is_qdtext(unsigned char c) {
    return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E) || c >= 0x80;
}

// Where a byte that may follow a complete element of the size line leads: ';' opens another extension,
// CR ends the line. Anything else is an error.
static chttp_error size_line_next(chttp_chunked_decoder *d, unsigned char c, int cr_allowed) {
    if (c == ';') d->state = CH_EXT_BEFORE_NAME;
    else if (c == '\r' && cr_allowed) d->state = CH_SIZE_LF;
    else return c == '\n' ? CHTTP_E_BARE_LF : CHTTP_E_BAD_CHUNK_SIZE;
    return CHTTP_OK;
}

// One byte of the chunk extensions (RFC 9112 7.1.1). They are ignored, but parsed to the grammar:
// chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] ), so that we never
// disagree with another parser about where the size line ends.
static chttp_error extension_byte(chttp_chunked_decoder *d, unsigned char c) {
    int token = CHTTP_IS(CC_TOKEN, c);
    switch (d->state) {
    case CH_EXT_BEFORE_NAME:
        if (token) d->state = CH_EXT_NAME;
        else if (!is_ws(c)) return CHTTP_E_BAD_CHUNK_SIZE;
        return CHTTP_OK;
    case CH_EXT_NAME:
        if (token) return CHTTP_OK;
        if (c == '=') d->state = CH_EXT_BEFORE_VALUE;
        else if (is_ws(c)) d->state = CH_EXT_AFTER_NAME;
        else return size_line_next(d, c, 1);
        return CHTTP_OK;
    case CH_EXT_AFTER_NAME:
        if (c == '=') d->state = CH_EXT_BEFORE_VALUE;
        else if (!is_ws(c)) return size_line_next(d, c, 0);
        return CHTTP_OK;
    case CH_EXT_BEFORE_VALUE:
        if (c == '"') d->state = CH_EXT_QUOTED;
        else if (token) d->state = CH_EXT_TOKEN_VALUE;
        else if (!is_ws(c)) return CHTTP_E_BAD_CHUNK_SIZE;
        return CHTTP_OK;
    case CH_EXT_QUOTED:
        if (c == '"') d->state = CH_EXT_QUOTED_END;
        else if (c == '\\') d->state = CH_EXT_QUOTED_ESCAPE;
        else if (!is_qdtext(c)) return CHTTP_E_BAD_CHUNK_SIZE;
        return CHTTP_OK;
    case CH_EXT_QUOTED_ESCAPE:
        if (!CHTTP_IS(CC_REASON, c)) return CHTTP_E_BAD_CHUNK_SIZE;
        d->state = CH_EXT_QUOTED;
        return CHTTP_OK;
    case CH_EXT_TOKEN_VALUE:
    case CH_EXT_QUOTED_END:
        if (token && d->state == CH_EXT_TOKEN_VALUE) return CHTTP_OK;
        if (!is_ws(c)) return size_line_next(d, c, 1);
        d->state = CH_EXT_AFTER_VALUE;
        return CHTTP_OK;
    default: // CH_EXT_AFTER_VALUE: BWS is only allowed before another ';'
        if (!is_ws(c)) return size_line_next(d, c, 0);
        return CHTTP_OK;
    }
}

// One byte of a chunk-size line. Returns CHTTP_OK or an error.
static chttp_error size_line_byte(chttp_chunked_decoder *d, unsigned char c) {
    if (++d->line_len > MAX_CHUNK_LINE) return CHTTP_E_BAD_CHUNK_SIZE;
    int h = hex_value(c);
    switch (d->state) {
    case CH_SIZE_START:
        if (h < 0) return c == '\n' ? CHTTP_E_BARE_LF : CHTTP_E_BAD_CHUNK_SIZE;
        d->remaining_in_chunk = (uint64_t)h;
        d->state = CH_SIZE;
        return CHTTP_OK;
    case CH_SIZE:
        if (h >= 0) {
            if (d->remaining_in_chunk > (UINT64_MAX >> 4)) return CHTTP_E_BAD_CHUNK_SIZE;
            d->remaining_in_chunk = (d->remaining_in_chunk << 4) | (uint64_t)h;
            return CHTTP_OK;
        }
        if (is_ws(c)) {
            d->state = CH_SIZE_WS;
            return CHTTP_OK;
        }
        return size_line_next(d, c, 1);
    case CH_SIZE_WS:
        if (is_ws(c)) return CHTTP_OK;
        return size_line_next(d, c, 0);
    default:
        return extension_byte(d, c);
    }
}

// The LF that ends a size line: start the data, or the trailer section after the last chunk.
static chttp_error size_line_end(chttp_chunked_decoder *d, unsigned char c) {
    if (c != '\n') return CHTTP_E_BARE_CR;
    d->line_len = 0;
    if (d->remaining_in_chunk == 0) {
        d->state = CH_TRAILER_START;
        return CHTTP_OK;
    }
    uint64_t limit = d->max_body_bytes ? d->max_body_bytes : UINT64_MAX;
    if (d->remaining_in_chunk > limit - d->total) return CHTTP_E_BODY_TOO_LARGE;
    d->state = CH_DATA;
    return CHTTP_OK;
}

// One byte of the trailer section (RFC 9112 7.1.2): field lines like a head, then an empty line.
static chttp_error trailer_byte(chttp_chunked_decoder *d, unsigned char c) {
    if (++d->trailer_bytes > MAX_TRAILER_BYTES) return CHTTP_E_HEADERS_TOO_LARGE;
    switch (d->state) {
    case CH_TRAILER_START:
        if (c == '\r') d->state = CH_END_LF;
        else if (CHTTP_IS(CC_TOKEN, c)) d->state = CH_TRAILER_NAME;
        else return c == '\n' ? CHTTP_E_BARE_LF : CHTTP_E_BAD_TRAILER;
        return CHTTP_OK;
    case CH_TRAILER_NAME:
        if (c == ':') d->state = CH_TRAILER_VALUE;
        else if (!CHTTP_IS(CC_TOKEN, c)) return CHTTP_E_BAD_TRAILER;
        return CHTTP_OK;
    case CH_TRAILER_VALUE:
        if (c == '\r') d->state = CH_TRAILER_LF;
        else if (!CHTTP_IS(CC_VALUE, c)) return c == '\n' ? CHTTP_E_BARE_LF : CHTTP_E_BAD_TRAILER;
        return CHTTP_OK;
    case CH_TRAILER_LF:
        if (c != '\n') return CHTTP_E_BARE_CR;
        d->state = CH_TRAILER_START;
        return CHTTP_OK;
    default: // CH_END_LF
        if (c != '\n') return CHTTP_E_BARE_CR;
        d->state = CH_DONE;
        return CHTTP_OK;
    }
}

static chttp_error framing_byte(chttp_chunked_decoder *d, unsigned char c) {
    switch (d->state) {
    case CH_SIZE_START:
    case CH_SIZE:
    case CH_SIZE_WS:
    case CH_EXT_BEFORE_NAME:
    case CH_EXT_NAME:
    case CH_EXT_AFTER_NAME:
    case CH_EXT_BEFORE_VALUE:
    case CH_EXT_TOKEN_VALUE:
    case CH_EXT_QUOTED:
    case CH_EXT_QUOTED_ESCAPE:
    case CH_EXT_QUOTED_END:
    case CH_EXT_AFTER_VALUE:
        return size_line_byte(d, c);
    case CH_SIZE_LF:
        return size_line_end(d, c);
    case CH_DATA_CR:
        if (c != '\r') return CHTTP_E_BAD_CHUNK_DATA;
        d->state = CH_DATA_LF;
        return CHTTP_OK;
    case CH_DATA_LF:
        if (c != '\n') return CHTTP_E_BAD_CHUNK_DATA;
        d->state = CH_SIZE_START;
        return CHTTP_OK;
    default:
        return trailer_byte(d, c);
    }
}

long chttp_chunked_decode(chttp_chunked_decoder *d, char *buf, size_t len, size_t *out_len, chttp_error *err) {
    size_t in = 0, out = 0;
    *err = CHTTP_OK;
    while (in < len && d->state != CH_DONE) {
        if (d->state == CH_DATA) {
            size_t n = len - in;
            if ((uint64_t)n > d->remaining_in_chunk) n = (size_t)d->remaining_in_chunk;
            if (out != in) memmove(buf + out, buf + in, n);
            in += n;
            out += n;
            d->remaining_in_chunk -= n;
            d->total += n;
            if (d->remaining_in_chunk == 0) d->state = CH_DATA_CR;
            continue;
        }
        chttp_error e = framing_byte(d, (unsigned char)buf[in++]);
        if (e != CHTTP_OK) {
            *out_len = out;
            *err = e;
            return CHTTP_ERROR;
        }
    }
    *out_len = out;
    return d->state == CH_DONE ? (long)in : CHTTP_INCOMPLETE;
}
