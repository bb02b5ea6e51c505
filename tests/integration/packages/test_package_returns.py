"""Files returned through a package's link are bounded: they count against
the quota of the package's sender (who receives them) and, together, against
the link's own total (pages.max_return_total_bytes). Over either bound the
return form answers 507 with a page that says why, and nothing of the refused
file stays stored or counted. Returns are posted with curl -F, as a browser's
form would send them."""

import re
import subprocess
import unittest
import urllib.parse

from harness import GatewayTestCase, upload_checked, wait_until

ALICE = ("alice", "alice-pw-returns")
CAROL = ("carol", "carol-pw-returns")
LINK_TOTAL = 300000  # pages.max_return_total_bytes of this gateway


class PackageReturnsTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, CAROL)
    WEB = True
    DEFINES = {"pages.max_return_total_bytes": str(LINK_TOTAL)}  # a small per-link total

    # ---- helpers ---------------------------------------------------------

    def send_package(self, user, draft):
        """`user`'s package `draft` (one small file) for bob, sent; the link's path."""
        client = self.client(*user)
        client.mkdir("/outbox/" + draft)
        with client.open("/outbox/%s/.link" % draft) as f:
            link = f.read().decode()
        path = urllib.parse.urlparse(re.search(r"(?m)^link = (\S+)", link).group(1)).path
        upload_checked(client, b"question", "/outbox/%s/q.txt" % draft)
        upload_checked(client, b"to = bob\n", "/outbox/%s/.dad" % draft)
        client.rename("/outbox/" + draft, "/sent/" + draft)
        return path

    def origin(self):
        return "http://127.0.0.1:%d" % self.gateway.http_port

    def curl(self, *args):
        result = subprocess.run(["curl", "-sS", "--max-time", "60"] + list(args),
                                capture_output=True, timeout=90)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout

    def return_file(self, path, name, size):
        """Posts a file of `size` bytes through the link's return form with
        curl -F; returns (HTTP status, page text)."""
        page = self.curl(self.gateway.web_url(path)).decode()
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
        local = self.local(name)
        with open(local, "wb") as f:
            f.write(b"r" * size)
        out = self.curl("-o", "-", "-w", "\n%{http_code}", "-H", "Origin: " + self.origin(),
                        "-F", "csrf=" + token, "-F", "file=@%s;filename=%s" % (local, name),
                        self.gateway.web_url(path + "/return")).decode("utf-8", "replace")
        body, _, status = out.rpartition("\n")
        return int(status), body

    def inbox_files(self, user, draft):
        client = self.client(*user)
        replies = [n for n in client.listdir("/inbox") if "re-" + draft in n]
        if not replies:
            return []
        return sorted(set(client.listdir("/inbox/" + replies[0])) - {"reply"})

    def stored(self, user):
        """(bytes, of limit) of `user`'s own quota, as dadctl user show prints it."""
        rc, out, err = self.gateway.dadctl("user", "show", user)
        self.assertEqual(rc, 0, err)
        match = re.search(r"quota \(%s\): (\d+) of (\d+) bytes" % user, out)
        self.assertIsNotNone(match, out)
        return int(match.group(1)), int(match.group(2))

    # ---- tests -----------------------------------------------------------

    def test_link_total_bounds_returns(self):
        path = self.send_package(ALICE, "bounded")
        partial = self.gateway.partial_upload_bytes()
        status, body = self.return_file(path, "first.bin", 200000)
        self.assertEqual(status, 303, body)
        # 200,000 of 300,000 used: a second file of 200,000 passes the link's total.
        status, body = self.return_file(path, "second.bin", 200000)
        self.assertEqual(status, 507, body)
        self.assertIn("No room left", body)
        self.assertIn("files returned through the link", body)
        self.assertEqual(self.inbox_files(ALICE, "bounded"), ["first.bin"])
        # Nothing partial is left behind by the refusal.
        wait_until(lambda: self.gateway.partial_upload_bytes() == partial, 10,
                   what="the refused return's partial file removed")
        # What still fits is taken.
        status, body = self.return_file(path, "third.bin", 100000)
        self.assertEqual(status, 303, body)
        self.assertEqual(self.inbox_files(ALICE, "bounded"), ["first.bin", "third.bin"])
        # The link is full now: even one byte is refused before it is read.
        status, body = self.return_file(path, "fourth.bin", 1)
        self.assertEqual(status, 507, body)
        # Another link of the same sender has a total of its own.
        other = self.send_package(ALICE, "another")
        status, body = self.return_file(other, "first.bin", 200000)
        self.assertEqual(status, 303, body)

    def test_returns_are_charged_to_the_sender_quota(self):
        rc, out, err = self.gateway.dadctl("user", "quota", CAROL[0], "--bytes", "250000")
        self.assertEqual(rc, 0, out + err)
        path = self.send_package(CAROL, "charged")
        partial = self.gateway.partial_upload_bytes()
        used_before, limit = self.stored(CAROL[0])
        self.assertEqual(limit, 250000)
        status, body = self.return_file(path, "answer.bin", 150000)
        self.assertEqual(status, 303, body)
        # Carol receives it, so it counts against her quota.
        self.assertEqual(self.stored(CAROL[0])[0], used_before + 150000)
        # 150,000 more would pass her quota (though not the link's 300,000 total).
        status, body = self.return_file(path, "again.bin", 150000)
        self.assertEqual(status, 507, body)
        self.assertIn("carol", body)
        self.assertEqual(self.stored(CAROL[0])[0], used_before + 150000)
        self.assertEqual(self.inbox_files(CAROL, "charged"), ["answer.bin"])
        wait_until(lambda: self.gateway.partial_upload_bytes() == partial, 10,
                   what="the refused return's partial file removed")
        # Her own uploads see the returned bytes too.
        client = self.client(*CAROL)
        with self.assertRaises(IOError):
            upload_checked(client, b"c" * 120000, "/files/mine.bin")


if __name__ == "__main__":
    unittest.main()
