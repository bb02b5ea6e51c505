"""Session limits from the config: login grace time, idle timeout, and
connections per client address."""

import logging
import shutil
import socket
import tempfile
import time
import unittest

import paramiko

from harness import Gateway, close_client, wait_until

ALICE = ("alice", "alice-pw-8")


class LimitsTest(unittest.TestCase):

    def gateway_with(self, **defines):
        gateway = Gateway(extra_defines={"sftp." + key: value for key, value in defines.items()})
        self.addCleanup(gateway.cleanup)
        gateway.start()
        gateway.add_user(*ALICE)
        return gateway

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="dadgate-client-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def quiet_paramiko(self):
        logger = logging.getLogger("paramiko")
        self.addCleanup(logger.setLevel, logger.level)
        logger.setLevel(logging.CRITICAL)

    def test_unauthenticated_connection_is_closed_after_the_login_grace(self):
        gateway = self.gateway_with(login_grace_seconds=2)
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", gateway.port), timeout=30) as sock:
            self.assertTrue(sock.recv(256).startswith(b"SSH-2.0-"))
            sock.sendall(b"SSH-2.0-grace_test\r\n")
            # The server's key exchange offer arrives, then nothing until it hangs up.
            while sock.recv(65536):
                pass
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(elapsed, 1.5, "closed before the grace time")
        self.assertLess(elapsed, 20)

    def test_idle_session_is_closed_after_the_idle_timeout(self):
        gateway = self.gateway_with(idle_timeout_seconds=2)
        client = gateway.connect(*ALICE)
        self.addCleanup(close_client, client)
        channel = client.get_channel()
        channel.settimeout(30)
        started = time.monotonic()
        self.assertEqual(channel.recv(1), b"", "the server sent data on an idle session")
        self.assertGreaterEqual(time.monotonic() - started, 1.5, "closed before the idle time")

    def test_connections_per_address_are_limited(self):
        gateway = self.gateway_with(max_connections_per_address=3)
        self.quiet_paramiko()  # it logs a traceback for each refused connection
        clients = [gateway.connect(*ALICE) for _ in range(3)]
        for client in clients:
            self.addCleanup(close_client, client)
        with self.assertRaises((paramiko.SSHException, EOFError, OSError)):
            extra = gateway.connect(*ALICE)
            close_client(extra)
        close_client(clients.pop())

        # The server learns of the closed connection asynchronously; poll.
        def one_more_fits():
            try:
                client = gateway.connect(*ALICE)
            except (paramiko.SSHException, EOFError, OSError):
                return False
            close_client(client)
            return True
        wait_until(one_more_fits, timeout=20, interval=0.2, what="a freed connection slot")


if __name__ == "__main__":
    unittest.main()
