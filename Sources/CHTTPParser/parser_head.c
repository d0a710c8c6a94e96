// parser_head.c — request line, status line and header lines (RFC 9112 sections 2-5).
//
// One pass over the buffer: every byte is classified once, through chttp_char_class. The parser keeps no
// state between calls; a caller with a partial head calls again with more bytes and the head is
// re-parsed from the start (heads are small; see docs/http-parser.md for the cost argument).
#include <limits.h>
#include <string.h>

#include "parser_internal.h"

#define DEFAULT_MAX_HEAD 65536u
#define DEFAULT_MAX_LINE 16384u

static int fail(chttp_head_state *s, chttp_error e, size_t offset) {
    s->msg->error = e;
    s->msg->error_offset = (uint32_t)offset;
    return CHTTP_ERROR;
}

// The buffer ended inside the head. Before asking for more bytes, make sure waiting can ever succeed:
// a line or head already over its limit is rejected now, so memory stays bounded.
static int need_more(chttp_head_state *s, size_t line_start, int first_line) {
    if (s->len - line_start > s->max_line) {
        return fail(s, first_line ? CHTTP_E_LINE_TOO_LONG : CHTTP_E_HEADER_LINE_TOO_LONG, line_start);
    }
    if (s->len > s->max_head) return fail(s, CHTTP_E_HEADERS_TOO_LARGE, s->max_head);
    return CHTTP_INCOMPLETE;
}

static void init_state(chttp_head_state *s, const char *buf, size_t len, const chttp_limits *limits,
                       chttp_message *msg) {
    memset(s, 0, sizeof(*s));
    s->buf = buf;
    s->len = len;
    s->msg = msg;
    s->capacity = msg->num_headers;
    s->max_head = (limits && limits->max_header_bytes) ? limits->max_header_bytes : DEFAULT_MAX_HEAD;
    s->max_line = (limits && limits->max_line_bytes) ? limits->max_line_bytes : DEFAULT_MAX_LINE;
    s->max_body = (limits && limits->max_body_bytes) ? limits->max_body_bytes : UINT64_MAX;
    // The consumed count is returned as an int.
    if (s->max_head > INT_MAX) s->max_head = INT_MAX;
    chttp_header *headers = msg->headers;
    memset(msg, 0, sizeof(*msg));
    msg->headers = headers;
}

// RFC 9112 2.2: a server SHOULD ignore at least one empty line received before the request line.
// Only CRLF pairs are skipped; a bare LF here is as bad as anywhere else.
// Returns the start of the start line, or a negative result when the input ends inside an empty line.
static long skip_leading_crlf(chttp_head_state *s) {
    // Also keeps buf == NULL (an empty Swift array) away from pointer arithmetic.
    if (s->len == 0) return CHTTP_INCOMPLETE;
    size_t pos = 0;
    while (pos + 1 < s->len && s->buf[pos] == '\r' && s->buf[pos + 1] == '\n') pos += 2;
    if (pos + 1 == s->len && s->buf[pos] == '\r') return need_more(s, pos, 1);
    return (long)pos;
}

// Checks "HTTP/" DIGIT "." DIGIT at pos, byte by byte so that a wrong byte is reported even before the
// whole version has arrived. Returns 0 when all 8 bytes are present and valid.
static int parse_version(chttp_head_state *s, size_t pos, size_t line_start, chttp_error bad) {
    static const char pattern[] = "HTTP/0.0";
    const char *b = s->buf;
    for (size_t i = 0; i < 8; i++) {
        if (pos + i >= s->len) return need_more(s, line_start, 1);
        char c = b[pos + i];
        int ok = (pattern[i] == '0') ? (c >= '0' && c <= '9') : (c == pattern[i]);
        if (!ok) return fail(s, bad, pos + i);
    }
    if (b[pos + 5] != '1') return fail(s, CHTTP_E_UNSUPPORTED_VERSION, pos + 5);
    // RFC 9110 2.5: a higher 1.x minor is processed as the highest minor we implement.
    s->msg->version_minor = (b[pos + 7] == '0') ? 0 : 1;
    return 0;
}

// Expects CRLF at pos. Returns the position after it, or a negative parse result.
static long expect_crlf(chttp_head_state *s, size_t pos, size_t line_start, int first_line,
                        chttp_error bad) {
    if (pos >= s->len) return need_more(s, line_start, first_line);
    if (s->buf[pos] == '\n') return fail(s, CHTTP_E_BARE_LF, pos);
    if (s->buf[pos] != '\r') return fail(s, bad, pos);
    if (pos + 1 >= s->len) return need_more(s, line_start, first_line);
    if (s->buf[pos + 1] != '\n') return fail(s, CHTTP_E_BARE_CR, pos);
    if (pos - line_start > s->max_line) {
        return fail(s, first_line ? CHTTP_E_LINE_TOO_LONG : CHTTP_E_HEADER_LINE_TOO_LONG, line_start);
    }
    return (long)(pos + 2);
}

