"""The configuration as a service reads it: paths relative to the config
file (dadgate started elsewhere with a relative --config still loads its
built-in plugins, found beside the binary), unknown keys refused at start
with the nearest known key named, and package links that follow the HTTPS
listener when public.url is not set."""

import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import DADCTL, DADGATE, DEFAULT_CONFIG, STOP_TIMEOUT, close_client, started_gateway
from notify_helpers import SmtpServer, body_of


def send_package(gateway, to):
    """alice sends a package to `to`; returns the text of its draft's .link."""
    client = gateway.connect("alice", "alice-pw")
    try:
        draft = "/outbox/" + to
        client.mkdir(draft)
        with client.open(draft + "/.link", "rb") as f:
            link_text = f.read().decode()
        with client.open(draft + "/plan.txt", "wb") as f:
            f.write(b"the plan")
        client.rename(draft, "/sent/plan")
    finally:
        close_client(client)
    return link_text


class StartedElsewhereTest(unittest.TestCase):
    """One dadgate started from a folder of its own with the shipped config
    given by a relative path, no plugins.dir and no public.url."""

    @classmethod
    def setUpClass(cls):
        cls.smtp = SmtpServer()
        cls.addClassCleanup(cls.smtp.stop)
        cls.smtp.start()
        cls.elsewhere = tempfile.mkdtemp(prefix="dadgate-elsewhere-")
        cls.addClassCleanup(shutil.rmtree, cls.elsewhere, True)
        config = os.path.relpath(DEFAULT_CONFIG, cls.elsewhere)
        users = [(name, name + "-pw", name + "@example.com") for name in ("alice", "bob")]
        cls.gateway = started_gateway(cls, users, extra_defines=cls.smtp.defines(), web=True,
                                      config=config, cwd=cls.elsewhere, default_plugins=True)

    def log(self):
        with open(self.gateway.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def test_config_given_relative_to_another_folder(self):
        self.assertFalse(os.path.isabs(self.gateway.config_path))
        self.assertNotEqual(os.path.dirname(DEFAULT_CONFIG), self.elsewhere)

    def test_built_in_plugins_found_beside_the_binary(self):
        log = self.log()
        self.assertIn("job kind notify: plugin notify", log)
        self.assertIn("job kind fetch: plugin fetch", log)
        self.assertIn("job kind forward: plugin forward", log)
        self.assertNotIn("no handler for job kind", log)
        # The public.url made from https.port is served: no warning.
        self.assertNotIn("public.url", log)

    def test_links_and_mails_point_at_the_https_listener(self):
        base = "https://localhost:%d/p/" % self.gateway.https_port
        self.assertNotEqual(self.gateway.https_port, 8443)
        link_text = send_package(self.gateway, "bob")
        self.assertIn(base, link_text)
        # The notify job runs (the plugin came from the default plugins.dir).
        (mail,) = self.smtp.wait_for("bob@example.com")
        link = re.search(r"https://\S+/p/\S+", body_of(mail)).group(0)
        self.assertTrue(link.startswith(base), link)
        self.assertIn(link, link_text)


class RefusedAtStartTest(unittest.TestCase):
    """dadgate and dadctl refuse a key they do not know, in the file or in a
    --define; a public.url no listener serves is started with a warning."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="dadgate-keys-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.config = os.path.join(self.dir, "dadgate.properties")
        shutil.copyfile(DEFAULT_CONFIG, self.config)

    def start(self, *args):
        """Runs dadgate to its end (it must not start); returns (rc, stderr)."""
        result = subprocess.run(
            [DADGATE, "--config", self.config, "--define", "data.dir=" + self.dir + "/data",
             "--define", "sftp.port=0", "--define", "https.port=0", "--define", "ftp.port=0",
             "--define", "ftps.port=0"] + list(args),
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=STOP_TIMEOUT * 4,
            cwd=self.dir)
        self.assertNotIn("dadgate: ready", result.stdout)
        return result.returncode, result.stderr

    def test_unknown_key_in_the_file_names_the_nearest_key(self):
        with open(self.config, "a") as f:
            f.write("\nsftp.prot = 22\n")
        code, err = self.start()
        self.assertEqual(code, 1, err)
        self.assertIn("unknown configuration key 'sftp.prot' (did you mean 'sftp.port'?)", err)

    def test_unknown_define_refused(self):
        code, err = self.start("--define", "bogus.key=1")
        self.assertEqual(code, 1, err)
        self.assertIn("unknown configuration key 'bogus.key'", err)
        self.assertIn("did you mean", err)

    def test_section_of_a_plugin_that_is_not_there_refused(self):
        code, err = self.start("--define", "plugins.qouta.default_bytes=1")
        self.assertEqual(code, 1, err)
        self.assertIn("plugins.qouta.*: no plugin named 'qouta' in plugins.dir", err)

    def test_dadctl_refuses_the_same(self):
        result = subprocess.run(
            [DADCTL, "--config", self.config, "--define", "data.dir=" + self.dir + "/data",
             "--define", "https.max_thread=4", "user", "list"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, cwd=self.dir)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertIn("unknown configuration key 'https.max_thread' (did you mean "
                      "'https.max_threads'?)", result.stderr)

    def test_plugin_sections_kept_and_an_unserved_public_url_warned(self):
        gateway = started_gateway(self, extra_defines={
            "plugins.quota.default_bytes": "1048576", "public.url": "https://localhost:1"},
            web=True)
        with open(gateway.log_path, encoding="utf-8", errors="replace") as f:
            log = f.read()
        # The set public.url names a port no listener has.
        self.assertIn("public.url https://localhost:1 names port 1, which no HTTPS or HTTP "
                      "listener", log)


if __name__ == "__main__":
    unittest.main()
