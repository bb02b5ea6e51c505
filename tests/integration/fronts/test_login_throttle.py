"""Failed logins obey one rule whatever the protocol (gateway/rules/LoginThrottle):
each refusal is slowed by login.failed_delay_ms, and a client address with
login.max_failures refusals is refused at once, even with the right password,
over WebDAV (HTTP 429), FTPS (421) and SFTP alike, while other addresses log
in as before. A ban is in the catalog: `dadctl ban list` shows it with its
reason and `dadctl ban remove` lifts it at once; an account guessed at from
many addresses is banned on every address; trusted networks are never banned.
The addresses 127.0.0.2 and up are other clients on loopback."""

import ftplib
import http.client
import os
import socket
import sqlite3
import ssl
import time
import unittest

import paramiko

from harness import Gateway, GatewayTestCase, basic_auth

ALICE = ("alice", "alice-pw-throttle")
MAX_FAILURES = 3
DELAY_MS = 300


class LoginClients:
    """Logins over each protocol from a chosen loopback address."""

    def propfind(self, source, password, user=ALICE[0]):
        """PROPFIND /files/ over plain HTTP from `source`: (status, body, seconds)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway.http_port, timeout=30,
                                          source_address=(source, 0))
        try:
            started = time.monotonic()
            conn.request("PROPFIND", "/files/", headers={
                "Depth": "1", "Authorization": basic_auth(user, password)})
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

    def sftp_login_ok(self, source, password, user=ALICE[0]):
        sock = socket.create_connection(("127.0.0.1", self.gateway.port), timeout=30,
                                        source_address=(source, 0))
        transport = paramiko.Transport(sock)
        try:
            transport.connect(username=user, password=password)
            return transport.is_authenticated()
        except paramiko.AuthenticationException:
            return False
        finally:
            transport.close()



class LoginThrottleTest(LoginClients, GatewayTestCase, unittest.TestCase):
    USERS = (ALICE,)
    WEB = True
    FTP = True
    DEFINES = {"login.max_failures": str(MAX_FAILURES), "login.failed_delay_ms": str(DELAY_MS)}

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


BOB = ("bob", "bob-pw-ban")
CAROL = ("carol", "carol-pw-ban")
DAVE = ("dave", "dave-pw-ban")
TRUSTED = "127.0.0.9"


class LoginBanTest(LoginClients, GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB, CAROL, DAVE)
    WEB = True
    DEFINES = {"login.max_failures": "3", "login.max_account_failures": "4",
               "login.failed_delay_ms": "0", "login.trusted_networks": TRUSTED + "/32, 10.0.0.0/8"}

    def bans(self):
        code, out, err = self.gateway.dadctl("ban", "list")
        self.assertEqual(code, 0, err)
        return out

    def audit_details(self, action):
        catalog = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.gateway.data_dir,
                                                                     "catalog.db"), uri=True)
        try:
            return [row[0] for row in catalog.execute(
                "SELECT detail FROM audit WHERE action = ?", (action,))]
        finally:
            catalog.close()

    def test_a_ban_is_listed_with_its_reason_and_removing_it_lets_the_address_in(self):
        source = "127.0.0.5"
        for _ in range(3):
            self.assertEqual(self.propfind(source, "wrong", BOB[0])[0], 401)
        self.assertEqual(self.propfind(source, BOB[1], BOB[0])[0], 429)
        listed = self.bans()
        self.assertIn("address  %s" % source, listed)
        self.assertIn("3 failed password logins from %s within 600 s" % source, listed)
        self.assertIn("address %s: 3 failed password logins from %s within 600 s" % (source, source),
                      self.audit_details("login ban"))
        code, _, err = self.gateway.dadctl("ban", "remove", source)
        self.assertEqual(code, 0, err)
        # The running gateway lets the address in at once; the count starts afresh.
        self.assertEqual(self.propfind(source, BOB[1], BOB[0])[0], 207)
        self.assertNotIn(source, self.bans())
        self.assertEqual(self.propfind(source, "wrong", ALICE[0])[0], 401)
        self.assertEqual(self.propfind(source, BOB[1], BOB[0])[0], 207)

    def test_an_account_guessed_at_from_many_addresses_is_banned_everywhere(self):
        for last in range(10, 14):  # one failure from each of four addresses
            self.assertEqual(self.propfind("127.0.0.%d" % last, "wrong", CAROL[0])[0], 401)
        status, body, _ = self.propfind("127.0.0.14", CAROL[1], CAROL[0])
        self.assertEqual(status, 429)
        self.assertIn(b"too many failed logins for this account", body)
        self.assertFalse(self.sftp_login_ok("127.0.0.14", CAROL[1], CAROL[0]))
        self.assertIn("account  carol", self.bans())
        # Other accounts from the same addresses are not touched...
        self.assertEqual(self.propfind("127.0.0.14", DAVE[1], DAVE[0])[0], 207)
        # ...and a trusted network still reaches carol's account.
        self.assertEqual(self.propfind(TRUSTED, CAROL[1], CAROL[0])[0], 207)
        code, _, err = self.gateway.dadctl("ban", "remove", "--user", "carol")
        self.assertEqual(code, 0, err)
        self.assertEqual(self.propfind("127.0.0.14", CAROL[1], CAROL[0])[0], 207)

    def test_a_trusted_network_is_never_banned(self):
        for _ in range(12):
            self.assertEqual(self.propfind(TRUSTED, "wrong", DAVE[0])[0], 401)
        self.assertEqual(self.propfind(TRUSTED, DAVE[1], DAVE[0])[0], 207)
        self.assertNotIn(TRUSTED, self.bans())
        self.assertNotIn("account  dave", self.bans())

    def test_removing_a_ban_that_is_not_there_says_so(self):
        code, _, err = self.gateway.dadctl("ban", "remove", "192.0.2.77")
        self.assertEqual(code, 1)
        self.assertIn("no login ban on address 192.0.2.77", err)

    def test_a_trusted_network_that_is_not_one_stops_the_start(self):
        gateway = Gateway(extra_defines={"login.trusted_networks": "10.0.0.0/8, nonsense"})
        self.addCleanup(gateway.cleanup)
        with self.assertRaises(AssertionError) as caught:
            gateway.start()
        self.assertIn("login.trusted_networks: not an IP network: 'nonsense'",
                      str(caught.exception))


if __name__ == "__main__":
    unittest.main()
