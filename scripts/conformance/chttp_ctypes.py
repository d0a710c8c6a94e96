"""ctypes binding of Sources/CHTTPParser/include/chttp_parser.h and a connection-like driver over it.

The driver does what the Swift server/client does with the parser: parse a head, frame the body
(Content-Length, chunked, until close), re-invoke at the next offset for pipelined messages. It is
used by http_vectors.py to score the llhttp vectors.
"""
import ctypes

INCOMPLETE = -2
ERROR = -1
BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_UNTIL_CLOSE = range(4)
OPT_ALLOW_MISSING_HOST = 1


class Header(ctypes.Structure):
    _fields_ = [("name_off", ctypes.c_uint32), ("name_len", ctypes.c_uint32),
                ("value_off", ctypes.c_uint32), ("value_len", ctypes.c_uint32)]


class Limits(ctypes.Structure):
    _fields_ = [("max_header_bytes", ctypes.c_uint32), ("max_line_bytes", ctypes.c_uint32),
                ("max_body_bytes", ctypes.c_uint64)]


class Message(ctypes.Structure):
    _fields_ = [
        ("method_off", ctypes.c_uint32), ("method_len", ctypes.c_uint32),
        ("target_off", ctypes.c_uint32), ("target_len", ctypes.c_uint32),
        ("status", ctypes.c_int),
        ("reason_off", ctypes.c_uint32), ("reason_len", ctypes.c_uint32),
        ("version_minor", ctypes.c_int),
        ("num_headers", ctypes.c_size_t),
        ("headers", ctypes.POINTER(Header)),
        ("body_kind", ctypes.c_int),
        ("content_length", ctypes.c_uint64),
        ("keep_alive", ctypes.c_int),
        ("expect_continue", ctypes.c_int),
        ("upgrade", ctypes.c_int),
        ("content_encoding_gzip", ctypes.c_int),
        ("error", ctypes.c_int),
        ("error_offset", ctypes.c_uint32),
    ]


class ChunkedDecoder(ctypes.Structure):
    _fields_ = [("remaining_in_chunk", ctypes.c_uint64), ("total", ctypes.c_uint64),
                ("max_body_bytes", ctypes.c_uint64), ("state", ctypes.c_int),
                ("line_len", ctypes.c_uint32), ("trailer_bytes", ctypes.c_uint32)]


class Parser:
    def __init__(self, library_path, header_capacity=128):
        lib = ctypes.CDLL(library_path)
        lib.chttp_parse_request_opts.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(Limits),
                                                 ctypes.c_uint, ctypes.POINTER(Message)]
        lib.chttp_parse_response.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(Limits),
                                             ctypes.c_int, ctypes.POINTER(Message)]
        lib.chttp_chunked_decode.argtypes = [ctypes.POINTER(ChunkedDecoder), ctypes.c_char_p, ctypes.c_size_t,
                                             ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_int)]
        lib.chttp_chunked_decode.restype = ctypes.c_long
        lib.chttp_error_name.restype = ctypes.c_char_p
        self.lib = lib
        self.capacity = header_capacity
        self.headers = (Header * header_capacity)()

    def error_name(self, code):
        return self.lib.chttp_error_name(code).decode()

    def error_status(self, code):
        return self.lib.chttp_error_status(code)

    def parse_head(self, data, is_request, options=0, request_was_head=False, limits=None):
        """Parses one head at the start of `data`. Returns (result, Message, [(name, value)])."""
        msg = Message()
        msg.headers = self.headers
        msg.num_headers = self.capacity
        lim = ctypes.byref(limits) if limits is not None else None
        if is_request:
            r = self.lib.chttp_parse_request_opts(data, len(data), lim, options, ctypes.byref(msg))
        else:
            r = self.lib.chttp_parse_response(data, len(data), lim, int(request_was_head), ctypes.byref(msg))
        headers = []
        if r > 0:
            for i in range(msg.num_headers):
                h = self.headers[i]
                headers.append((data[h.name_off:h.name_off + h.name_len],
                                data[h.value_off:h.value_off + h.value_len]))
        return r, msg, headers

    def decode_chunked(self, data, max_body=0):
        """Decodes a whole chunked body at the start of `data` in one call.
        Returns (result, body bytes, error code)."""
        dec = ChunkedDecoder()
        dec.max_body_bytes = max_body
        buf = ctypes.create_string_buffer(bytes(data), len(data))
        out = ctypes.c_size_t(0)
        err = ctypes.c_int(0)
        r = self.lib.chttp_chunked_decode(ctypes.byref(dec), buf, len(data), ctypes.byref(out), ctypes.byref(err))
        return r, buf.raw[:out.value], err.value


