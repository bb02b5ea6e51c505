"""Packages end to end: drafts in /outbox, sending, /sent, /inbox, replies."""

import re
import unittest

from harness import (MiB, GatewayTestCase, close_client, listed_names, sha256_file,
                     upload_checked)

ALICE = ("alice", "alice-pw-2")
BOB = ("bob", "bob-pw-2")
DAVE = ("dave", "dave-pw-2")


def parse_link_file(text):
    """The key = value lines of a generated .link file, as a dict."""
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip()
    return values


class PackagesTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB, DAVE)

    def as_alice(self, commands):
        return self.gateway.sftp_batch(ALICE[0], ALICE[1], commands)

    def as_bob(self, commands):
        return self.gateway.sftp_batch(BOB[0], BOB[1], commands)

    def dadctl_ok(self, *args):
        rc, out, err = self.gateway.dadctl(*args)
        self.assertEqual(rc, 0, "dadctl %s: %s%s" % (" ".join(args), out, err))
        return out

    def read_link(self, user, draft):
        """Downloads /outbox/<draft>/.link as `user`; returns its key/values."""
        local = self.local("%s.link" % draft.replace("@", "_"))
        result = self.gateway.sftp_batch(user[0], user[1],
                                         ['get "/outbox/%s/.link" %s' % (draft, local)])
        self.assertBatchOk(result)
        with open(local) as f:
            text = f.read()
        self.assertRegex(text, r"(?m)^pid = \S+")
        self.assertRegex(text, r"(?m)^link = \S+")
        return parse_link_file(text)

    def test_full_exchange_between_two_accounts(self):
        # Alice starts a draft for bob; its .link is there at once.
        self.assertBatchOk(self.as_alice(["mkdir /outbox/bob"]))
        pid = self.read_link(ALICE, "bob")["pid"]

        plan, plan_sha = self.random_file("plan.bin", 2 * MiB)
        notes, notes_sha = self.random_file("notes.txt", 3000)
        manifest = self.local("manifest.dad")
        with open(manifest, "w") as f:
            f.write("message = hello bob\nexpires = 7d\n")
        self.assertBatchOk(self.as_alice([
            "put %s /outbox/bob/plan.bin" % plan,
            "put %s /outbox/bob/notes.txt" % notes,
            "put %s /outbox/bob/.dad" % manifest,
            "rename /outbox/bob /sent/bob",
        ]))

        sent = self.as_alice(["ls -1a /sent/bob"])
        self.assertBatchOk(sent)
        self.assertTrue({"plan.bin", "notes.txt", ".status", ".link"} <= listed_names(sent),
                        sent.stdout)
        self.assertNotIn("bob", listed_names(self.as_alice(["ls -1 /outbox"])))

        # Bob finds it in his inbox and downloads both files.
        inbox = self.as_bob(["ls -1 /inbox/alice-bob"])
        self.assertBatchOk(inbox)
        self.assertTrue({"plan.bin", "notes.txt"} <= listed_names(inbox), inbox.stdout)
        self.assertBatchOk(self.as_bob([
            "get /inbox/alice-bob/plan.bin %s" % self.local("plan.back"),
            "get /inbox/alice-bob/notes.txt %s" % self.local("notes.back"),
        ]))
        self.assertEqual(sha256_file(self.local("plan.back")), plan_sha)
        self.assertEqual(sha256_file(self.local("notes.back")), notes_sha)

        # The package is read-only for him (removing it from his inbox is
        # test_withdraw's).
        self.assertBatchFails(self.as_bob(["put %s /inbox/alice-bob/extra.txt" % notes]))
        self.assertBatchFails(self.as_bob(["rename /inbox/alice-bob/notes.txt "
                                           "/inbox/alice-bob/renamed.txt"]))

        # Tracking: bob's downloads are recorded complete, the package is sent.
        shown = self.dadctl_ok("package", "show", pid)
        for name in ("plan.bin", "notes.txt"):
            self.assertTrue(self.download_lines(shown, name, "complete"),
                            "no complete download of %s by bob:\n%s" % (name, shown))
        expiry = [line for line in shown.splitlines() if "expires" in line.lower()]
        self.assertTrue(expiry and "never" not in expiry[0], "manifest expiry lost:\n" + shown)
        self.assertRegex(self.dadctl_ok("package", "list", "--user", "alice"),
                         r"(?m)^.*%s.*\bsent\b.*  2 file\(s\)" % re.escape(pid))
        self.assertNotIn(".dad", shown.split("files:")[1].split("downloads:")[0], shown)
        status_file = self.local("status.txt")
        self.assertBatchOk(self.as_alice(["get /sent/bob/.status %s" % status_file]))
        with open(status_file) as f:
            status = f.read()
        self.assertTrue(self.download_lines(status, "plan.bin"),
                        ".status does not list bob's download:\n" + status)
        self.assertNotIn(".dad", status.split("files:")[1].split("downloads:")[0], status)

        # Bob replies: alice receives a new package that is a return of hers.
        answer, answer_sha = self.random_file("answer.txt", 5000)
        self.assertBatchOk(self.as_bob([
            "-mkdir /inbox/alice-bob/reply",
            "put %s /inbox/alice-bob/reply/answer.txt" % answer,
        ]))
        alice_inbox = self.as_alice(["ls -1 /inbox/bob-re-bob"])
        self.assertBatchOk(alice_inbox)
        self.assertIn("answer.txt", listed_names(alice_inbox))
        self.assertBatchOk(self.as_alice(["get /inbox/bob-re-bob/answer.txt %s"
                                          % self.local("answer.back")]))
        self.assertEqual(sha256_file(self.local("answer.back")), answer_sha)
        self.assertTrue(self.reply_pids_of(pid), "no package of bob's is a return of " + pid)

    @staticmethod
    def download_lines(report, file_name, *words):
        """Lines of a tracking report naming bob, `file_name` and every word."""
        return [line for line in report.splitlines()
                if "bob" in line and file_name in line and all(w in line for w in words)]

    def reply_pids_of(self, pid):
        """PIDs of bob's packages whose `dadctl package show` says return of `pid`."""
        listing = self.dadctl_ok("package", "list", "--user", "bob")
        site_prefix = re.match(r"^[A-Za-z]+", pid).group(0)
        candidates = set(re.findall(r"\b%s[^\s,;|]*" % re.escape(site_prefix), listing))
        candidates.discard(pid)
        return [candidate for candidate in candidates
                if ("return of: %s" % pid) in self.gateway.dadctl("package", "show", candidate)[1]]

    def test_bad_manifest_is_refused_naming_the_line(self):
        self.assertBatchOk(self.as_alice(["mkdir /outbox/manifest-check"]))
        bad = self.local("bad.dad")
        with open(bad, "w") as f:
            f.write("message = hi\ncolour = red\n")
        # OpenSSH sftp shows only its own text for a failed CLOSE, so the
        # server's message is read through paramiko below.
        self.assertBatchFails(self.as_alice(["put %s /outbox/manifest-check/.dad" % bad]))

        client = self.client(*ALICE)
        with self.assertRaises(IOError) as refused:
            upload_checked(client, b"message = hi\ncolour = red\n",
                           "/outbox/manifest-check/.dad")
        self.assertIn("line 2", str(refused.exception))
        with self.assertRaises(IOError) as refused:
            upload_checked(client, b"# about\nmessage = hi\nexpires = soon\n",
                           "/outbox/manifest-check/.dad")
        self.assertIn("line 3", str(refused.exception))
        upload_checked(client, b"message = hi\nexpires = 24h\n", "/outbox/manifest-check/.dad")

    def test_recipient_who_is_not_an_account_is_recorded(self):
        draft = "carol@example.com"
        self.assertBatchOk(self.as_alice(['mkdir "/outbox/%s"' % draft]))
        pid = self.read_link(ALICE, draft)["pid"]
        source, _ = self.random_file("for-carol.txt", 1234)
        self.assertBatchOk(self.as_alice([
            'put %s "/outbox/%s/for-carol.txt"' % (source, draft),
            'rename "/outbox/%s" "/sent/%s"' % (draft, draft),
        ]))
        self.assertIn("carol@example.com", self.dadctl_ok("package", "show", pid))

    def test_draft_without_recipient_cannot_be_sent(self):
        source, _ = self.random_file("report.txt", 100)
        self.assertBatchOk(self.as_alice(["mkdir /outbox/report",
                                          "put %s /outbox/report/report.txt" % source]))
        self.assertBatchFails(self.as_alice(["rename /outbox/report /sent/report"]))
        self.assertIn("report.txt", listed_names(self.as_alice(["ls -1 /outbox/report"])))

    def test_draft_with_unfinished_upload_cannot_be_sent(self):
        self.assertBatchOk(self.as_alice(["mkdir /outbox/dave"]))
        uploader = self.client(*ALICE)
        upload = uploader.open("/outbox/dave/part.bin", "wb")
        upload.write(b"x" * (256 * 1024))
        upload.flush()  # the server has the bytes; the file stays open

        sender = self.gateway.connect(*ALICE)
        try:
            with self.assertRaises(IOError):
                sender.rename("/outbox/dave", "/sent/dave")
            upload.close()
            self.assertEqual(sender.stat("/outbox/dave/part.bin").st_size, 256 * 1024)
            sender.rename("/outbox/dave", "/sent/dave")  # finished now: it goes
        finally:
            close_client(sender)


if __name__ == "__main__":
    unittest.main()
