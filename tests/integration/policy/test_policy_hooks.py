"""The hooks test_policy_protocols does not cover, each over every protocol
that can raise it: after_upload, package_sent and after_download over SFTP,
FTPS and WebDAV (a script logs what it saw; `dadctl policy errors` lists the
lines), package_sent's deny in each protocol's terms, package_expired from
housekeeping, and fetch_requested refusing a queued fetch."""

import ftplib
import io
import unittest

from ftps_client import ftplib_client
from harness import close_client, started_gateway, wait_until

SCRIPT = """
function on_after_upload(e) log("after_upload", e.protocol, e.path) end
function on_after_download(e) log("after_download", e.protocol, e.path) end
function on_package_expired(e) log("package_expired", e.package.name) end
function on_package_sent(e)
  if e.package.name:find("^blocked") then return deny("no blocked packages: " .. e.package.name) end
  log("package_sent", e.protocol, e.package.name, table.concat(e.package.recipients, "+"))
end
function on_fetch_requested(e) return deny("no fetching from " .. e.address) end
"""

PROTOCOLS = ("sftp", "ftps", "webdav")

CLOSED_BUT_SFTP = """
function on_connect(e)
  if e.protocol ~= "sftp" then return deny("closed for " .. e.protocol) end
end
"""


class PolicyHooksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.gateway = started_gateway(cls, [(user, user + "-pw") for user in ("alice", "bob")],
                                      extra_defines={"housekeeping.interval_seconds": "1"},
                                      web=True, ftp=True, policy={"hooks.lua": SCRIPT})

    def policy_lines(self):
        rc, out, _ = self.gateway.dadctl("policy", "errors")
        self.assertEqual(rc, 0)
        return out

    def dav(self, method, path, user, body=None, headers=None):
        status, _, answer = self.gateway.web_request(method, path, (user, user + "-pw"), body,
                                                     headers)
        return status, answer

    def sftp(self, user):
        client = self.gateway.connect(user, user + "-pw")
        self.addCleanup(close_client, client)
        return client

    def ftp(self, user):
        ftp = ftplib_client(self.gateway, user, user + "-pw")
        self.addCleanup(ftp.close)
        return ftp

    def upload(self, protocol, path, data):
        if protocol == "sftp":
            self.sftp("alice").putfo(io.BytesIO(data), path)
        elif protocol == "ftps":
            self.ftp("alice").storbinary("STOR " + path, io.BytesIO(data))
        else:
            status, _ = self.dav("PUT", path, "alice", body=data)
            self.assertEqual(status, 201)

    def make_draft(self, protocol, name):
        if protocol == "sftp":
            self.sftp("alice").mkdir("/outbox/" + name)
        elif protocol == "ftps":
            self.ftp("alice").mkd("/outbox/" + name)
        else:
            self.assertEqual(self.dav("MKCOL", "/outbox/" + name, "alice")[0], 201)
        self.upload(protocol, "/outbox/%s/data.txt" % name, b"data of " + name.encode())

    def send(self, protocol, name, sent):
        """Sends /outbox/name as /sent/sent; returns None or the refusal's text."""
        if protocol == "sftp":
            try:
                self.sftp("alice").rename("/outbox/" + name, "/sent/" + sent)
            except IOError as refused:
                return str(refused)
        elif protocol == "ftps":
            ftp = self.ftp("alice")
            ftp.sendcmd("RNFR /outbox/" + name)
            try:
                ftp.sendcmd("RNTO /sent/" + sent)
            except ftplib.error_perm as refused:
                return str(refused)
        else:
            status, body = self.dav("MOVE", "/outbox/" + name, "alice", headers={
                "Destination": self.gateway.web_url("/sent/" + sent)})
            if status != 201:
                return "%d %s" % (status, body.decode(errors="replace"))
        return None

    def download(self, protocol, path):
        if protocol == "sftp":
            with self.sftp("bob").open(path, "rb") as f:
                return f.read()
        if protocol == "ftps":
            chunks = []
            self.ftp("bob").retrbinary("RETR " + path, chunks.append)
            return b"".join(chunks)
        status, body = self.dav("GET", path, "bob")
        self.assertEqual(status, 200)
        return body

    def test_after_upload_package_sent_and_after_download_over_each_protocol(self):
        for protocol in PROTOCOLS:
            self.upload(protocol, "/files/up-%s.txt" % protocol, b"hello")
            self.make_draft(protocol, "bob,%s" % protocol)
            self.assertIsNone(self.send(protocol, "bob,%s" % protocol, "to-bob-" + protocol))
        for protocol in PROTOCOLS:
            (box,) = [b for b in self.sftp("bob").listdir("/inbox") if b.endswith(protocol)]
            self.assertEqual(self.download(protocol, "/inbox/%s/data.txt" % box),
                             b"data of bob," + protocol.encode())
        lines = self.policy_lines()
        for protocol in PROTOCOLS:
            self.assertIn("hooks.lua: after_upload %s /files/up-%s.txt" % (protocol, protocol),
                          lines)
            self.assertIn("hooks.lua: package_sent %s bob,%s bob" % (protocol, protocol), lines)
            self.assertRegex(lines, r"hooks\.lua: after_download %s /inbox/[^ ]*%s/data\.txt"
                             % (protocol, protocol))

    def test_package_sent_deny_reaches_each_protocol(self):
        for protocol in PROTOCOLS:
            name = "blocked-%s,bob" % protocol
            self.make_draft(protocol, name)
            refusal = self.send(protocol, name, "nope-" + protocol)
            self.assertIsNotNone(refusal, protocol)
            self.assertIn("no blocked packages: " + name, refusal)
            if protocol == "ftps":
                self.assertTrue(refusal.startswith("550"), refusal)
            if protocol == "webdav":
                self.assertTrue(refusal.startswith("403"), refusal)
            self.assertIn("data.txt", self.sftp("alice").listdir("/outbox/" + name))

    def test_package_expired_from_housekeeping(self):
        client = self.sftp("alice")
        client.mkdir("/outbox/old-news")
        client.putfo(io.BytesIO(b"to = bob\nexpires = 2020-01-01\n"), "/outbox/old-news/.dad")
        client.putfo(io.BytesIO(b"old"), "/outbox/old-news/f.txt")
        client.rename("/outbox/old-news", "/sent/old-news")
        wait_until(lambda: "hooks.lua: package_expired old-news" in self.policy_lines(), 30,
                   what="package_expired logged")

    def test_fetch_requested_refuses_a_queued_fetch(self):
        rc, out, err = self.gateway.dadctl("fetch", "alice", "http://127.0.0.1:9/file.bin")
        self.assertEqual(rc, 0, out + err)

        def dead():
            _, jobs, _ = self.gateway.dadctl("job", "list", "--state", "dead")
            return [line for line in jobs.splitlines() if " fetch " in line]

        wait_until(dead, 60, what="the fetch job refused")
        self.assertIn("no fetching from 127.0.0.1", dead()[0])


class ConnectHookOverEachProtocolTest(unittest.TestCase):
    """on_connect refusing FTPS and WebDAV (test_policy_protocols refuses SFTP):
    the reason reaches each client before any login."""

    def setUp(self):
        self.gateway = started_gateway(self, [("alice", "alice-pw")], web=True, ftp=True,
                                       policy={"connect.lua": CLOSED_BUT_SFTP})

    def test_connect_refusal_reaches_ftps_and_webdav(self):
        with self.assertRaises(ftplib.Error) as refused:
            ftplib_client(self.gateway, "alice", "alice-pw")
        self.assertIn("closed for ftps", str(refused.exception))
        status, _, body = self.gateway.web_request("PROPFIND", "/", ("alice", "alice-pw"),
                                                   headers={"Depth": "0"})
        self.assertEqual(status, 403)
        self.assertIn(b"closed for webdav", body)
        close_client(self.gateway.connect("alice", "alice-pw"))


if __name__ == "__main__":
    unittest.main()
