"""Removing a draft whose link was used (issue 18): its files, then its
folder, over OpenSSH sftp, lftp's `rm -r` (FTPS), a WebDAV DELETE of the
folder (curl) and rclone's purge; the link then answers 410, the draft is in
neither /outbox nor /sent, what the link served stays in the tracking, and
the name can start a new draft."""

import unittest

from ftps_client import lftp
from harness import GatewayTestCase, listed_names
from package_life import curl_delete, link_status, make_draft, rclone_dav, shown

ALICE = ("alice", "alice-pw-drafts")


class DraftRemovalTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE,)
    WEB = True
    FTP = True

    def used_draft(self, draft):
        """A draft with two files (one in a folder), one of them downloaded
        through its link; returns (pid, link path)."""
        alice = self.client(*ALICE)
        pid, link = make_draft(alice, draft, {"a.txt": b"first file"})
        alice.mkdir("/outbox/%s/sub" % draft)
        with alice.open("/outbox/%s/sub/b.txt" % draft, "wb") as f:
            f.write(b"second file")
        status, _, body = self.gateway.web_request("GET", link + "/f/a.txt")
        self.assertEqual((status, body), (200, b"first file"))
        return pid, link

    def assertRemoved(self, draft, pid, link):
        self.assertEqual(link_status(self.gateway, link), 410)
        alice = self.client(*ALICE)
        self.assertNotIn(draft, alice.listdir("/outbox"))
        self.assertNotIn(draft, alice.listdir("/sent"))
        text = shown(self.gateway, pid)
        self.assertIn("state: withdrawn", text)
        self.assertRegex(text, r"(?m)^withdrawn: \S+ by alice \(the draft was removed\)$")
        self.assertRegex(text, r"\(link\)  a.txt  10 bytes")
        # The name is free for a new draft.
        alice.mkdir("/outbox/" + draft)
        self.assertIn(draft, alice.listdir("/outbox"))

    def test_openssh_sftp_rm_then_rmdir(self):
        pid, link = self.used_draft("by-sftp")
        result = self.gateway.sftp_batch(ALICE[0], ALICE[1], [
            "rm /outbox/by-sftp/a.txt", "rm /outbox/by-sftp/sub/b.txt",
            "rmdir /outbox/by-sftp/sub", "rmdir /outbox/by-sftp"])
        self.assertTrue(result.ok, result)
        self.assertRemoved("by-sftp", pid, link)

    def test_lftp_rm_r(self):
        pid, link = self.used_draft("by-lftp")
        result = lftp(self.gateway, ALICE[0], ALICE[1], ["rm -r /outbox/by-lftp"])
        self.assertTrue(result.ok, result)
        self.assertRemoved("by-lftp", pid, link)

    def test_webdav_delete_of_the_folder(self):
        pid, link = self.used_draft("by-dav")
        result = curl_delete(self.gateway, ALICE, "/outbox/by-dav/")
        self.assertEqual(result.stdout, "204", result)
        self.assertRemoved("by-dav", pid, link)

    def test_rclone_purge(self):
        pid, link = self.used_draft("by-rclone")
        result = rclone_dav(self.gateway, ALICE[0], ALICE[1], "purge", "dav:outbox/by-rclone")
        self.assertTrue(result.ok, result)
        self.assertRemoved("by-rclone", pid, link)

    def test_a_draft_with_files_left_is_not_removed(self):
        pid, link = self.used_draft("kept")
        result = self.gateway.sftp_batch(ALICE[0], ALICE[1], ["rmdir /outbox/kept"])
        self.assertFalse(result.ok, result)
        self.assertIn("kept", listed_names(self.gateway.sftp_batch(ALICE[0], ALICE[1],
                                                                   ["ls -1 /outbox"])))
        self.assertEqual(link_status(self.gateway, link), 200)
        self.assertIn("state: draft", shown(self.gateway, pid))


if __name__ == "__main__":
    unittest.main()
