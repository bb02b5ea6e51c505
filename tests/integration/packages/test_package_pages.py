"""Package pages: the share link of a package opened over HTTP(S) with
http.client: the page, downloads with Range, the zip, passwords and their
attempt limit, 410 for expired packages, returning a file through the form,
downloads counted in `dadctl package show`, and the link of a draft."""

import hashlib
import http.client
import io
import os
import re
import ssl
import unittest
import urllib.parse
import uuid
import zipfile

from harness import GatewayTestCase, close_checked, upload_checked

ALICE = ("alice", "alice-pw-pages")
BOB = ("bob", "bob-pw-pages")


def sha(data):
    return hashlib.sha256(data).hexdigest()


def multipart(fields, file_field, file_name, content):
    """A multipart/form-data body: (content type, bytes)."""
    boundary = "----dadgate" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                      % (boundary, name, value)).encode())
    parts.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                  "Content-Type: application/octet-stream\r\n\r\n"
                  % (boundary, file_field, file_name)).encode() + content + b"\r\n")
    parts.append(("--%s--\r\n" % boundary).encode())
    return "multipart/form-data; boundary=" + boundary, b"".join(parts)


class PackagePagesTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB)
    WEB = True

    # ---- helpers ---------------------------------------------------------

    def request(self, method, path, body=None, headers=None, https=False):
        """One request on a fresh connection: (status, header list, body)."""
        if https:
            conn = http.client.HTTPSConnection("127.0.0.1", self.gateway.https_port, timeout=60,
                                               context=ssl._create_unverified_context())
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.gateway.http_port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    @staticmethod
    def header(headers, name):
        values = [v for k, v in headers if k.lower() == name.lower()]
        return values[0] if values else None

    def origin(self, https=False):
        port = self.gateway.https_port if https else self.gateway.http_port
        return "%s://127.0.0.1:%d" % ("https" if https else "http", port)

    def make_package(self, draft, files, manifest=None, send=True):
        """Alice's package for bob: `files` (path -> bytes), an optional .dad.
        Returns (pid, the link's path "/p/<token>")."""
        client = self.client(*ALICE)
        client.mkdir("/outbox/" + draft)
        with client.open("/outbox/%s/.link" % draft) as f:
            link = f.read().decode()
        pid = re.search(r"(?m)^pid = (\S+)", link).group(1)
        path = urllib.parse.urlparse(re.search(r"(?m)^link = (\S+)", link).group(1)).path
        for name, data in files.items():
            folder = "/outbox/%s" % draft
            for part in name.split("/")[:-1]:
                folder += "/" + part
                try:
                    client.mkdir(folder)
                except IOError:
                    pass
            upload_checked(client, data, "/outbox/%s/%s" % (draft, name))
        upload_checked(client, ("to = bob\n" + (manifest or "")).encode(),
                       "/outbox/%s/.dad" % draft)
        if send:
            client.rename("/outbox/" + draft, "/sent/" + draft)
        return pid, path

    def page(self, path, **kwargs):
        status, headers, body = self.request("GET", path, **kwargs)
        return status, headers, body.decode("utf-8", "replace")

    def form_token(self, html):
        return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)

    # ---- tests -----------------------------------------------------------

    def test_page_lists_files_without_manifest(self):
        a, c = b"alpha " * 1000, b"\x00\x01gamma" * 300
        pid, path = self.make_package("list", {"a.txt": a, "sub/c.bin": c},
                                      manifest="message = for <bob> & co\n")
        status, headers, html = self.page(path)
        self.assertEqual(status, 200, html)
        self.assertIn("a.txt", html)
        self.assertIn("sub/c.bin", html)
        self.assertIn(sha(c), html)
        self.assertIn("for &lt;bob&gt; &amp; co", html)
        self.assertIn("alice", html)
        self.assertNotIn(".dad", html)
        self.assertIn(pid, html)
        csp = self.header(headers, "Content-Security-Policy")
        self.assertIn("default-src 'none'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(self.header(headers, "X-Content-Type-Options"), "nosniff")
        # The manifest cannot be fetched through the link either.
        self.assertEqual(self.request("GET", path + "/f/.dad")[0], 404)
        # An unknown token and a malformed one get the same 404 page.
        unknown = self.page("/p/" + "A" * 32)
        malformed = self.page("/p/..%2f..%2fetc")
        self.assertEqual(unknown[0], 404)
        self.assertEqual(malformed[0], 404)
        self.assertEqual(unknown[2], malformed[2])
        # Over HTTPS too.
        self.assertEqual(self.page(path, https=True)[0], 200)

    def test_download_with_range_is_an_attachment_and_counted(self):
        data = bytes(range(256)) * 4096  # 1 MiB
        pid, path = self.make_package("ranged", {"data.bin": data, "page.html": b"<script>x</script>"})
        status, headers, body = self.request("GET", path + "/f/data.bin",
                                             headers={"Range": "bytes=1000-1999"})
        self.assertEqual(status, 206)
        self.assertEqual(body, data[1000:2000])
        self.assertEqual(self.header(headers, "Content-Range"), "bytes 1000-1999/%d" % len(data))
        # Resuming: the rest from where the first part stopped.
        status, headers, rest = self.request("GET", path + "/f/data.bin",
                                             headers={"Range": "bytes=2000-"})
        self.assertEqual(status, 206)
        self.assertEqual(rest, data[2000:])
        status, headers, body = self.request("GET", path + "/f/data.bin")
        self.assertEqual(status, 200)
        self.assertEqual(sha(body), sha(data))
        self.assertTrue(self.header(headers, "Content-Disposition").startswith("attachment;"))
        self.assertEqual(self.header(headers, "X-Content-Type-Options"), "nosniff")
        # HTML a sender uploads is never served as a page of this origin.
        status, headers, body = self.request("GET", path + "/f/page.html")
        self.assertEqual(status, 200)
        self.assertEqual(self.header(headers, "Content-Type"), "application/octet-stream")
        self.assertIn("sandbox", self.header(headers, "Content-Security-Policy"))
        self.assertTrue(self.header(headers, "Content-Disposition").startswith("attachment;"))
        self.assertEqual(self.request("GET", path + "/f/data.bin",
                                      headers={"Range": "bytes=%d-" % len(data)})[0], 416)
        # The downloads are tracked like any other: by "(link)", over http.
        rc, shown, err = self.gateway.dadctl("package", "show", pid)
        self.assertEqual(rc, 0, err)
        lines = [line for line in shown.splitlines() if "(link)" in line and "data.bin" in line]
        self.assertGreaterEqual(len(lines), 3, shown)
        self.assertTrue(any("complete" in line and "http" in line and "127.0.0.1" in line
                            for line in lines), shown)

    def test_zip_holds_every_file(self):
        files = {"one.bin": b"1" * 70000, "dir/two.txt": b"two\n" * 10, "empty": b""}
        pid, path = self.make_package("zipped", files, manifest="message = zip me\n")
        status, headers, body = self.request("GET", path + "/zip")
        self.assertEqual(status, 200, body[:500])
        self.assertEqual(self.header(headers, "Content-Type"), "application/zip")
        self.assertIn("zipped.zip", self.header(headers, "Content-Disposition"))
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            self.assertIsNone(archive.testzip())
            names = set(archive.namelist())
            self.assertEqual(names, set(files))
            for name, data in files.items():
                self.assertEqual(sha(archive.read(name)), sha(data), name)
        rc, shown, _ = self.gateway.dadctl("package", "show", pid)
        for name in files:
            self.assertTrue([line for line in shown.splitlines()
                             if "(link)" in line and name in line and "complete" in line], shown)
        # No temporary zip is left on the disk.
        tmp = os.path.join(self.gateway.data_dir, "tmp")
        self.assertEqual([n for n in os.listdir(tmp) if n.startswith("zip-")], [])

    def test_password_cookie_and_attempt_limit(self):
        data = b"secret payload" * 100
        pid, path = self.make_package("locked", {"s.txt": data}, manifest="password = open sesame\n")
        status, _, html = self.page(path)
        self.assertEqual(status, 403)
        self.assertIn('name="password"', html)
        self.assertNotIn("s.txt", html)
        self.assertEqual(self.request("GET", path + "/f/s.txt")[0], 403)
        self.assertEqual(self.request("GET", path + "/zip")[0], 403)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        status, _, body = self.request("POST", path + "/password", body="password=wrong",
                                       headers=form)
        self.assertEqual(status, 403)
        self.assertIn(b"Wrong password", body)
        status, headers, _ = self.request("POST", path + "/password",
                                          body="password=open+sesame", headers=form)
        self.assertEqual(status, 303)
        cookie = self.header(headers, "Set-Cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertIn("Path=" + path, cookie)
        value = cookie.split(";")[0]
        status, _, html = self.page(path, headers={"Cookie": value})
        self.assertEqual(status, 200)
        self.assertIn("s.txt", html)
        status, _, body = self.request("GET", path + "/f/s.txt", headers={"Cookie": value})
        self.assertEqual((status, body), (200, data))
        # A tampered cookie is worth nothing.
        self.assertEqual(self.page(path, headers={"Cookie": value[:-2] + "00"})[0], 403)
        # Over HTTPS the cookie is Secure.
        _, headers, _ = self.request("POST", path + "/password", body="password=open+sesame",
                                     headers=form, https=True)
        self.assertIn("Secure", self.header(headers, "Set-Cookie"))
        # Five wrong passwords, then even the right one waits.
        for _ in range(5):
            self.assertEqual(self.request("POST", path + "/password", body="password=nope",
                                          headers=form)[0], 403)
        status, headers, _ = self.request("POST", path + "/password",
                                          body="password=open+sesame", headers=form)
        self.assertEqual(status, 429)
        self.assertTrue(self.header(headers, "Retry-After"))
        # The cookie already given still works.
        self.assertEqual(self.page(path, headers={"Cookie": value})[0], 200)

    def test_expired_package_is_gone(self):
        _, path = self.make_package("old", {"x.txt": b"x"}, manifest="expires = 2020-01-01\n")
        status, _, html = self.page(path)
        self.assertEqual(status, 410)
        self.assertIn("no longer available", html)
        self.assertEqual(self.request("GET", path + "/f/x.txt")[0], 410)
        self.assertEqual(self.request("GET", path + "/zip")[0], 410)

    def test_last_allowed_download_expires_the_package(self):
        _, path = self.make_package("once", {"y.txt": b"y" * 10}, manifest="max_downloads = 1\n")
        self.assertEqual(self.request("GET", path + "/f/y.txt")[:3:2], (200, b"y" * 10))
        self.assertEqual(self.page(path)[0], 410)

    def test_returned_file_reaches_the_sender_inbox(self):
        pid, path = self.make_package("answerme", {"q.txt": b"question"})
        status, _, html = self.page(path)
        self.assertEqual(status, 200)
        token = self.form_token(html)
        answer = b"the answer " * 5000
        content_type, body = multipart([("csrf", token)], "file", "answer.txt", answer)
        headers = {"Content-Type": content_type, "Origin": self.origin()}
        # Refused from another origin, without an origin, or without the form's token.
        self.assertEqual(self.request("POST", path + "/return", body=body, headers=dict(
            headers, Origin="https://evil.example"))[0], 403)
        no_origin = {"Content-Type": content_type}
        self.assertEqual(self.request("POST", path + "/return", body=body,
                                      headers=no_origin)[0], 403)
        bad_type, bad_body = multipart([("csrf", "0" * 64)], "file", "answer.txt", answer)
        self.assertEqual(self.request("POST", path + "/return", body=bad_body, headers={
            "Content-Type": bad_type, "Origin": self.origin()})[0], 403)
        # Accepted: 303 back to the page, which says so.
        status, response_headers, _ = self.request("POST", path + "/return", body=body,
                                                   headers=headers)
        self.assertEqual(status, 303)
        location = self.header(response_headers, "Location")
        self.assertIn("returned=answer.txt", location)
        # Alice finds it in her inbox over SFTP, as a return of her package.
        client = self.client(*ALICE)
        replies = [n for n in client.listdir("/inbox") if "re-answerme" in n]
        self.assertEqual(len(replies), 1, client.listdir("/inbox"))
        with client.open("/inbox/%s/answer.txt" % replies[0]) as f:
            self.assertEqual(sha(f.read()), sha(answer))
        # A second file with the same name is kept beside it.
        status, _, _ = self.request("POST", path + "/return", body=body, headers=headers)
        self.assertEqual(status, 303)
        self.assertIn("answer (2).txt", client.listdir("/inbox/" + replies[0]))
        rc, listing, _ = self.gateway.dadctl("package", "list")
        reply_pids = set(re.findall(r"\S+", listing)) - {pid}
        self.assertTrue(any("return of: " + pid in self.gateway.dadctl("package", "show", p)[1]
                            for p in reply_pids if p.startswith(pid.split("-")[0] + "-")),
                        listing)
        # Malformed multipart is a 400, and nothing new appears.
        status, _, _ = self.request("POST", path + "/return", body=body[:-30], headers=headers)
        self.assertEqual(status, 400)
        self.assertEqual(sorted(set(client.listdir("/inbox/" + replies[0])) - {"reply"}),
                         ["answer (2).txt", "answer.txt"])

    def test_link_of_a_draft_shows_files_as_uploads_complete(self):
        client = self.client(*ALICE)
        pid, path = self.make_package("filling", {"first.txt": b"first"}, send=False)
        status, _, html = self.page(path)
        self.assertEqual(status, 200)
        self.assertIn("first.txt", html)
        self.assertNotIn('id="return"', html)  # nothing to return to before it is sent
        # An upload in progress is not shown; once closed it is.
        handle = client.open("/outbox/filling/second.bin", "wb")
        handle.write(b"s" * 100000)
        handle.flush()
        self.assertNotIn("second.bin", self.page(path)[2])
        close_checked(client, handle)
        html = self.page(path)[2]
        self.assertIn("second.bin", html)
        status, _, body = self.request("GET", path + "/f/second.bin")
        self.assertEqual((status, body), (200, b"s" * 100000))


if __name__ == "__main__":
    unittest.main()
