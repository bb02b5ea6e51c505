"""Deduplication: identical content is stored once, across users and areas."""

import unittest

from harness import MiB, GatewayTestCase

ALICE = ("alice", "alice-pw-3")
BOB = ("bob", "bob-pw-3")


class DedupTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB)

    def put(self, user, local, remote_path):
        self.assertBatchOk(self.gateway.sftp_batch(user[0], user[1],
                                                   ["put %s %s" % (local, remote_path)]))

    def test_same_content_from_two_users_is_one_blob(self):
        source, digest = self.random_file("shared.bin", 3 * MiB)
        before = self.gateway.blob_count()
        self.put(ALICE, source, "/files/alice-copy.bin")
        self.assertTrue(self.gateway.has_blob(digest), "no blob named by the content's sha256")
        self.put(BOB, source, "/files/bob-copy.bin")
        self.put(BOB, source, "/files/again.bin")
        self.assertEqual(self.gateway.blob_count(), before + 1)

        # Removing one reference keeps the content for the others.
        self.assertBatchOk(self.gateway.sftp_batch(ALICE[0], ALICE[1],
                                                   ["rm /files/alice-copy.bin"]))
        back = self.local("back.bin")
        self.assertBatchOk(self.gateway.sftp_batch(BOB[0], BOB[1],
                                                   ["get /files/bob-copy.bin %s" % back]))
        with open(back, "rb") as f, open(source, "rb") as g:
            self.assertEqual(f.read(), g.read())

    def test_file_in_a_package_and_in_files_is_one_blob(self):
        source, digest = self.random_file("report.bin", 3 * MiB)
        before = self.gateway.blob_count()
        self.assertBatchOk(self.gateway.sftp_batch(ALICE[0], ALICE[1], [
            "put %s /files/report.bin" % source,
            "mkdir /outbox/bob",
            "put %s /outbox/bob/report.bin" % source,
            "rename /outbox/bob /sent/bob",
        ]))
        self.assertBatchOk(self.gateway.sftp_batch(BOB[0], BOB[1], [
            "get /inbox/alice-bob/report.bin %s" % self.local("got.bin"),
            "put %s /files/mine.bin" % self.local("got.bin"),
        ]))
        self.assertTrue(self.gateway.has_blob(digest))
        self.assertEqual(self.gateway.blob_count(), before + 1)


if __name__ == "__main__":
    unittest.main()
