"""FTPS bad input: STARTTLS injection, CR/LF and NUL inside names, overlong
lines, commands before login, FTP bounce (PORT to third parties or low
ports), data connections from another address, PASV during a transfer,
unprotected data, plain FTP, failed logins. Right reply, no crash."""

import os
import socket
import ssl
import unittest

from ftps_client import RawControl
from harness import GatewayTestCase, MiB


class FtpsBadInputTest(GatewayTestCase, unittest.TestCase):
    FTP = True
    USERS = (("alice", "alice-pass-1"),)

    def control(self):
        raw = RawControl(self.gateway.ftp_port)
        self.addCleanup(raw.close)
        self.assertEqual(raw.reply()[0], 220)
        return raw

    def logged_in(self):
        raw = self.control()
        raw.login("alice", "alice-pass-1")
        self.assertEqual(raw.command("PBSZ 0")[0], 200)
        self.assertEqual(raw.command("PROT P")[0], 200)
        return raw

    def test_plain_login_refused(self):
        raw = self.control()
        code, text = raw.command("USER alice")
        self.assertEqual(code, 530)
        self.assertIn("TLS", text)

    def test_plaintext_pipelined_after_auth_tls_is_discarded(self):
        raw = self.control()
        raw.send("AUTH TLS\r\nUSER alice\r\nPASS alice-pass-1\r\n")
        self.assertEqual(raw.reply()[0], 234)
        raw.starttls()
        # Had USER/PASS run, PWD would answer 257.
        self.assertEqual(raw.command("PWD")[0], 530)

    def test_commands_before_login_get_530(self):
        raw = self.control()
        raw.command("AUTH TLS")
        raw.starttls()
        for command in ("PWD", "LIST", "RETR /files/x", "CWD /files", "PASV", "STOR a", "DELE a"):
            self.assertEqual(raw.command(command)[0], 530, command)
        self.assertEqual(raw.command("FEAT")[0], 211)

    def test_cr_lf_and_nul_inside_names(self):
        raw = self.logged_in()
        self.assertEqual(raw.command("MKD /files/a\rb")[0], 500)
        raw.send(b"MKD /files/c\x00d\r\n")
        self.assertEqual(raw.reply()[0], 500)
        code, _ = raw.command("MKD /files/\xff")  # sent as UTF-8 of U+00FF: a valid name
        self.assertEqual(code, 257)
        raw.send(b"MKD /files/bad\xc3\r\n")  # invalid UTF-8
        self.assertIn(raw.reply()[0], (501, 553))
        raw.send(b"MKD /files/back\\slash\r\n")
        self.assertIn(raw.reply()[0], (501, 553))
        self.assertEqual(raw.command("NOOP")[0], 200)

    def test_overlong_line(self):
        raw = self.logged_in()
        raw.send("NOOP " + "x" * (1 * MiB) + "\r\n")
        code, text = raw.reply()
        self.assertEqual(code, 500)
        self.assertIn("too long", text)
        self.assertEqual(raw.command("NOOP")[0], 200)

    def test_ftp_bounce_refused(self):
        raw = self.logged_in()
        self.assertEqual(raw.command("PORT 10,0,0,1,200,10")[0], 504)
        self.assertEqual(raw.command("PORT 127,0,0,1,0,80")[0], 504)
        self.assertEqual(raw.command("EPRT |1|192.0.2.1|5000|")[0], 504)
        self.assertEqual(raw.command("EPRT |1|127.0.0.1|22|")[0], 504)
        self.assertEqual(raw.command("PORT 1,2,3")[0], 501)
        self.assertEqual(raw.command("EPRT |3|x|1|")[0], 522)
        self.assertEqual(raw.command("PORT 127,0,0,1,200,10")[0], 200)

    def test_data_connection_from_another_address_refused(self):
        raw = self.logged_in()
        code, text = raw.command("EPSV")
        port = int(text.split("|||")[1].split("|")[0])
        raw.send("NLST /files\r\n")
        self.assertEqual(raw.reply()[0], 150)
        thief = socket.create_connection(("127.0.0.1", port), timeout=10,
                                         source_address=("127.0.0.2", 0))
        self.assertEqual(thief.recv(1), b"")  # closed by the gateway
        thief.close()
        data = socket.create_connection(("127.0.0.1", port), timeout=10)
        data = raw.context.wrap_socket(data, session=raw.sock.session)
        while data.recv(65536):
            pass
        data.close()
        self.assertEqual(raw.reply()[0], 226)

    def test_pasv_during_transfer_and_abor(self):
        raw = self.logged_in()
        # A file big enough to outlast a few commands.
        data = raw.pasv_data()
        raw.send("STOR /files/abor.bin\r\n")
        self.assertEqual(raw.reply()[0], 150)
        data.do_handshake()
        data.sendall(os.urandom(MiB))
        code, text = raw.command("PASV")
        self.assertEqual(code, 503, text)
        self.assertEqual(raw.command("PORT 127,0,0,1,200,10")[0], 503)
        raw.send("ABOR\r\n")
        self.assertEqual(raw.reply()[0], 426)
        self.assertEqual(raw.reply()[0], 226)
        data.close()
        self.assertEqual(raw.command("NOOP")[0], 200)
        # The cut upload is kept for a resume: its uploader sees the bytes.
        code, text = raw.command("SIZE /files/abor.bin")
        self.assertEqual(code, 213)
        self.assertGreater(int(text.split()[1]), 0)

    def test_unprotected_data_refused(self):
        raw = self.control()
        raw.login("alice", "alice-pass-1")
        self.assertEqual(raw.command("PBSZ 0")[0], 200)
        self.assertEqual(raw.command("PROT C")[0], 534)
        self.assertEqual(raw.command("EPSV")[0], 229)
        self.assertEqual(raw.command("LIST")[0], 521)

    def test_rest_past_end_and_missing_files(self):
        raw = self.logged_in()
        self.assertEqual(raw.command("RETR /files/small.txt")[0], 425)  # no PASV/PORT yet
        data = raw.pasv_data()
        raw.send("STOR /files/small.txt\r\n")
        self.assertEqual(raw.reply()[0], 150)
        data.do_handshake()
        data.sendall(b"0123456789")
        data.unwrap().close()
        self.assertEqual(raw.reply()[0], 226)
        self.assertEqual(raw.command("EPSV")[0], 229)
        self.assertEqual(raw.command("REST 99")[0], 350)
        self.assertEqual(raw.command("RETR /files/small.txt")[0], 554)
        self.assertEqual(raw.command("RETR /files/none.txt")[0], 550)
        self.assertEqual(raw.command("SIZE /files/none.txt")[0], 550)
        self.assertEqual(raw.command("CWD /files/none")[0], 550)
        self.assertEqual(raw.command("RNTO /files/x")[0], 503)
        self.assertEqual(raw.command("STOR /nowhere.txt")[0], 550)
        self.assertEqual(raw.command("XYZZY")[0], 502)
        self.assertEqual(raw.command("REST abc")[0], 501)

    def test_failed_logins_end_the_connection(self):
        raw = self.control()
        raw.command("AUTH TLS")
        raw.starttls()
        for attempt in range(2):
            raw.command("USER alice")
            self.assertEqual(raw.command("PASS wrong")[0], 530)
        raw.command("USER alice")
        self.assertEqual(raw.command("PASS wrong")[0], 421)
        self.assertTrue(raw.closed())

    def test_implicit_listener_speaks_tls_first(self):
        sock = socket.create_connection(("127.0.0.1", self.gateway.ftps_port), timeout=10)
        sock.sendall(b"USER alice\r\n")  # plaintext on the implicit port
        try:
            self.assertNotIn(b"331", sock.recv(100))
        except (ConnectionError, socket.timeout, ssl.SSLError):
            pass
        sock.close()
        self.assertEqual(self.control().command("NOOP")[0], 200)


if __name__ == "__main__":
    unittest.main()
