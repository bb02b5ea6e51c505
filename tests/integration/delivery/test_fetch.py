"""Fetching on a user's behalf (seed 003): `dadctl fetch` queues a job; the
gateway fetches from a real HTTP server (Python's http.server) and a real FTP
server (Debian's pyftpdlib) on loopback, stores the content deduplicated in
/files, and refuses loopback addresses unless fetch.allow_private, including
a redirect to 127.0.0.1, and content over fetch.max_bytes."""

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

import http_source
from harness import Gateway, close_client, free_port, wait_until
from http_source import serve_http

MiB = 1024 * 1024
JOB_LINE = re.compile(r"^#(\d+)\s+(\S+)\s+(\S+)\s+.*$")


class Handler(http_source.Handler):
    files = {}


class FetchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.small = os.urandom(300 * 1024)
        cls.big = os.urandom(2 * MiB)
        Handler.files = {"/data/small.bin": cls.small, "/data/big.bin": cls.big}
        cls.http = serve_http("127.0.0.1", Handler)
        cls.addClassCleanup(cls.http.server_close)
        cls.addClassCleanup(cls.http.shutdown)
        cls.http_port = cls.http.server_address[1]
        # A second server on another loopback address, allowed by name below.
        cls.http2 = serve_http("127.0.0.2", Handler)
        cls.addClassCleanup(cls.http2.server_close)
        cls.addClassCleanup(cls.http2.shutdown)
        cls.http2_port = cls.http2.server_address[1]

        cls.ftp_dir = tempfile.mkdtemp(prefix="dadgate-ftp-")
        cls.addClassCleanup(shutil.rmtree, cls.ftp_dir, True)
        os.makedirs(os.path.join(cls.ftp_dir, "pub"))
        with open(os.path.join(cls.ftp_dir, "pub", "tool.tar"), "wb") as f:
            f.write(cls.small[:123457])
        cls.ftp_port = free_port()
        cls.ftp = subprocess.Popen(
            [sys.executable, "-m", "pyftpdlib", "-i", "127.0.0.1", "-p", str(cls.ftp_port),
             "-d", cls.ftp_dir, "-r", "%d-%d" % (cls.ftp_port + 1, cls.ftp_port + 20)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.addClassCleanup(cls.stop_ftp)
        wait_until(cls.ftp_listening, 15, what="pyftpdlib listening")

        common = {"jobs.idle_poll_seconds": "1", "jobs.max_attempts": "2"}
        cls.open = Gateway(extra_defines=dict(common, **{
            "fetch.allow_private": "true", "fetch.max_bytes": str(MiB)}))
        cls.addClassCleanup(cls.open.cleanup)
        cls.open.start()
        cls.open.add_user("alice", "alice-pw")
        cls.strict = Gateway(extra_defines=dict(common, **{
            "fetch.allow_addresses": "127.0.0.2"}))
        cls.addClassCleanup(cls.strict.cleanup)
        cls.strict.start()
        cls.strict.add_user("bob", "bob-pw")

    @classmethod
    def stop_ftp(cls):
        cls.ftp.terminate()
        try:
            cls.ftp.wait(10)
        except subprocess.TimeoutExpired:
            cls.ftp.kill()
            cls.ftp.wait(10)

    @classmethod
    def ftp_listening(cls):
        try:
            socket.create_connection(("127.0.0.1", cls.ftp_port), 1).close()
            return True
        except OSError:
            return False

    # ---- helpers ------------------------------------------------------------

    def fetch(self, gateway, *args):
        rc, out, err = gateway.dadctl("fetch", *args)
        self.assertEqual(rc, 0, err)
        self.assertRegex(out.strip(), r"^\d+$")
        return out.strip()

    def job(self, gateway, job_id):
        rc, out, err = gateway.dadctl("job", "list")
        self.assertEqual(rc, 0, err)
        for line in out.splitlines():
            m = JOB_LINE.match(line)
            if m and m.group(1) == job_id:
                return m.group(3), line
        self.fail("job #%s not listed:\n%s" % (job_id, out))

    def wait_job(self, gateway, job_id, state, timeout=30):
        wait_until(lambda: self.job(gateway, job_id)[0] in ("done", "dead"), timeout,
                   what="job #%s to end" % job_id)
        got, line = self.job(gateway, job_id)
        self.assertEqual(got, state, line + "\n" + gateway.log_text()[-3000:])
        return line

    def read(self, gateway, user, password, path):
        return gateway.read_file(user, password, path)

    def exists(self, gateway, user, password, path):
        client = gateway.connect(user, password)
        try:
            client.stat(path)
            return True
        except IOError:
            return False
        finally:
            close_client(client)

    # ---- tests --------------------------------------------------------------

    def test_http_fetch_stored_and_deduplicated(self):
        url = "http://127.0.0.1:%d/data/small.bin" % self.http_port
        job_id = self.fetch(self.open, "alice", url)
        self.wait_job(self.open, job_id, "done")
        logged = "job #%s: fetched %d bytes into /files/small.bin for alice" % (job_id,
                                                                               len(self.small))
        wait_until(lambda: logged in self.open.log_text(), 10, what="the fetch's log line")
        data = self.read(self.open, "alice", "alice-pw", "/files/small.bin")
        self.assertEqual(hashlib.sha256(data).hexdigest(), hashlib.sha256(self.small).hexdigest())
        sha = hashlib.sha256(self.small).hexdigest()
        self.assertTrue(self.open.has_blob(sha))
        blobs = self.open.blob_count()
        # The same content over SFTP: no new blob.
        client = self.open.connect("alice", "alice-pw")
        try:
            with client.open("/files/again.bin", "wb") as f:
                f.write(self.small)
        finally:
            close_client(client)
        self.assertEqual(self.open.blob_count(), blobs)
        # A notification for the user is queued.
        rc, out, _ = self.open.dadctl("job", "list")
        self.assertIn('"type":"fetched"', out)
        self.assertIn('"path":"/files/small.bin"', out)

    def test_into_folder_and_full_path(self):
        client = self.open.connect("alice", "alice-pw")
        try:
            client.mkdir("/files/in")
        finally:
            close_client(client)
        url = "http://127.0.0.1:%d/data/small.bin" % self.http_port
        first = self.fetch(self.open, "alice", url, "--into", "/files/in")
        second = self.fetch(self.open, "alice", url, "--into", "/files/in/renamed.dat")
        # A trailing / names a folder, made with its parents when missing.
        third = self.fetch(self.open, "alice", url, "--into", "/files/reports/2026/")
        self.wait_job(self.open, first, "done")
        self.wait_job(self.open, second, "done")
        self.wait_job(self.open, third, "done")
        self.assertEqual(self.read(self.open, "alice", "alice-pw", "/files/reports/2026/small.bin"),
                         self.small)
        self.assertEqual(self.read(self.open, "alice", "alice-pw", "/files/in/small.bin"),
                         self.small)
        self.assertEqual(self.read(self.open, "alice", "alice-pw", "/files/in/renamed.dat"),
                         self.small)

    def test_ftp_fetch(self):
        url = "ftp://127.0.0.1:%d/pub/tool.tar" % self.ftp_port
        job_id = self.fetch(self.open, "alice", url)
        self.wait_job(self.open, job_id, "done")
        self.assertEqual(self.read(self.open, "alice", "alice-pw", "/files/tool.tar"),
                         self.small[:123457])

    def test_loopback_refused_without_allow_private(self):
        url = "http://127.0.0.1:%d/data/small.bin" % self.http_port
        job_id = self.fetch(self.strict, "bob", url)
        line = self.wait_job(self.strict, job_id, "dead")
        self.assertIn("refused to fetch from 127.0.0.1", line)
        self.assertIn("fetch.allow_private", line)
        self.assertFalse(self.exists(self.strict, "bob", "bob-pw", "/files/small.bin"))

    def test_redirect_to_loopback_refused(self):
        # 127.0.0.2 is allowed by name; its redirect to 127.0.0.1 is checked again.
        target = "http://127.0.0.1:%d/data/small.bin" % self.http_port
        url = "http://127.0.0.2:%d/redirect?to=%s" % (self.http2_port, target)
        job_id = self.fetch(self.strict, "bob", url)
        line = self.wait_job(self.strict, job_id, "dead")
        self.assertIn("redirect refused", line)
        self.assertIn("127.0.0.1", line)
        # The allowed address itself works, redirect included.
        ok = "http://127.0.0.2:%d/redirect?to=/data/small.bin" % self.http2_port
        job_id = self.fetch(self.strict, "bob", ok, "--into", "/files/via-redirect.bin")
        self.wait_job(self.strict, job_id, "done")
        self.assertEqual(self.read(self.strict, "bob", "bob-pw", "/files/via-redirect.bin"),
                         self.small)

    def test_size_limit_leaves_nothing(self):
        url = "http://127.0.0.1:%d/data/big.bin" % self.http_port
        partial_before = self.open.partial_upload_bytes()
        job_id = self.fetch(self.open, "alice", url)
        line = self.wait_job(self.open, job_id, "dead")
        self.assertIn("larger than fetch.max_bytes", line)
        self.assertFalse(self.exists(self.open, "alice", "alice-pw", "/files/big.bin"))
        self.assertFalse(self.open.has_blob(hashlib.sha256(self.big).hexdigest()))
        self.assertEqual(self.open.partial_upload_bytes(), partial_before)

    def test_at_in_the_future_waits(self):
        url = "http://127.0.0.1:%d/data/small.bin" % self.http_port
        job_id = self.fetch(self.open, "alice", url, "--at", "2030-01-01T00:00:00Z",
                            "--into", "/files/later.bin")
        # Its run-at is the requested time, so the queue does not take it before.
        state, line = self.job(self.open, job_id)
        self.assertEqual(state, "queued", line)
        self.assertIn("2030-01-01", line)
        self.assertFalse(self.exists(self.open, "alice", "alice-pw", "/files/later.bin"))
        self.open.dadctl("job", "cancel", job_id)

    def test_dadctl_checks_without_network(self):
        for args, message in [
                (("nobody", "http://example.com/a"), "no account nobody"),
                (("alice", "file:///etc/passwd"), "scheme"),
                (("alice", "http://u:p@example.com/a"), "user or password"),
                (("alice", "http://example.com/a", "--into", "/sent/x"), "a fetch may write"),
                (("alice", "http://example.com/a", "--at", "soon"), "--at must be")]:
            rc, _, err = self.open.dadctl("fetch", *args)
            self.assertNotEqual(rc, 0, args)
            self.assertIn(message, err)


if __name__ == "__main__":
    unittest.main()
