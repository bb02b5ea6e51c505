"""Internal errors stay inside (issue 18): when the catalog fails, no SQLite
text reaches a client over SFTP, FTPS, WebDAV (also inside a 207
Multi-Status) or the package pages, also when a package is withdrawn or
removed from an inbox; each client gets its protocol's error
with a short message naming a reference, and the log has that reference with
the detail.

The failures are real: a trigger added to the gateway's own catalog aborts
chosen statements with a text the test recognises."""

import os
import re
import sqlite3
import unittest
import urllib.parse

from ftps_client import ftplib_client
from harness import GatewayTestCase, draft_pid, upload_checked

ALICE = ("alice", "alice-pw-errors")
BOB = ("bob", "bob-pw-errors")
SECRET = "SECRET-TRIGGER-TEXT"
REFERENCE = re.compile(r"internal error \(reference ([0-9a-f]{8})\)")


class InternalErrorsTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB)
    WEB = True
    FTP = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.add_trigger("node_insert", "BEFORE INSERT ON node WHEN NEW.name LIKE 'boom%'")
        cls.add_trigger("node_delete", "BEFORE DELETE ON node WHEN OLD.name LIKE 'boom%'")
        cls.add_trigger("download_insert",
                        "BEFORE INSERT ON download WHEN NEW.path LIKE '%boom%'")
        cls.add_trigger("package_withdraw",
                        "BEFORE UPDATE OF state ON package WHEN NEW.state = 'withdrawn' "
                        "AND OLD.sent_name LIKE 'boom%'")
        cls.add_trigger("recipient_hide",
                        "BEFORE UPDATE OF hidden_at ON recipient WHEN NEW.inbox_name LIKE "
                        "'%boom%'")

    @classmethod
    def add_trigger(cls, name, when):
        catalog = sqlite3.connect(os.path.join(cls.gateway.data_dir, "catalog.db"), timeout=30)
        try:
            catalog.execute("CREATE TRIGGER test_%s %s BEGIN SELECT RAISE(ABORT, '%s'); END"
                            % (name, when, SECRET))
            catalog.commit()
        finally:
            catalog.close()

    def assertKeptInside(self, client_text):
        """The client's text names a reference and nothing of the catalog;
        the log has that reference with the trigger's text."""
        self.assertNotIn(SECRET, client_text)
        self.assertNotIn("catalog", client_text.lower())
        self.assertNotIn("sqlite", client_text.lower())
        found = REFERENCE.search(client_text)
        self.assertIsNotNone(found, client_text)
        logged = [line for line in self.gateway.log_text().splitlines()
                  if found.group(1) + ":" in line]
        self.assertTrue(logged and SECRET in logged[0], self.gateway.log_text()[-2000:])

    def sent_file(self, draft, name):
        """Alice sends bob a package holding `name`; its inbox path for bob."""
        alice = self.client(*ALICE)
        alice.mkdir("/outbox/" + draft)
        upload_checked(alice, b"content of " + name.encode(), "/outbox/%s/%s" % (draft, name))
        upload_checked(alice, b"to = bob\n", "/outbox/%s/.dad" % draft)
        alice.rename("/outbox/" + draft, "/sent/" + draft)
        return "/inbox/alice-%s/%s" % (draft, name)

    def test_sftp_status_messages(self):
        alice = self.client(*ALICE)
        with self.assertRaises(IOError) as refused:
            alice.mkdir("/files/boom-sftp")
        self.assertKeptInside(str(refused.exception))
        # OpenSSH's sftp shows only the code for mkdir; nothing more leaks.
        batch = self.gateway.sftp_batch(ALICE[0], ALICE[1], ["mkdir /files/boom-openssh"])
        self.assertNotEqual(batch.returncode, 0)
        self.assertNotIn(SECRET, batch.stderr + batch.stdout)
        # Opening a received file records a download first.
        path = self.sent_file("boom-read", "a.txt")
        with self.assertRaises(IOError) as refused:
            self.client(*BOB).open(path, "rb")
        self.assertKeptInside(str(refused.exception))

    def test_ftps_replies(self):
        alice = ftplib_client(self.gateway, *ALICE)
        self.addCleanup(alice.close)
        with self.assertRaises(Exception) as refused:
            alice.mkd("/files/boom-ftp")
        self.assertTrue(str(refused.exception).startswith("451"), refused.exception)
        self.assertKeptInside(str(refused.exception))
        path = self.sent_file("boom-retr", "b.txt")
        bob = ftplib_client(self.gateway, *BOB)
        self.addCleanup(bob.close)
        with self.assertRaises(Exception) as refused:
            bob.retrbinary("RETR " + path, lambda chunk: None)
        self.assertKeptInside(str(refused.exception))

    def test_webdav_answers_and_multistatus(self):
        status, _, body = self.gateway.web_request("MKCOL", "/files/boom-dav", user=ALICE)
        self.assertEqual(status, 500, body)
        self.assertKeptInside(body.decode())
        # A member that cannot be removed is reported inside a 207.
        alice = self.client(*ALICE)
        alice.mkdir("/files/tree")
        self.gateway.web_request("PUT", "/files/tree/plain.txt", user=ALICE, body=b"x")
        catalog = sqlite3.connect(os.path.join(self.gateway.data_dir, "catalog.db"), timeout=30)
        try:  # a node named boom... made past the insert trigger: a rename
            catalog.execute("UPDATE node SET name = 'boom-member' WHERE name = 'plain.txt'")
            catalog.commit()
        finally:
            catalog.close()
        status, _, body = self.gateway.web_request("DELETE", "/files/tree", user=ALICE)
        self.assertEqual(status, 207, body)
        self.assertIn("boom-member", body.decode())
        self.assertKeptInside(body.decode())

    def test_withdraw_and_inbox_removal_over_each_protocol(self):
        self.sent_file("boom-w-sftp", "a.txt")
        with self.assertRaises(IOError) as refused:
            self.client(*ALICE).rmdir("/sent/boom-w-sftp")
        self.assertKeptInside(str(refused.exception))
        with self.assertRaises(IOError) as refused:
            self.client(*BOB).rmdir("/inbox/alice-boom-w-sftp")
        self.assertKeptInside(str(refused.exception))

        self.sent_file("boom-w-ftp", "b.txt")
        for user, path in ((ALICE, "/sent/boom-w-ftp"), (BOB, "/inbox/alice-boom-w-ftp")):
            ftp = ftplib_client(self.gateway, *user)
            self.addCleanup(ftp.close)
            with self.assertRaises(Exception) as refused:
                ftp.rmd(path)
            self.assertTrue(str(refused.exception).startswith("451"), refused.exception)
            self.assertKeptInside(str(refused.exception))

        self.sent_file("boom-w-dav", "c.txt")
        for user, path in ((ALICE, "/sent/boom-w-dav"), (BOB, "/inbox/alice-boom-w-dav")):
            status, _, body = self.gateway.web_request("DELETE", path, user=user)
            self.assertIn(status, (207, 500), body)
            self.assertKeptInside(body.decode())
        # Nothing was withdrawn or removed.
        self.assertIn("boom-w-dav", self.client(*ALICE).listdir("/sent"))
        self.assertIn("alice-boom-w-dav", self.client(*BOB).listdir("/inbox"))

    def test_package_page_download(self):
        alice = self.client(*ALICE)
        alice.mkdir("/outbox/boom-link")
        upload_checked(alice, b"linked", "/outbox/boom-link/c-boom.txt")
        with alice.open("/outbox/boom-link/.link") as f:
            link = re.search(r"(?m)^link = (\S+)", f.read().decode()).group(1)
        self.assertTrue(draft_pid(alice, "/outbox/boom-link"))
        path = urllib.parse.urlparse(link).path
        status, _, body = self.gateway.web_request("GET", path + "/f/c-boom.txt")
        self.assertEqual(status, 500, body)
        self.assertKeptInside(body.decode())


if __name__ == "__main__":
    unittest.main()
