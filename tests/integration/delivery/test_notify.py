"""Notifications by e-mail through a real SMTP server on loopback (aiosmtpd):
what recipients, the sender and a downloader's sender receive, the daily
digest, STARTTLS with authentication, a Lua policy cancelling or changing a
mail, and a job retried after the mail server was down delivering once."""

import os
import re
import socket
import unittest

from harness import REPO_ROOT, close_client, started_gateway, wait_until
from notify_helpers import SmtpServer, body_of

TEMPLATES = os.path.join(REPO_ROOT, "packaging", "templates")
# No mail to carol; the mail of a package received is marked as checked.
MAIL_POLICY = '''
function on_notification_out(e)
  if e.notification.to == "carol@example.com" then
    return dad.deny("no mail to carol")
  end
  if e.notification.event == "package_received" then
    dad.set_message("[checked] " .. e.notification.subject,
                    e.notification.body .. "\\nChecked by policy.")
  end
end
'''


class NotifyTest(unittest.TestCase):
    def start(self, smtp, start_smtp=True, policy=None, **extra):
        self.smtp = smtp
        self.addCleanup(smtp.stop)
        if start_smtp:
            smtp.start()
        defines = smtp.defines(**extra)
        defines.setdefault("notify.templates_dir", TEMPLATES)
        users = [(name, name + "-pw", name + "@example.com") for name in ("alice", "bob", "dave")]
        self.gateway = started_gateway(self, users, extra_defines=defines, policy=policy)

    def send(self, to="carol@example.com,bob", files=None, message="Here is the plan"):
        client = self.gateway.connect("alice", "alice-pw")
        try:
            draft = "/outbox/" + to
            client.mkdir(draft)
            with client.open(draft + "/.link", "rb") as f:
                link_text = f.read().decode()
            with client.open(draft + "/.dad", "wb") as f:
                f.write(("message = %s\nexpires = 7d\n" % message).encode())
            for name, data in (files or {"plan.txt": b"the plan", "budget.csv": b"1,2,3"}).items():
                with client.open(draft + "/" + name, "wb") as f:
                    f.write(data)
            client.rename(draft, "/sent/plan")
        finally:
            close_client(client)
        pid = re.search(r"[A-Za-z0-9]+-[A-Za-z0-9_-]+", link_text.split("\n")[0].split()[-1])
        return link_text, pid.group(0) if pid else ""

    def wait_jobs_done(self, timeout):
        """Until no notify job is queued: every mail there is to send is sent."""
        wait_until(lambda: "notify" not in self.gateway.dadctl("job", "list", "--state",
                                                               "queued")[1], timeout,
                   what="jobs done")

    def download_all(self, user, password):
        client = self.gateway.connect(user, password)
        try:
            (box,) = client.listdir("/inbox")
            for name in client.listdir("/inbox/" + box):
                if name in ("reply",):
                    continue
                with client.open("/inbox/%s/%s" % (box, name), "rb") as f:
                    f.read()
        finally:
            close_client(client)

    def test_recipient_sender_and_receipt(self):
        self.start(SmtpServer())
        link_text, _ = self.send()
        (carol,) = self.smtp.wait_for("carol@example.com")
        text = body_of(carol)
        self.assertIn("alice", carol["Subject"])
        self.assertIn("alice (alice@example.com)", text)
        self.assertIn("Here is the plan", text)
        self.assertIn("plan.txt (8 bytes)", text)
        self.assertIn("budget.csv (5 bytes)", text)
        self.assertRegex(text, r"Expires: \d{4}-\d\d-\d\d \d\d:\d\d UTC")
        link = re.search(r"Download: (\S+)", text).group(1)
        self.assertIn("/p/", link)
        self.assertIn(link, link_text)
        self.assertEqual(carol["From"], "dadgate@example.com")
        # The sender gets the package ID; bob (an account with an e-mail) a mail too.
        (to_alice,) = self.smtp.wait_for("alice@example.com")
        pid = re.search(r"Package ID: (\S+)", body_of(to_alice)).group(1)
        self.assertIn(pid, to_alice["Subject"])
        self.assertIn(pid, link_text)
        (to_bob,) = self.smtp.wait_for("bob@example.com")
        self.assertIn(pid, body_of(to_bob))
        # One mail per package: three in all, not one per file.
        self.assertEqual(len(self.smtp.messages()), 3)

        # bob downloads every file: alice gets one receipt.
        self.download_all("bob", "bob-pw")
        mails = self.smtp.wait_for("alice@example.com", count=2)
        receipt = mails[1]
        self.assertIn("bob downloaded", receipt["Subject"])
        self.assertIn(pid, body_of(receipt))
        # Downloading again sends no second receipt.
        self.download_all("bob", "bob-pw")
        self.wait_jobs_done(20)
        self.assertEqual(len(self.smtp.messages_to("alice@example.com")), 2)

    def test_daily_digest(self):
        self.start(SmtpServer(), **{"notify.receipts": "daily", "notify.digest_seconds": "3"})
        self.send(to="bob,dave")
        self.smtp.wait_for("alice@example.com")  # the package ID
        self.download_all("bob", "bob-pw")
        self.download_all("dave", "dave-pw")
        mails = self.smtp.wait_for("alice@example.com", count=2, timeout=40)
        digest = mails[1]
        self.assertEqual(digest["Subject"], "Downloads of your packages")
        self.assertIn("bob downloaded plan", body_of(digest))
        self.assertIn("dave downloaded plan", body_of(digest))
        self.wait_jobs_done(20)
        self.assertEqual(len(self.smtp.messages_to("alice@example.com")), 2)

    def test_quota_warning_reads_as_a_sentence(self):
        self.start(SmtpServer())
        rc, _, err = self.gateway.dadctl("user", "quota", "dave", "--bytes", "1000")
        self.assertEqual(rc, 0, err)
        client = self.gateway.connect("dave", "dave-pw")
        try:
            with client.open("/files/notes.txt", "wb") as f:
                f.write(b"n" * 850)
        finally:
            close_client(client)
        (warning,) = self.smtp.wait_for("dave@example.com")
        self.assertEqual(warning["Subject"], "Storage quota: 80% used")
        self.assertIn("The storage used by dave has reached 80% of its quota.", body_of(warning))

    def test_starttls_with_authentication(self):
        smtp = SmtpServer(tls="starttls", auth=("mailer", "s3cret-pw"))
        self.start(smtp, **{"smtp.user": "mailer",
                            "smtp.password_file": smtp.password_file("s3cret-pw")})
        self.send(to="carol@example.com")
        (carol,) = self.smtp.wait_for("carol@example.com")
        self.assertIn("Here is the plan", body_of(carol))
        self.assertNotIn("s3cret-pw", self.gateway.log_text())

    def test_wrong_smtp_password_is_retried_not_sent(self):
        smtp = SmtpServer(tls="starttls", auth=("mailer", "s3cret-pw"))
        self.start(smtp, **{"smtp.user": "mailer",
                            "smtp.password_file": smtp.password_file("wrong-pw")})
        self.send(to="carol@example.com")
        wait_until(lambda: re.search(r"notify.*queued.*attempt", self.gateway.dadctl(
            "job", "list")[1]) or "smtp" in self.gateway.dadctl("job", "list")[1], 20,
            what="a failed attempt")
        self.assertEqual(self.smtp.messages_to("carol@example.com"), [])
        self.assertNotIn("wrong-pw", self.gateway.log_text() + self.gateway.dadctl("job",
                                                                                  "list")[1])

    def test_lua_cancels_and_changes_mails(self):
        self.start(SmtpServer(), policy={"mail.lua": MAIL_POLICY})
        self.send(to="carol@example.com,dave@example.com")
        (dave,) = self.smtp.wait_for("dave@example.com")
        self.assertTrue(dave["Subject"].startswith("[checked] alice sent you files"))
        self.assertIn("Checked by policy.", body_of(dave))
        self.smtp.wait_for("alice@example.com")
        self.wait_jobs_done(20)
        self.assertEqual(self.smtp.messages_to("carol@example.com"), [])

    def test_mail_server_that_never_answers_fails_the_attempt(self):
        # A listening socket nobody accepts on: the connection is made, no
        # greeting ever comes. The attempt must end by smtp.timeout_seconds
        # with the error recorded, not hold the job (and its thread) for ever.
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        self.addCleanup(silent.close)
        self.start(SmtpServer(port=silent.getsockname()[1]), start_smtp=False,
                   **{"smtp.timeout_seconds": "1"})
        self.send(to="carol@example.com")
        wait_until(lambda: re.search(r"notify\s+queued\s+attempts [1-9].*smtp 127\.0\.0\.1.*[Tt]imeout",
                                     self.gateway.dadctl("job", "list")[1]), 20,
                   what="an attempt failed by the timeout")

    def test_retry_after_smtp_server_was_down_delivers_once(self):
        self.start(SmtpServer(), start_smtp=False)
        self.send(to="carol@example.com")
        wait_until(lambda: "Connection refused" in self.gateway.dadctl("job", "list")[1]
                   or "refused" in self.gateway.dadctl("job", "list")[1].lower(), 30,
                   what="a failed attempt")
        self.smtp.start()
        self.smtp.wait_for("carol@example.com", timeout=40)
        self.wait_jobs_done(30)
        self.gateway.stop()
        self.gateway.restart()
        self.assertEqual(len(self.smtp.messages_to("carol@example.com")), 1)
        self.assertEqual(len(self.smtp.messages_to("alice@example.com")), 1)


if __name__ == "__main__":
    unittest.main()
