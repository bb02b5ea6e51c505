"""Quotas on every protocol: bytes and files per account, an admin's quota
covering its sub-users, refusals in each protocol's terms (SFTP failure with
the message, FTP 552, HTTP 507) with nothing partial counted, threshold jobs
at 80% and 100%, and `dadctl user show`."""

import ftplib
import io
import unittest

from ftps_client import ftplib_client
from harness import GatewayTestCase, close_client


class QuotaTest(GatewayTestCase, unittest.TestCase):
    WEB = True
    FTP = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        g = cls.gateway
        g.add_user("boss", "boss-pw", admin=True)
        rc, _, err = g.dadctl("user", "quota", "boss", "--bytes", "10000")
        assert rc == 0, err
        g.add_user("sub", "sub-pw", parent="boss")
        g.add_user("few", "few-pw")
        rc, _, err = g.dadctl("user", "quota", "few", "--files", "2")
        assert rc == 0, err
        g.add_user("web", "web-pw", quota=5000)
        g.add_user("ftp", "ftp-pw", quota=5000)

    def stored(self, user):
        rc, out, err = self.gateway.dadctl("user", "show", user)
        self.assertEqual(rc, 0, err)
        return out

    def test_admin_quota_covers_sub_users_over_sftp(self):
        client = self.gateway.connect("sub", "sub-pw")
        self.addCleanup(close_client, client)
        with client.open("/files/a", "wb") as f:
            f.write(b"a" * 8500)
        with self.assertRaises(IOError) as refused:
            with client.open("/files/b", "wb") as f:
                f.write(b"b" * 3000)
        self.assertIn("quota exceeded: 8500 of 10000 bytes used (boss and its sub-users)",
                      str(refused.exception))
        self.assertNotIn("b", client.listdir("/files"))
        self.assertIn("stored: 8500 bytes in 1 files", self.stored("sub"))
        self.assertIn("quota (boss and its sub-users): 8500 of 10000 bytes", self.stored("sub"))
        rc, out, _ = self.gateway.dadctl("job", "list")
        self.assertIn('{"account":"boss","detail":"boss and its sub-users 80%","event":"quota"}',
                      out)

    def test_refused_while_the_upload_streams(self):
        # Each write waits for its status (no pipelining), so the refusal is
        # seen at the write that crosses the quota, not at close: the rest of
        # the 16 MiB is never sent.
        self.gateway.add_user("streamer", "streamer-pw", quota=2 * 1024 * 1024)
        client = self.gateway.connect("streamer", "streamer-pw")
        self.addCleanup(close_client, client)
        chunk = b"s" * (1024 * 1024)
        written = 0
        with self.assertRaises(IOError) as refused:
            with client.open("/files/stream", "wb") as f:
                f.set_pipelined(False)
                for _ in range(16):
                    f.write(chunk)
                    written += 1
        self.assertEqual(written, 2)
        self.assertIn("quota exceeded", str(refused.exception))
        self.assertNotIn("stream", client.listdir("/files"))
        self.assertIn("stored: 0 bytes in 0 files", self.stored("streamer"))

    def test_file_count_quota(self):
        client = self.gateway.connect("few", "few-pw")
        self.addCleanup(close_client, client)
        for name in ("one", "two"):
            with client.open("/files/" + name, "wb") as f:
                f.write(b"x")
        with self.assertRaises(IOError) as refused:
            with client.open("/files/three", "wb") as f:
                f.write(b"x")
        self.assertIn("file quota exceeded: 2 of 2 files used", str(refused.exception))

    def test_ftps_refusal_is_552(self):
        ftp = ftplib_client(self.gateway, "ftp", "ftp-pw")
        self.addCleanup(ftp.close)
        with self.assertRaises(ftplib.error_perm) as refused:
            ftp.storbinary("STOR /files/big", io.BytesIO(b"f" * 8000))
        self.assertTrue(str(refused.exception).startswith("552"), str(refused.exception))
        self.assertIn("quota exceeded", str(refused.exception))
        self.assertNotIn("big", ftp.nlst("/files"))

    def test_webdav_refusal_is_507(self):
        status, _, body = self.gateway.web_request("PUT", "/files/big", ("web", "web-pw"),
                                                   b"w" * 8000)
        self.assertEqual(status, 507, body)
        self.assertIn(b"quota exceeded", body)
        self.assertIn("stored: 0 bytes in 0 files", self.stored("web"))


if __name__ == "__main__":
    unittest.main()
