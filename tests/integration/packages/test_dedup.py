"""Deduplication: identical content is stored once, across users and areas."""

import struct
import unittest

from harness import (FX_OK, FXF_CREAT, FXF_TRUNC, FXF_WRITE, FXP_STATUS, MiB, GatewayTestCase,
                     sftp_string, sha256_bytes, status_code)

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

    def test_server_side_copy_is_a_new_reference_to_the_same_blob(self):
        source, digest = self.random_file("copied.bin", 3 * MiB)
        self.put(ALICE, source, "/files/original.bin")
        before = self.gateway.blob_count()

        raw = self.raw(*ALICE)
        reader = raw.open_read("/files/original.bin")
        writer = raw.open_handle("/files/copy.bin", FXF_WRITE | FXF_CREAT | FXF_TRUNC)
        # copy-data: read handle, read offset, length (0 = to the end), write handle, write offset
        kind, body = raw.extended("copy-data", sftp_string(reader) + struct.pack(">QQ", 0, 0) +
                                  sftp_string(writer) + struct.pack(">Q", 0))
        self.assertEqual((kind, status_code(body)), (FXP_STATUS, FX_OK), body)
        self.assertEqual(raw.close_handle(writer), FX_OK)
        self.assertEqual(raw.close_handle(reader), FX_OK)

        client = self.client(*ALICE)
        with client.open("/files/copy.bin", "rb") as f:
            self.assertEqual(sha256_bytes(f.read()), digest)
        self.assertEqual(self.gateway.blob_count(), before)


if __name__ == "__main__":
    unittest.main()