static size_t scan_class(const char *buf, size_t pos, size_t len, unsigned char cls) {
    const unsigned char *p = (const unsigned char *)buf + pos;
    const unsigned char *end = (const unsigned char *)buf + len;
    while (end - p >= 4) {
        if (!(chttp_char_class[p[0]] & cls)) return (size_t)(p - (const unsigned char *)buf);
        if (!(chttp_char_class[p[1]] & cls)) return (size_t)(p + 1 - (const unsigned char *)buf);
        if (!(chttp_char_class[p[2]] & cls)) return (size_t)(p + 2 - (const unsigned char *)buf);
        if (!(chttp_char_class[p[3]] & cls)) return (size_t)(p + 3 - (const unsigned char *)buf);
        p += 4;
    }
    while (p < end && (chttp_char_class[*p] & cls)) p++;
    return (size_t)(p - (const unsigned char *)buf);
}

// A byte that ends a token or value where it should not: name the error after what it is.
static chttp_error classify_stray(char c, chttp_error otherwise) {
    if (c == '\r') return CHTTP_E_BARE_CR;
    if (c == '\n') return CHTTP_E_BARE_LF;
    return otherwise;
}

static long parse_request_line(chttp_head_state *s, size_t start) {
    const char *b = s->buf;
    chttp_message *m = s->msg;
    size_t pos = scan_class(b, start, s->len, CC_TOKEN);
    if (pos >= s->len) return need_more(s, start, 1);
    if (b[pos] != ' ') {
        // "GET\r\n" is a broken request line; "GE(T /" a broken method.
        int line_end = b[pos] == '\r' || b[pos] == '\n';
        return fail(s, (pos == start || line_end) ? CHTTP_E_BAD_REQUEST_LINE : CHTTP_E_BAD_METHOD, pos);
    }
    if (pos == start) return fail(s, CHTTP_E_BAD_REQUEST_LINE, pos);
    m->method_off = (uint32_t)start;
    m->method_len = (uint32_t)(pos - start);
    size_t target = pos + 1;
    pos = scan_class(b, target, s->len, CC_TARGET);
    if (pos >= s->len) return need_more(s, start, 1);
    if (b[pos] != ' ' || pos == target) {
        // "GET /\r\n" (HTTP/0.9) and double spaces end up here as well.
        chttp_error e = (b[pos] == '\r' || b[pos] == '\n' || pos == target) ? CHTTP_E_BAD_REQUEST_LINE
                                                                            : CHTTP_E_BAD_TARGET;
        return fail(s, e, pos);
    }
    m->target_off = (uint32_t)target;
    m->target_len = (uint32_t)(pos - target);
    int r = parse_version(s, pos + 1, start, CHTTP_E_BAD_VERSION);
    if (r != 0) return r;
    return expect_crlf(s, pos + 9, start, 1, CHTTP_E_BAD_VERSION);
}

static long parse_status_line(chttp_head_state *s, size_t start) {
    const char *b = s->buf;
    chttp_message *m = s->msg;
    int r = parse_version(s, start, start, CHTTP_E_BAD_STATUS_LINE);
    if (r != 0) return r;
    size_t pos = start + 8;
    if (pos >= s->len) return need_more(s, start, 1);
    if (b[pos] != ' ') return fail(s, CHTTP_E_BAD_STATUS_LINE, pos);
    pos++;
    int status = 0;
    for (int i = 0; i < 3; i++, pos++) {
        if (pos >= s->len) return need_more(s, start, 1);
        if (b[pos] < '0' || b[pos] > '9') return fail(s, CHTTP_E_BAD_STATUS_LINE, pos);
        status = status * 10 + (b[pos] - '0');
    }
    if (status < 100) return fail(s, CHTTP_E_BAD_STATUS_LINE, pos - 3);
    m->status = status;
    if (pos >= s->len) return need_more(s, start, 1);
    // RFC 9112 4: the SP before the reason is required, but "HTTP/1.1 200\r\n" is common enough in the
    // wild and unambiguous, so we accept it as an empty reason.
    if (b[pos] == ' ') {
        size_t reason = pos + 1;
        pos = scan_class(b, reason, s->len, CC_REASON);
        m->reason_off = (uint32_t)reason;
        m->reason_len = (uint32_t)(pos - reason);
    } else {
        m->reason_off = (uint32_t)pos;
    }
    return expect_crlf(s, pos, start, 1, CHTTP_E_BAD_STATUS_LINE);
}

// Trims trailing SP/HTAB from a value that starts at from and ends (exclusive) at end.
static size_t trim_ows_end(const char *b, size_t from, size_t end) {
    while (end > from && (b[end - 1] == ' ' || b[end - 1] == '\t')) end--;
    return end;
}

