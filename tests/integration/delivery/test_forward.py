"""Forwarding sent packages to other servers: a real ProFTPD (FTP, and FTPS
with a certificate from a test CA) and a real OpenSSH sshd (SFTP, host key
checked). Files land in <folder>/<PID>/<path>; tracking (dadctl package show,
/sent/<package>/.status) follows each forward; refusals are not retried; a
cut mid-transfer resumes (APPE on FTP, an open without truncation on SFTP)."""

import io
import os
import re
import unittest

from harness import (MiB, LocalFilesCase, close_client, draft_pid, make_parent_folders,
                     sha256_bytes, sha256_file, started_gateway, wait_until)
from servers import OpenSshSftp, ProFtpd

ALICE = ("alice", "alice-pw-7")
BOB = ("bob", "bob-pw-7")
FORWARD_TIMEOUT = 120
# Quick retries, and dadctl's jobs found within a second.
JOB_DEFINES = {"jobs.idle_poll_seconds": "1", "jobs.first_retry_seconds": "1",
               "jobs.max_retry_seconds": "2", "jobs.max_attempts": "30"}
# Lua forwards the drafts whose name starts with "tofar" when they are sent.
LUA_FORWARD = """
function on_package_sent(event)
  if string.find(event.package.name, "^tofar") then dad.forward("plain") end
end
"""
FORWARD_LINE = re.compile(r"^  (\S+)  (queued|running|done|failed)  (\d+) of (\d+) bytes"
                          r"  attempts (\d+)  .*?(?:  error: (.*))?$")


class ForwardCase(LocalFilesCase):
    """Mixin: one gateway with alice and bob; helpers to send and track."""

    @classmethod
    def start_gateway(cls, policy=None):
        cls.gateway = started_gateway(cls, [(name, password, "%s@example.com" % name)
                                            for name, password in (ALICE, BOB)],
                                      extra_defines=JOB_DEFINES, policy=policy)

    def dadctl_ok(self, *args, input=None):
        rc, out, err = self.gateway.dadctl(*args, input=input)
        self.assertEqual(rc, 0, "dadctl %s: %s%s" % (" ".join(args), out, err))
        return out

    def add_site(self, name, secret, *args):
        self.dadctl_ok("site", "add", name, *args, input=secret)
        self.addCleanup(self.gateway.dadctl, "site", "remove", name)

    def client(self):
        client = self.gateway.connect(*ALICE)
        self.addCleanup(close_client, client)
        return client

    def make_draft(self, draft, files, manifest="to = bob\n"):
        """Uploads `files` ({path: bytes}) and the manifest into /outbox/<draft>;
        returns the client and the PID."""
        sftp = self.client()
        sftp.mkdir("/outbox/" + draft)
        for path, data in files.items():
            make_parent_folders(sftp, "/outbox/" + draft, path)
            sftp.putfo(io.BytesIO(data), "/outbox/%s/%s" % (draft, path))
        if manifest is not None:
            sftp.putfo(io.BytesIO(manifest.encode()), "/outbox/%s/.dad" % draft)
        return sftp, draft_pid(sftp, "/outbox/" + draft)

    def send(self, draft, files, manifest="to = bob\n"):
        sftp, pid = self.make_draft(draft, files, manifest)
        sftp.rename("/outbox/" + draft, "/sent/" + draft)
        return pid

    def forwards(self, pid):
        """{site: (state, bytes done, bytes total, attempts, error)} from dadctl package show."""
        text = self.dadctl_ok("package", "show", pid)
        found = {}
        for line in text.split("forwards:\n", 1)[-1].splitlines() if "forwards:" in text else []:
            m = FORWARD_LINE.match(line)
            if m:
                found[m.group(1)] = (m.group(2), int(m.group(3)), int(m.group(4)),
                                     int(m.group(5)), m.group(6) or "")
        return found

    def wait_state(self, pid, site, states=("done", "failed"), timeout=FORWARD_TIMEOUT):
        def settled():
            f = self.forwards(pid).get(site)
            return f if f and f[0] in states else None
        return wait_until(settled, timeout, interval=0.2,
                          what="forward of %s to %s to reach %s" % (pid, site, states))

    def assertRefusedOnce(self, pid, site, reason):
        """Forwards `pid` to `site`: the forward fails at its first attempt with
        `reason` in its error (a refusal is not retried)."""
        self.dadctl_ok("package", "forward", pid, site)
        state = self.wait_state(pid, site)
        self.assertEqual(state[0], "failed", state)
        self.assertEqual(state[3], 1, "a refusal is not retried: %r" % (state,))
        self.assertIn(reason, state[4])

    def assertArrived(self, root, pid, files):
        for path, data in files.items():
            there = os.path.join(root, pid, path)
            self.assertTrue(os.path.isfile(there), "%s missing on the far server" % there)
            self.assertEqual(sha256_file(there), sha256_bytes(data), path)

    def forward_big(self, site):
        """Sends a package with one 64 MiB big.bin and queues its forward to
        `site`; returns (PID, sha256 of big.bin)."""
        big, digest = self.random_file("big.bin", 64 * MiB)
        with open(big, "rb") as f:
            pid = self.send("big-" + site, {"big.bin": f.read()})
        self.dadctl_ok("package", "forward", pid, site)
        return pid, digest

    @staticmethod
    def package_files():
        return {"report.bin": os.urandom(700 * 1024), "docs/readme.txt": b"read me\n" * 100,
                "docs/deeper/data.bin": os.urandom(123457)}


