"""Which llhttp vectors are not scored as llhttp scores them, and why (see docs/http-parser.md).

EXCLUDED_*: llhttp API behaviour or llhttp-specific protocol support outside HTTP/1.1 (RFC 9110/9112).
DIVERGENCES: strict cases where we deliberately differ; scored against our decided outcome instead.
LENIENT_DECISIONS: llhttp leniency flags, and what our (strict, not configurable) parser does instead.
Outcomes: accept, reject, upgrade, closed (we stop reading after a message without keep-alive).
"""

EXCLUDED_FILES = {
    "request/pausing.md": "llhttp pause API",
    "response/pausing.md": "llhttp pause API",
}

_RTSP = "RTSP/ICE/SOURCE protocols are not HTTP/1.1 (the README's llhttp-specific list)"
EXCLUDED_IDS = {
    "request/method.md:375": _RTSP,
    "request/method.md:405": _RTSP,
    "request/method.md:433": _RTSP,
    "request/method.md:461": "PRI/HTTP2 preface detection is llhttp API (we answer HTTP/2.0 with 505)",
    "response/sample.md:43": _RTSP,
    "response/sample.md:63": _RTSP,
    "request/content-length.md:447": "skipBody: llhttp callback API (body skipped by the callback)",
    "response/content-length.md:126": "skipBody: llhttp callback API (body skipped by the callback)",
    "url.md:32": "URL component parsing (schema without //) is not the head parser's job",
    "url.md:184": "URL component parsing (userinfo with @@) is not the head parser's job",
}

_TOKEN_METHOD = "RFC 9110 9.1: a method is any token; unknown methods are the application's 501"
DIVERGENCES = {
    "request/invalid.md:69": ("accept", _TOKEN_METHOD),
    "request/invalid.md:359": ("accept", _TOKEN_METHOD),
    "request/sample.md:317": ("reject", "HTTP/0.9 request lines are not HTTP/1.1 (RFC 9112 2.3)"),
    "response/sample.md:648": ("reject", "an HTTP/0.9 status line does not exist; HTTP-version major must be 1"),
    "request/transfer-encoding.md:754": ("reject", "RFC 9112 6.1: a coding we do not implement (deflate) is 501"),
    "request/transfer-encoding.md:796": ("reject", "RFC 9112 6.1: a coding we do not implement (deflate) is 501"),
}

LENIENT_DECISIONS = {
    "headers": ("reject", "obs-fold, whitespace before ':' and control bytes in values are rejected"),
    "chunked-length": ("reject", "Content-Length with Transfer-Encoding is rejected (RFC 9112 6.3 allows it)"),
    "keep-alive": ("closed", "after a message without keep-alive we stop reading"),
    "data-after-close": ("closed", "after a message without keep-alive we stop reading"),
    "optional-lf-after-cr": ("reject", "bare CR is rejected (RFC 9112 2.2)"),
    "optional-cr-before-lf": ("reject", "bare LF line endings are rejected"),
    "all": ("reject", "bare LF line endings are rejected"),
    "header-value-relaxed": ("reject", "control bytes in field values are rejected (RFC 9110 5.5)"),
    "version": ("reject", "HTTP/5.6 is answered 505"),
    "transfer-encoding": ("reject", "chunked must be the final request coding (RFC 9112 6.3: 400)"),
    "optional-crlf-after-chunk": ("reject", "chunk data must end with CRLF"),
    "spaces-after-chunk-size": ("reject", "BWS after the chunk size is only allowed before ';'"),
}
