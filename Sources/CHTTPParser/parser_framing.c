// parser_framing.c — what the headers mean for message framing (RFC 9112 section 6, RFC 9110 7.2/7.6/10.1).
//
// This is where request smuggling lives, so every ambiguity is an error: Content-Length together with
// Transfer-Encoding, Content-Length twice (even with the same value), anything but digits in
// Content-Length, chunked not last or twice, Transfer-Encoding in HTTP/1.0, a second Host.
#include <string.h>

#include "parser_internal.h"

// Iterates the elements of a comma-separated list (RFC 9110 5.6.1), skipping empty elements and OWS.
// Returns 0 when the list is exhausted.
static int next_list_item(const char *v, size_t len, size_t *pos, size_t *item_off, size_t *item_len) {
    size_t p = *pos;
    while (p < len && (v[p] == ',' || v[p] == ' ' || v[p] == '\t')) p++;
    if (p >= len) return 0;
    size_t start = p;
    while (p < len && v[p] != ',') p++;
    size_t end = p;
    while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t')) end--;
    *item_off = start;
    *item_len = end - start;
    *pos = p;
    return 1;
}

static size_t token_length(const char *v, size_t len) {
    size_t n = 0;
    while (n < len && CHTTP_IS(CC_TOKEN, v[n])) n++;
    return n;
}

// RFC 9112 6.3 item 5: Content-Length must be 1*DIGIT. A list, a sign, a space or a second header
// (same value or not) is rejected: recipients that disagree on the length are the smuggling vector.
static chttp_error on_content_length(chttp_head_state *s, const char *v, size_t len) {
    if (s->cl_count++ > 0 || len == 0) return CHTTP_E_BAD_CONTENT_LENGTH;
    uint64_t value = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned char)v[i] - '0';
        if (d > 9) return CHTTP_E_BAD_CONTENT_LENGTH;
        if (value > (UINT64_MAX - d) / 10) return CHTTP_E_BAD_CONTENT_LENGTH;
        value = value * 10 + d;
    }
    s->cl_value = value;
    return CHTTP_OK;
}

// Collects the codings across all Transfer-Encoding lines (they form one list, RFC 9110 5.3).
static chttp_error on_transfer_encoding(chttp_head_state *s, const char *v, size_t len) {
    s->te_count++;
    size_t pos = 0, off, n;
    int items = 0;
    while (next_list_item(v, len, &pos, &off, &n)) {
        items++;
        size_t tok = token_length(v + off, n);
        if (tok == 0) return CHTTP_E_BAD_TRANSFER_ENCODING;
        if (tok < n) {
            // Only transfer-parameters may follow the coding name: OWS ";" ...
            size_t rest = tok;
            while (rest < n && (v[off + rest] == ' ' || v[off + rest] == '\t')) rest++;
            if (rest >= n || v[off + rest] != ';') return CHTTP_E_BAD_TRANSFER_ENCODING;
        }
        if (s->te_chunked) s->te_after_chunked = 1;
        if (CHTTP_EQ(v + off, n, "chunked")) {
            s->te_chunked = 1;
        } else if (CHTTP_EQ(v + off, tok, "chunked")) {
            return CHTTP_E_BAD_TRANSFER_ENCODING; // chunked takes no parameters
        } else {
            s->te_other = 1;
        }
    }
    return items ? CHTTP_OK : CHTTP_E_BAD_TRANSFER_ENCODING;
}

static void on_connection(chttp_head_state *s, const char *v, size_t len) {
    size_t pos = 0, off, n;
    while (next_list_item(v, len, &pos, &off, &n)) {
        if (CHTTP_EQ(v + off, n, "close")) s->conn_close = 1;
        else if (CHTTP_EQ(v + off, n, "keep-alive")) s->conn_keep_alive = 1;
        else if (CHTTP_EQ(v + off, n, "upgrade")) s->conn_upgrade = 1;
    }
}

static void on_content_encoding(chttp_head_state *s, const char *v, size_t len) {
    size_t pos = 0, off, n, items = 0;
    int gzip = 0;
    while (next_list_item(v, len, &pos, &off, &n)) {
        items++;
        gzip = CHTTP_EQ(v + off, n, "gzip") || CHTTP_EQ(v + off, n, "x-gzip");
    }
    // Only a body that is gzip and nothing else can be handed to a single inflate pass.
    s->msg->content_encoding_gzip = (items == 1 && gzip);
}

