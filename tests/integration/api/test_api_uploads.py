"""Resumable browser uploads through the API (tus 1.0 core) into a draft:
the link exists before the upload ends, a PATCH cut off mid-body keeps what
arrived and the upload resumes from the server's offset, a wrong offset is
409, and an upload whose SHA-256 the store already holds moves no bytes.
The bytes land on the session's partial uploads: the same machinery SFTP
reput resumes."""

import hashlib
import os
import socket
import ssl
import unittest

from api_client import ApiClient, b64, make_token, tls_context
from harness import GatewayTestCase, wait_until


class ApiUploadTest(GatewayTestCase, unittest.TestCase):
    WEB = True
    USERS = (("alice", "alice-pw-1"), ("bob", "bob-pw-1"))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice = ApiClient(cls.gateway, make_token(cls.gateway, "alice", "up"))
        cls.bob = ApiClient(cls.gateway, make_token(cls.gateway, "bob", "up"))

    def cut_patch(self, upload_id, offset, data, send):
        """A PATCH announcing all of `data` whose connection closes after `send` bytes."""
        raw = socket.create_connection(("127.0.0.1", self.gateway.https_port), timeout=30)
        conn = tls_context().wrap_socket(raw, server_hostname="127.0.0.1")
        head = ("PATCH /api/v1/uploads/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Authorization: Bearer %s\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: %d\r\n"
                "Content-Type: application/offset+octet-stream\r\nContent-Length: %d\r\n\r\n"
                % (upload_id, self.alice.token, offset, len(data)))
        conn.sendall(head.encode("ascii") + data[:send])
        conn.close()

    def test_cut_upload_resumes_from_the_servers_offset(self):
        pid = self.alice.make_draft("big", to=["bob"])
        detail = self.alice.get("/api/v1/packages/" + pid).json
        self.assertTrue(detail["link"].startswith("https://"))  # before any byte
        data = os.urandom(3 * 1024 * 1024 + 17)
        created = self.alice.create_upload(pid, "folder/data.bin", len(data))
        self.assertEqual(created.status, 201, created)
        self.assertEqual(created.headers["tus-resumable"], "1.0.0")
        upload_id = created.json["id"]
        self.assertTrue(created.headers["location"].endswith(upload_id))
        self.assertEqual(self.alice.offset(upload_id), 0)
        half = 1024 * 1024 + 5
        self.cut_patch(upload_id, 0, data, half)
        # The server keeps what reached it (bytes still in flight at the cut
        # are lost, as on any network): resume from the offset it gives.
        wait_until(lambda: self.alice.offset(upload_id) > 0, 30, interval=0.1,
                   what="the cut PATCH's bytes to be held")
        held = self.alice.offset(upload_id)
        self.assertLessEqual(held, half)
        wrong = self.alice.patch(upload_id, held + 1, data[held + 1:held + 2])
        self.assertEqual(wrong.status, 409, wrong)
        done = None

        def resumed():
            nonlocal done
            offset = self.alice.offset(upload_id)
            try:
                done = self.alice.patch(upload_id, offset, data[offset:])
            except OSError:  # a 409 (the cut connection was still being read) closes early
                return False
            return done.status != 409

        wait_until(resumed, 30, interval=0.1, what="the resumed PATCH")
        self.assertEqual(done.status, 204, done)
        self.assertEqual(done.headers["upload-offset"], str(len(data)))
        self.assertEqual(self.alice.offset(upload_id), len(data))
        self.alice.send(pid)
        files = self.alice.get("/api/v1/packages/" + pid).json["files"]
        self.assertEqual(files, [{"path": "folder/data.bin", "size": len(data),
                                  "sha256": hashlib.sha256(data).hexdigest()}])
        self.assertEqual(self.bob.request("HEAD", "/api/v1/uploads/" + upload_id).status, 404)

    def test_upload_by_hash_moves_no_bytes(self):
        data = os.urandom(200000)
        digest = hashlib.sha256(data).hexdigest()
        first = self.alice.make_draft("one")
        self.alice.upload(first, "a.bin", data)
        blobs = self.gateway.blob_count()
        second = self.alice.make_draft("two")
        linked = self.alice.create_upload(second, "copy.bin", len(data), sha256=digest)
        self.assertEqual(linked.status, 201, linked)
        self.assertTrue(linked.json["linked"])
        self.assertEqual(linked.headers["upload-offset"], str(len(data)))
        self.assertEqual(self.gateway.blob_count(), blobs)
        files = self.alice.get("/api/v1/packages/" + second).json["files"]
        self.assertEqual(files, [{"path": "copy.bin", "size": len(data), "sha256": digest}])
        # A hash the store does not hold: an ordinary upload follows.
        unknown = self.alice.create_upload(second, "new.bin", 5, sha256="0" * 64)
        self.assertEqual(unknown.status, 201, unknown)
        self.assertFalse(unknown.json["linked"])
        self.assertEqual(self.alice.offset(unknown.json["id"]), 0)

    def test_bad_uploads_are_refused_clearly(self):
        pid = self.alice.make_draft("bad")
        no_length = self.alice.request("POST", "/api/v1/uploads", headers={
            "Upload-Metadata": "draft %s,filename %s" % (b64(pid), b64("x"))})
        self.assertEqual(no_length.status, 400, no_length)
        self.assertIn("Upload-Length", no_length.json["error"]["message"])
        created = self.alice.create_upload(pid, "x.bin", 4)
        upload_id = created.json["id"]
        wrong_type = self.alice.request("PATCH", "/api/v1/uploads/" + upload_id, raw=b"abcd",
                                        headers={"Upload-Offset": "0",
                                                 "Content-Type": "text/plain"})
        self.assertEqual(wrong_type.status, 415, wrong_type)
        too_long = self.alice.patch(upload_id, 0, b"abcdefgh")
        self.assertEqual(too_long.status, 400, too_long)
        self.assertEqual(self.alice.offset(upload_id), 0)
        other = self.bob.create_upload(pid, "y.bin", 1)
        self.assertEqual(other.status, 404, other)
        gone = self.alice.request("DELETE", "/api/v1/uploads/" + upload_id)
        self.assertEqual(gone.status, 204, gone)
        self.assertEqual(self.alice.request("HEAD", "/api/v1/uploads/" + upload_id).status, 404)


if __name__ == "__main__":
    unittest.main()
