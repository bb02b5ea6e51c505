"""kill -9 of the gateway mid-upload: nothing acknowledged is lost, the
catalog and store stay consistent, and the uploader resumes with reput."""

import subprocess
import unittest

from harness import MiB, GatewayTestCase, listed_names, sha256_file, wait_until

ALICE = ("alice", "alice-pw-4")
BOB = ("bob", "bob-pw-4")
BIG = 200 * MiB
# sftp -l is in Kbit/s: ~12 MiB/s keeps the 200 MiB upload in flight long
# enough to be killed after its first 10 MiB, whatever the machine's speed.
RATE_LIMIT = ["-l", "100000"]


class DurabilityTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB)

    def as_alice(self, commands, **kwargs):
        return self.gateway.sftp_batch(ALICE[0], ALICE[1], commands, **kwargs)

    def kill_gateway_during_upload(self, local, remote_path):
        """Starts uploading `local`, kills dadgate with SIGKILL once more than
        10 MiB of it are on disk, and restarts dadgate."""
        already = self.gateway.partial_upload_bytes()
        uploader = self.gateway.sftp_batch_popen(
            ALICE[0], ALICE[1], ["put %s %s" % (local, remote_path)], extra_args=RATE_LIMIT)
        self.addCleanup(self.reap, uploader)
        # Bytes landing in the gateway's upload area have no event to wait on.
        wait_until(lambda: self.gateway.partial_upload_bytes() - already > 10 * MiB
                   or uploader.poll() is not None,
                   timeout=90, interval=0.05, what="10 MiB of the upload on disk")
        if uploader.poll() is not None:
            self.fail("the upload ended before the kill: %r" % (uploader.communicate(timeout=10),))
        self.gateway.kill9()
        uploader.communicate(timeout=60)
        self.assertNotEqual(uploader.returncode, 0, "the upload cannot have succeeded")
        self.gateway.start()

    @staticmethod
    def reap(process):
        if process.poll() is None:
            process.kill()
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            pass

    def assertConsistent(self):
        rc, out, err = self.gateway.dadctl("check")
        self.assertEqual(rc, 0, "dadctl check: %s%s" % (out, err))

    def test_sigterm_stops_cleanly_and_restart_keeps_everything(self):
        source, digest = self.random_file("kept.bin", MiB)
        self.assertBatchOk(self.as_alice(["put %s /files/kept.bin" % source]))
        self.assertEqual(self.gateway.stop(), 0, self.gateway.diagnostics())
        self.gateway.start()
        self.assertFalse(any("password" in line for line in self.gateway.stdout_reader.lines),
                         "the admin password is shown on first start only")
        self.assertIn("files", self.client("admin", self.gateway.admin_password).listdir("/"))
        back = self.local("kept.back")
        self.assertBatchOk(self.as_alice(["get /files/kept.bin %s" % back]))
        self.assertEqual(sha256_file(back), digest)
        self.assertConsistent()

    def test_kill9_mid_upload_keeps_acknowledged_files_and_resumes(self):
        acknowledged = {}
        commands = []
        for index in range(3):
            path, digest = self.random_file("ack-%d.bin" % index, MiB + index)
            acknowledged["/files/ack-%d.bin" % index] = digest
            commands.append("put %s /files/ack-%d.bin" % (path, index))
        self.assertBatchOk(self.as_alice(commands))
        blobs_before = self.gateway.blob_count()

        big, big_sha = self.random_file("big.bin", BIG)
        self.kill_gateway_during_upload(big, "/files/big.bin")

        for remote_path, digest in acknowledged.items():
            back = self.local("back.bin")
            self.assertBatchOk(self.as_alice(["get %s %s" % (remote_path, back)]))
            self.assertEqual(sha256_file(back), digest, remote_path)
        self.assertConsistent()
        self.assertEqual(self.gateway.blob_count(), blobs_before,
                         "the interrupted upload must not have made a blob")

        self.assertBatchOk(self.as_alice(["reput %s /files/big.bin" % big], timeout=300))
        back = self.local("big.back")
        self.assertBatchOk(self.as_alice(["get /files/big.bin %s" % back], timeout=300))
        self.assertEqual(sha256_file(back), big_sha)
        self.assertTrue(self.gateway.has_blob(big_sha))
        self.assertConsistent()

    def test_interrupted_upload_in_a_draft_is_never_delivered_partial(self):
        self.assertBatchOk(self.as_alice(["mkdir /outbox/bob"]))
        big, big_sha = self.random_file("draft-big.bin", BIG)
        self.kill_gateway_during_upload(big, "/outbox/bob/big.bin")

        # Unfinished: the draft cannot be sent, bob sees nothing.
        self.assertBatchFails(self.as_alice(["rename /outbox/bob /sent/bob"]))
        inbox = self.gateway.sftp_batch(BOB[0], BOB[1], ["ls -1 /inbox"])
        self.assertBatchOk(inbox)
        self.assertNotIn("alice-bob", listed_names(inbox))
        self.assertConsistent()

        self.assertBatchOk(self.as_alice(["reput %s /outbox/bob/big.bin" % big,
                                          "rename /outbox/bob /sent/bob"], timeout=300))
        back = self.local("bob.back")
        self.assertBatchOk(self.gateway.sftp_batch(
            BOB[0], BOB[1], ["get /inbox/alice-bob/big.bin %s" % back], timeout=300))
        self.assertEqual(sha256_file(back), big_sha)
        self.assertConsistent()


if __name__ == "__main__":
    unittest.main()
