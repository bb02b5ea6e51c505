"""Hostile or broken SFTP input gets a clear status, never a crash."""

import errno
import struct
import unittest

import paramiko

from harness import (FX_BAD_MESSAGE, FX_FAILURE, FXP_CLOSE, FXP_DATA, FXP_OPEN, FXP_STATUS, MiB,
                     GatewayTestCase, close_client, sftp_string, status_code)

ALICE = ("alice", "alice-pw-5")


class BadInputTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE,)

    def assertServerStillServes(self):
        client = self.gateway.connect(*ALICE)
        try:
            self.assertIn("files", client.listdir("/"))
        finally:
            close_client(client)
        self.assertTrue(self.gateway.is_running(), self.gateway.diagnostics())

    def test_dot_dot_cannot_leave_the_root(self):
        client = self.client(*ALICE)
        for path in ("/../../etc/passwd", "/files/../../../etc/passwd", "../etc/passwd"):
            with self.assertRaises(IOError, msg=path) as caught:
                client.open(path, "r")
            self.assertEqual(caught.exception.errno, errno.ENOENT, path)
        self.assertEqual(sorted(client.listdir("/../..")), sorted(client.listdir("/")))
        self.assertEqual(client.normalize("/files/../../.."), "/")

    def test_backslash_nul_and_control_characters_are_refused(self):
        for name in ("back\\slash", "nul\x00byte", "bell\x07", "new\nline", "esc\x1b[0m"):
            with self.subTest(name=name):
                client = self.client(*ALICE)  # a fresh one: a dropped session is a failure here
                with self.assertRaises(IOError):
                    client.mkdir("/files/" + name)
                with self.assertRaises(IOError):
                    with client.open("/files/" + name + ".txt", "w") as f:
                        f.write("x")
        for listed in self.client(*ALICE).listdir("/files"):
            self.assertFalse(any(ch in listed for ch in "\\\x00\x07\n\x1b"), repr(listed))

    def test_symlink_creation_is_refused_with_a_clear_message(self):
        client = self.client(*ALICE)
        for target in ("/etc/passwd", "/files"):
            with self.assertRaises(IOError) as caught:
                client.symlink(target, "/files/link")
            self.assertRegex(str(caught.exception), r"(?i)link")
        self.assertNotIn("link", client.listdir("/files"))

    def test_string_length_past_the_payload_is_a_bad_message(self):
        raw = self.raw(*ALICE)
        payload = bytes([FXP_OPEN]) + struct.pack(">I", 7) + struct.pack(">I", 1000) + b"abc"
        raw.send_packet(payload)
        try:
            kind, body = raw.recv_packet()
        except (EOFError, paramiko.SSHException):
            pass  # closing the channel is an allowed answer (a timeout is not)
        else:
            self.assertEqual(kind, FXP_STATUS)
            self.assertEqual(status_code(body[4:]), FX_BAD_MESSAGE)
        self.assertServerStillServes()

    def test_huge_packet_length_closes_the_channel(self):
        raw = self.raw(*ALICE)
        raw.channel.sendall(struct.pack(">I", 0x7FFFFFF0) + bytes([FXP_OPEN]) + b"\0" * 64)
        with self.assertRaises((EOFError, paramiko.SSHException)):
            while True:
                raw.recv_packet()
        self.assertServerStillServes()

    def test_huge_read_length_is_clamped(self):
        client = self.client(*ALICE)
        content = bytes(range(256)) * (4 * 1024)  # 1 MiB
        with client.open("/files/clamp.bin", "wb") as f:
            f.write(content)
        raw = self.raw(*ALICE)
        handle = raw.open_read("/files/clamp.bin")
        kind, body = raw.read(handle, 0, 16 * MiB)
        self.assertEqual(kind, FXP_DATA, body)
        (length,) = struct.unpack(">I", body[:4])
        self.assertGreater(length, 0)
        self.assertLess(length, len(content), "a 16 MiB READ was not clamped")
        self.assertEqual(body[4:4 + length], content[:length])

    def test_forged_and_stale_handles_get_failure(self):
        raw = self.raw(*ALICE)
        kind, body = raw.read(b"forged-handle-\x00\xff", 0, 100)
        self.assertEqual((kind, status_code(body)), (FXP_STATUS, FX_FAILURE))

        client = self.client(*ALICE)
        with client.open("/files/stale.txt", "w") as f:
            f.write("stale")
        handle = raw.open_read("/files/stale.txt")
        kind, body = raw.request(FXP_CLOSE, sftp_string(handle))
        self.assertEqual((kind, status_code(body)), (FXP_STATUS, 0))
        kind, body = raw.read(handle, 0, 100)
        self.assertEqual((kind, status_code(body)), (FXP_STATUS, FX_FAILURE))
        self.assertServerStillServes()


if __name__ == "__main__":
    unittest.main()
