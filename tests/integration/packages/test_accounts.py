"""Accounts through dadctl while dadgate runs: add, list, disable, passwd,
remove, sub-users; passwords come from stdin and are never stored in clear."""

import os
import unittest

import paramiko

from harness import GatewayTestCase, close_client


class AccountsTest(GatewayTestCase, unittest.TestCase):

    def dadctl_ok(self, *args, input=None):
        rc, out, err = self.gateway.dadctl(*args, input=input)
        self.assertEqual(rc, 0, "dadctl %s: %s%s" % (" ".join(args), out, err))
        return out

    def user_lines(self):
        return self.dadctl_ok("user", "list").splitlines()

    def listed_users(self):
        names = set()
        for line in self.user_lines():
            names.update(line.replace(",", " ").split())
        return names

    def can_log_in(self, user, password):
        try:
            client = self.gateway.connect(user, password)
        except paramiko.AuthenticationException:
            return False
        close_client(client)
        return True

    def test_admin_created_on_first_start_can_log_in(self):
        self.assertEqual(self.gateway.admin_user, "admin")
        self.assertTrue(self.gateway.admin_password)
        self.assertTrue(self.can_log_in("admin", self.gateway.admin_password))
        self.assertIn("admin", self.listed_users())

    def test_new_user_logs_in_at_once_and_is_listed(self):
        self.gateway.add_user("erin", "erin-pw-6", email="erin@example.com")
        self.assertIn("erin", self.listed_users())
        self.assertTrue(any("erin@example.com" in line for line in self.user_lines()))
        self.assertTrue(self.can_log_in("erin", "erin-pw-6"))
        self.assertFalse(self.can_log_in("erin", "wrong-password"))

    def test_adding_an_existing_name_fails(self):
        self.gateway.add_user("frank", "frank-pw-6")
        rc, _, err = self.gateway.dadctl("user", "add", "frank", input="other\n")
        self.assertNotEqual(rc, 0)
        self.assertTrue(err.strip(), "no message on stderr")
        self.assertTrue(self.can_log_in("frank", "frank-pw-6"))

    def test_password_comes_from_stdin_and_is_not_stored_in_clear(self):
        password = "Canary-Clear-Text-8817"
        rc, _, _ = self.gateway.dadctl("user", "add", "nopass", input="")
        self.assertNotEqual(rc, 0, "a user without a password on stdin was added")
        self.gateway.add_user("grace", password)
        self.assertTrue(self.can_log_in("grace", password))
        for directory, _, files in os.walk(self.gateway.data_dir):
            for name in files:
                with open(os.path.join(directory, name), "rb") as f:
                    self.assertNotIn(password.encode(), f.read(), name)
        self.assertNotIn(password, self.gateway.log_text())

    def test_disabled_user_cannot_log_in_until_enabled(self):
        self.gateway.add_user("heidi", "heidi-pw-6")
        self.dadctl_ok("user", "disable", "heidi")
        self.assertFalse(self.can_log_in("heidi", "heidi-pw-6"))
        result = self.gateway.sftp_batch("heidi", "heidi-pw-6", ["ls /"], timeout=60)
        self.assertBatchFails(result)
        self.dadctl_ok("user", "enable", "heidi")
        self.assertTrue(self.can_log_in("heidi", "heidi-pw-6"))

    def test_passwd_replaces_the_password(self):
        self.gateway.add_user("ivan", "ivan-old-6")
        self.dadctl_ok("user", "passwd", "ivan", input="ivan-new-6\n")
        self.assertFalse(self.can_log_in("ivan", "ivan-old-6"))
        self.assertTrue(self.can_log_in("ivan", "ivan-new-6"))

    def test_removed_user_is_gone(self):
        self.gateway.add_user("judy", "judy-pw-6")
        self.dadctl_ok("user", "remove", "judy")
        self.assertNotIn("judy", self.listed_users())
        self.assertFalse(self.can_log_in("judy", "judy-pw-6"))
        rc, _, _ = self.gateway.dadctl("user", "disable", "judy")
        self.assertNotEqual(rc, 0)

    def test_sub_user_is_listed_under_its_admin(self):
        self.gateway.add_user("boss", "boss-pw-6", admin=True)
        self.gateway.add_user("worker", "worker-pw-6", parent="boss")
        worker_lines = [line for line in self.user_lines() if "worker" in line.split()]
        self.assertEqual(len(worker_lines), 1, self.user_lines())
        self.assertIn("boss", worker_lines[0])
        self.dadctl_ok("package", "list", "--user", "worker")
        rc, _, _ = self.gateway.dadctl("user", "add", "orphan", "--parent", "nobody",
                                       input="orphan-pw\n")
        self.assertNotEqual(rc, 0, "a sub-user of a missing admin was added")


if __name__ == "__main__":
    unittest.main()
