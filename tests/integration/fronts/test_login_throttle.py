"""Failed logins obey one rule whatever the protocol (gateway/rules/LoginThrottle):
each refusal is slowed by login.failed_delay_ms, and a client address with
login.max_failures refusals is refused at once, even with the right password,
over WebDAV (HTTP 429), FTPS (421) and SFTP alike, while other addresses log
in as before. The addresses 127.0.0.2 and up are other clients on loopback."""

import ftplib
import http.client
import os
import socket
import sqlite3
import ssl
import time
import unittest

import paramiko

from harness import GatewayTestCase, basic_auth

ALICE = ("alice", "alice-pw-throttle")
MAX_FAILURES = 3
DELAY_MS = 300


class LoginThrottleTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE,)
    WEB = True
    FTP = True
    DEFINES = {"login.max_failures": str(MAX_FAILURES), "login.failed_delay_ms": str(DELAY_MS)}

    # ---- clients from a given loopback address -----------------------------

    def propfind(self, source, password):
        """PROPFIND /files/ over plain HTTP from `source`: (status, body, seconds)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway.http_port, timeout=30,
                                          source_address=(source, 0))
        try:
            started = time.monotonic()
            conn.request("PROPFIND", "/files/", headers={
                "Depth": "1", "Authorization": basic_auth(ALICE[0], password)})
            response = conn.getresponse()
            body = response.read()
            return response.status, body, time.monotonic() - started
        finally:
            conn.close()

    def ftp_login(self, source, password):
        """USER/PASS over explicit FTPS from `source`: the reply code."""
        ftp = ftplib.FTP_TLS(context=ssl._create_unverified_context(), timeout=30)
        ftp.connect("127.0.0.1", self.gateway.ftp_port, source_address=(source, 0))
        try:
            ftp.auth()
            try:
                return int(ftp.login(ALICE[0], password)[:3])
            except ftplib.error_perm as e:
                return int(str(e)[:3])
            except ftplib.error_temp as e:
                return int(str(e)[:3])
        finally:
            try:
                ftp.close()
            except OSError:
                pass

    def sftp_login_ok(self, source, password):
        sock = socket.create_connection(("127.0.0.1", self.gateway.port), timeout=30,
                                        source_address=(source, 0))
        transport = paramiko.Transport(sock)
        try:
            transport.connect(username=ALICE[0], password=password)
            return transport.is_authenticated()
        except paramiko.AuthenticationException:
            return False
        finally:
            transport.close()

    # ---- tests -----------------------------------------------------------

    def test_http_failures_are_slowed_then_block_every_protocol(self):
        source = "127.0.0.2"
        self.assertEqual(self.propfind(source, ALICE[1])[0], 207)
        for _ in range(MAX_FAILURES):
            status, _, seconds = self.propfind(source, "wrong")
            self.assertEqual(status, 401)
            self.assertGreaterEqual(seconds, DELAY_MS / 1000.0)  # a lower bound: never flaky
        # Blocked now: even the right password, at once, over HTTP...
        status, body, _ = self.propfind(source, ALICE[1])
        self.assertEqual(status, 429)
        self.assertIn(b"too many failed logins", body)
        # ...and over FTPS and SFTP from the same address: one count for all.
        self.assertEqual(self.ftp_login(source, ALICE[1]), 421)
        self.assertFalse(self.sftp_login_ok(source, ALICE[1]))
        # Another address logs in as before, over every protocol.
        self.assertEqual(self.propfind("127.0.0.1", ALICE[1])[0], 207)
        self.assertEqual(self.ftp_login("127.0.0.1", ALICE[1]), 230)
        self.assertTrue(self.sftp_login_ok("127.0.0.1", ALICE[1]))

    def test_ftp_failures_count_for_http(self):
        source = "127.0.0.3"
        for _ in range(MAX_FAILURES):
            self.assertEqual(self.ftp_login(source, "wrong"), 530)
        self.assertEqual(self.propfind(source, ALICE[1])[0], 429)

    def test_good_logins_over_http_stay_fast_and_audited_once(self):
        source = "127.0.0.4"
        for _ in range(20):
            self.assertEqual(self.propfind(source, ALICE[1])[0], 207)
        catalog = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.gateway.data_dir,
                                                                     "catalog.db"), uri=True)
        try:
            logins = catalog.execute(
                "SELECT count(*) FROM audit WHERE action = 'login' AND remote_address = ? "
                "AND protocol = 'webdav' AND ok = 1", (source,)).fetchone()[0]
        finally:
            catalog.close()
        # The first request checks the password; the 19 after it are the same login.
        self.assertEqual(logins, 1)


if __name__ == "__main__":
    unittest.main()
