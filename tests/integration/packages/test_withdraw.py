"""Withdrawing a sent package and tidying an inbox (issue 18), with the real
clients: removing /sent/<package> (its files then its folder over OpenSSH
sftp, the folder alone, lftp's `rm -r` and RMD over FTPS, a WebDAV DELETE
with curl, rclone's purge, `rm -r` on an `rclone mount` of the WebDAV
listener) withdraws it: the link answers 410, it leaves /sent and every
recipient's /inbox, and `dadctl package show` keeps its tracking, withdrawn
by whom and when. `dadctl package withdraw PID [--as ADMIN]` does the same
for an admin. Removing /inbox/<package> hides it for that recipient only."""

import os
import re
import shutil
import tempfile
import unittest

from ftps_client import ftplib_client, lftp
from harness import GatewayTestCase, run
from package_life import (curl_delete, link_status, rclone_dav, rclone_dav_env, send_package,
                          shown)

ALICE = ("alice", "alice-pw-withdraw")
BOB = ("bob", "bob-pw-withdraw")
CAROL = ("carol", "carol-pw-withdraw")
BOSS = ("boss", "boss-pw-withdraw")
DAVE = ("dave", "dave-pw-withdraw")
FILES = {"a.txt": b"first file", "b.txt": b"second file"}


def fuse_mount_possible():
    return os.path.exists("/dev/fuse") and bool(shutil.which("fusermount3") or
                                                shutil.which("fusermount"))


class WithdrawTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB, CAROL)
    WEB = True
    FTP = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gateway.add_user(*BOSS, admin=True)
        cls.gateway.add_user(*DAVE, parent=BOSS[0])

    def sent(self, name, sender=ALICE, files=FILES):
        """`sender` sends `files` as /sent/NAME to bob and carol, and a visitor
        downloads one through the link; returns (pid, link path)."""
        pid, link = send_package(self.client(*sender), name, files, "to = bob, carol\n")
        status, _, body = self.gateway.web_request("GET", link + "/f/a.txt")
        self.assertEqual((status, body), (200, FILES["a.txt"]))
        return pid, link

    def inbox_of(self, user, name, sender=ALICE):
        """Whether `user` has /inbox/<sender>-NAME."""
        return "%s-%s" % (sender[0], name) in self.client(*user).listdir("/inbox")

    def assertWithdrawn(self, name, pid, link, by="alice", sender=ALICE):
        self.assertEqual(link_status(self.gateway, link), 410)
        self.assertNotIn(name, self.client(*sender).listdir("/sent"))
        self.assertFalse(self.inbox_of(BOB, name, sender))
        self.assertFalse(self.inbox_of(CAROL, name, sender))
        text = shown(self.gateway, pid)
        self.assertIn("state: withdrawn", text)
        self.assertRegex(text, r"(?m)^withdrawn: \S+ by %s$" % re.escape(by))
        # Its tracking stays: the files it held and what the link served.
        self.assertRegex(text, r"(?m)^  a.txt  10 bytes")
        self.assertRegex(text, r"\(link\)  a.txt  10 bytes")

    # ---- the sender withdraws -------------------------------------------

    def test_openssh_sftp_rm_of_its_files_then_rmdir(self):
        pid, link = self.sent("by-sftp")
        result = self.gateway.sftp_batch(ALICE[0], ALICE[1], [
            "rm /sent/by-sftp/*", "rmdir /sent/by-sftp"])
        self.assertTrue(result.ok, result)
        self.assertWithdrawn("by-sftp", pid, link)

    def test_openssh_sftp_rmdir_of_the_folder(self):
        pid, link = self.sent("by-rmdir")
        result = self.gateway.sftp_batch(ALICE[0], ALICE[1], ["rmdir /sent/by-rmdir"])
        self.assertTrue(result.ok, result)
        self.assertWithdrawn("by-rmdir", pid, link)

    def test_lftp_rm_r_over_ftps(self):
        pid, link = self.sent("by-lftp")
        result = lftp(self.gateway, ALICE[0], ALICE[1], ["rm -r /sent/by-lftp"])
        self.assertTrue(result.ok, result)
        self.assertWithdrawn("by-lftp", pid, link)

    def test_ftp_rmd(self):
        pid, link = self.sent("by-rmd")
        ftp = ftplib_client(self.gateway, *ALICE)
        self.addCleanup(ftp.close)
        self.assertTrue(ftp.rmd("/sent/by-rmd").startswith("250"))
        self.assertWithdrawn("by-rmd", pid, link)

    def test_webdav_delete_of_the_folder(self):
        pid, link = self.sent("by-dav")
        result = curl_delete(self.gateway, ALICE, "/sent/by-dav/")
        self.assertEqual(result.stdout, "204", result)
        self.assertWithdrawn("by-dav", pid, link)

    def test_rclone_purge(self):
        pid, link = self.sent("by-rclone")
        result = rclone_dav(self.gateway, ALICE[0], ALICE[1], "purge", "dav:sent/by-rclone")
        self.assertTrue(result.ok, result)
        self.assertWithdrawn("by-rclone", pid, link)

    @unittest.skipUnless(fuse_mount_possible(), "no FUSE here (/dev/fuse and fusermount3)")
    def test_rm_r_on_an_rclone_mount(self):
        pid, link = self.sent("by-mount")
        mounted = self.mount(ALICE)
        self.assertIn("by-mount", os.listdir(os.path.join(mounted, "sent")))
        result = run(["rm", "-r", os.path.join(mounted, "sent", "by-mount")])
        self.assertTrue(result.ok, result)
        self.assertWithdrawn("by-mount", pid, link)

    def test_dadctl_withdraw_by_an_admin_of_the_sender(self):
        pid, link = self.sent("by-admin", sender=DAVE)
        # Not an admin of alice's: refused, nothing changes.
        other, other_link = self.sent("not-boss-s")
        rc, out, err = self.gateway.dadctl("package", "withdraw", other, "--as", BOSS[0])
        self.assertNotEqual(rc, 0, out)
        self.assertIn("not by boss or one of its sub-users", err)
        self.assertEqual(link_status(self.gateway, other_link), 200)
        rc, out, err = self.gateway.dadctl("package", "withdraw", pid, "--as", BOSS[0])
        self.assertEqual((rc, out.strip()), (0, pid + " withdrawn"), err)
        self.assertWithdrawn("by-admin", pid, link, by="boss", sender=DAVE)
        # Once withdrawn, it cannot be withdrawn again.
        rc, _, err = self.gateway.dadctl("package", "withdraw", pid)
        self.assertNotEqual(rc, 0)
        self.assertIn("withdrawn", err)

    # ---- a recipient tidies their inbox -----------------------------------

    def assertRemovedForBobOnly(self, name, link):
        self.assertFalse(self.inbox_of(BOB, name))
        self.assertTrue(self.inbox_of(CAROL, name))
        self.assertIn(name, self.client(*ALICE).listdir("/sent"))
        self.assertEqual(link_status(self.gateway, link), 200)
        with self.client(*ALICE).open("/sent/%s/.status" % name) as f:
            status = f.read().decode()
        self.assertRegex(status, r"(?m)^  to bob \(account\) removed from their inbox \S+$")
        self.assertRegex(status, r"(?m)^  to carol \(account\)$")
        with self.client(*CAROL).open("/inbox/alice-%s/b.txt" % name) as f:
            self.assertEqual(f.read(), FILES["b.txt"])

    def test_inbox_removal_over_openssh_sftp(self):
        _, link = self.sent("inbox-sftp")
        result = self.gateway.sftp_batch(BOB[0], BOB[1], [
            "rm /inbox/alice-inbox-sftp/*", "rmdir /inbox/alice-inbox-sftp/reply",
            "rmdir /inbox/alice-inbox-sftp"])
        self.assertTrue(result.ok, result)
        self.assertRemovedForBobOnly("inbox-sftp", link)

    def test_inbox_removal_with_lftp_rm_r(self):
        _, link = self.sent("inbox-lftp")
        result = lftp(self.gateway, BOB[0], BOB[1], ["rm -r /inbox/alice-inbox-lftp"])
        self.assertTrue(result.ok, result)
        self.assertRemovedForBobOnly("inbox-lftp", link)

    def test_inbox_removal_with_a_webdav_delete(self):
        _, link = self.sent("inbox-dav")
        status, _, body = self.gateway.web_request("DELETE", "/inbox/alice-inbox-dav", user=BOB)
        self.assertEqual(status, 204, body)
        self.assertRemovedForBobOnly("inbox-dav", link)

    @unittest.skipUnless(fuse_mount_possible(), "no FUSE here (/dev/fuse and fusermount3)")
    def test_inbox_removal_with_rm_r_on_an_rclone_mount(self):
        _, link = self.sent("inbox-mount")
        mounted = self.mount(BOB)
        result = run(["rm", "-r", os.path.join(mounted, "inbox", "alice-inbox-mount")])
        self.assertTrue(result.ok, result)
        self.assertRemovedForBobOnly("inbox-mount", link)

    def mount(self, user):
        """The WebDAV listener as `user`, mounted with `rclone mount` (a
        mapped drive); unmounted when the test ends. --daemon returns once the
        mount is ready."""
        # Outside the test's local folder: nothing removes that folder's
        # tree while the mount is still there.
        mounted = tempfile.mkdtemp(prefix="dadgate-mount-")
        self.addCleanup(os.rmdir, mounted)
        env = rclone_dav_env(self.gateway, *user)
        result = run(["rclone", "mount", "dav:", mounted, "--daemon", "--no-check-certificate",
                      "--low-level-retries", "1", "--retries", "1"], env=env)
        self.assertTrue(result.ok, result)
        unmount = shutil.which("fusermount3") or shutil.which("fusermount")
        self.addCleanup(run, [unmount, "-u", mounted])
        return mounted


if __name__ == "__main__":
    unittest.main()
