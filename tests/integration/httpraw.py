"""Raw HTTP/1.1 for the framing tests: bytes sent exactly as given, over TLS
or plain TCP, and the responses read back one by one from the byte stream,
so a test sees every response the server sent and whether it then closed."""

import socket
import ssl


class RawHttp:
    """One connection. `timeout` bounds every wait: a server that neither
    answers nor closes fails the test instead of hanging it."""

    def __init__(self, port, tls=False, timeout=20):
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls:
            sock = ssl._create_unverified_context().wrap_socket(sock, server_hostname="127.0.0.1")
        self.sock = sock
        self.file = sock.makefile("rb")

    def send(self, data):
        self.sock.sendall(data)
        return self

    def close(self):
        try:
            self.file.close()
            self.sock.close()
        except OSError:
            pass

    def _line(self):
        try:
            return self.file.readline(70000)
        except (ConnectionResetError, ssl.SSLEOFError, ssl.SSLZeroReturnError):
            return b""

    def response(self, head_request=False):
        """The next final response as (status line, {lower-case name: [values]},
        body), skipping 1xx; None when the server closed the connection."""
        while True:
            line = self._line()
            if not line:
                return None
            if not line.endswith(b"\r\n"):
                raise AssertionError("status line not ended by CR LF: %r" % line)
            status = int(line.split(b" ", 2)[1])
            headers = {}
            while True:
                field = self._line()
                if field == b"\r\n":
                    break
                if not field.endswith(b"\r\n"):
                    raise AssertionError("response cut inside its head: %r" % field)
                name, value = field.split(b":", 1)
                headers.setdefault(name.strip().lower().decode(), []).append(
                    value.strip().decode())
            if 100 <= status < 200:
                continue
            return line.rstrip(b"\r\n").decode(), headers, self._body(status, headers,
                                                                        head_request)

    def _body(self, status, headers, head_request):
        if head_request or status in (204, 304):
            return b""
        if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line() not in (b"\r\n", b""):
                        pass
                    return body
                body += self.file.read(size)
                self._line()
        if "content-length" in headers:
            return self.file.read(int(headers["content-length"][0]))
        return self.file.read()

    def responses_until_close(self):
        """Every response until the server closes: [(status, headers, body)].
        Raises socket.timeout when the server keeps the connection open."""
        found = []
        while True:
            response = self.response()
            if response is None:
                return found
            found.append(response)


def status_of(response):
    return int(response[0].split(" ", 2)[1])


def put_canary(gateway, user, path, data):
    """Stores `data` at `path` as `user`: the known answer a framing test
    asks for after each hostile request."""
    status, _, _ = gateway.web_request("PUT", path, user=user, body=data)
    if status not in (201, 204):
        raise AssertionError("PUT %s answered %s" % (path, status))