chttp_error chttp_framing_header(chttp_head_state *s, const chttp_header *h) {
    const char *name = s->buf + h->name_off;
    const char *value = s->buf + h->value_off;
    size_t n = h->name_len, vlen = h->value_len;
    switch (n) {
    case 4:
        if (CHTTP_EQ(name, n, "host")) s->host_count++;
        break;
    case 6:
        if (CHTTP_EQ(name, n, "expect") && CHTTP_EQ(value, vlen, "100-continue")) s->msg->expect_continue = 1;
        break;
    case 7:
        if (CHTTP_EQ(name, n, "upgrade")) s->has_upgrade = 1;
        break;
    case 10:
        if (CHTTP_EQ(name, n, "connection")) on_connection(s, value, vlen);
        break;
    case 14:
        if (CHTTP_EQ(name, n, "content-length")) return on_content_length(s, value, vlen);
        break;
    case 16:
        if (CHTTP_EQ(name, n, "content-encoding")) on_content_encoding(s, value, vlen);
        break;
    case 17:
        if (CHTTP_EQ(name, n, "transfer-encoding")) return on_transfer_encoding(s, value, vlen);
        break;
    default:
        break;
    }
    return CHTTP_OK;
}

static int keep_alive(const chttp_head_state *s) {
    if (s->conn_close) return 0;
    return s->msg->version_minor >= 1 || s->conn_keep_alive;
}

// RFC 9112 3.2: origin-form ("/..."), absolute-form ("scheme:..."), authority-form (CONNECT only) or
// asterisk-form ("*").
static int target_form_ok(const chttp_head_state *s, int is_connect) {
    const char *t = s->buf + s->msg->target_off;
    size_t n = s->msg->target_len;
    if (is_connect) return t[0] != '/' && t[0] != '*';
    if (t[0] == '/') return 1;
    if (t[0] == '*') return n == 1;
    size_t i = 0;
    if (!((t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z')) return 0;
    while (i < n && t[i] != ':') {
        char c = t[i];
        int alnum = ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '+' && c != '-' && c != '.') return 0;
        i++;
    }
    return i < n;
}

chttp_error chttp_framing_finish_request(chttp_head_state *s) {
    chttp_message *m = s->msg;
    // Methods are case-sensitive (RFC 9110 9.1): "connect" is some other, unknown method.
    int is_connect = m->method_len == 7 && memcmp(s->buf + m->method_off, "CONNECT", 7) == 0;
    if (!target_form_ok(s, is_connect)) return CHTTP_E_BAD_TARGET;
    int needs_host = m->version_minor >= 1 && !(s->options & CHTTP_OPT_ALLOW_MISSING_HOST);
    if (s->host_count > 1 || (needs_host && s->host_count == 0)) return CHTTP_E_MISSING_HOST;
    if (s->te_count) {
        // RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 means faulty framing; 6.3: chunked must be last
        // (else 400); 6.1: a coding we do not implement is 501.
        if (m->version_minor == 0) return CHTTP_E_BAD_TRANSFER_ENCODING;
        if (s->cl_count) return CHTTP_E_CL_AND_TE;
        if (!s->te_chunked || s->te_after_chunked) return CHTTP_E_BAD_TRANSFER_ENCODING;
        if (s->te_other) return CHTTP_E_UNSUPPORTED_TRANSFER_CODING;
        m->body_kind = CHTTP_BODY_CHUNKED;
    } else if (s->cl_count) {
        if (s->cl_value > s->max_body) return CHTTP_E_BODY_TOO_LARGE;
        m->content_length = s->cl_value;
        m->body_kind = s->cl_value ? CHTTP_BODY_LENGTH : CHTTP_BODY_NONE;
    }
    // RFC 9110 9.3.6: CONNECT content has no defined semantics; what follows the head is tunnel data.
    if (is_connect) {
        m->body_kind = CHTTP_BODY_NONE;
        m->content_length = 0;
    }
    m->keep_alive = keep_alive(s);
    m->upgrade = is_connect || (s->conn_upgrade && s->has_upgrade);
    return CHTTP_OK;
}

chttp_error chttp_framing_finish_response(chttp_head_state *s, int request_was_head) {
    chttp_message *m = s->msg;
    int status = m->status;
    if (s->te_count && s->cl_count) return CHTTP_E_CL_AND_TE;
    if (s->te_count && m->version_minor == 0) return CHTTP_E_BAD_TRANSFER_ENCODING;
    m->keep_alive = keep_alive(s);
    m->upgrade = (status == 101);
    // RFC 9112 6.3 items 1-2: these responses end with their head whatever the headers say.
    if (request_was_head || status < 200 || status == 204 || status == 304) return CHTTP_OK;
    if (s->te_count) {
        // RFC 9112 6.3 item 4: chunked last means chunked; any other final coding runs until close
        // (safe: the connection is not reused, so there is nothing to smuggle into).
        int chunked_last = s->te_chunked && !s->te_after_chunked;
        m->body_kind = chunked_last ? CHTTP_BODY_CHUNKED : CHTTP_BODY_UNTIL_CLOSE;
    } else if (s->cl_count) {
        if (s->cl_value > s->max_body) return CHTTP_E_BODY_TOO_LARGE;
        m->content_length = s->cl_value;
        m->body_kind = s->cl_value ? CHTTP_BODY_LENGTH : CHTTP_BODY_NONE;
    } else {
        m->body_kind = CHTTP_BODY_UNTIL_CLOSE;
    }
    if (m->body_kind == CHTTP_BODY_UNTIL_CLOSE) m->keep_alive = 0;
    return CHTTP_OK;
}
