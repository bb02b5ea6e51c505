"""The gateway behind the reverse proxies a company puts in front of it:
HAProxy in HTTP mode and nginx proxy_pass, both keeping their connections to
the gateway alive and sharing them between clients. Honest traffic passes
whole; for every smuggling variant, a request hidden in another's body never
reaches the gateway as a request of its own (it would make a collection),
and the next client on the shared backend connection gets its own answer."""

import hashlib
import http.client
import os
import socket
import unittest

from harness import MiB, GatewayTestCase, basic_auth
from httpraw import RawHttp, put_canary, status_of
from servers import HaProxy, NginxProxy

ALICE = ("alice", "alice-pw-proxy")
AUTH = ("Authorization: %s\r\n" % basic_auth(*ALICE)).encode()
CANARY = b"the canary behind the proxy\n"


def smuggled(name):
    return b"MKCOL /files/smuggled-%s/ HTTP/1.1\r\nHost: a\r\n%s\r\n" % (name.encode(), AUTH)


def post(fields, body):
    return b"POST /files/ HTTP/1.1\r\nHost: a\r\n" + AUTH + fields + b"\r\n" + body


def in_chunk(data, size_line_suffix=b""):
    """A chunked body whose one chunk is `data`."""
    return b"%x%s\r\n%s\r\n0\r\n\r\n" % (len(data), size_line_suffix, data)


def attempts(tag):
    """The usual request-smuggling variants. In each, the hidden request is
    body (or malformed framing) as RFC 9112 reads it, and a request of its
    own as some lenient reader would take it: one that takes the first of
    two lengths, a Content-Length beside chunked, `chunked` found anywhere in
    a Transfer-Encoding, a bare LF, a wrapped chunk size, a trailer or a
    GET's body read as the next request."""
    S = lambda name: smuggled("%s-%s" % (tag, name))
    return {
        "cl_cl": post(b"Content-Length: 0\r\nContent-Length: %d\r\n" % len(S("clcl")),
                      S("clcl")),
        "te_cl": post(b"Transfer-Encoding: chunked\r\nContent-Length: %d\r\n"
                      % len(b"%x\r\n" % len(S("tecl"))), in_chunk(S("tecl"))),
        "cl_te": post(b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n"
                      % len(in_chunk(S("clte"))), in_chunk(S("clte"))),
        "te_xchunked": post(b"Transfer-Encoding: xchunked\r\nContent-Length: %d\r\n"
                            % (5 + len(S("xch"))), b"0\r\n\r\n" + S("xch")),
        "te_space_colon": post(b"Transfer-Encoding : chunked\r\nContent-Length: %d\r\n"
                               % (5 + len(S("sp"))), b"0\r\n\r\n" + S("sp")),
        "te_identity": post(b"Transfer-Encoding: chunked, identity\r\nContent-Length: %d\r\n"
                            % (5 + len(S("id"))), b"0\r\n\r\n" + S("id")),
        "te_folded": post(b"Transfer-Encoding:\r\n chunked\r\n", in_chunk(S("fold"))),
        "te_tab_chunked": post(b"Transfer-Encoding:\tchunked\r\n", in_chunk(S("tab"))),
        "te_http10": (b"POST /files/ HTTP/1.0\r\nHost: a\r\n" + AUTH +
                      b"Transfer-Encoding: chunked\r\n\r\n" + in_chunk(S("h10"))),
        "chunk_size_lf": post(b"Transfer-Encoding: chunked\r\n",
                              b"%x\n%s\n0\n\n" % (len(S("lf")), S("lf"))),
        "chunk_size_0x": post(b"Transfer-Encoding: chunked\r\n",
                              b"0x%x\r\n%s\r\n0\r\n\r\n" % (len(S("0x")), S("0x"))),
        "chunk_size_wraps": post(b"Transfer-Encoding: chunked\r\n",
                                 b"10000000000000000005\r\nabcde\r\n" + S("wrap")),
        "chunk_extension_long": post(b"Transfer-Encoding: chunked\r\n",
                                     in_chunk(S("ext"), b";" + b"e" * 5000)),
        "trailer_request": post(b"Transfer-Encoding: chunked\r\n", b"0\r\n" + S("trailer")),
        "cl_plus": post(b"Content-Length: +%d\r\n" % len(S("plus")), S("plus")),
        "get_with_body": (b"GET /files/canary.txt HTTP/1.1\r\nHost: a\r\n" + AUTH +
                          b"Content-Length: %d\r\n\r\n" % len(S("get")) + S("get")),
    }


class ProxiedGatewayTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE,)
    WEB = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        put_canary(cls.gateway, ALICE, "/files/canary.txt", CANARY)
        cls.proxies = []
        for kind in (HaProxy, NginxProxy):
            proxy = kind(cls.gateway.http_port)
            cls.addClassCleanup(proxy.cleanup)
            cls.proxies.append(proxy.start())

    def listing(self):
        status, _, body = self.gateway.web_request("PROPFIND", "/files/", user=ALICE,
                                                   headers={"Depth": "1"})
        self.assertEqual(status, 207)
        return body.decode()

    def canary_through(self, proxy):
        connection = RawHttp(proxy.port)
        self.addCleanup(connection.close)
        connection.send(b"GET /files/canary.txt HTTP/1.1\r\nHost: a\r\n" + AUTH +
                        b"Connection: close\r\n\r\n")
        return [(status_of(r), r[2]) for r in connection.responses_until_close()]

    def test_honest_traffic_passes_whole_on_kept_alive_connections(self):
        data = os.urandom(MiB)
        for proxy in self.proxies:
            with self.subTest(proxy=proxy.NAME):
                conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=60)
                self.addCleanup(conn.close)
                headers = {"Authorization": basic_auth(*ALICE)}
                for i in range(10):  # one client connection, many requests
                    name = "/files/%s-%d.txt" % (proxy.NAME, i)
                    conn.request("PUT", name, body=b"file %d\n" % i, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    self.assertEqual(response.status, 201)
                    conn.request("GET", name, headers=headers)
                    response = conn.getresponse()
                    self.assertEqual((response.status, response.read()), (200, b"file %d\n" % i))
                big = "/files/%s-big.bin" % proxy.NAME
                conn.request("PUT", big, body=iter([data[:MiB // 2], data[MiB // 2:]]),
                             headers=headers, encode_chunked=True)
                response = conn.getresponse()
                response.read()
                self.assertEqual(response.status, 201)
                conn.request("GET", big, headers=headers)
                response = conn.getresponse()
                self.assertEqual(hashlib.sha256(response.read()).hexdigest(),
                                 hashlib.sha256(data).hexdigest())

    def test_a_control_request_through_a_proxy_does_run(self):
        for proxy in self.proxies:
            with self.subTest(proxy=proxy.NAME):
                name = "control-" + proxy.NAME
                connection = RawHttp(proxy.port)
                self.addCleanup(connection.close)
                connection.send(smuggled(name)[:-2] + b"Connection: close\r\n\r\n")
                self.assertEqual([status_of(r) for r in connection.responses_until_close()],
                                 [201])
                self.assertIn("smuggled-" + name, self.listing())
                self.gateway.web_request("DELETE", "/files/smuggled-%s/" % name, user=ALICE)

    def test_no_hidden_request_reaches_the_gateway(self):
        for proxy in self.proxies:
            for name, raw in attempts(proxy.NAME).items():
                with self.subTest(proxy=proxy.NAME, case=name):
                    connection = RawHttp(proxy.port)
                    self.addCleanup(connection.close)
                    connection.send(raw)
                    connection.sock.shutdown(socket.SHUT_WR)
                    connection.responses_until_close()  # whatever the proxy answered
                    # The next client, likely on the same backend connection,
                    # gets its own answer and nothing else.
                    self.assertEqual(self.canary_through(proxy), [(200, CANARY)])
        self.assertNotIn("smuggled-", self.listing())
        for proxy in self.proxies:
            self.assertEqual(self.canary_through(proxy), [(200, CANARY)])


if __name__ == "__main__":
    unittest.main()
