"""Many small uploads in parallel: rclone with 8 transfers over SFTP.

Regression test for parallel uploads refused with "is being uploaded by
another session": uploads were claimed by the upload row's id, which SQLite
hands out again as soon as another session's upload is published and its row
deleted (bench/sftp.sh W2, rclone mode, failed 6 runs of 6). Uploads are now
claimed by their partial file's random name. rclone's own retries are turned
off here, so a single refused file fails the copy instead of being retried
quietly.
"""

import os
import shutil
import unittest

from harness import GatewayTestCase, run, write_random_file

ALICE = ("alice", "alice-parallel-pw-1")
FILES = 300
FILE_SIZE = 8 * 1024
TRANSFERS = 8
REMOTE_DIR = "/files/parallel"
RCLONE_TIMEOUT = 300  # the copy is 300 new blobs (an fsync or three each) on a possibly busy disk


class ParallelUploadsTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE,)

    def setUp(self):
        super().setUp()
        if shutil.which("rclone") is None:
            self.skipTest("rclone is not installed")

    def rclone(self, *args, timeout=RCLONE_TIMEOUT):
        # A config file of our own (never the user's), bounded connects and I/O, and no
        # retries: rclone retries failed files (--retries 3, --low-level-retries 10 by
        # default), which would hide a refused upload.
        env = dict(os.environ, RCLONE_CONFIG=self.local("rclone.conf"))
        return run(["rclone", "--contimeout", "10s", "--timeout", "60s",
                    "--retries", "1", "--low-level-retries", "1"] + list(args),
                   env=env, timeout=timeout)

    def remote(self, path):
        obscured = self.rclone("obscure", ALICE[1], timeout=30)
        self.assertTrue(obscured.ok, obscured)
        return ":sftp,host=127.0.0.1,port=%d,user=%s,pass=%s:%s" % (
            self.gateway.port, ALICE[0], obscured.stdout.strip(), path)

    def test_rclone_copies_300_small_files_with_8_transfers(self):
        tree = self.local("tree")
        os.makedirs(tree)
        digests = {write_random_file(os.path.join(tree, "f%04d.bin" % i), FILE_SIZE)
                   for i in range(FILES)}
        self.assertEqual(len(digests), FILES)  # random content: every file is a new blob
        blobs_before = self.gateway.blob_count()
        remote = self.remote(REMOTE_DIR)

        copied = self.rclone("copy", "--transfers", str(TRANSFERS), "--checkers", str(TRANSFERS),
                             tree, remote)
        self.assertTrue(copied.ok, "rclone copy failed: %r\n%s" % (
            copied, self.refusals() or self.gateway.diagnostics()))

        checked = self.rclone("check", "--download", "--checkers", str(TRANSFERS), tree, remote)
        self.assertTrue(checked.ok, "rclone check failed: %r" % checked)
        self.assertEqual(self.gateway.blob_count() - blobs_before, FILES)

        client = self.client(*ALICE)
        remote_files = client.listdir_attr(REMOTE_DIR)
        self.assertEqual(len(remote_files), FILES)
        self.assertEqual({f.st_size for f in remote_files}, {FILE_SIZE})
        self.assertEqual(self.refusals(), "")

    def refusals(self):
        """Log lines of uploads refused because another session held them."""
        return "\n".join(line for line in self.gateway.log_text().splitlines()
                         if "being uploaded by another session" in line)


if __name__ == "__main__":
    unittest.main()
