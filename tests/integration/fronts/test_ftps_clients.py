"""FTPS with real clients: curl (explicit, implicit, resume, active mode),
lftp (mirror, HASH), rclone, Python ftplib and openssl s_client."""

import os
import subprocess
import unittest

from ftps_client import curl, ftplib_client, lftp, rclone
from harness import GatewayTestCase, MiB, run, sha256_file


class FtpsClientsTest(GatewayTestCase, unittest.TestCase):
    FTP = True
    USERS = (("alice", "alice-pass-1"), ("bob", "bob-pass-2"))

    def test_curl_explicit_upload_download_and_listing(self):
        path, digest = self.random_file("curl.bin", 3 * MiB + 17)
        url = self.gateway.ftp_url("/files/curl.bin")
        self.assertTrue(curl(self.gateway, "alice", "alice-pass-1", "-T", path, url).ok)
        back = self.local("back.bin")
        r = curl(self.gateway, "alice", "alice-pass-1", "-o", back, url)
        self.assertTrue(r.ok, r)
        self.assertEqual(sha256_file(back), digest)
        r = curl(self.gateway, "alice", "alice-pass-1", self.gateway.ftp_url("/files/"))
        self.assertRegex(r.stdout, r"(?m)^-rw-r--r-- 1 alice alice +3145745 .* curl\.bin\r?$")

    def test_curl_many_transfers_on_one_connection_over_tls13(self):
        # curl keeps each data connection's session right after its handshake;
        # on uploads it never reads that connection's tickets, so without a
        # fresh ticket on the control connection after every transfer its
        # next data connection could not resume and got 425.
        config = self.local("many.curlrc")
        with open(config, "w", encoding="utf-8") as f:
            for i in range(20):
                path, _ = self.random_file("m%d.bin" % i, 8192)
                f.write('upload-file = "%s"\nurl = "%s"\n'
                        % (path, self.gateway.ftp_url("/files/many/m%d.bin" % i)))
        r = curl(self.gateway, "alice", "alice-pass-1", "--tlsv1.3", "--ftp-create-dirs", "-K",
                 config)
        self.assertTrue(r.ok, r)
        with open(config.replace("many", "back"), "w", encoding="utf-8") as f:
            for i in range(20):
                f.write('output = "%s"\nurl = "%s"\n'
                        % (self.local("b%d.bin" % i), self.gateway.ftp_url("/files/many/m%d.bin" % i)))
        r = curl(self.gateway, "alice", "alice-pass-1", "--tlsv1.3", "-K",
                 config.replace("many", "back"))
        self.assertTrue(r.ok, r)
        for i in range(20):
            self.assertEqual(sha256_file(self.local("b%d.bin" % i)),
                             sha256_file(self.local("m%d.bin" % i)))

    def test_curl_implicit_tls(self):
        path, digest = self.random_file("imp.bin", 100000)
        url = self.gateway.ftp_url("/files/imp.bin", implicit=True)
        r = curl(self.gateway, "alice", "alice-pass-1", "-T", path, url, implicit=True)
        self.assertTrue(r.ok, r)
        back = self.local("imp-back.bin")
        self.assertTrue(curl(self.gateway, "alice", "alice-pass-1", "-o", back, url,
                             implicit=True).ok)
        self.assertEqual(sha256_file(back), digest)

    def test_curl_resume_upload_and_download(self):
        path, digest = self.random_file("resume.bin", 2 * MiB)
        half = self.local("half.bin")
        with open(path, "rb") as f, open(half, "wb") as h:
            h.write(f.read(MiB))
        url = self.gateway.ftp_url("/files/resume.bin")
        # An upload that ended early leaves a partial for its uploader ...
        self.assertTrue(curl(self.gateway, "alice", "alice-pass-1", "-T", half, url).ok)
        # ... and `-C -` asks SIZE, then REST + STOR (or APPE) for the rest.
        r = curl(self.gateway, "alice", "alice-pass-1", "-C", "-", "-T", path, url)
        self.assertTrue(r.ok, r)
        back = self.local("resume-back.bin")
        with open(back, "wb") as b, open(path, "rb") as f:
            b.write(f.read(MiB // 2))
        r = curl(self.gateway, "alice", "alice-pass-1", "-C", "-", "-o", back, url)
        self.assertTrue(r.ok, r)
        self.assertEqual(sha256_file(back), digest)

    def test_lftp_mirror_up_and_down_and_hash(self):
        source = self.local("tree")
        os.makedirs(os.path.join(source, "sub"))
        digests = {}
        for name in ("a.txt", "sub/b.bin", "sub/c d.bin"):
            full = os.path.join(source, name)
            with open(full, "wb") as f:
                f.write(os.urandom(50000))
            digests[name] = sha256_file(full)
        r = lftp(self.gateway, "bob", "bob-pass-2",
                 ["mkdir -p /files/mirror", "mirror -R %s /files/mirror" % source])
        self.assertTrue(r.ok, r)
        down = self.local("down")
        r = lftp(self.gateway, "bob", "bob-pass-2", ["mirror /files/mirror %s" % down])
        self.assertTrue(r.ok, r)
        for name, digest in digests.items():
            self.assertEqual(sha256_file(os.path.join(down, name)), digest, name)
        r = lftp(self.gateway, "bob", "bob-pass-2",
                 ["cd /files/mirror", "quote HASH a.txt"])
        self.assertTrue(r.ok, r)
        self.assertIn("213 SHA-256 0-50000 %s a.txt" % digests["a.txt"], r.stdout + r.stderr)

    def test_lftp_active_mode(self):
        path, digest = self.random_file("active.bin", 300000)
        r = lftp(self.gateway, "bob", "bob-pass-2",
                 ["put %s -o /files/active.bin" % path, "get /files/active.bin -o %s"
                  % self.local("active-back.bin")], extra=["set ftp:passive-mode off"])
        self.assertTrue(r.ok, r)
        self.assertEqual(sha256_file(self.local("active-back.bin")), digest)

    def test_rclone_copy_and_check(self):
        tree = self.local("rc")
        os.makedirs(tree)
        for i in range(5):
            with open(os.path.join(tree, "f%d.bin" % i), "wb") as f:
                f.write(os.urandom(20000 + i))
        r = rclone(self.gateway, "alice", "alice-pass-1", self.tmp, "copy", tree,
                   "REMOTE:/files/rc")
        self.assertTrue(r.ok, r)
        r = rclone(self.gateway, "alice", "alice-pass-1", self.tmp, "check", tree,
                   "REMOTE:/files/rc")
        self.assertTrue(r.ok, r)

    def test_ftplib_with_session_reuse(self):
        client = ftplib_client(self.gateway, "alice", "alice-pass-1")
        self.addCleanup(client.close)
        data = os.urandom(123456)
        with open(self.local("p.bin"), "wb") as f:
            f.write(data)
        with open(self.local("p.bin"), "rb") as f:
            self.assertTrue(client.storbinary("STOR /files/py.bin", f).startswith("226"))
        got = []
        client.retrbinary("RETR /files/py.bin", got.append)
        self.assertEqual(b"".join(got), data)
        self.assertEqual(client.size("/files/py.bin"), len(data))
        facts = dict(client.mlsd("/files"))
        self.assertEqual(facts["py.bin"]["type"], "file")
        self.assertEqual(facts["py.bin"]["size"], str(len(data)))
        self.assertIn("r", facts["py.bin"]["perm"])
        self.assertIn("py.bin", client.nlst("/files"))
        code = client.sendcmd("XSHA256 /files/py.bin")
        import hashlib
        self.assertEqual(code, "213 " + hashlib.sha256(data).hexdigest())
        feat = client.sendcmd("FEAT")
        for feature in ("AUTH TLS", "MLST", "HASH SHA-256", "EPSV", "REST STREAM", "UTF8"):
            self.assertIn(feature, feat)
        client.sendcmd("MFMT 20200102030405 /files/py.bin")
        self.assertEqual(client.sendcmd("MDTM /files/py.bin"), "213 20200102030405")
        client.rename("/files/py.bin", "/files/py2.bin")
        client.delete("/files/py2.bin")
        self.assertEqual(client.mkd("/files/d\u00e9j\u00e0"), "/files/d\u00e9j\u00e0")
        client.rmd("/files/d\u00e9j\u00e0")

    def test_ftplib_without_session_reuse_is_refused_by_default(self):
        client = ftplib_client(self.gateway, "alice", "alice-pass-1", reuse=False)
        self.addCleanup(client.close)
        with self.assertRaises((ftplib.error_temp, ftplib.error_perm, OSError)):
            client.nlst("/files")

    def test_openssl_s_client_starttls(self):
        proc = subprocess.run(
            ["openssl", "s_client", "-starttls", "ftp", "-connect",
             "127.0.0.1:%d" % self.gateway.ftp_port, "-quiet"],
            input="USER alice\r\nPASS alice-pass-1\r\nPWD\r\nQUIT\r\n", capture_output=True,
            text=True, timeout=30)
        self.assertIn("230 User alice logged in", proc.stdout)
        self.assertIn('257 "/"', proc.stdout)
        self.assertIn("221", proc.stdout)


class FtplibNoReuseTest(GatewayTestCase, unittest.TestCase):
    """Sites whose clients cannot resume TLS sessions turn the check off."""
    FTP = True
    USERS = (("carol", "carol-pass-3"),)
    EMAILS = False
    DEFINES = {"ftp.require_tls_session_reuse": "false", "ftp.allow_plain": "true"}

    def test_plain_ftplib_works_when_reuse_not_required(self):
        client = ftplib_client(self.gateway, "carol", "carol-pass-3", reuse=False)
        self.addCleanup(client.close)
        client.storbinary("STOR /files/x.txt", __import__("io").BytesIO(b"hello"))
        self.assertIn("x.txt", client.nlst("/files"))

    def test_curl_active_mode_plain(self):
        # curl 7.88 never starts TLS on an active data connection it accepted
        # (a client bug, fixed in curl 8); active FTPS is covered with lftp.
        path, digest = self.random_file("act.bin", 200000)
        url = self.gateway.ftp_url("/files/act.bin")
        r = run(["curl", "-sS", "-u", "carol:carol-pass-3", "-P", "127.0.0.1", "-T", path, url],
                timeout=60)
        self.assertTrue(r.ok, r)
        r = run(["curl", "-sS", "-u", "carol:carol-pass-3", "-P", "127.0.0.1", "-o",
                 self.local("act-back.bin"), url], timeout=60)
        self.assertTrue(r.ok, r)
        self.assertEqual(sha256_file(self.local("act-back.bin")), digest)


import ftplib  # noqa: E402  (used in assertRaises above)

if __name__ == "__main__":
    unittest.main()
