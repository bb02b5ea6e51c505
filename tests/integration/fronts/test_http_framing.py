"""HTTP framing by the book (RFC 9112), on raw connections to the gateway's
HTTPS and HTTP listeners: each malformed or ambiguous request gets its status
and the connection closes, so nothing after it is ever read as a request;
a request hidden in another's body never runs (it would make a collection),
and nothing is stored for a body whose framing failed."""

import unittest

from harness import GatewayTestCase, basic_auth, wait_until
from httpraw import RawHttp, put_canary, status_of

ALICE = ("alice", "alice-pw-frame")
AUTH = ("Authorization: %s\r\n" % basic_auth(*ALICE)).encode()
CANARY = b"the canary file\n"


def smuggled(name):
    """A whole request that, if it ever ran, leaves /files/smuggled-<name>/."""
    return b"MKCOL /files/smuggled-%s/ HTTP/1.1\r\nHost: a\r\n%s\r\n" % (name.encode(), AUTH)


def canary_get(close=True):
    return (b"GET /files/canary.txt HTTP/1.1\r\nHost: a\r\n" + AUTH +
            (b"Connection: close\r\n" if close else b"") + b"\r\n")


def post(fields, body):
    return b"POST /files/ HTTP/1.1\r\nHost: a\r\n" + AUTH + fields + b"\r\n" + body


def chunked_put(name, body):
    return (b"PUT /files/%s HTTP/1.1\r\nHost: a\r\n%sTransfer-Encoding: chunked\r\n\r\n"
            % (name.encode(), AUTH) + body)


S = smuggled  # short, for the table

