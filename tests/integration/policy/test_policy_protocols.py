"""One Lua policy, every protocol: the same script's answers at login, before
upload and before download hold over SFTP, FTPS and WebDAV, each refusal in
the protocol's own terms with the script's reason."""

import ftplib
import io
import unittest

import paramiko

from ftps_client import ftplib_client
from harness import close_client, started_gateway, upload_refusal

SCRIPT = """
function on_login(event)
  if event.user == "mallory" then return deny("mallory may not log in") end
end

function on_before_upload(event)
  if event.path:find("%.exe$") then return deny("no executables: " .. event.path) end
end

function on_before_download(event)
  if event.path:find("secret") then return deny("downloads of secrets are closed") end
end
"""

SFTP_CLOSED = """
function on_connect(e)
  if e.protocol == "sftp" then return deny("sftp is closed today") end
end
"""


class PolicyProtocolsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.gateway = started_gateway(cls, [(user, user + "-pw")
                                            for user in ("alice", "bob", "mallory")],
                                      web=True, ftp=True, policy={"rules.lua": SCRIPT})
        cls.send_secret()

    @classmethod
    def send_secret(cls):
        client = cls.gateway.connect("alice", "alice-pw")
        try:
            client.mkdir("/outbox/bob")
            for name in ("secret.txt", "open.txt"):
                with client.open("/outbox/bob/" + name, "wb") as f:
                    f.write(b"content of " + name.encode())
            client.rename("/outbox/bob", "/sent/bob")
        finally:
            close_client(client)

    def dav(self, method, path, user, body=None):
        status, _, answer = self.gateway.web_request(method, path, (user, user + "-pw"), body)
        return status, answer

    def test_login_hook(self):
        with self.assertRaises(paramiko.AuthenticationException):
            self.gateway.connect("mallory", "mallory-pw")
        with self.assertRaises(ftplib.error_perm) as refused:
            ftplib_client(self.gateway, "mallory", "mallory-pw")
        self.assertTrue(str(refused.exception).startswith("530"))
        status, _ = self.dav("PROPFIND", "/", "mallory")
        self.assertEqual(status, 401)
        status, _ = self.dav("PROPFIND", "/", "alice")
        self.assertEqual(status, 207)

    def test_before_upload_hook(self):
        client = self.gateway.connect("alice", "alice-pw")
        self.addCleanup(close_client, client)
        self.assertIn("no executables: /files/a.exe", upload_refusal(client, "/files/a.exe", b"MZ"))

        ftp = ftplib_client(self.gateway, "alice", "alice-pw")
        self.addCleanup(ftp.close)
        with self.assertRaises(ftplib.error_perm) as refused:
            ftp.storbinary("STOR /files/b.exe", io.BytesIO(b"MZ"))
        self.assertTrue(str(refused.exception).startswith("550"), str(refused.exception))
        self.assertIn("no executables: /files/b.exe", str(refused.exception))

        status, body = self.dav("PUT", "/files/c.exe", "alice", body=b"MZ")
        self.assertEqual(status, 403)
        self.assertIn(b"no executables: /files/c.exe", body)
        status, _ = self.dav("PUT", "/files/c.txt", "alice", body=b"fine")
        self.assertEqual(status, 201)

    def test_before_download_hook(self):
        client = self.gateway.connect("bob", "bob-pw")
        self.addCleanup(close_client, client)
        with self.assertRaises(IOError) as refused:
            client.open("/inbox/alice-bob/secret.txt", "rb").read()
        self.assertIn("downloads of secrets are closed", str(refused.exception))
        with client.open("/inbox/alice-bob/open.txt", "rb") as f:
            self.assertEqual(f.read(), b"content of open.txt")

        ftp = ftplib_client(self.gateway, "bob", "bob-pw")
        self.addCleanup(ftp.close)
        with self.assertRaises(ftplib.error_perm) as refused:
            ftp.retrbinary("RETR /inbox/alice-bob/secret.txt", lambda data: None)
        self.assertIn("downloads of secrets are closed", str(refused.exception))

        status, body = self.dav("GET", "/inbox/alice-bob/secret.txt", "bob")
        self.assertEqual(status, 403)
        self.assertIn(b"downloads of secrets are closed", body)


class ConnectHookTest(unittest.TestCase):
    """on_connect answers before any protocol byte: here SFTP is closed by
    policy while FTPS and WebDAV stay open."""

    def setUp(self):
        self.gateway = started_gateway(self, [("alice", "alice-pw")], web=True, ftp=True,
                                       policy={"connect.lua": SFTP_CLOSED})

    def test_connect_hook_closes_one_protocol(self):
        with self.assertRaises((paramiko.SSHException, EOFError, OSError)):
            self.gateway.connect("alice", "alice-pw", timeout=10)
        ftp = ftplib_client(self.gateway, "alice", "alice-pw")
        ftp.close()
        status, _, _ = self.gateway.web_request("PROPFIND", "/", ("alice", "alice-pw"),
                                                headers={"Depth": "0"})
        self.assertEqual(status, 207)
        rc, out, _ = self.gateway.dadctl("policy", "errors")
        self.assertEqual(rc, 0)


if __name__ == "__main__":
    unittest.main()
