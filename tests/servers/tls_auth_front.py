#!/usr/bin/env python3
"""HTTPS with authentication in front of the test OpenSearch node.

The OpenSearch runner the tests use (tests/servers/opensearch.sh) has no security plugin, so it
speaks plain HTTP and knows no users. This front stands in for what the security plugin of
Elasticsearch 8 / OpenSearch adds, so that the sink's TLS and credential paths meet a real
handshake and a real refusal while the documents still land in the real engine:

  * TLS with the given certificate (the client must trust its CA);
  * `Authorization: Basic` with USER:PASSWORD, or `Authorization: ApiKey KEY`; anything else is
    answered 401 with Elasticsearch's error body (security_exception) and a WWW-Authenticate
    header, as Elasticsearch does;
  * every authenticated request is forwarded unchanged (method, path, body, content headers) to
    UPSTREAM and its answer returned.

usage: tls_auth_front.py PORT CERT KEY UPSTREAM USER PASSWORD API_KEY
Prints "listening" once it accepts connections.
"""
import base64
import http.client
import http.server
import json
import ssl
import sys
import urllib.parse


def main():
    port, cert, key, upstream, user, password, api_key = sys.argv[1:8]
    target = urllib.parse.urlsplit(upstream)
    good_basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    good_api_key = "ApiKey " + api_key

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _refuse(self):
            body = json.dumps({"error": {"type": "security_exception",
                                         "reason": "unable to authenticate user"},
                               "status": 401}).encode()
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="security" charset="UTF-8"')
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if self.headers.get("Authorization") not in (good_basic, good_api_key):
                self._refuse()
                return
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() in ("content-type", "content-encoding", "accept",
                                        "accept-encoding")}
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            conn.request(self.command, self.path, body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            self.send_response(r.status)
            for k, v in r.getheaders():
                if k.lower() in ("content-type", "content-encoding"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

    server = http.server.ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print("listening", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
