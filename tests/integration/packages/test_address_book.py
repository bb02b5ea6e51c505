"""Address-book groups and the shipped delivery policy (policies/delivery.lua):
a draft named after a group reaches every member over SFTP, an e-mail member
gets a mail, a personal group shadows the site's group of the same name, the
manifest may name a group, and an unknown group refuses the send with the
reason over SFTP, FTPS and WebDAV. Without the delivery policy a draft that
names a group is refused and other drafts are delivered by their name."""

import ftplib
import io
import os
import unittest

from ftps_client import ftplib_client
from harness import REPO_ROOT, close_client, started_gateway
from notify_helpers import SmtpServer, body_of

TEMPLATES = os.path.join(REPO_ROOT, "packaging", "templates")
SHIPPED_POLICIES = os.path.join(REPO_ROOT, "policies")
USERS = ("alice", "bob", "carol", "dave", "erin")


class AddressBookTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.smtp = SmtpServer()
        cls.addClassCleanup(cls.smtp.stop)
        cls.smtp.start()
        defines = cls.smtp.defines()
        defines.update({"notify.templates_dir": TEMPLATES, "policy.dir": SHIPPED_POLICIES})
        cls.gateway = started_gateway(cls, [(user, user + "-pw") for user in USERS],
                                      extra_defines=defines, web=True, ftp=True)
        # Site groups (one nested in the other) and alice's own "team".
        cls.group("add", "staff", "carol", "dave")
        cls.group("add", "team", "bob", "@staff", "partner@example.org")
        cls.group("add", "team", "dave", "--owner", "alice")

    @classmethod
    def group(cls, *args):
        rc, out, err = cls.gateway.dadctl("group", *args)
        if rc != 0:
            raise AssertionError("dadctl group %s -> %d\n%s%s" % (" ".join(args), rc, out, err))
        return out

    def sftp_draft(self, user, draft, files, manifest=None):
        client = self.gateway.connect(user, user + "-pw")
        self.addCleanup(close_client, client)
        client.mkdir("/outbox/" + draft)
        if manifest:
            with client.open("/outbox/%s/.dad" % draft, "wb") as f:
                f.write(manifest.encode())
        for name in files:
            with client.open("/outbox/%s/%s" % (draft, name), "wb") as f:
                f.write(b"content of " + name.encode())
        return client

    def inbox_files(self, user):
        client = self.gateway.connect(user, user + "-pw")
        try:
            return {name for box in client.listdir("/inbox")
                    for name in client.listdir("/inbox/" + box)}
        finally:
            close_client(client)

    def test_group_draft_reaches_every_member_and_mails_an_address(self):
        client = self.sftp_draft("erin", "@team", ["erin-plan.txt"])
        client.rename("/outbox/@team", "/sent/team-plan")
        for member in ("bob", "carol", "dave"):
            self.assertIn("erin-plan.txt", self.inbox_files(member), member)
        self.assertNotIn("erin-plan.txt", self.inbox_files("alice"))
        (mail,) = self.smtp.wait_for("partner@example.org")
        self.assertIn("erin", mail["Subject"])
        self.assertIn("erin-plan.txt", body_of(mail))

    def test_personal_group_shadows_the_site_group(self):
        client = self.sftp_draft("alice", "@team", ["alice-note.txt"])
        client.rename("/outbox/@team", "/sent/alice-note")
        self.assertIn("alice-note.txt", self.inbox_files("dave"))
        for other in ("bob", "carol"):
            self.assertNotIn("alice-note.txt", self.inbox_files(other), other)

    def test_manifest_and_folder_name_mix_groups_and_accounts(self):
        client = self.sftp_draft("erin", "minutes,alice", ["minutes.txt"],
                                 manifest="to = @staff\n")
        client.rename("/outbox/minutes,alice", "/sent/minutes")
        for member in ("alice", "carol", "dave"):
            self.assertIn("minutes.txt", self.inbox_files(member), member)
        self.assertNotIn("minutes.txt", self.inbox_files("bob"))

    def test_unknown_group_refuses_the_send_over_each_protocol(self):
        reason = "unknown address-book group @nosuch"
        client = self.sftp_draft("erin", "@nosuch", ["lost.txt"])
        with self.assertRaises(IOError) as refused:
            client.rename("/outbox/@nosuch", "/sent/lost")
        self.assertIn(reason, str(refused.exception))
        # Nothing is lost: the draft stays, unsent.
        self.assertIn("lost.txt", client.listdir("/outbox/@nosuch"))

        ftp = ftplib_client(self.gateway, "erin", "erin-pw")
        self.addCleanup(ftp.close)
        ftp.sendcmd("RNFR /outbox/@nosuch")
        with self.assertRaises(ftplib.error_perm) as refused:
            ftp.sendcmd("RNTO /sent/lost")
        self.assertTrue(str(refused.exception).startswith("550"), str(refused.exception))
        self.assertIn(reason, str(refused.exception))

        status, _, body = self.gateway.web_request(
            "MOVE", "/outbox/@nosuch", ("erin", "erin-pw"),
            headers={"Destination": self.gateway.web_url("/sent/lost")})
        self.assertEqual(status, 403)
        self.assertIn(reason.encode(), body)
        self.assertIn("lost.txt", client.listdir("/outbox/@nosuch"))

    def test_dadctl_checks_groups(self):
        rc, _, err = self.gateway.dadctl("group", "add", "-bad")
        self.assertEqual(rc, 1)
        self.assertIn("'-bad' is not a group name", err)
        rc, _, err = self.gateway.dadctl("group", "add", "x", "nobody")
        self.assertIn("'nobody' is not an account, an e-mail address or a group (@name)", err)
        rc, _, err = self.gateway.dadctl("group", "members", "add", "staff", "@team")
        self.assertEqual(rc, 1)
        self.assertIn("cycle: @staff -> @team -> @staff", err)
        rc, _, err = self.gateway.dadctl("group", "remove", "staff")
        self.assertEqual(rc, 1)
        self.assertIn("site group @staff is a member of site group @team: remove it from there first",
                      err)
        out = self.group("show", "team")
        self.assertIn("members: bob @staff partner@example.org", out)
        self.assertIn("expanded: bob carol dave partner@example.org", out)
        self.assertIn("@team  1 members", self.group("list", "--owner", "alice"))


class WithoutDeliveryPolicyTest(unittest.TestCase):
    """policy.dir without delivery.lua: the built-in rule alone."""

    def setUp(self):
        self.gateway = started_gateway(self, [(user, user + "-pw") for user in ("alice", "bob")],
                                       policy={})
        rc, out, err = self.gateway.dadctl("group", "add", "team", "bob")
        self.assertEqual(rc, 0, out + err)

    def test_group_is_refused_and_names_still_deliver(self):
        client = self.gateway.connect("alice", "alice-pw")
        self.addCleanup(close_client, client)
        for draft in ("@team", "bob"):
            client.mkdir("/outbox/" + draft)
            client.putfo(io.BytesIO(b"data"), "/outbox/%s/f.txt" % draft)
        with self.assertRaises(IOError) as refused:
            client.rename("/outbox/@team", "/sent/t")
        self.assertIn("@team is an address-book group and no delivery policy expanded it",
                      str(refused.exception))
        client.rename("/outbox/bob", "/sent/b")
        bob = self.gateway.connect("bob", "bob-pw")
        self.addCleanup(close_client, bob)
        self.assertEqual(len(bob.listdir("/inbox")), 1)


if __name__ == "__main__":
    unittest.main()