# name -> (raw bytes, status). Each must be answered with exactly that one
# response, and then the connection closes.
REFUSED = {
    "cl_cl_differ": post(b"Content-Length: 3\r\nContent-Length: 60\r\n", b"abc" + S("clcl")),
    "cl_plus": post(b"Content-Length: +3\r\n", b"abc" + S("plus")),
    "cl_list": post(b"Content-Length: 3, 60\r\n", b"abc" + S("list")),
    "cl_hex": post(b"Content-Length: 0x3\r\n", b"abc" + S("hex")),
    "cl_te": post(b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n",
                  b"0\r\n\r\n" + S("clte")),
    "te_cl": post(b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n",
                  b"0\r\n\r\n" + S("tecl")),
    "te_xchunked": post(b"Transfer-Encoding: xchunked\r\n", b"0\r\n\r\n" + S("xchunked")),
    "te_chunked_identity": post(b"Transfer-Encoding: chunked, identity\r\n",
                                b"0\r\n\r\n" + S("identity")),
    "te_space_before_colon": post(b"Transfer-Encoding : chunked\r\n", b"0\r\n\r\n" + S("space")),
    "te_folded": post(b"Transfer-Encoding:\r\n chunked\r\n", b"0\r\n\r\n" + S("folded")),
    "te_twice_last_not_chunked": post(b"Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n",
                                      b"0\r\n\r\n" + S("tete")),
    "te_on_http10": (b"POST /files/ HTTP/1.0\r\nHost: a\r\n" + AUTH +
                     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + S("http10")),
    "no_version": b"GET /\r\n" + S("noversion"),
    "bad_version": b"GET / HTTX/1.1\r\nHost: a\r\n\r\n" + S("httx"),
    "no_host": b"GET /files/ HTTP/1.1\r\n" + AUTH + b"\r\n" + S("nohost"),
    "two_hosts": b"GET /files/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n" + AUTH + b"\r\n" + S("hosts"),
    "nul_in_name": b"GET /files/ HTTP/1.1\r\nHost: a\r\nX\x00Y: 1\r\n\r\n" + S("nul"),
    "control_in_value": b"GET /files/ HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n" + S("ctl"),
    "bare_lf": b"GET /files/ HTTP/1.1\nHost: a\n\n" + S("lf"),
    "bare_cr": b"GET /files/ HTTP/1.1\r\nHost: a\rX: 1\r\n\r\n" + S("cr"),
    "space_before_target": b"GET  /files/ HTTP/1.1\r\nHost: a\r\n\r\n" + S("twospaces"),
}
REFUSED_STATUS = {name: 400 for name in REFUSED}
REFUSED.update({
    "http2_version": b"GET / HTTP/2.0\r\nHost: a\r\n\r\n" + S("h2"),
    "te_gzip_then_chunked": post(b"Transfer-Encoding: gzip, chunked\r\n",
                                 b"0\r\n\r\n" + S("gzip")),
    "request_line_too_long": b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: a\r\n\r\n" + S("rl"),
    "field_too_long": b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"b" * 9000 + b"\r\n\r\n" + S("fl"),
    "too_many_fields": (b"GET / HTTP/1.1\r\nHost: a\r\n" +
                        b"".join(b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n" + S("many")),
})
REFUSED_STATUS.update({"http2_version": 505, "te_gzip_then_chunked": 501,
                       "request_line_too_long": 414, "field_too_long": 431,
                       "too_many_fields": 431})

# Chunked PUT bodies whose framing breaks: 400, the connection closes and
# nothing is stored under the name.
BAD_CHUNKS = {
    "size-20-digits.txt": b"fffffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
    "size-negative.txt": b"-5\r\nabcde\r\n0\r\n\r\n",
    "size-not-hex.txt": b"zz\r\nabcde\r\n0\r\n\r\n",
    "size-0x.txt": b"0x5\r\nabcde\r\n0\r\n\r\n",
    "no-crlf-after-data.txt": b"5\r\nabcdeXY0\r\n\r\n",
    "size-line-lf-only.txt": b"5\nabcde\n0\n\n",
}


class HttpFramingTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE,)
    WEB = True
    DEFINES = {"https.header_timeout_seconds": "3"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        put_canary(cls.gateway, ALICE, "/files/canary.txt", CANARY)

    def connect(self, tls):
        port = self.gateway.https_port if tls else self.gateway.http_port
        connection = RawHttp(port, tls=tls)
        self.addCleanup(connection.close)
        return connection

    def exchange(self, raw, tls=True):
        return self.connect(tls).send(raw).responses_until_close()

    def listing(self):
        status, _, body = self.gateway.web_request("PROPFIND", "/files/", user=ALICE,
                                                   headers={"Depth": "1"})
        self.assertEqual(status, 207)
        return body.decode()

    def assertNothingSmuggled(self):
        self.assertNotIn("smuggled-", self.listing())

    def test_each_malformed_head_gets_its_status_and_the_connection_closes(self):
        for tls in (True, False):
            for name, raw in REFUSED.items():
                with self.subTest(case=name, tls=tls):
                    responses = self.exchange(raw, tls)
                    self.assertEqual([status_of(r) for r in responses], [REFUSED_STATUS[name]])
                    line, headers, body = responses[0]
                    self.assertTrue(line.startswith("HTTP/1.1 "), line)
                    self.assertEqual(headers.get("connection"), ["close"])
                    self.assertTrue(body.strip(), "a refusal says why")
        self.assertNothingSmuggled()

    def test_a_control_request_does_run_so_the_smuggling_check_can_see_one(self):
        responses = self.exchange(smuggled("control") + canary_get())
        self.assertEqual([status_of(r) for r in responses], [201, 200])
        self.assertIn("smuggled-control", self.listing())
        self.gateway.web_request("DELETE", "/files/smuggled-control/", user=ALICE)
        self.assertNothingSmuggled()

    def test_bad_chunk_sizes_store_nothing_and_close(self):
        for name, body in BAD_CHUNKS.items():
            with self.subTest(case=name):
                responses = self.exchange(chunked_put(name, body + S("chunk")))
                self.assertEqual([status_of(r) for r in responses], [400])
                status, _, _ = self.gateway.web_request("GET", "/files/" + name, user=ALICE)
                self.assertEqual(status, 404)
        self.assertNothingSmuggled()

    def test_a_body_cut_off_is_kept_only_as_the_partial_upload(self):
        blobs = self.gateway.blob_count()
        connection = self.connect(tls=True)
        connection.send(b"PUT /files/cut.txt HTTP/1.1\r\nHost: a\r\n" + AUTH +
                        b"Content-Length: 1000\r\n\r\n" + b"x" * 10)
        connection.sock.shutdown(2)  # the client goes away mid-body
        connection.close()
        # What arrived is kept for a resume, as over SFTP and FTP; nothing is
        # stored as a finished file. Once the gateway let go of the cut
        # upload, a new PUT of the name succeeds.
        put = lambda: self.gateway.web_request("PUT", "/files/cut.txt", user=ALICE,
                                               body=b"whole\n")[0]
        wait_until(lambda: put() in (201, 204), 30, what="the cut upload let go")
        self.assertEqual(self.gateway.blob_count(), blobs + 1)  # "whole" only
        self.assertEqual(self.gateway.web_request("GET", "/files/cut.txt", user=ALICE)[2],
                         b"whole\n")

    def test_chunked_body_with_trailer_then_a_pipelined_request(self):
        body = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n"
        responses = self.exchange(chunked_put("trailer.txt", body) + canary_get())
        self.assertEqual([status_of(r) for r in responses], [201, 200])
        self.assertEqual(responses[1][2], CANARY)
        status, _, stored = self.gateway.web_request("GET", "/files/trailer.txt", user=ALICE)
        self.assertEqual((status, stored), (200, b"hello world"))

    def test_pipelined_requests_answered_in_order_on_one_connection(self):
        for tls in (True, False):
            with self.subTest(tls=tls):
                raw = canary_get(close=False) * 3 + canary_get()
                responses = self.exchange(raw, tls)
                self.assertEqual([(status_of(r), r[2]) for r in responses], [(200, CANARY)] * 4)

    def test_a_body_longer_than_its_length_is_the_next_request(self):
        raw = (b"PUT /files/three.txt HTTP/1.1\r\nHost: a\r\n" + AUTH +
               b"Content-Length: 3\r\n\r\nabc" + canary_get())
        responses = self.exchange(raw)
        self.assertEqual([status_of(r) for r in responses], [201, 200])
        self.assertEqual(responses[1][2], CANARY)

    def test_http10_without_keep_alive_closes_after_one_response(self):
        raw = b"GET /files/canary.txt HTTP/1.0\r\n" + AUTH + b"\r\n" + S("after10")
        responses = self.exchange(raw)
        self.assertEqual([(status_of(r), r[2]) for r in responses], [(200, CANARY)])
        self.assertNothingSmuggled()

    def test_an_unfinished_head_gets_408_after_the_header_timeout(self):
        connection = self.connect(tls=True)
        connection.send(b"GET /files/ HTTP/1.1\r\nHost: a\r\n")
        responses = connection.responses_until_close()
        self.assertEqual([status_of(r) for r in responses], [408])

    def test_a_connection_that_sends_nothing_is_closed_without_a_reply(self):
        self.assertEqual(self.connect(tls=False).responses_until_close(), [])

    def test_head_and_no_content_responses_carry_no_body(self):
        raw = (b"HEAD /files/canary.txt HTTP/1.1\r\nHost: a\r\n" + AUTH + b"\r\n" + canary_get())
        connection = self.connect(tls=True).send(raw)
        line, headers, _ = connection.response(head_request=True)
        self.assertIn(" 200 ", line)
        self.assertEqual(headers["content-length"], [str(len(CANARY))])
        line, _, body = connection.response()
        self.assertEqual((line.split()[1], body), ("200", CANARY))


if __name__ == "__main__":
    unittest.main()
