"""Forwarding a package to another dadgate (a site of type peer).

Two real gateways on loopback: A (where alice sends) forwards to B through
B's peer API on its HTTPS listener, B's certificate verified against its own
generated self-signed certificate. The package keeps its PID; bob (an
account on both) sees it in /inbox on B; content B already holds does not
move; a connection cut mid-transfer (by a TCP proxy in this test) resumes
from what B holds; a download cut on A is finished on B; a refused login or
an untrusted certificate fails the forward at once, and tracking says why.
A package withdrawn on A is withdrawn on B too, or its sender is told it
was not.
"""

import http.client
import json
import os
import re
import socket
import ssl
import threading
import time
import unittest

from harness import (MiB, LocalFilesCase, basic_auth, close_client, draft_pid,
                     make_parent_folders, sha256_bytes, sha256_file, started_gateway, wait_until)

ALICE = ("alice", "alice-pw-9")
BOB = ("bob", "bob-pw-9")
PEER = ("site-a", "peer-token-of-site-a-0123456789")
PEER_PREFIX = "/.well-known/dadgate/peer/v1/packages/"
RECEIVED = re.compile(r"peer (\S+): received (\d+) byte\(s\) of ([0-9a-f]{64}) for (\S+) from "
                      r"offset (\d+)")
FORWARD_TIMEOUT = 120


class CuttingProxy:
    """A TCP proxy on loopback to `target_port`: it cuts the first connection
    that carries `cut_after` bytes from the client (None: never), and then
    passes all whole; `rate` (bytes per second from the client, None: as fast
    as it comes) makes a transfer last long enough to be interrupted."""

    def __init__(self, target_port, cut_after, rate=None):
        self.target_port = target_port
        self.cut_after = cut_after
        self.rate = rate
        self.connections = 0
        self.cut = False
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        self.sockets = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
            except OSError:  # the gateway behind is down (restarting)
                client.close()
                continue
            with self.lock:
                self.connections += 1
                self.sockets += [client, server]
            threading.Thread(target=self._pump,
                             args=(client, server, self.cut_after, self.rate),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, None, None),
                             daemon=True).start()

    def _pump(self, source, sink, limit, rate):
        passed = 0
        started = time.monotonic()
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if limit is not None and passed + len(data) >= limit:
                    with self.lock:
                        cut_now = not self.cut
                        self.cut = True
                    if cut_now:
                        sink.sendall(data[:limit - passed])
                        break
                    limit = None
                sink.sendall(data)
                passed += len(data)
                if rate:  # rate limiting, not synchronisation
                    ahead = passed / rate - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.close()
                except OSError:
                    pass


