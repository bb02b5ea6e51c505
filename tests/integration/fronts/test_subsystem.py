"""dadgate as the `Subsystem sftp` of a real OpenSSH sshd: the same catalog
and blob store as dadgate's own listener, so packages and dedup hold."""

import os
import unittest

from harness import DADGATE, MiB, GatewayTestCase, sha256_bytes, sha256_file
from servers import SSHD, OpenSshd

ALICE = ("alice", "alice-pw-7")


def dadgate_sshd(gateway, dad_user):
    """An sshd whose sftp subsystem is dadgate's on `gateway`'s data, logged in
    as root with a generated key (the subsystem runs as the given dad user)."""
    subsystem = [DADGATE, "sftp-subsystem", "--config", gateway.config_path,
                 "--define", "data.dir=" + gateway.data_dir, "--user", dad_user]
    return OpenSshd(lambda folder: " ".join(subsystem))


@unittest.skipUnless(hasattr(os, "geteuid") and os.geteuid() == 0, "needs root to run sshd")
@unittest.skipUnless(os.access(SSHD, os.X_OK), "OpenSSH server not installed")
class SubsystemTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE,)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if any(" " in path for path in (DADGATE, cls.gateway.work_dir)):
            raise unittest.SkipTest("sshd's Subsystem line cannot hold paths with spaces")
        cls.sshd = dadgate_sshd(cls.gateway, ALICE[0])
        cls.addClassCleanup(cls.sshd.cleanup)
        cls.sshd.start()

    def test_files_put_through_sshd_are_seen_by_dadgate(self):
        source, digest = self.random_file("via-sshd.bin", 2 * MiB)
        result = self.sshd.sftp_batch(["put %s /files/via-sshd.bin" % source, "ls -l /"])
        self.assertTrue(result.ok, "%r\nsshd log:\n%s" % (result, "\n".join(self.sshd.log.lines)))
        for area in ("files", "outbox", "sent", "inbox"):
            self.assertIn(area, result.stdout)

        client = self.client(*ALICE)
        with client.open("/files/via-sshd.bin", "rb") as f:
            self.assertEqual(sha256_bytes(f.read()), digest)

    def test_files_put_through_dadgate_are_seen_through_sshd(self):
        source, digest = self.random_file("via-dadgate.bin", MiB)
        self.client(*ALICE).put(source, "/files/via-dadgate.bin")
        back = self.local("back.bin")
        result = self.sshd.sftp_batch(["get /files/via-dadgate.bin %s" % back])
        self.assertTrue(result.ok, result)
        self.assertEqual(sha256_file(back), digest)

    def test_dedup_holds_across_both_front_ends(self):
        source, digest = self.random_file("twice.bin", 3 * MiB)
        before = self.gateway.blob_count()
        self.assertTrue(self.sshd.sftp_batch(["put %s /files/twice-a.bin" % source]).ok)
        self.client(*ALICE).put(source, "/files/twice-b.bin")
        self.assertTrue(self.gateway.has_blob(digest))
        self.assertEqual(self.gateway.blob_count(), before + 1)


if __name__ == "__main__":
    unittest.main()
