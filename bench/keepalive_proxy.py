#!/usr/bin/env python3
"""A keep-alive front for moto, for bench/pipeline.sh only.

moto answers every request with `Connection: close`, so against it each AWS request costs Pismo a
TCP connect and close: kernel work that real AWS (keep-alive) does not impose. Put this proxy
between Pismo and moto (PROXY=keepalive bench/pipeline.sh ...) and the connect/close moves into
this process, whose CPU the benchmark reports on its own line: what is left in Pismo's column is
what Pismo would spend against an endpoint that keeps connections open.

Usage: keepalive_proxy.py LISTEN_PORT UPSTREAM_PORT   (both on 127.0.0.1)
"""
import http.client
import http.server
import sys

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection", "content-length"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive towards Pismo
    # Buffered, flushed once per response: head and body in one segment, as a real server sends
    # them, so the client is not woken twice per response.
    wbufsize = 1 << 16
    upstream_port = 0

    def forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        # The Host header is passed through unchanged: moto builds queue URLs from it, so they
        # point back at this proxy and every later request comes through here too.
        upstream = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
            status, reason, reply_headers = response.status, response.reason, response.getheaders()
        except OSError as error:
            status, reason, reply_headers, payload = 502, "Bad Gateway", [], str(error).encode()
        finally:
            upstream.close()
        self.send_response(status, reason)
        for name, value in reply_headers:
            if name.lower() not in HOP_BY_HOP and name.lower() not in ("server", "date"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = forward

    def log_message(self, *args):
        pass


def main():
    listen, upstream = int(sys.argv[1]), int(sys.argv[2])
    Handler.upstream_port = upstream
    server = http.server.ThreadingHTTPServer(("127.0.0.1", listen), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