// Parses one header line starting at start. Returns the position after its CRLF, or a negative result.
static long parse_header_line(chttp_head_state *s, size_t start, chttp_header *h) {
    const char *b = s->buf;
    size_t pos = scan_class(b, start, s->len, CC_TOKEN);
    if (pos >= s->len) return need_more(s, start, 0);
    if (b[pos] != ':') {
        if (pos == start && (b[pos] == ' ' || b[pos] == '\t')) return fail(s, CHTTP_E_OBS_FOLD, pos);
        return fail(s, classify_stray(b[pos], CHTTP_E_BAD_HEADER_NAME), pos);
    }
    if (pos == start) return fail(s, CHTTP_E_BAD_HEADER_NAME, pos);
    h->name_off = (uint32_t)start;
    h->name_len = (uint32_t)(pos - start);
    pos++;
    while (pos < s->len && (b[pos] == ' ' || b[pos] == '\t')) pos++;
    size_t value = pos;
    pos = scan_class(b, value, s->len, CC_VALUE);
    if (pos >= s->len) return need_more(s, start, 0);
    if (b[pos] != '\r' && b[pos] != '\n') return fail(s, CHTTP_E_BAD_HEADER_VALUE, pos);
    long next = expect_crlf(s, pos, start, 0, CHTTP_E_BAD_HEADER_VALUE);
    if (next < 0) return next;
    // RFC 9112 5.2: obs-fold is rejected outright (a continuation line starts with SP/HTAB). Checked
    // here, while the byte after the line may be present, so the error points at the fold.
    if ((size_t)next < s->len && (b[next] == ' ' || b[next] == '\t')) return fail(s, CHTTP_E_OBS_FOLD, (size_t)next);
    h->value_off = (uint32_t)value;
    h->value_len = (uint32_t)(trim_ows_end(b, value, pos) - value);
    return next;
}

// Parses header lines until the empty line. Returns the position after the head, or a negative result.
static long parse_header_lines(chttp_head_state *s, size_t pos) {
    const char *b = s->buf;
    chttp_message *m = s->msg;
    if (pos < s->len && (b[pos] == ' ' || b[pos] == '\t')) {
        // RFC 9112 2.2: whitespace between the start line and the first field would let a recipient
        // that skips it disagree with one that folds it; reject.
        return fail(s, CHTTP_E_BAD_HEADER_NAME, pos);
    }
    for (;;) {
        if (pos >= s->len) return need_more(s, pos, 0);
        if (b[pos] == '\r' || b[pos] == '\n') {
            long end = expect_crlf(s, pos, pos, 0, CHTTP_E_BAD_HEADER_NAME);
            if (end > 0 && (size_t)end > s->max_head) return fail(s, CHTTP_E_HEADERS_TOO_LARGE, s->max_head);
            return end;
        }
        if (m->num_headers >= s->capacity) return fail(s, CHTTP_E_TOO_MANY_HEADERS, pos);
        chttp_header *h = &m->headers[m->num_headers];
        long next = parse_header_line(s, pos, h);
        if (next < 0) return next;
        if ((size_t)next > s->max_head) return fail(s, CHTTP_E_HEADERS_TOO_LARGE, s->max_head);
        m->num_headers++;
        chttp_error e = chttp_framing_header(s, h);
        if (e != CHTTP_OK) return fail(s, e, h->value_off);
        pos = (size_t)next;
    }
}

int chttp_parse_request_opts(const char *buf, size_t len, const chttp_limits *limits, unsigned options,
                             chttp_message *msg) {
    chttp_head_state s;
    init_state(&s, buf, len, limits, msg);
    s.is_request = 1;
    s.options = options;
    long start = skip_leading_crlf(&s);
    if (start < 0) return (int)start;
    long pos = parse_request_line(&s, (size_t)start);
    if (pos < 0) return (int)pos;
    long end = parse_header_lines(&s, (size_t)pos);
    if (end < 0) return (int)end;
    // Framing is judged on the whole head, so its errors point at the end of the head.
    chttp_error e = chttp_framing_finish_request(&s);
    if (e != CHTTP_OK) return fail(&s, e, (size_t)end);
    return (int)end;
}

int chttp_parse_request(const char *buf, size_t len, const chttp_limits *limits, chttp_message *msg) {
    return chttp_parse_request_opts(buf, len, limits, 0, msg);
}

int chttp_parse_response(const char *buf, size_t len, const chttp_limits *limits, int request_was_head,
                         chttp_message *msg) {
    chttp_head_state s;
    init_state(&s, buf, len, limits, msg);
    long start = skip_leading_crlf(&s);
    if (start < 0) return (int)start;
    long pos = parse_status_line(&s, (size_t)start);
    if (pos < 0) return (int)pos;
    long end = parse_header_lines(&s, (size_t)pos);
    if (end < 0) return (int)end;
    chttp_error e = chttp_framing_finish_response(&s, request_was_head);
    if (e != CHTTP_OK) return fail(&s, e, (size_t)end);
    return (int)end;
}