class Outcome:
    """What a connection saw: completed messages, then how the byte stream ended."""

    def __init__(self):
        self.messages = []      # dicts: method, url, status, reason, headers, body, complete
        self.ending = "accept"  # accept | reject | upgrade | closed (data after Connection: close)
        self.error = None       # (offset, error name, status)
        self.pending = False    # a message was started but is not complete at the end of input


def drive(parser, data, is_request, at_eof=False, options=0, request_method=None):
    """Feeds `data` as one connection's bytes. With at_eof the peer closed after the last byte."""
    out = Outcome()
    pos = 0
    while pos < len(data):
        r, msg, headers = parser.parse_head(data[pos:], is_request, options,
                                            request_was_head=(request_method == b"HEAD"))
        if r == INCOMPLETE:
            out.pending = any(b not in b"\r\n" for b in data[pos:])
            break
        if r == ERROR:
            out.ending = "reject"
            out.error = (pos + msg.error_offset, parser.error_name(msg.error), parser.error_status(msg.error))
            break
        m = _message_from_head(data, pos, msg, headers, is_request)
        out.messages.append(m)
        pos += r
        pos, status = _frame_body(parser, data, pos, msg, m, at_eof)
        if status == "reject":
            out.ending = "reject"
            out.error = (pos, m.pop("error_name"), 400)
            break
        if status == "incomplete":
            out.pending = True
            break
        if msg.upgrade:
            out.ending = "upgrade"
            break
        if not msg.keep_alive and pos < len(data):
            out.ending = "closed"
            break
    return out


def _message_from_head(data, pos, msg, headers, is_request):
    m = {"headers": headers, "body": b"", "complete": False, "keep_alive": msg.keep_alive,
         "body_kind": msg.body_kind, "upgrade": msg.upgrade}
    if is_request:
        m["method"] = data[pos + msg.method_off:pos + msg.method_off + msg.method_len]
        m["url"] = data[pos + msg.target_off:pos + msg.target_off + msg.target_len]
    else:
        m["status"] = msg.status
        m["reason"] = data[pos + msg.reason_off:pos + msg.reason_off + msg.reason_len]
    return m


def _frame_body(parser, data, pos, msg, m, at_eof):
    """Consumes the body after a head. Returns (new position, complete|incomplete|reject)."""
    kind = msg.body_kind
    if kind == BODY_NONE:
        m["complete"] = True
        return pos, "complete"
    if kind == BODY_LENGTH:
        body = data[pos:pos + msg.content_length]
        m["body"] = body
        if len(body) < msg.content_length:
            return len(data), "incomplete"
        m["complete"] = True
        return pos + len(body), "complete"
    if kind == BODY_CHUNKED:
        r, body, err = parser.decode_chunked(data[pos:])
        m["body"] = body
        if r == ERROR:
            m["error_name"] = parser.error_name(err)
            return pos, "reject"
        if r == INCOMPLETE:
            return len(data), "incomplete"
        m["complete"] = True
        return pos + r, "complete"
    m["body"] = data[pos:]
    if at_eof:
        m["complete"] = True
        return len(data), "complete"
    return len(data), "incomplete"
