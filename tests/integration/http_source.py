"""A real HTTP server for the fetch tests (Python's http.server on loopback):
serves FILES by path, answers /redirect?to=URL with a 302 to URL, and serves
the paths in PROTECTED only with HTTP basic authentication of their
(user, password), else 401. Each test module keeps its own Handler subclass."""

import base64
import http.server
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    files = {}  # path -> bytes
    protected = {}  # path -> (user, password)

    def do_GET(self):
        if self.path.startswith("/redirect?to="):
            self.send_response(302)
            self.send_header("Location", self.path[len("/redirect?to="):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path in self.protected:
            expected = "Basic " + base64.b64encode(
                ("%s:%s" % self.protected[self.path]).encode()).decode()
            if self.headers.get("Authorization") != expected:
                self.send_error(401)
                return
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve_http(address, handler=Handler):
    """Starts a threading HTTP server on `address` (port chosen by the system)."""
    server = http.server.ThreadingHTTPServer((address, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server
