"""WebDAV: litmus, curl, rclone (owncloud vendor), bad input, upload by hash,
sending a package with MOVE, and the durability rule over HTTP(S)."""

import base64
import hashlib
import http.client
import os
import shutil
import socket
import ssl
import unittest

from harness import MiB, GatewayTestCase, basic_auth, run

ALICE = ("alice", "alice-pw-dav")
BOB = ("bob", "bob-pw-dav")


class WebDavTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB)
    WEB = True

    # ---- helpers ---------------------------------------------------------

    def request(self, method, path, user=ALICE, body=None, headers=None, https=False):
        """One request on a fresh connection; returns (status, headers, body)."""
        if https:
            context = ssl._create_unverified_context()
            conn = http.client.HTTPSConnection("127.0.0.1", self.gateway.https_port,
                                               timeout=30, context=context)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.gateway.http_port, timeout=30)
        try:
            all_headers = {"Authorization": basic_auth(*user)} if user else {}
            all_headers.update(headers or {})
            conn.putrequest(method, path, skip_accept_encoding=True)
            for key, value in all_headers.items():
                conn.putheader(key, value)
            if body is not None and "Transfer-Encoding" not in all_headers:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def raw(self, data, timeout=10):
        """Sends raw bytes on the HTTP port; returns what came back before the
        server answered and (for keep-alive) up to `timeout`."""
        with socket.create_connection(("127.0.0.1", self.gateway.http_port), timeout=timeout) as s:
            s.sendall(data)
            return s.recv(65536)

    def curl(self, *args):
        return run(["curl", "-sS", "-k", "--max-time", "60", "-u", "%s:%s" % ALICE]
                   + list(args))

    # ---- tests -----------------------------------------------------------

    def test_litmus_passes_completely(self):
        if not shutil.which("litmus"):
            self.fail("litmus is not installed (scripts/install-deps.sh installs it)")
        for url in (self.gateway.web_url("/files/"), self.gateway.web_url("/files/", https=True)):
            result = run(["litmus", url, ALICE[0], ALICE[1]], timeout=600, cwd=self.tmp)
            self.assertEqual(result.returncode, 0, result)
            for suite in ("basic", "copymove", "props", "locks", "http"):
                self.assertRegex(result.stdout, r"summary for `%s': of \d+ tests run: (\d+) passed, "
                                 r"0 failed" % suite)
            self.assertNotIn("WARNING", result.stdout)

    def test_options_and_propfind_at_root(self):
        status, headers, _ = self.request("OPTIONS", "/", user=None)
        self.assertEqual(status, 200)
        self.assertEqual(headers["DAV"], "1, 2")
        self.assertEqual(headers["MS-Author-Via"], "DAV")
        status, _, body = self.request("PROPFIND", "/", headers={"Depth": "1"})
        self.assertEqual(status, 207)
        for area in (b"/files/", b"/outbox/", b"/sent/", b"/inbox/"):
            self.assertIn(area, body)
        # A collection without its trailing slash: answered, not redirected.
        status, _, body = self.request("PROPFIND", "/files", headers={"Depth": "0"})
        self.assertEqual(status, 207)
        self.assertRegex(body, rb"<D:creationdate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<")

    def test_depth_infinity_refused(self):
        status, _, body = self.request("PROPFIND", "/files/", headers={"Depth": "infinity"})
        self.assertEqual(status, 403)
        self.assertIn(b"propfind-finite-depth", body)

    def test_authentication_required(self):
        status, headers, _ = self.request("PROPFIND", "/files/", user=None)
        self.assertEqual(status, 401)
        self.assertIn("Basic", headers["WWW-Authenticate"])
        status, _, _ = self.request("PROPFIND", "/files/", user=("alice", "wrong"))
        self.assertEqual(status, 401)

    def test_curl_put_get_range_over_https(self):
        source = self.local("a.bin")
        data = os.urandom(MiB + 17)
        with open(source, "wb") as f:
            f.write(data)
        url = self.gateway.web_url("/files/a.bin", https=True)
        put = self.curl("-o", "/dev/null", "-w", "%{http_code}", "-T", source, url)
        self.assertEqual(put.stdout, "201", put)
        back = self.local("back.bin")
        get = self.curl("-o", back, "-w", "%{http_code}", url)
        self.assertEqual(get.stdout, "200", get)
        with open(back, "rb") as f:
            self.assertEqual(f.read(), data)
        part = self.curl("-o", back, "-w", "%{http_code}", "-r", "100-199", url)
        self.assertEqual(part.stdout, "206", part)
        with open(back, "rb") as f:
            self.assertEqual(f.read(), data[100:200])
        status, headers, _ = self.request("HEAD", "/files/a.bin")
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        etag = headers["ETag"]
        status, _, _ = self.request("GET", "/files/a.bin", headers={"If-None-Match": etag})
        self.assertEqual(status, 304)
        status, _, _ = self.request("PUT", "/files/a.bin", body=b"x", headers={"If-Match": '"0"'})
        self.assertEqual(status, 412)

    def test_chunked_put_with_expected_length(self):
        body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        status, _, _ = self.request("PUT", "/files/chunked.txt", body=body, headers={
            "Transfer-Encoding": "chunked", "X-Expected-Entity-Length": "11"})
        self.assertEqual(status, 201)
        status, _, got = self.request("GET", "/files/chunked.txt")
        self.assertEqual(got, b"hello world")

    def test_rclone_owncloud_copy_and_check(self):
        src = self.local("tree")
        os.makedirs(os.path.join(src, "sub"))
        for i in range(5):
            with open(os.path.join(src, "sub" if i % 2 else "", "f%d.txt" % i), "wb") as f:
                f.write(os.urandom(1000 + i))
        obscured = run(["rclone", "obscure", ALICE[1]]).stdout.strip()
        env = dict(os.environ, RCLONE_CONFIG_DAV_TYPE="webdav",
                   RCLONE_CONFIG_DAV_URL=self.gateway.web_url("/files/", https=True),
                   RCLONE_CONFIG_DAV_VENDOR="owncloud", RCLONE_CONFIG_DAV_USER=ALICE[0],
                   RCLONE_CONFIG_DAV_PASS=obscured, RCLONE_CONFIG="/dev/null")
        base = ["rclone", "--no-check-certificate", "--low-level-retries", "1", "--retries", "1"]
        result = run(base + ["copy", src, "dav:tree"], env=env)
        self.assertTrue(result.ok, result)
        result = run(base + ["check", src, "dav:tree"], env=env)
        self.assertTrue(result.ok, result)
        result = run(base + ["lsl", "dav:tree"], env=env)
        self.assertEqual(len(result.stdout.splitlines()), 5, result)

    def test_bad_paths_refused(self):
        for path in ("/files/%2e%2e/%2e%2e/etc/passwd", "/files/%252e%252e/x", "/files/..%5cx",
                     "/files/a\\b", "/files/..%EF%BC%8Fetc", "/files/x%00y"):
            status, _, _ = self.request("GET", path)
            self.assertEqual(status, 400, path)
        self.request("PUT", "/files/src.txt", body=b"data")
        status, _, _ = self.request("COPY", "/files/src.txt", headers={
            "Destination": "http://elsewhere.example/files/dst.txt"})
        self.assertEqual(status, 502)
        status, _, _ = self.request("MOVE", "/files/src.txt", headers={
            "Destination": self.gateway.web_url("/files/%2e%2e/%2e%2e/dst.txt")})
        self.assertEqual(status, 400)
        status, _, _ = self.request("COPY", "/files/src.txt", headers={
            "Destination": self.gateway.web_url("/inbox/dst.txt")})
        self.assertIn(status, (403, 409))  # no such package in /inbox: never written

    def test_hostile_xml_bodies_refused(self):
        doctype = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                   b'<D:propfind xmlns:D="DAV:"><D:prop>&e;</D:prop></D:propfind>')
        status, _, body = self.request("PROPFIND", "/files/", body=doctype, headers={"Depth": "0"})
        self.assertEqual(status, 400)
        self.assertNotIn(b"root:", body)
        deep = b"<a>" * 5000 + b"</a>" * 5000
        status, _, _ = self.request("PROPFIND", "/files/", body=deep, headers={"Depth": "0"})
        self.assertEqual(status, 400)
        # A body past the cap is refused from its Content-Length alone; the
        # gateway answers without reading it, so only the headers are sent
        # (sending the body too would race the server's close: EPIPE).
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway.http_port, timeout=30)
        try:
            conn.putrequest("PROPFIND", "/files/", skip_accept_encoding=True)
            conn.putheader("Authorization", basic_auth(*ALICE))
            conn.putheader("Depth", "0")
            conn.putheader("Content-Length", str(2 * MiB))
            conn.endheaders()
            self.assertEqual(conn.getresponse().status, 413)
        finally:
            conn.close()
        # The gateway still answers.
        status, _, _ = self.request("PROPFIND", "/files/", headers={"Depth": "0"})
        self.assertEqual(status, 207)

    def test_upload_by_hash_skips_the_body(self):
        data = os.urandom(200000)
        digest = hashlib.sha256(data).digest()
        status, _, _ = self.request("PUT", "/files/original.bin", body=data)
        self.assertEqual(status, 201)
        header = "sha-256=:%s:" % base64.b64encode(digest).decode()
        request = ("PUT /files/linked.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n"
                   "Content-Length: %d\r\nExpect: 100-continue\r\nRepr-Digest: %s\r\n\r\n"
                   % (basic_auth(*BOB), len(data), header)).encode()
        reply = self.raw(request)
        self.assertTrue(reply.startswith(b"HTTP/1.1 201"), reply)
        self.assertIn(b"X-Dad-Upload: linked", reply)
        status, _, got = self.request("GET", "/files/linked.bin", user=BOB)
        self.assertEqual(got, data)
        # ownCloud's header works the same way.
        request = request.replace(b"Repr-Digest: " + header.encode(),
                                  b"OC-Checksum: SHA256:" + hashlib.sha256(data).hexdigest().encode())
        request = request.replace(b"/files/linked.bin", b"/files/linked2.bin")
        self.assertTrue(self.raw(request).startswith(b"HTTP/1.1 201"))

    def test_digest_mismatch_stores_nothing(self):
        data = b"the real body"
        wrong = base64.b64encode(hashlib.sha256(b"something else").digest()).decode()
        status, _, _ = self.request("PUT", "/files/mismatch.bin", body=data,
                                    headers={"Repr-Digest": "sha-256=:%s:" % wrong})
        self.assertEqual(status, 400)
        status, _, _ = self.request("GET", "/files/mismatch.bin")
        self.assertEqual(status, 404)
        right = base64.b64encode(hashlib.sha256(data).digest()).decode()
        status, _, _ = self.request("PUT", "/files/mismatch.bin", body=data,
                                    headers={"Repr-Digest": "sha-256=:%s:" % right})
        self.assertEqual(status, 201)

    def test_send_package_with_move(self):
        self.assertEqual(self.request("MKCOL", "/outbox/for-bob/")[0], 201)
        self.assertEqual(self.request("PUT", "/outbox/for-bob/.dad",
                                      body=b"to = bob\nmessage = via webdav\n")[0], 201)
        self.assertEqual(self.request("PUT", "/outbox/for-bob/report.txt", body=b"report")[0], 201)
        status, _, _ = self.request("MOVE", "/outbox/for-bob", headers={
            "Destination": self.gateway.web_url("/sent/for-bob")})
        self.assertIn(status, (201, 204))
        status, _, body = self.request("PROPFIND", "/inbox/", user=BOB, headers={"Depth": "1"})
        self.assertEqual(status, 207)
        self.assertIn(b"for-bob", body)

    def test_acknowledged_upload_survives_kill9(self):
        data = os.urandom(300000)
        status, _, _ = self.request("PUT", "/files/durable.bin", body=data)
        self.assertEqual(status, 201)
        self.gateway.kill9()
        self.gateway.start()
        status, headers, got = self.request("GET", "/files/durable.bin")
        self.assertEqual(status, 200)
        self.assertEqual(got, data)
        self.assertIn(headers["ETag"].strip('"'), self.etag_of(data))

    @staticmethod
    def etag_of(data):
        return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")

    def test_dead_property_persists_and_win32_time_maps(self):
        self.request("PUT", "/files/p.txt", body=b"p")
        patch = (b'<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" '
                 b'xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>'
                 b'<Z:Win32LastModifiedTime>Wed, 01 Jan 2020 00:00:00 GMT</Z:Win32LastModifiedTime>'
                 b'<Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>'
                 b'</D:prop></D:set></D:propertyupdate>')
        status, _, body = self.request("PROPPATCH", "/files/p.txt", body=patch)
        self.assertEqual(status, 207)
        self.assertNotIn(b"403", body)
        self.gateway.restart()
        status, _, body = self.request("PROPFIND", "/files/p.txt", headers={"Depth": "0"})
        self.assertIn(b"00000020", body)
        self.assertIn(b"Wed, 01 Jan 2020 00:00:00 GMT", body)


if __name__ == "__main__":
    unittest.main()
