"""Connections that never finish their login do not shut out the ones that
do: hundreds of raw TCP connections to the SFTP and FTP ports that send
nothing, only the SSH banner or only `USER x` are held (each bounded by the
login grace time and the per-address limit), a real login from another
address still succeeds while they are open, and the gateway then closes
every unfinished one at the grace time."""

import socket
import unittest

from ftps_client import lftp
from harness import GatewayTestCase, wait_until

ALICE = ("alice", "alice-pw-grace")
GRACE_SECONDS = 20
UNFINISHED = 300
SOURCES = ["127.0.0.%d" % n for n in range(2, 12)]  # 30 each: under the per-address limit


def hold(port, index, first_bytes):
    """A raw connection from one of SOURCES that sends `first_bytes` and
    then waits; its timeout only guards against a hang."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=GRACE_SECONDS + 60,
                                    source_address=(SOURCES[index % len(SOURCES)], 0))
    if first_bytes:
        sock.sendall(first_bytes)
    return sock


def closed_by_server(sock):
    """Reads (and drops) what the server sends until it closes."""
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        pass
    return True


class UnfinishedLogins:
    """Shared by the SFTP and the FTP case."""

    USERS = (ALICE,)

    def open_unfinished(self, port, kinds):
        held = []
        for index in range(UNFINISHED):
            sock = hold(port, index, kinds[index % len(kinds)])
            self.addCleanup(sock.close)
            held.append(sock)
        return held

    def assert_closed_by_grace(self, held):
        for sock in held:
            self.assertTrue(closed_by_server(sock))

    def connect_over_the_address_limit(self, port, limit):
        source = "127.0.0.99"
        for _ in range(limit):
            sock = socket.create_connection(("127.0.0.1", port), timeout=60,
                                            source_address=(source, 0))
            self.addCleanup(sock.close)
        refused = socket.create_connection(("127.0.0.1", port), timeout=60,
                                           source_address=(source, 0))
        self.addCleanup(refused.close)
        return refused


class SftpUnfinishedLoginsTest(UnfinishedLogins, GatewayTestCase, unittest.TestCase):
    DEFINES = {"sftp.login_grace_seconds": str(GRACE_SECONDS),
               "sftp.max_connections_per_address": "40"}

    def test_login_succeeds_while_hundreds_never_finish_theirs(self):
        held = self.open_unfinished(self.gateway.port, [b"", b"SSH-2.0-unfinished_1.0\r\n"])
        client = self.client(*ALICE)
        self.assertIn("files", client.listdir("/"))
        # One address is held to its share: the next from it is closed at once.
        refused = self.connect_over_the_address_limit(self.gateway.port, 40)
        self.assertTrue(closed_by_server(refused))
        wait_until(lambda: "too many connections from this address (40)"
                   in self.gateway.log_text(), 30, what="the refusal in the log")
        self.assert_closed_by_grace(held)
        # The key exchange waits at most the grace time, then the session ends.
        ended = self.gateway.log_text().count("0 bytes in, 0 bytes out: key exchange failed")
        self.assertGreaterEqual(ended, UNFINISHED // 2, "unfinished sessions logged as ended")


class FtpUnfinishedLoginsTest(UnfinishedLogins, GatewayTestCase, unittest.TestCase):
    FTP = True
    DEFINES = {"ftp.login_grace_seconds": str(GRACE_SECONDS),
               "ftp.max_connections_per_address": "40"}

    def test_login_succeeds_while_hundreds_never_finish_theirs(self):
        held = self.open_unfinished(self.gateway.ftp_port, [b"", b"USER x\r\n"])
        result = lftp(self.gateway, ALICE[0], ALICE[1], ["cls -1 /"])
        self.assertEqual(result.returncode, 0, result)
        self.assertIn("files", result.stdout)
        refused = self.connect_over_the_address_limit(self.gateway.ftp_port, 40)
        self.assertEqual(refused.recv(4096)[:4], b"421 ")
        # Each unfinished one is told why, then closed.
        for sock in held:
            data = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            self.assertIn(b"421 Login time exceeded", data)


if __name__ == "__main__":
    unittest.main()
