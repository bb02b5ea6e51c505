"""Fetching over FTPS and SFTP (seed 003) from real servers on loopback
(servers.py): ProFTPD with mod_tls requiring TLS, its certificate checked
against fetch.ca_file; OpenSSH sshd, its host key checked against the
request's host_key (SHA256 fingerprint, never trusted on first use), login
with a private key given in the request file. A certificate the gateway does
not trust and a wrong host key are refused with the reason in the request's
status, and nothing is stored."""

import base64
import hashlib
import os
import re
import unittest

from harness import close_client, started_gateway, upload_checked, wait_until
from servers import OpenSshSftp, ProFtpd


class FetchRemoteTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.data = os.urandom(300 * 1024)
        cls.ftp = ProFtpd(tls=True, tls_required=True)
        cls.addClassCleanup(cls.ftp.cleanup)
        with open(os.path.join(cls.ftp.home, "report.bin"), "wb") as f:
            f.write(cls.data)
        os.chmod(os.path.join(cls.ftp.home, "report.bin"), 0o644)
        cls.ftp.start()
        cls.sshd = OpenSshSftp()
        cls.addClassCleanup(cls.sshd.cleanup)
        cls.remote_file = os.path.join(cls.sshd.dir, "remote.bin")
        with open(cls.remote_file, "wb") as f:
            f.write(cls.data[:123457])
        cls.sshd.start()
        with open(cls.sshd.client_key, "rb") as f:
            cls.private_key = base64.b64encode(f.read()).decode()

        common = {"jobs.idle_poll_seconds": "1", "jobs.max_attempts": "2",
                  "fetch.allow_private": "true"}
        cls.trusting = started_gateway(cls, [("alice", "alice-pw")], extra_defines=dict(
            common, **{"fetch.ca_file": cls.ftp.ca.ca_cert}))
        # The system's CAs only.
        cls.plain = started_gateway(cls, [("bob", "bob-pw")], extra_defines=common)

    def request(self, gateway, user, password, name, text):
        client = gateway.connect(user, password)
        try:
            upload_checked(client, text.encode(), "/fetch/" + name)
        finally:
            close_client(client)

    def ended(self, gateway, user, password, name, state):
        def status():
            return gateway.read_file(user, password, "/fetch/" + name).decode()
        wait_until(lambda: re.search(r"^state = (done|failed)$", status(), re.M), 60,
                   what="%s to end" % name)
        text = status()
        self.assertIn("state = %s\n" % state, text, text + gateway.log_text()[-2000:])
        return text

    def test_ftps_fetch_with_verified_certificate(self):
        self.request(self.trusting, "alice", "alice-pw", "report.fetch",
                     "url = %s\nuser = %s\npassword = %s\n"
                     % (self.ftp.url("report.bin", tls=True), self.ftp.user, self.ftp.password))
        text = self.ended(self.trusting, "alice", "alice-pw", "report.fetch", "done")
        sha = hashlib.sha256(self.data).hexdigest()
        self.assertIn("stored = /files/report.bin\nbytes = %d\nsha256 = %s\n"
                      % (len(self.data), sha), text)
        stored = self.trusting.read_file("alice", "alice-pw", "/files/report.bin")
        self.assertEqual(hashlib.sha256(stored).hexdigest(), sha)
        commands = "\n".join(self.ftp.commands())
        self.assertIn("AUTH TLS", commands)
        self.assertIn("PROT P", commands)
        self.assertNotIn(self.ftp.password, text + self.trusting.log_text())

    def test_ftps_untrusted_certificate_refused(self):
        self.request(self.plain, "bob", "bob-pw", "report.fetch",
                     "url = %s\nuser = %s\npassword = %s\n"
                     % (self.ftp.url("report.bin", tls=True), self.ftp.user, self.ftp.password))
        text = self.ended(self.plain, "bob", "bob-pw", "report.fetch", "failed")
        self.assertRegex(text.lower(), r"reason = .*certificate")
        self.assertNotIn("report.bin", self.plain.list_dir("bob", "bob-pw", "/files"))

    def test_sftp_fetch_with_host_key_and_private_key(self):
        self.request(self.trusting, "alice", "alice-pw", "remote.fetch",
                     "url = sftp://127.0.0.1:%d%s\nuser = root\nprivate_key = %s\n"
                     "host_key = %s\ninto = /files/from-sftp.bin\n"
                     % (self.sshd.port, self.remote_file, self.private_key,
                        self.sshd.host_key_sha256))
        text = self.ended(self.trusting, "alice", "alice-pw", "remote.fetch", "done")
        self.assertIn("stored = /files/from-sftp.bin\n", text)
        self.assertNotIn(self.private_key[:40], text + self.trusting.log_text())
        stored = self.trusting.read_file("alice", "alice-pw", "/files/from-sftp.bin")
        self.assertEqual(stored, self.data[:123457])

    def test_sftp_wrong_host_key_refused(self):
        wrong = "SHA256:" + base64.b64encode(hashlib.sha256(b"not it").digest()).decode()[:43]
        self.request(self.plain, "bob", "bob-pw", "wrong.fetch",
                     "url = sftp://127.0.0.1:%d%s\nuser = root\nprivate_key = %s\n"
                     "host_key = %s\n" % (self.sshd.port, self.remote_file, self.private_key,
                                          wrong))
        text = self.ended(self.plain, "bob", "bob-pw", "wrong.fetch", "failed")
        self.assertIn("host key %s is not" % self.sshd.host_key_sha256, text)
        self.assertIn(wrong, text)
        self.assertNotIn("remote.bin", self.plain.list_dir("bob", "bob-pw", "/files"))

    def test_dadctl_sftp_needs_host_key(self):
        url = "sftp://127.0.0.1:%d%s" % (self.sshd.port, self.remote_file)
        rc, _, err = self.plain.dadctl("fetch", "bob", url)
        self.assertNotEqual(rc, 0)
        self.assertIn("--host-key", err)
        # With a key that is not the server's, the job fails on it, before any login.
        wrong = "SHA256:" + "A" * 43
        rc, out, err = self.plain.dadctl("fetch", "bob", url, "--host-key", wrong)
        self.assertEqual(rc, 0, err)
        job = out.strip()
        line = re.compile(r"^#%s\s+fetch\s+dead\s" % job, re.M)
        wait_until(lambda: line.search(self.plain.dadctl("job", "list")[1]), 60,
                   what="job #%s to fail" % job)
        self.assertIn("is not the site's " + wrong, self.plain.dadctl("job", "list")[1])


if __name__ == "__main__":
    unittest.main()
