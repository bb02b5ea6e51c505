"""Lua policy scripts over SFTP: a script's deny reaches the client with its
reason, a runaway script is stopped and the hook falls back to deny while
other transfers go on, and a reload with a broken script keeps the old set."""

import os
import signal
import threading
import unittest

from harness import close_client, started_gateway, upload_refusal

UPLOAD = b"x" * 1000  # what the tests upload unless they say otherwise

NO_EXECUTABLES = """
function on_before_upload(event)
  if event.path:lower():find("%.exe$") then
    return deny("executable files are not accepted: " .. event.path)
  end
end
"""

RUNAWAY = """
function on_before_upload(event)
  if event.path:find("loop") then
    while true do end
  end
end
"""

BROKEN = "function on_before_upload(event)\n  return deny(\n"

SEND_WHEN_READY = """
function on_after_upload(event)
  if event.path:find("^/outbox/[^/]+/READY$") then dad.send() end
end
"""

NO_PDF = """
function on_before_upload(event)
  if event.path:find("%.pdf$") then return deny("no pdf today") end
end
"""


class PolicyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.gateway = started_gateway(
            cls, [("alice", "alice-pw"), ("bob", "bob-pw")],
            extra_defines={"policy.on_error": "deny"},
            policy={"10-no-executables.lua": NO_EXECUTABLES, "20-runaway.lua": RUNAWAY,
                    "30-send-when-ready.lua": SEND_WHEN_READY})

    def client(self):
        client = self.gateway.connect("alice", "alice-pw")
        self.addCleanup(close_client, client)
        return client

    def upload(self, client, path, data=UPLOAD):
        with client.open(path, "wb") as f:
            f.write(data)

    def test_script_deny_reaches_the_client_with_its_reason(self):
        client = self.client()
        self.assertIn("executable files are not accepted: /files/setup.exe",
                      upload_refusal(client, "/files/setup.exe", UPLOAD))
        self.upload(client, "/files/notes.txt")
        self.assertEqual(client.stat("/files/notes.txt").st_size, 1000)
        self.assertNotIn("setup.exe", client.listdir("/files"))

    def test_runaway_script_is_stopped_and_other_transfers_go_on(self):
        client = self.client()
        results = {}

        def big_upload():
            other = self.gateway.connect("alice", "alice-pw")
            try:
                self.upload(other, "/files/big.bin", os.urandom(8 << 20))
                results["size"] = other.stat("/files/big.bin").st_size
            finally:
                close_client(other)

        worker = threading.Thread(target=big_upload)
        worker.start()
        refusal = upload_refusal(client, "/files/loop.txt", UPLOAD)
        worker.join(120)
        self.assertFalse(worker.is_alive())
        self.assertIn("policy failed", refusal)
        self.assertEqual(results.get("size"), 8 << 20)
        rc, out, _ = self.gateway.dadctl("policy", "test",
                                         self.gateway.policy_path("20-runaway.lua"))
        # The sample event's path has no "loop": the script answers without a budget error.
        self.assertEqual(rc, 0, out)
        with open(self.gateway.log_path, encoding="utf-8", errors="replace") as log:
            self.assertIn("20-runaway.lua:4: instruction budget", log.read())
        rc, out, _ = self.gateway.dadctl("policy", "errors")
        self.assertEqual(rc, 0)
        self.assertIn("20-runaway.lua:4: instruction budget", out)

    def test_reload_with_a_broken_script_keeps_the_old_set(self):
        rc, out, err = self.gateway.reload_policy_with("30-broken.lua", BROKEN)
        self.assertNotEqual(rc, 0)
        self.assertIn("30-broken.lua", err)
        self.assertIn("previous scripts stay", err)
        client = self.client()
        upload_refusal(client, "/files/again.exe", UPLOAD)
        self.upload(client, "/files/report.pdf")

    def test_policy_sends_a_draft_when_its_last_upload_completes(self):
        client = self.client()
        client.mkdir("/outbox/bob")
        self.upload(client, "/outbox/bob/report.txt")
        self.assertIn("bob", client.listdir("/outbox"))
        self.upload(client, "/outbox/bob/READY", b"")
        self.assertNotIn("bob", client.listdir("/outbox"))
        self.assertIn("report.txt", client.listdir("/sent/bob"))
        bob = self.gateway.connect("bob", "bob-pw")
        self.addCleanup(close_client, bob)
        self.assertIn("report.txt", bob.listdir("/inbox/alice-bob"))

    def refused(self, client, path):
        try:
            self.upload(client, path)
            client.remove(path)
            return False
        except IOError:
            return True

    def wait_until_refused(self, client, path, expected):
        # SIGHUP has no reply: poll (bounded) until the daemon applies the new set.
        for _ in range(100):
            if self.refused(client, path) == expected:
                return
            threading.Event().wait(0.05)
        self.fail("policy reload was not applied: %s refused=%s" % (path, not expected))

    def test_reload_applies_a_new_set_and_sighup_does_too(self):
        client = self.client()
        self.assertFalse(self.refused(client, "/files/a.pdf"))
        self.gateway.write_policy("40-no-pdf.lua", NO_PDF)
        try:
            rc, out, err = self.gateway.dadctl("policy", "reload")
            self.assertEqual(rc, 0, err)
            self.assertIn("ok: 40-no-pdf.lua", out)
            self.assertIn("asked to reload", out)
            self.wait_until_refused(client, "/files/b.pdf", True)
        finally:
            self.gateway.remove_policy("40-no-pdf.lua")
        os.kill(self.gateway.process.pid, signal.SIGHUP)
        self.wait_until_refused(client, "/files/c.pdf", False)

    def test_every_thread_but_the_main_one_blocks_the_reload_and_stop_signals(self):
        # The main thread takes them in sigwait; a thread that does not block
        # them would take a SIGHUP sent during a reload and end the daemon.
        pid = self.gateway.process.pid
        wanted = {signal.SIGHUP, signal.SIGINT, signal.SIGTERM}
        threads = [t for t in os.listdir("/proc/%d/task" % pid) if int(t) != pid]
        self.assertTrue(threads)
        for tid in threads:
            with open("/proc/%d/task/%s/status" % (pid, tid), encoding="ascii") as f:
                mask = next(int(line.split()[1], 16) for line in f
                            if line.startswith("SigBlk:"))
            blocked = {s for s in wanted if mask & (1 << (s - 1))}
            self.assertEqual(blocked, wanted, "thread %s blocks only %s" % (tid, blocked))

    def test_sighups_in_a_burst_leave_the_daemon_serving(self):
        for _ in range(20):
            os.kill(self.gateway.process.pid, signal.SIGHUP)
        client = self.client()
        self.upload(client, "/files/after-the-burst.txt")
        self.assertEqual(client.stat("/files/after-the-burst.txt").st_size, 1000)
        self.assertTrue(self.gateway.is_running())


if __name__ == "__main__":
    unittest.main()
