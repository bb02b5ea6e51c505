"""Expiry: download counting is exact under concurrency (50 parallel
downloads of a package with max_downloads = 1: exactly one succeeds), and an
expired package leaves the inbox while the sender's tracking keeps it; the
expiry plugin gives a package without one in its manifest the default
(plugins.expiry.default, 7 days unless configured)."""

import calendar
import hashlib
import re
import threading
import time
import unittest

from harness import Gateway, close_client


def sent_and_expiry(shown):
    """The `sent:` and `expires:` times of `dadctl package show`, in seconds."""
    def seconds(label):
        found = re.search(r"(?m)^%s: (\S+)$" % label, shown)
        if not found:
            raise AssertionError("no %s line in:\n%s" % (label, shown))
        return calendar.timegm(time.strptime(found.group(1), "%Y-%m-%dT%H:%M:%SZ"))
    return seconds("sent"), seconds("expires")


def send(gateway, name, manifest, data):
    """alice sends /outbox/NAME with `manifest` and one file; returns its PID."""
    client = gateway.connect("alice", "alice-pw")
    try:
        client.mkdir("/outbox/%s" % name)
        with client.open("/outbox/%s/.dad" % name, "wb") as f:
            f.write(manifest.encode())
        with client.open("/outbox/%s/file.bin" % name, "wb") as f:
            f.write(data)
        with client.open("/outbox/%s/.link" % name, "rb") as f:
            pid = f.read().decode().split("\n")[0].split(" = ")[1]
        client.rename("/outbox/%s" % name, "/sent/%s" % name)
        return pid
    finally:
        close_client(client)


class ExpiryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # 50 sessions from one address: more than the default per-address limit.
        # Blob collection every second with no grace, to see expired content go.
        cls.gateway = Gateway(extra_defines={"sftp.max_connections_per_address": "200",
                                             "blobs.gc_grace_seconds": "0",
                                             "housekeeping.interval_seconds": "1"})
        cls.addClassCleanup(cls.gateway.cleanup)
        cls.gateway.start()
        cls.gateway.add_user("alice", "alice-pw")
        cls.gateway.add_user("bob", "bob-pw")

    def send(self, name, manifest, data):
        return send(self.gateway, name, manifest, data)

    def test_fifty_parallel_downloads_of_a_one_download_package_exactly_one_succeeds(self):
        data = b"z" * 200000
        pid = self.send("once", "to = bob\nmax_downloads = 1\n", data)
        clients = [self.gateway.connect("bob", "bob-pw") for _ in range(50)]
        for client in clients:
            self.addCleanup(close_client, client)
        start = threading.Barrier(50)
        outcomes = []
        lock = threading.Lock()

        def download(client):
            start.wait(60)
            try:
                with client.open("/inbox/alice-once/file.bin", "rb") as f:
                    got = f.read()
                result = "ok" if got == data else "short"
            except IOError as error:
                result = "refused: %s" % error
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=download, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(len(outcomes), 50)
        self.assertEqual(outcomes.count("ok"), 1, outcomes)
        self.assertEqual(outcomes.count("short"), 0)

        # The package has expired: gone from bob's inbox, kept in alice's tracking.
        bob = self.gateway.connect("bob", "bob-pw")
        self.addCleanup(close_client, bob)
        self.assertNotIn("alice-once", bob.listdir("/inbox"))
        rc, out, err = self.gateway.dadctl("package", "show", pid)
        self.assertEqual(rc, 0, err)
        self.assertIn("state: expired", out)
        self.assertEqual(out.count(" complete "), 1, out)
        self.assertIn("file.bin  200000 bytes", out)  # the file list is kept as history

        # Nothing else references the content: the collector removes it. It runs
        # on its own timer (no event to wait on), so poll, bounded.
        sha = hashlib.sha256(data).hexdigest()
        for _ in range(200):
            if not self.gateway.has_blob(sha):
                break
            threading.Event().wait(0.05)
        self.assertFalse(self.gateway.has_blob(sha))
        rc, out, err = self.gateway.dadctl("check")
        self.assertEqual(rc, 0, out + err)

    def test_package_past_its_time_leaves_the_inbox(self):
        pid = self.send("dated", "to = bob\nexpires = 2020-01-01\n", b"old news")
        bob = self.gateway.connect("bob", "bob-pw")
        self.addCleanup(close_client, bob)
        self.assertNotIn("alice-dated", bob.listdir("/inbox"))
        with self.assertRaises(IOError):
            bob.stat("/inbox/alice-dated/file.bin")
        rc, out, _ = self.gateway.dadctl("package", "show", pid)
        self.assertIn("state: expired", out)

    def test_expiry_plugin_gives_seven_days_unless_the_manifest_says_otherwise(self):
        pid = self.send("plain", "to = bob\n", b"no expiry asked")
        rc, out, err = self.gateway.dadctl("package", "show", pid)
        self.assertEqual(rc, 0, err)
        sent, expires = sent_and_expiry(out)
        self.assertEqual(expires - sent, 7 * 86400, out)
        pid = self.send("daylong", "to = bob\nexpires = 24h\n", b"a day")
        rc, out, err = self.gateway.dadctl("package", "show", pid)
        sent, expires = sent_and_expiry(out)
        self.assertEqual(expires - sent, 86400, out)


class ExpiryDefaultConfigTest(unittest.TestCase):
    def test_configured_default_expiry(self):
        gateway = Gateway(extra_defines={"plugins.expiry.default": "2h"})
        self.addCleanup(gateway.cleanup)
        gateway.start()
        gateway.add_user("alice", "alice-pw")
        gateway.add_user("bob", "bob-pw")
        pid = send(gateway, "x", "to = bob\n", b"two hours")
        rc, out, err = gateway.dadctl("package", "show", pid)
        self.assertEqual(rc, 0, err)
        sent, expires = sent_and_expiry(out)
        self.assertEqual(expires - sent, 7200, out)

    def test_malformed_default_stops_the_start(self):
        gateway = Gateway(extra_defines={"plugins.expiry.default": "soon"})
        self.addCleanup(gateway.cleanup)
        with self.assertRaises(AssertionError) as failed:
            gateway.start()
        self.assertIn("plugin expiry", str(failed.exception))
        self.assertIn("not 'soon'", str(failed.exception))


if __name__ == "__main__":
    unittest.main()
