"""A clean stop: on SIGTERM every listener stops accepting at once, an upload
in progress may finish (and is acknowledged, and there after a restart)
within shutdown.grace_seconds, a stuck one is ended when the grace is over,
and the log says what the stop waits for."""

import os
import signal
import socket
import subprocess
import unittest

from harness import (MiB, STOP_TIMEOUT, close_checked, close_client, sha256_bytes,
                     started_gateway, wait_until)


def refused(port):
    """Whether a TCP connect to the loopback port is refused (nothing listens)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            return False
    except ConnectionRefusedError:
        return True


def log_has(gateway, text):
    return text in gateway.log_text()


class CleanStopTest(unittest.TestCase):

    def start(self, grace):
        gateway = started_gateway(self, [("alice", "alice-pw")], web=True,
                                  extra_defines={"shutdown.grace_seconds": grace})
        return gateway

    def terminate(self, gateway):
        """Sends SIGTERM and returns the process, without waiting for it."""
        process = gateway.process
        os.kill(process.pid, signal.SIGTERM)
        return process

    def wait_exit(self, gateway, process):
        code = process.wait(timeout=STOP_TIMEOUT)
        gateway.process = None
        gateway._close_pipes(process)
        return code

    def test_upload_in_progress_finishes_and_is_there_after_restart(self):
        gateway = self.start(30)
        first, second = os.urandom(MiB), os.urandom(MiB)
        client = gateway.connect("alice", "alice-pw")
        try:
            handle = client.open("/files/report.bin", "wb")
            handle.write(first)  # each write waits for its status: the server has it
            process = self.terminate(gateway)
            wait_until(lambda: log_has(gateway, "stopping: waiting for 1 transfer (1 sftp) "
                                                "up to 30 s"),
                       STOP_TIMEOUT, what="the log naming the transfer it waits for")
            self.assertIn("stopping: no longer accepting connections", gateway.log_text())
            # Every listener is closed while the upload goes on.
            self.assertTrue(refused(gateway.port), "sftp still accepts")
            self.assertTrue(refused(gateway.https_port), "https still accepts")
            self.assertTrue(refused(gateway.http_port), "http still accepts")
            self.assertIsNone(process.poll())
            handle.write(second)
            close_checked(client, handle)  # raises unless the server acknowledged it
        finally:
            close_client(client)
        self.assertEqual(self.wait_exit(gateway, process), 0)
        log = gateway.log_text()
        self.assertIn("stopping: every transfer finished", log)
        self.assertIn("stopped", log)
        self.assertNotIn("grace of 30 s is over", log)

        gateway.start()  # serves at once: waits for "dadgate: ready" on fresh ports
        client = gateway.connect("alice", "alice-pw")
        try:
            with client.open("/files/report.bin", "rb") as f:
                self.assertEqual(sha256_bytes(f.read()), sha256_bytes(first + second))
        finally:
            close_client(client)

    def test_stuck_upload_is_ended_after_the_grace(self):
        gateway = self.start(1)
        client = gateway.connect("alice", "alice-pw")
        try:
            handle = client.open("/files/stuck.bin", "wb")
            handle.write(b"x" * 65536)
            process = self.terminate(gateway)
            # The client never writes again: the grace ends it and dadgate exits.
            self.assertEqual(self.wait_exit(gateway, process), 0)
        finally:
            try:
                close_client(client)
            except (OSError, EOFError, Exception):
                pass  # the server cut the connection
        log = gateway.log_text()
        self.assertIn("stopping: waiting for 1 transfer (1 sftp) up to 1 s", log)
        self.assertIn("stopping: the grace of 1 s is over; ending 1 transfer (1 sftp)", log)
        self.assertNotIn("every transfer finished", log)
        # The cut upload was kept for a resume, not published.
        self.assertIn("upload interrupted", self.audit(gateway))
        gateway.start()
        client = gateway.connect("alice", "alice-pw")
        try:
            self.assertEqual(client.stat("/files/stuck.bin").st_size, 65536)
        finally:
            close_client(client)

    def test_idle_stop_is_immediate(self):
        gateway = self.start(30)
        client = gateway.connect("alice", "alice-pw")  # a session, no transfer
        try:
            process = self.terminate(gateway)
            self.assertEqual(self.wait_exit(gateway, process), 0)
        finally:
            try:
                close_client(client)
            except Exception:
                pass
        log = gateway.log_text()
        self.assertIn("stopping: no longer accepting connections", log)
        self.assertNotRegex(log, r"stopping: (still )?waiting for \d+ transfer")

    def audit(self, gateway):
        import sqlite3
        db = sqlite3.connect(os.path.join(gateway.data_dir, "catalog.db"))
        try:
            return "\n".join(row[0] for row in db.execute("SELECT action FROM audit"))
        finally:
            db.close()


if __name__ == "__main__":
    unittest.main()