class FtpForwardTest(ForwardCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ftp = ProFtpd()
        cls.addClassCleanup(cls.ftp.cleanup)
        cls.ftp.start()
        # TLSRequired on: a forward that gets through used TLS.
        cls.ftps = ProFtpd(tls=True, tls_required=True)
        cls.addClassCleanup(cls.ftps.cleanup)
        cls.ftps.start()
        cls.start_gateway(policy={"forward.lua": LUA_FORWARD})

    def setUp(self):
        super().setUp()
        self.add_site("plain", self.ftp.password + "\n", "--type", "ftp", "--url",
                      self.ftp.url("incoming"), "--user", self.ftp.user)

    def test_files_arrive_over_ftp_and_ftps_with_tracking(self):
        ca = self.ftps.ca.ca_cert
        self.add_site("secure", self.ftps.password, "--type", "ftps", "--url",
                      self.ftps.url("drop/here", tls=True), "--user", self.ftps.user,
                      "--ca", ca)
        listed = self.dadctl_ok("site", "list")
        self.assertIn("secure  ftps  " + self.ftps.url("drop/here", tls=True), listed)
        self.assertNotIn(self.ftps.password, listed)
        files = self.package_files()
        pid = self.send("both", files)
        self.assertIn("queued", self.dadctl_ok("package", "forward", pid, "plain"))
        self.dadctl_ok("package", "forward", pid, "secure")
        total = sum(len(d) for d in files.values())
        for site, root in (("plain", os.path.join(self.ftp.home, "incoming")),
                           ("secure", os.path.join(self.ftps.home, "drop", "here"))):
            state = self.wait_state(pid, site)
            self.assertEqual(state[:3], ("done", total, total), state)
            self.assertArrived(root, pid, files)
            self.assertFalse(os.path.exists(os.path.join(root, pid, ".dad")))
        # The sender's tracking file says the same.
        with self.client().open("/sent/both/.status") as f:
            status = f.read().decode()
        self.assertRegex(status, r"(?m)^  plain  done  %d of %d bytes" % (total, total))
        self.assertRegex(status, r"(?m)^  secure  done  %d of %d bytes" % (total, total))

    def test_a_certificate_from_another_ca_is_refused(self):
        other = ProFtpd(tls=True, tls_required=True)  # a CA of its own
        self.addCleanup(other.cleanup)
        self.add_site("wrongca", self.ftps.password, "--type", "ftps", "--url",
                      self.ftps.url("x", tls=True), "--user", self.ftps.user,
                      "--ca", other.ca.ca_cert)
        pid = self.send("wrongca", {"one.txt": b"one\n"})
        self.assertRefusedOnce(pid, "wrongca", "certificate")
        self.assertFalse(os.path.exists(os.path.join(self.ftps.home, "x")))

    def test_manifest_forward_to_forwards_when_sent(self):
        files = {"a.txt": b"forwarded by the manifest\n", "sub/b.bin": os.urandom(5000)}
        pid = self.send("viamanifest", files, manifest="to = bob\nforward_to = plain\n")
        state = self.wait_state(pid, "plain")
        self.assertEqual(state[0], "done", state)
        self.assertArrived(os.path.join(self.ftp.home, "incoming"), pid, files)

    def test_lua_dad_forward_forwards_when_sent(self):
        files = {"lua.txt": b"forwarded because a policy said so\n"}
        pid = self.send("tofar-1", files)
        state = self.wait_state(pid, "plain")
        self.assertEqual(state[0], "done", state)
        self.assertArrived(os.path.join(self.ftp.home, "incoming"), pid, files)
        # Policy leaves other packages alone.
        other = self.send("elsewhere", {"x.txt": b"x"})
        self.assertEqual(self.forwards(other), {})

    def test_unknown_site_in_manifest_refuses_the_send(self):
        sftp, pid = self.make_draft("typo", {"a.txt": b"x"},
                                    manifest="to = bob\nforward_to = nowhere\n")
        with self.assertRaises(IOError):
            sftp.rename("/outbox/typo", "/sent/typo")
        self.assertIn("typo", sftp.listdir("/outbox"))
        self.assertIn("draft", self.dadctl_ok("package", "show", pid))

    def test_wrong_password_fails_once_with_the_reason(self):
        self.add_site("badpw", "not-the-password", "--type", "ftp", "--url",
                      self.ftp.url("bad"), "--user", self.ftp.user)
        pid = self.send("badpw", {"a.txt": b"x"})
        self.assertRefusedOnce(pid, "badpw", "530")
        dead = self.dadctl_ok("job", "list", "--state", "dead")
        self.assertIn(pid, dead)
        self.assertNotIn("not-the-password", self.dadctl_ok("package", "show", pid))
        self.assertNotIn("not-the-password", self.gateway.log_text())

    def test_cut_mid_transfer_resumes_with_append(self):
        slow = ProFtpd(rate_limit_kib=16 * 1024)
        self.addCleanup(slow.cleanup)
        slow.start()
        self.add_site("slow", slow.password, "--type", "ftp", "--url", slow.url("in"),
                      "--user", slow.user)
        pid, digest = self.forward_big("slow")
        there = os.path.join(slow.home, "in", pid, "big.bin")
        wait_until(lambda: os.path.exists(there) and os.path.getsize(there) > 8 * MiB,
                   FORWARD_TIMEOUT, what="part of big.bin on the FTP server")
        slow.kill()
        cut_at = os.path.getsize(there)
        self.assertLess(cut_at, 64 * MiB)
        slow.start()
        state = self.wait_state(pid, "slow")
        self.assertEqual(state[0], "done", state)
        self.assertGreaterEqual(state[3], 2, state)
        self.assertEqual(sha256_file(there), digest)
        # The second attempt appended to what was there instead of sending it all again.
        appends = [line for line in slow.commands() if '"APPE ' in line and "big.bin" in line]
        self.assertTrue(appends, "no APPE in the server's log:\n" + "\n".join(slow.commands()))
        self.assertLessEqual(int(appends[-1].split()[-1]), 64 * MiB - cut_at)


@unittest.skipUnless(hasattr(os, "geteuid") and os.geteuid() == 0, "needs root to run sshd")
class SftpForwardTest(ForwardCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sshd = OpenSshSftp(log_level="INFO")
        cls.addClassCleanup(cls.sshd.cleanup)
        cls.sshd.start()
        cls.start_gateway()
        with open(cls.sshd.client_key) as f:
            cls.key = f.read()

    def site_url(self, folder):
        return "sftp://127.0.0.1:%d%s/%s" % (self.sshd.port, self.sshd.dir, folder)

    def test_files_arrive_over_sftp(self):
        self.add_site("ssh", self.key, "--type", "sftp", "--url", self.site_url("drop"),
                      "--user", "root", "--host-key", self.sshd.host_key_sha256)
        files = self.package_files()
        pid = self.send("viassh", files)
        self.dadctl_ok("package", "forward", pid, "ssh")
        state = self.wait_state(pid, "ssh")
        self.assertEqual(state[0], "done", state)
        self.assertArrived(os.path.join(self.sshd.dir, "drop"), pid, files)

    def test_sftp_site_needs_a_host_key(self):
        rc, out, err = self.gateway.dadctl("site", "add", "nokey", "--type", "sftp", "--url",
                                           self.site_url("x"), "--user", "root", input=self.key)
        self.assertNotEqual(rc, 0)
        self.assertIn("host-key", err)

    def test_wrong_host_key_is_refused_without_retry(self):
        wrong = "SHA256:" + "A" * 43
        self.add_site("impostor", self.key, "--type", "sftp", "--url", self.site_url("never"),
                      "--user", "root", "--host-key", wrong)
        pid = self.send("impostor", {"a.txt": b"secret stuff\n"})
        self.assertRefusedOnce(pid, "impostor", "host key")
        self.assertFalse(os.path.exists(os.path.join(self.sshd.dir, "never")))

    def test_cut_mid_transfer_resumes(self):
        self.add_site("sshcut", self.key, "--type", "sftp", "--url", self.site_url("cut"),
                      "--user", "root", "--host-key", self.sshd.host_key_sha256)
        pid, digest = self.forward_big("sshcut")
        there = os.path.join(self.sshd.dir, "cut", pid, "big.bin")
        wait_until(lambda: os.path.exists(there) and os.path.getsize(there) > 2 * MiB,
                   FORWARD_TIMEOUT, interval=0.01, what="part of big.bin on the SFTP server")
        self.sshd.kill()
        cut_at = os.path.getsize(there)
        self.assertLess(cut_at, 64 * MiB, "the transfer ended before the cut")
        self.sshd.start()
        state = self.wait_state(pid, "sshcut")
        self.assertEqual(state[0], "done", state)
        self.assertEqual(sha256_file(there), digest)
        # sftp-server's log: the resumed open did not truncate, and the
        # resumed session wrote only what was missing.
        opens = [line for line in self.sshd.sftp_log_lines() if "open \"%s\"" % there in line]
        self.assertGreaterEqual(len(opens), 2, "\n".join(self.sshd.sftp_log_lines()))
        self.assertIn("TRUNCATE", opens[0])
        self.assertNotIn("TRUNCATE", opens[-1])
        closes = [line for line in self.sshd.sftp_log_lines() if "close \"%s\"" % there in line]
        written = int(re.search(r"written (\d+)", closes[-1]).group(1))
        self.assertLessEqual(written, 64 * MiB - cut_at)


if __name__ == "__main__":
    unittest.main()
