"""WebDAV DELETE, COPY and MOVE of a collection when some members fail
(RFC 4918 9.6.1, 9.8.8, 9.9.4): 207 Multi-Status with a response per failed
member and its status; what succeeded stays done. The member that fails is a
real one: a file its owner is still uploading over SFTP (the gateway answers
Busy, 423 in WebDAV). A received package is no such collection: its files go
together, and its DELETE removes it from that inbox whole (204)."""

import unittest
import xml.etree.ElementTree as ET

from harness import GatewayTestCase, upload_checked

ALICE = ("alice", "alice-pw-multi")
BOB = ("bob", "bob-pw-multi")


class WebDavMultiStatusTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB)
    WEB = True

    def request(self, method, path, user=ALICE, body=None, headers=None):
        """(status, body) of one request as `user`."""
        status, _, answer = self.gateway.web_request(method, path, user, body, headers)
        return status, answer

    def put(self, path, data=b"data"):
        self.assertIn(self.request("PUT", path, body=data)[0], (201, 204))

    def mkcol(self, path):
        self.assertEqual(self.request("MKCOL", path)[0], 201)

    def exists(self, path, user=ALICE):
        return self.request("PROPFIND", path, user=user, headers={"Depth": "0"})[0] == 207

    def failures(self, body):
        """{href: status code} of a multistatus body."""
        root = ET.fromstring(body)
        result = {}
        for response in root.findall("{DAV:}response"):
            status = response.find("{DAV:}status").text
            result[response.find("{DAV:}href").text] = int(status.split()[1])
        return result

    def busy_upload(self, path):
        """An upload alice has open over SFTP at `path` (closed when the test ends)."""
        client = self.client(*ALICE)
        handle = client.open(path, "wb")
        self.addCleanup(handle.close)
        handle.write(b"b" * 50000)
        handle.flush()
        return handle

    def test_delete_reports_the_member_being_uploaded_and_removes_the_rest(self):
        self.mkcol("/files/mixed/")
        self.put("/files/mixed/a.txt")
        self.mkcol("/files/mixed/sub/")
        self.put("/files/mixed/sub/b.txt")
        handle = self.busy_upload("/files/mixed/sub/busy.bin")
        status, body = self.request("DELETE", "/files/mixed/")
        self.assertEqual(status, 207, body)
        # Only the member that failed; not the folders above it (RFC 4918 9.6.1).
        self.assertEqual(self.failures(body), {"/files/mixed/sub/busy.bin": 423})
        self.assertIn(b"being uploaded", body)
        self.assertFalse(self.exists("/files/mixed/a.txt"))
        self.assertFalse(self.exists("/files/mixed/sub/b.txt"))
        self.assertTrue(self.exists("/files/mixed/sub/"))
        # Once the upload is done, the folder goes as a whole.
        handle.close()
        self.assertEqual(self.request("DELETE", "/files/mixed/")[0], 204)
        self.assertFalse(self.exists("/files/mixed/"))

    def test_copy_reports_the_member_being_uploaded_and_copies_the_rest(self):
        self.mkcol("/files/src/")
        self.put("/files/src/ok.txt", b"copied")
        self.mkcol("/files/src/deep/")
        self.put("/files/src/deep/also.txt", b"also copied")
        self.busy_upload("/files/src/busy.bin")
        status, body = self.request("COPY", "/files/src/", headers={
            "Destination": self.gateway.web_url("/files/dst/")})
        self.assertEqual(status, 207, body)
        failed = self.failures(body)
        self.assertEqual(list(failed), ["/files/src/busy.bin"], body)
        self.assertGreaterEqual(failed["/files/src/busy.bin"], 400)
        self.assertEqual(self.request("GET", "/files/dst/ok.txt"), (200, b"copied"))
        self.assertEqual(self.request("GET", "/files/dst/deep/also.txt"), (200, b"also copied"))
        self.assertFalse(self.exists("/files/dst/busy.bin"))

    def test_move_onto_a_collection_with_a_busy_member(self):
        self.mkcol("/files/new/")
        self.put("/files/new/n.txt", b"new")
        self.mkcol("/files/old/")
        self.put("/files/old/o.txt", b"old")
        self.busy_upload("/files/old/busy.bin")
        status, body = self.request("MOVE", "/files/new/", headers={
            "Destination": self.gateway.web_url("/files/old/"), "Overwrite": "T"})
        self.assertEqual(status, 207, body)
        self.assertEqual(self.failures(body), {"/files/old/busy.bin": 423})
        # The destination's other member was removed; the source stays where it was.
        self.assertFalse(self.exists("/files/old/o.txt"))
        self.assertEqual(self.request("GET", "/files/new/n.txt"), (200, b"new"))

    def test_delete_of_a_received_package_removes_it_whole(self):
        client = self.client(*BOB)
        client.mkdir("/outbox/forAlice")
        upload_checked(client, b"one", "/outbox/forAlice/one.txt")
        upload_checked(client, b"to = alice\n", "/outbox/forAlice/.dad")
        client.rename("/outbox/forAlice", "/sent/forAlice")
        inbox = self.client(*ALICE).listdir("/inbox")
        package = [n for n in inbox if "forAlice" in n][0]
        status, body = self.request("DELETE", "/inbox/%s/" % package)
        self.assertEqual(status, 204, body)
        self.assertNotIn(package, self.client(*ALICE).listdir("/inbox"))
        self.assertIn("one.txt", client.listdir("/sent/forAlice"))


if __name__ == "__main__":
    unittest.main()