class ForwardPeerTest(LocalFilesCase, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        quick_jobs = {"jobs.first_retry_seconds": "1", "jobs.max_retry_seconds": "1",
                      "jobs.idle_poll_seconds": "1", "jobs.max_attempts": "20",
                      "forward.timeout_seconds": "20"}
        users = [ALICE + ("alice@example.com",), BOB + ("bob@example.com",)]
        cls.b = started_gateway(cls, users + [PEER], web=True,
                                extra_defines=dict(quick_jobs, **{"peer.accounts": PEER[0]}))
        cls.a = started_gateway(cls, users, extra_defines=quick_jobs)
        cls.b_cert = os.path.join(cls.b.data_dir, "tls", "cert.pem")
        cls.add_site("b", cls.b.https_port, PEER[1], ca=True)

    @classmethod
    def add_site(cls, name, port, token, ca=True, user=PEER[0]):
        args = ["site", "add", name, "--type", "peer", "--url", "https://localhost:%d" % port,
                "--user", user]
        if ca:
            args += ["--ca", cls.b_cert]
        rc, out, err = cls.a.dadctl(*args, input=token + "\n")
        if rc != 0:
            raise AssertionError("dadctl %s: %s%s" % (" ".join(args), out, err))

    # ---- helpers ----------------------------------------------------------

    def sftp(self, gw, user):
        client = gw.connect(user[0], user[1])
        self.addCleanup(close_client, client)
        return client

    def send_package(self, name, files, forward_to=None):
        """alice sends `files` ({path: local file}) to bob on A; returns the PID."""
        client = self.sftp(self.a, ALICE)
        client.mkdir("/outbox/" + name)
        for path, local in files.items():
            make_parent_folders(client, "/outbox/" + name, path)
            client.put(local, "/outbox/%s/%s" % (name, path))
        manifest = "to = bob@example.com\nmessage = figures for %s\n" % name
        if forward_to:
            manifest += "forward_to = %s\n" % forward_to
        with client.open("/outbox/%s/.dad" % name, "w") as f:
            f.write(manifest)
        pid = draft_pid(client, "/outbox/" + name)
        client.rename("/outbox/" + name, "/sent/" + name)
        return pid

    def show(self, gw, pid):
        rc, out, err = gw.dadctl("package", "show", pid)
        return out if rc == 0 else ""

    def forward_line(self, pid, site):
        match = re.search(r"(?m)^\s+%s\s+(\S+)\s.*$" % re.escape(site), self.show(self.a, pid))
        return match.group(0) if match else ""

    def wait_forwarded(self, pid, site="b"):
        wait_until(lambda: " done " in self.forward_line(pid, site) or
                   " failed " in self.forward_line(pid, site),
                   FORWARD_TIMEOUT, interval=0.2, what="the forward of %s to %s" % (pid, site))
        line = self.forward_line(pid, site)
        self.assertIn(" done ", line, self.show(self.a, pid) + self.b.log_text()[-3000:])
        self.assertIn("state: sent", self.show(self.b, pid))

    def wait_failed(self, pid, site):
        """The tracking line of the forward of `pid` to `site` once it failed."""
        wait_until(lambda: " failed " in self.forward_line(pid, site), FORWARD_TIMEOUT,
                   interval=0.2, what="the forward failing")
        return self.forward_line(pid, site)

    def proxied_site(self, name, **proxy_options):
        """Site `name` reaching B through a CuttingProxy (closed when the test ends)."""
        proxy = CuttingProxy(self.b.https_port, **proxy_options)
        self.addCleanup(proxy.close)
        self.add_site(name, proxy.port, PEER[1])
        return proxy

    def received_on_b(self, pid):
        """(bytes, offset) of every content PUT B logged for `pid`."""
        return [(int(m.group(2)), int(m.group(5))) for m in RECEIVED.finditer(self.b.log_text())
                if m.group(4) == pid]

    def inbox_entry(self, gw, suffix):
        """bob's SFTP client on `gw` and his inbox folder whose name ends with `suffix`."""
        client = self.sftp(gw, BOB)
        names = [n for n in client.listdir("/inbox") if n.endswith(suffix)]
        self.assertEqual(len(names), 1, client.listdir("/inbox"))
        return client, "/inbox/" + names[0]

    def assertBobGetsOnB(self, pid, path, sha):
        """bob downloads `path` of package `pid` from his inbox on B; its
        SHA-256 is `sha`."""
        client, folder = self.inbox_entry(self.b, pid)
        back = self.local(os.path.basename(path) + ".back")
        client.get(folder + "/" + path, back)
        self.assertEqual(sha256_file(back), sha)

    def peer_call(self, method, path, body=b"", user=PEER, headers=None):
        context = ssl.create_default_context(cafile=self.b_cert)
        connection = http.client.HTTPSConnection("localhost", self.b.https_port,
                                                 context=context, timeout=30)
        self.addCleanup(connection.close)
        all_headers = {"Authorization": basic_auth(*user), "Content-Type": "application/json"}
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        return response.status, response.read().decode()

    # ---- tests ------------------------------------------------------------

    def test_package_arrives_with_its_pid_and_bob_downloads_it_on_b(self):
        big, big_sha = self.random_file("big.bin", 3 * MiB + 17)
        notes, notes_sha = self.random_file("notes.txt", 5000)
        # The same content twice in one package moves once.
        pid = self.send_package("quarterly", {"big.bin": big, "docs/notes.txt": notes,
                                              "docs/copy-of-notes.txt": notes},
                                forward_to="b")
        self.wait_forwarded(pid)

        report = self.show(self.b, pid)
        self.assertIn("package: %s\n" % pid, report)
        self.assertIn("sender: alice@site-a\n", report)
        self.assertIn("bob@example.com (account)", report)
        client, folder = self.inbox_entry(self.b, pid)
        self.assertTrue({"big.bin", "docs"} <= set(client.listdir(folder)),
                        client.listdir(folder))
        self.assertBobGetsOnB(pid, "big.bin", big_sha)
        self.assertBobGetsOnB(pid, "docs/notes.txt", notes_sha)
        self.assertBobGetsOnB(pid, "docs/copy-of-notes.txt", notes_sha)
        # Every byte moved once.
        self.assertEqual(sum(b for b, _ in self.received_on_b(pid)), 3 * MiB + 17 + 5000)

    def test_content_b_holds_already_does_not_move(self):
        data, sha = self.random_file("same.bin", 2 * MiB)
        first = self.send_package("first", {"same.bin": data}, forward_to="b")
        self.wait_forwarded(first)
        self.assertEqual(sum(b for b, _ in self.received_on_b(first)), 2 * MiB)

        second = self.send_package("second", {"again/copy.bin": data}, forward_to="b")
        self.wait_forwarded(second)
        self.assertNotEqual(first, second)
        self.assertEqual(self.received_on_b(second), [], "content moved again")
        self.assertBobGetsOnB(second, "again/copy.bin", sha)

    def test_cut_connection_resumes_where_b_stopped(self):
        size = 64 * MiB
        data, sha = self.random_file("large.bin", size)
        proxy = self.proxied_site("b-cut", cut_after=16 * MiB)
        pid = self.send_package("large", {"large.bin": data}, forward_to="b-cut")
        self.wait_forwarded(pid, "b-cut")
        self.assertTrue(proxy.cut, "the proxy never cut the transfer: %r" % (
            self.received_on_b(pid),))
        self.assertGreaterEqual(proxy.connections, 2)
        puts = self.received_on_b(pid)
        self.assertGreaterEqual(len(puts), 2, puts)
        self.assertEqual(puts[0][1], 0)
        self.assertGreater(puts[-1][1], 0, "the retry started from 0: %r" % (puts,))
        self.assertLess(sum(b for b, _ in puts), 1.5 * size, puts)
        self.assertBobGetsOnB(pid, "large.bin", sha)

    def test_restart_of_b_mid_transfer_resumes_from_what_b_kept(self):
        size = 64 * MiB
        data, sha = self.random_file("restart.bin", size)
        self.proxied_site("b-slow", cut_after=None, rate=16 * MiB)
        held_before = self.b.partial_upload_bytes()
        pid = self.send_package("restart", {"restart.bin": data}, forward_to="b-slow")
        wait_until(lambda: self.b.partial_upload_bytes() - held_before >= 8 * MiB, 60,
                   what="B holding part of the transfer")
        self.b.kill9()
        self.b.start()
        self.wait_forwarded(pid, "b-slow")
        # The attempt the kill cut logged nothing; the resumed one started
        # from what B kept and sent only the rest.
        puts = self.received_on_b(pid)
        self.assertEqual(len(puts), 1, puts)
        received, offset = puts[0]
        self.assertGreaterEqual(offset, 8 * MiB)
        self.assertEqual(received, size - offset)
        self.assertBobGetsOnB(pid, "restart.bin", sha)

    def test_download_cut_on_a_is_finished_on_b(self):
        size = 4 * MiB
        data, sha = self.random_file("movie.bin", size)
        pid = self.send_package("movie", {"movie.bin": data}, forward_to="b")
        self.wait_forwarded(pid)
        half = size // 2
        client_a, folder_a = self.inbox_entry(self.a, "alice-movie")
        with client_a.open(folder_a + "/movie.bin", "rb") as f:
            first = f.read(half)
        self.assertEqual(len(first), half)
        client_b, folder_b = self.inbox_entry(self.b, pid)
        with client_b.open(folder_b + "/movie.bin", "rb") as f:
            f.seek(half)
            rest = f.read(size)
        self.assertEqual(len(rest), size - half)
        self.assertEqual(sha256_bytes(first + rest), sha)
        close_client(client_b)
        # B counts the second half as a complete download of bob's.
        finished = re.compile(r"(?m)^  \S+  bob  \S+/movie.bin  %d bytes from offset \d+  complete"
                              % (size - half))
        wait_until(lambda: finished.search(self.show(self.b, pid)), 30,
                   what="B recording bob's download")

    def test_wrong_token_fails_without_retry(self):
        self.add_site("b-badtoken", self.b.https_port, "not-the-token")
        data, _ = self.random_file("x.bin", 1000)
        pid = self.send_package("badtoken", {"x.bin": data}, forward_to="b-badtoken")
        line = self.wait_failed(pid, "b-badtoken")
        self.assertIn("attempts 1 ", line)
        self.assertIn("401", line)
        self.assertNotIn("will retry", line)

    def test_untrusted_certificate_fails_without_retry(self):
        self.add_site("b-noca", self.b.https_port, PEER[1], ca=False)
        data, _ = self.random_file("y.bin", 1000)
        pid = self.send_package("noca", {"y.bin": data}, forward_to="b-noca")
        line = self.wait_failed(pid, "b-noca")
        self.assertIn("attempts 1 ", line)
        self.assertIn("certificate", line)
        self.assertEqual(self.show(self.b, pid), "")

    def withdrawal_line(self, pid, site):
        """The tracking line under the forward of `pid` to `site` that says
        what became of its withdrawal there ("" while none)."""
        match = re.search(r"(?m)^\s+%s\s.*\n(\s{4}\S.*)$" % re.escape(site),
                          self.show(self.a, pid))
        return match.group(1).strip() if match else ""

    def wait_withdrawal(self, pid, site):
        wait_until(lambda: self.withdrawal_line(pid, site) not in ("", "withdrawal there: queued"),
                   FORWARD_TIMEOUT, interval=0.2, what="the withdrawal of %s at %s" % (pid, site))
        return self.withdrawal_line(pid, site)

    def test_withdrawn_at_a_is_withdrawn_on_b(self):
        data, _ = self.random_file("wrong-person.bin", 4000)
        pid = self.send_package("wrong-person", {"wrong-person.bin": data}, forward_to="b")
        self.wait_forwarded(pid)
        link = re.search(r"(?m)^link: \S+(/p/\S+)$", self.show(self.b, pid)).group(1)
        self.assertEqual(self.b.web_request("GET", link)[0], 200)
        self.sftp(self.a, ALICE).rmdir("/sent/wrong-person")
        self.assertIn("state: withdrawn", self.show(self.a, pid))
        self.assertEqual(self.wait_withdrawal(pid, "b"), "withdrawn there too",
                         self.show(self.a, pid) + self.b.log_text()[-2000:])
        report = self.show(self.b, pid)
        self.assertIn("state: withdrawn", report)
        self.assertRegex(report, r"(?m)^withdrawn: \S+ by site-a$")
        self.assertEqual(self.b.web_request("GET", link)[0], 410)
        self.assertFalse([n for n in self.sftp(self.b, BOB).listdir("/inbox") if n.endswith(pid)])
        # Asking again (a retry after a lost answer) is Ok.
        status, body = self.peer_call("POST", PEER_PREFIX + pid + "/withdraw", "{}")
        self.assertEqual(status, 200, body)

    def test_copy_that_cannot_be_withdrawn_there_is_told_to_the_sender(self):
        self.add_site("b-gone", self.b.https_port, PEER[1])
        data, _ = self.random_file("kept-there.bin", 3000)
        pid = self.send_package("kept-there", {"kept-there.bin": data}, forward_to="b-gone")
        self.wait_forwarded(pid, "b-gone")
        rc, out, err = self.a.dadctl("site", "remove", "b-gone")
        self.assertEqual(rc, 0, out + err)
        rc, out, err = self.a.dadctl("package", "withdraw", pid)
        self.assertEqual((rc, out.strip()), (0, pid + " withdrawn"), err)
        line = self.wait_withdrawal(pid, "b-gone")
        self.assertEqual(line, "NOT withdrawn there: site b-gone was removed")
        self.assertIn("state: sent", self.show(self.b, pid))
        rc, jobs, err = self.a.dadctl("job", "list")
        told = [j for j in jobs.splitlines() if " notify " in j and pid in j and
                "could not be withdrawn there" in j]
        self.assertTrue(told, jobs)

    def test_peer_api_refuses_bad_requests(self):
        hash_a = "a" * 64
        description = {"pid": "x-1", "sender": "mallory",
                       "files": [{"path": "f", "size": 1, "sha256": hash_a}]}
        # Only a peer account may call it.
        status, body = self.peer_call("POST", PEER_PREFIX + "x-1/offer",
                                      json.dumps(description), user=BOB)
        self.assertEqual(status, 403, body)
        self.assertIn("not a peer account", body)
        status, body = self.peer_call("POST", PEER_PREFIX + "x-1/offer", json.dumps(description),
                                      user=(PEER[0], "wrong"))
        self.assertEqual(status, 401, body)
        # Never over plain HTTP, even with the right credentials.
        status, _, body = self.b.web_request("POST", PEER_PREFIX + "x-1/offer", PEER,
                                             json.dumps(description))
        self.assertEqual(status, 403)
        self.assertIn("HTTPS only", body.decode())
        # Malformed descriptions: 400 naming the problem.
        status, body = self.peer_call("POST", PEER_PREFIX + "x-1/offer", "{\"pid\": ")
        self.assertEqual(status, 400, body)
        self.assertIn("not JSON", json.loads(body)["error"])
        bad = dict(description, files=[{"path": "../etc/passwd", "size": 1, "sha256": hash_a}])
        status, body = self.peer_call("POST", PEER_PREFIX + "x-1/offer", json.dumps(bad))
        self.assertEqual(status, 400, body)
        self.assertIn("files[0]", json.loads(body)["error"])
        status, body = self.peer_call("POST", PEER_PREFIX + "x-2/offer", json.dumps(description))
        self.assertEqual(status, 400, body)
        # Content whose SHA-256 is not the announced one is not kept.
        status, body = self.peer_call("POST", PEER_PREFIX + "x-1/offer", json.dumps(description))
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["hashes"][hash_a]["state"], "missing")
        status, body = self.peer_call("PUT", PEER_PREFIX + "x-1/content/%s?path=f" % hash_a,
                                      b"z", headers={"Content-Range": "bytes 0-0/1"})
        self.assertEqual(status, 400, body)
        self.assertIn("does not match", body)
        status, body = self.peer_call("POST", PEER_PREFIX + "x-1/commit", json.dumps(description))
        self.assertEqual(status, 409, body)
        # Withdrawing what is not here is Ok; only a POST.
        status, body = self.peer_call("POST", PEER_PREFIX + "never-here/withdraw", "{}")
        self.assertEqual(status, 200, body)
        status, body = self.peer_call("GET", PEER_PREFIX + "x-1/withdraw")
        self.assertEqual(status, 405, body)
        self.assertEqual(self.show(self.b, "x-1").count("state: sent"), 0)


if __name__ == "__main__":
    unittest.main()
