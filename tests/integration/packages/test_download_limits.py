"""Downloads counted by what was served (issue 18): a max_downloads = 1 file
read short of its end over SFTP, WebDAV (Range), FTPS and the link page
yields no more than one file's worth plus the documented restart allowance;
an honest resume from the offset the client has, on the same or another
protocol, is one download; tracking shows each download's bytes, offsets and
times; 20 clients reading overlapping ranges at once are served at most one
file's worth plus the allowance."""

import http.client
import os
import re
import threading
import unittest

from ftps_client import ftplib_client
from harness import GatewayTestCase, MiB, basic_auth
from package_life import send_package, shown

ALICE = ("alice", "alice-pw-limits")
BOB = ("bob", "bob-pw-limits")
SIZE = 4 * MiB
ALLOWANCE = min(MiB, SIZE // 4)  # Catalog::kRestartAllowanceBytes, at most a quarter
DOWNLOAD = re.compile(r"(?m)^  \S+\.\.\S+  (\S+)  (\S+)  (\d+) bytes from offset (\d+)  "
                      r"(complete|incomplete|in progress)  ")


def downloads(text):
    """(who, path, bytes, offset, state) of each download line of `package show`."""
    return [(m.group(1), m.group(2), int(m.group(3)), int(m.group(4)), m.group(5))
            for m in DOWNLOAD.finditer(text)]


class DownloadLimitsTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB)
    WEB = True
    FTP = True
    DEFINES = {"sftp.max_connections_per_address": "100"}

    def package(self, name, data):
        """Alice sends bob `data` as file.bin, max_downloads = 1: (pid, link, inbox path)."""
        pid, link = send_package(self.client(*ALICE), name, {"file.bin": data},
                                 "to = bob\nmax_downloads = 1\n")
        return pid, link, "/inbox/alice-%s/file.bin" % name

    def sftp_read(self, path, offset, length):
        """Reads [offset, offset + length) over SFTP with plain READ requests
        (no read-ahead, so what is asked is what is served)."""
        client = self.client(*BOB)
        got = b""
        with client.open(path, "rb") as f:
            f.seek(offset)
            while len(got) < length:
                chunk = f.read(min(32768, length - len(got)))
                if not chunk:
                    break
                got += chunk
        return got

    def ranged(self, path, first, last=None, user=BOB):
        """GET `path` with Range bytes=first-last on the plain listener: (status, body)
        (a body cut short by the gateway ends where it was cut)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway.http_port, timeout=60)
        try:
            headers = {"Range": "bytes=%d-%s" % (first, "" if last is None else last)}
            if user:
                headers["Authorization"] = basic_auth(*user)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = b""
            try:
                while True:
                    chunk = response.read(65536)
                    if not chunk:
                        break
                    body += chunk
            except http.client.IncompleteRead as cut:
                body += cut.partial
            return response.status, body
        finally:
            conn.close()

    def served(self, pid):
        return sum(d[2] for d in downloads(shown(self.gateway, pid)))

    def test_reads_short_of_the_end_are_limited_on_every_protocol(self):
        data = os.urandom(SIZE)
        pid, link, path = self.package("short", data)
        self.assertEqual(self.sftp_read(path, 0, SIZE - 1), data[:SIZE - 1])
        # Again from zero over WebDAV: only the allowance and the last byte are left.
        status, body = self.ranged(path, 0, SIZE - 2)
        self.assertEqual(status, 206)
        self.assertLessEqual(len(body), ALLOWANCE + 1)
        self.assertEqual(body, data[:len(body)])
        # Nothing is left for anyone, over FTPS or the link.
        bob = ftplib_client(self.gateway, *BOB)
        self.addCleanup(bob.close)
        with self.assertRaises(Exception) as refused:
            bob.retrbinary("RETR " + path, lambda chunk: None)
        self.assertTrue(str(refused.exception).startswith("550"), refused.exception)
        status, _ = self.ranged(link + "/f/file.bin", 0, SIZE - 2, user=None)
        self.assertIn(status, (403, 410))
        text = shown(self.gateway, pid)
        self.assertLessEqual(self.served(pid), SIZE + ALLOWANCE, text)
        self.assertEqual([d[4] for d in downloads(text)], ["incomplete", "complete"], text)
        self.assertIn("state: expired", text)  # every byte allowed was served

    def test_honest_resume_on_another_protocol_is_one_download(self):
        data = os.urandom(SIZE)
        pid, _, path = self.package("resumed", data)
        half = 1500000
        first = self.sftp_read(path, 0, half)
        bob = ftplib_client(self.gateway, *BOB)
        self.addCleanup(bob.close)
        rest = []
        bob.retrbinary("RETR " + path, rest.append, rest=half)
        self.assertEqual(first + b"".join(rest), data)
        text = shown(self.gateway, pid)
        lines = downloads(text)
        self.assertEqual([(d[2], d[3], d[4]) for d in lines],
                         [(half, 0, "incomplete"), (SIZE - half, half, "complete")], text)
        self.assertEqual(self.served(pid), SIZE)

    def test_range_resume_over_webdav_and_the_link(self):
        data = os.urandom(SIZE)
        for name, url, user in (("dav", None, BOB), ("link", "link", None)):
            pid, link, path = self.package("ranges-" + name, data)
            target = link + "/f/file.bin" if url else path
            status, head = self.ranged(target, 0, 999999, user=user)
            self.assertEqual((status, len(head)), (206, 1000000))
            status, tail = self.ranged(target, 1000000, user=user)
            self.assertEqual(status, 206)
            self.assertEqual(head + tail, data)
            self.assertEqual([d[4] for d in downloads(shown(self.gateway, pid))],
                             ["incomplete", "complete"])

    def test_twenty_clients_at_once_get_one_file_and_the_allowance_at_most(self):
        data = os.urandom(SIZE)
        pid, link, path = self.package("race", data)
        clients = [self.client(*BOB) for _ in range(10)]
        start = threading.Barrier(20)
        received = []
        lock = threading.Lock()

        def over_sftp(client, offset):
            got = b""
            start.wait(60)
            try:
                with client.open(path, "rb") as f:
                    f.seek(offset)
                    while True:
                        chunk = f.read(32768)
                        if not chunk:
                            break
                        got += chunk
            except IOError:
                pass  # refused or cut: what arrived counts
            with lock:
                received.append((offset, got))

        def over_http(offset, visitor):
            start.wait(60)
            try:
                status, body = self.ranged(link + "/f/file.bin" if visitor else path, offset,
                                           user=None if visitor else BOB)
                if status != 206:
                    body = b""  # refused: the body is the reason
            except OSError:
                body = b""
            with lock:
                received.append((offset, body))

        threads = [threading.Thread(target=over_sftp, args=(c, (i * 397000) % SIZE))
                   for i, c in enumerate(clients)]
        threads += [threading.Thread(target=over_http, args=((i * 411000) % SIZE, i % 2 == 0))
                    for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        self.assertEqual(len(received), 20)
        for offset, got in received:
            self.assertEqual(got, data[offset:offset + len(got)])
        total = sum(len(got) for _, got in received)
        self.assertLessEqual(total, SIZE + ALLOWANCE)
        self.assertLessEqual(self.served(pid), SIZE + ALLOWANCE, shown(self.gateway, pid))


if __name__ == "__main__":
    unittest.main()
