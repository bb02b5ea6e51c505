"""Fetch requests uploaded into /fetch (seed 003): a user uploads NAME.fetch
over SFTP (OpenSSH sftp), FTPS (ftplib) or WebDAV (curl PUT); a good request
fetches from a real HTTP server on loopback (Python's http.server) into
/files; a malformed one is refused at upload with the parser's line number and
nothing is kept; a request for a loopback address without fetch.allow_private
fails with the address guard's reason in its status; a request `at` a later
time is queued for that time; removing a queued request cancels its job;
credentials are used and never shown back or logged."""

import hashlib
import os
import re
import shutil
import tempfile
import unittest

import http_source
from ftps_client import ftplib_client
from harness import Gateway, close_client, run, upload_checked, wait_until
from http_source import serve_http

JOB_LINE = re.compile(r"^#(\d+)\s+(\S+)\s+(\S+)\s+attempts\s+\d+\s+next\s+(\S+)\s+(.*)$")
SECRET = "pw-Fetch-7c1e"


class Handler(http_source.Handler):
    files = {}
    protected = {}


class FetchRequestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.report = os.urandom(200 * 1024)
        cls.table = os.urandom(70 * 1024)
        cls.page = os.urandom(5000)
        cls.secret_data = os.urandom(9000)
        Handler.files = {"/data/report.bin": cls.report, "/data/table.csv": cls.table,
                         "/data/page.html": cls.page, "/private/keys.bin": cls.secret_data}
        Handler.protected = {"/private/keys.bin": ("web", SECRET)}
        cls.http = serve_http("127.0.0.1", Handler)
        cls.addClassCleanup(cls.http.server_close)
        cls.addClassCleanup(cls.http.shutdown)
        cls.base = "http://127.0.0.1:%d" % cls.http.server_address[1]

        common = {"jobs.idle_poll_seconds": "1", "jobs.max_attempts": "2"}
        cls.open = Gateway(web=True, ftp=True,
                           extra_defines=dict(common, **{"fetch.allow_private": "true"}))
        cls.addClassCleanup(cls.open.cleanup)
        cls.open.start()
        cls.open.add_user("alice", "alice-pw")
        cls.strict = Gateway(extra_defines=common)
        cls.addClassCleanup(cls.strict.cleanup)
        cls.strict.start()
        cls.strict.add_user("bob", "bob-pw")

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="dad-fetchreq-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    # ---- helpers ------------------------------------------------------------

    def local(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def status(self, gateway, user, password, name):
        return gateway.read_file(user, password, "/fetch/" + name).decode()

    def wait_state(self, gateway, user, password, name, state, timeout=30):
        wait_until(lambda: re.search(r"^state = (done|failed)$",
                                     self.status(gateway, user, password, name), re.M),
                   timeout, what="%s to end" % name)
        text = self.status(gateway, user, password, name)
        self.assertIn("state = %s\n" % state, text, text + gateway.log_text()[-2000:])
        return text

    def jobs(self, gateway):
        rc, out, err = gateway.dadctl("job", "list")
        self.assertEqual(rc, 0, err)
        return out

    def job_line(self, gateway, job_id):
        for line in self.jobs(gateway).splitlines():
            m = JOB_LINE.match(line)
            if m and m.group(1) == job_id:
                return m
        self.fail("job #%s not listed" % job_id)

    @staticmethod
    def job_id(status_text):
        return re.search(r"job #(\d+)", status_text).group(1)

    def assertStored(self, status_text, path, data):
        sha = hashlib.sha256(data).hexdigest()
        self.assertIn("stored = %s\n" % path, status_text)
        self.assertIn("sha256 = %s\n" % sha, status_text)
        stored = self.open.read_file("alice", "alice-pw", path)
        self.assertEqual(hashlib.sha256(stored).hexdigest(), sha)

    # ---- tests --------------------------------------------------------------

    def test_sftp_request_fetches_with_credentials_never_shown(self):
        request = self.local("keys.fetch", "# from the vault\nurl = %s/private/keys.bin\n"
                             "into = /files/vault/\nuser = web\npassword = %s\n"
                             % (self.base, SECRET))
        result = self.open.sftp_batch("alice", "alice-pw",
                                      ["mkdir /files/vault", "put %s /fetch/keys.fetch" % request,
                                       "ls -l /fetch"])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("keys.fetch", result.stdout)
        text = self.wait_state(self.open, "alice", "alice-pw", "keys.fetch", "done")
        self.assertStored(text, "/files/vault/keys.bin", self.secret_data)
        self.assertIn("url = %s/private/keys.bin\n" % self.base, text)
        # The password was used (the server demands it) and shows nowhere.
        for where in (text, self.open.log_text(), self.jobs(self.open)):
            self.assertNotIn(SECRET, where)
        self.assertEqual(os.listdir(os.path.join(self.open.data_dir, "fetch-credentials")), [])

    def test_sftp_bad_request_refused_with_line_number(self):
        client = self.open.connect("alice", "alice-pw")
        try:
            with self.assertRaises(IOError) as refused:
                upload_checked(client, ("url = %s/data/report.bin\ncolour = red\n"
                                        % self.base).encode(), "/fetch/bad.fetch")
            self.assertIn("bad.fetch line 2: unknown key 'colour'", str(refused.exception))
            self.assertNotIn("bad.fetch", client.listdir("/fetch"))
            # Only request files go here, and no folders.
            with self.assertRaises(IOError) as wrong:
                upload_checked(client, b"hello", "/fetch/notes.txt")
            self.assertIn("NAME.fetch", str(wrong.exception))
            with self.assertRaises(IOError):
                client.mkdir("/fetch/folder")
        finally:
            close_client(client)
        # OpenSSH sftp gets the refusal too.
        request = self.local("bad2.fetch", "url = ftp://h/a\npassword = x\n")
        result = self.open.sftp_batch("alice", "alice-pw", ["put %s /fetch/bad2.fetch" % request])
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertNotIn("bad2.fetch", self.open.list_dir("alice", "alice-pw", "/fetch"))

    def test_ftps_good_and_bad_requests(self):
        client = ftplib_client(self.open, "alice", "alice-pw")
        try:
            good = "url = %s/data/table.csv\n" % self.base
            reply = client.storbinary("STOR /fetch/table.fetch", _Bytes(good.encode()))
            self.assertTrue(reply.startswith("226"), reply)
            with self.assertRaises(Exception) as refused:
                client.storbinary("STOR /fetch/late.fetch",
                                  _Bytes(b"url = http://h/a\n\nat = tomorrow\n"))
            self.assertRegex(str(refused.exception), r"^55[03] ")
            self.assertIn("late.fetch line 3: at must be a date", str(refused.exception))
            names = [n.rsplit("/", 1)[-1] for n in client.nlst("/fetch")]
            self.assertIn("table.fetch", names)
            self.assertNotIn("late.fetch", names)
        finally:
            client.close()
        text = self.wait_state(self.open, "alice", "alice-pw", "table.fetch", "done")
        self.assertStored(text, "/files/table.csv", self.table)

    def test_webdav_put_good_and_bad_requests(self):
        def curl(*args):
            return run(["curl", "-sS", "-k", "--max-time", "60", "-u", "alice:alice-pw"]
                       + list(args))
        good = self.local("page.fetch", "url = %s/data/page.html\ninto = /files/page.bin\n"
                          % self.base)
        put = curl("-o", "/dev/null", "-w", "%{http_code}", "-T", good,
                   self.open.web_url("/fetch/page.fetch", https=True))
        self.assertEqual(put.stdout, "201", put.stderr)
        bad = self.local("bad.fetch", "url = %s/data/page.html\nurl = %s/data/page.html\n"
                         % (self.base, self.base))
        put = curl("-w", "\n%{http_code}", "-T", bad,
                   self.open.web_url("/fetch/bad.fetch", https=True))
        self.assertTrue(put.stdout.endswith("\n400"), put.stdout)
        self.assertIn("bad.fetch line 2: 'url' is given twice", put.stdout)
        text = self.wait_state(self.open, "alice", "alice-pw", "page.fetch", "done")
        self.assertStored(text, "/files/page.bin", self.page)
        self.assertNotIn("bad.fetch", self.open.list_dir("alice", "alice-pw", "/fetch"))

    def test_private_address_refused_with_reason_in_status(self):
        client = self.strict.connect("bob", "bob-pw")
        try:
            upload_checked(client, ("url = %s/data/report.bin\n" % self.base).encode(),
                           "/fetch/local.fetch")
        finally:
            close_client(client)
        text = self.wait_state(self.strict, "bob", "bob-pw", "local.fetch", "failed")
        self.assertIn("refused to fetch from 127.0.0.1", text)
        self.assertIn("fetch.allow_private", text)
        self.assertNotIn("report.bin", self.strict.list_dir("bob", "bob-pw", "/files"))
        # Removing an ended request forgets it.
        client = self.strict.connect("bob", "bob-pw")
        try:
            client.remove("/fetch/local.fetch")
            self.assertEqual(client.listdir("/fetch"), [])
        finally:
            close_client(client)

    def test_later_request_is_queued_for_its_time_and_removing_cancels(self):
        client = self.open.connect("alice", "alice-pw")
        try:
            upload_checked(client, ("url = %s/data/report.bin\nat = 2030-01-01T00:00:00Z\n"
                                    "into = /files/later.bin\n" % self.base).encode(),
                           "/fetch/later.fetch")
            text = client.open("/fetch/later.fetch", "rb").read().decode()
        finally:
            close_client(client)
        self.assertIn("state = queued\n", text)
        self.assertIn("at = 2030-01-01T00:00:00Z\n", text)
        job = self.job_line(self.open, self.job_id(text))
        self.assertEqual((job.group(2), job.group(3), job.group(4)),
                         ("fetch", "queued", "2030-01-01T00:00:00Z"))
        # Uploading the same name again replaces the queued request.
        client = self.open.connect("alice", "alice-pw")
        try:
            upload_checked(client, ("url = %s/data/report.bin\nat = 2031-06-01\n"
                                    % self.base).encode(), "/fetch/later.fetch")
            replaced = client.open("/fetch/later.fetch", "rb").read().decode()
            self.assertIn("at = 2031-06-01T00:00:00Z\n", replaced)
            self.assertEqual(self.job_line(self.open, self.job_id(text)).group(3), "cancelled")
            client.remove("/fetch/later.fetch")
            self.assertNotIn("later.fetch", client.listdir("/fetch"))
        finally:
            close_client(client)
        self.assertEqual(self.job_line(self.open, self.job_id(replaced)).group(3), "cancelled")


class _Bytes:
    """A file-like object over bytes for ftplib.storbinary."""

    def __init__(self, data):
        self.data = data

    def read(self, size=-1):
        if size < 0:
            size = len(self.data)
        chunk, self.data = self.data[:size], self.data[size:]
        return chunk


if __name__ == "__main__":
    unittest.main()
