"""FTPS on the same core as SFTP: packages sent over one protocol and
received over the other, a refused manifest, dedup across protocols, and
resume after a killed client."""

import hashlib
import io
import os
import signal
import subprocess
import time
import unittest

from ftps_client import ftplib_client
from harness import GatewayTestCase, MiB, listed_names, sha256_file, wait_until


class FtpsPackagesTest(GatewayTestCase, unittest.TestCase):
    FTP = True
    USERS = (("alice", "alice-pass-1"), ("bob", "bob-pass-2"), ("dave", "dave-pass-4"))

    def ftp(self, user, password):
        client = ftplib_client(self.gateway, user, password)
        self.addCleanup(client.close)
        return client

    def test_package_sent_over_ftps_received_over_sftp(self):
        alice = self.ftp("alice", "alice-pass-1")
        alice.mkd("/outbox/forbob")
        data = os.urandom(200000)
        alice.storbinary("STOR /outbox/forbob/report.bin", io.BytesIO(data))
        alice.storbinary("STOR /outbox/forbob/.dad", io.BytesIO(b"to = bob\nmessage = hi\n"))
        alice.sendcmd("RNFR /outbox/forbob")
        self.assertTrue(alice.sendcmd("RNTO /sent/forbob").startswith("250"))
        self.assertIn("forbob", alice.nlst("/sent"))
        inbox = self.gateway.sftp_batch("bob", "bob-pass-2", ["ls -1 /inbox"])
        self.assertEqual(inbox.returncode, 0, inbox)
        package = [n for n in listed_names(inbox) if "forbob" in n]
        self.assertEqual(len(package), 1, inbox.stdout)
        back = self.local("report.back")
        got = self.gateway.sftp_batch("bob", "bob-pass-2",
                                      ["get /inbox/%s/report.bin %s" % (package[0], back)])
        self.assertEqual(got.returncode, 0, got)
        self.assertEqual(sha256_file(back), hashlib.sha256(data).hexdigest())

    def test_package_sent_over_sftp_received_over_ftps(self):
        path, digest = self.random_file("plan.bin", 150000)
        manifest = self.local("m.dad")
        with open(manifest, "w") as f:
            f.write("to = dave\n")
        r = self.gateway.sftp_batch("bob", "bob-pass-2", [
            "mkdir /outbox/fordave", "put %s /outbox/fordave/plan.bin" % path,
            "put %s /outbox/fordave/.dad" % manifest, "rename /outbox/fordave /sent/fordave"])
        self.assertEqual(r.returncode, 0, r)
        dave = self.ftp("dave", "dave-pass-4")
        package = [n for n in dave.nlst("/inbox") if "fordave" in n]
        self.assertEqual(len(package), 1)
        chunks = []
        dave.retrbinary("RETR /inbox/%s/plan.bin" % package[0], chunks.append)
        self.assertEqual(hashlib.sha256(b"".join(chunks)).hexdigest(), digest)
        # The inbox is read-only over FTPS too (removing a package from it
        # is test_withdraw's).
        with self.assertRaises(Exception) as refused:
            dave.storbinary("STOR /inbox/%s/extra.bin" % package[0], io.BytesIO(b"x"))
        self.assertTrue(str(refused.exception).startswith("550"), refused.exception)

    def test_bad_manifest_refused_with_its_message(self):
        alice = self.ftp("alice", "alice-pass-1")
        alice.mkd("/outbox/badman")
        with self.assertRaises(Exception) as refused:
            alice.storbinary("STOR /outbox/badman/.dad", io.BytesIO(b"to = bob\nfrobnicate = 1\n"))
        text = str(refused.exception)
        self.assertTrue(text.startswith("55"), text)
        self.assertIn("frobnicate", text)

    def test_dedup_across_protocols(self):
        path, digest = self.random_file("same.bin", 300000)
        r = self.gateway.sftp_batch("bob", "bob-pass-2", ["put %s /files/same.bin" % path])
        self.assertEqual(r.returncode, 0, r)
        before = self.gateway.blob_count()
        alice = self.ftp("alice", "alice-pass-1")
        with open(path, "rb") as f:
            alice.storbinary("STOR /files/same-too.bin", f)
        self.assertEqual(self.gateway.blob_count(), before)
        self.assertTrue(self.gateway.has_blob(digest))
        self.assertEqual(alice.sendcmd("HASH /files/same-too.bin"),
                         "213 SHA-256 0-300000 %s /files/same-too.bin" % digest)

    def test_resume_after_killed_client(self):
        path, digest = self.random_file("big.bin", 8 * MiB)
        url = self.gateway.ftp_url("/files/big.bin")
        proc = subprocess.Popen(
            ["curl", "-sS", "--insecure", "--ssl-reqd", "-u", "alice:alice-pass-1",
             "--limit-rate", "1M", "-T", path, url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        wait_until(lambda: self.gateway.partial_upload_bytes() >= MiB, 60,
                   what="part of the upload on disk")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        alice = self.ftp("alice", "alice-pass-1")
        # The server notices the cut; the partial upload stays for its uploader.
        partial = wait_until(lambda: self._size_or_none(alice, "/files/big.bin"), 30,
                             what="the partial upload")
        self.assertGreater(partial, 0)
        self.assertLess(partial, 8 * MiB)
        with open(path, "rb") as f:
            f.seek(partial)
            alice.storbinary("STOR /files/big.bin", f, rest=partial)
        self.assertEqual(alice.size("/files/big.bin"), 8 * MiB)
        chunks = []
        alice.retrbinary("RETR /files/big.bin", chunks.append)
        self.assertEqual(hashlib.sha256(b"".join(chunks)).hexdigest(), digest)

    @staticmethod
    def _size_or_none(client, path):
        try:
            size = client.size(path)
            return size if size else None
        except Exception:
            time.sleep(0.1)
            return None


if __name__ == "__main__":
    unittest.main()
