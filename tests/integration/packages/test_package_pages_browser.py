"""Package pages in a real headless Chromium (Debian's chromium, driven by
playwright-core through package_pages_browser.js): open a password-protected
link over HTTPS, enter the password, download a file and the zip, return a
file; the sender then finds it in /inbox over SFTP. Screenshots are kept
under <build>/artifacts/package-pages/."""

import json
import os
import re
import shutil
import unittest
import urllib.parse
import zipfile

from harness import BUILD_DIR, HERE, GatewayTestCase, run, sha256_file, upload_checked

ALICE = ("alice", "alice-pw-browser")
BOB = ("bob", "bob-pw-browser")
SCRIPT = os.path.join(HERE, "package_pages_browser.js")
PLAYWRIGHT = os.path.join(HERE, "node_modules", "playwright-core")
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = os.path.join(BUILD_DIR, "artifacts", "package-pages")


class PackagePagesBrowserTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB)
    WEB = True

    def test_recipient_in_chromium(self):
        for needed in (CHROMIUM, PLAYWRIGHT, shutil.which("node") or "/nonexistent/node"):
            self.assertTrue(os.path.exists(needed),
                            "%s is missing: run scripts/install-deps.sh" % needed)
        files = {"report.pdf": os.urandom(300000), "notes.txt": b"notes\n" * 1000}
        client = self.client(*ALICE)
        client.mkdir("/outbox/browser")
        with client.open("/outbox/browser/.link") as f:
            link = f.read().decode()
        token_path = urllib.parse.urlparse(re.search(r"(?m)^link = (\S+)", link).group(1)).path
        for name, data in files.items():
            upload_checked(client, data, "/outbox/browser/" + name)
        upload_checked(client, b"to = bob\nmessage = for the browser\npassword = chrome pw\n",
                       "/outbox/browser/.dad")
        client.rename("/outbox/browser", "/sent/browser")

        os.makedirs(ARTIFACTS, exist_ok=True)
        downloads = self.local("downloads")
        os.makedirs(downloads)
        returned, returned_sha = self.random_file("returned answer.bin", 200000)
        url = self.gateway.web_url(token_path, https=True)
        args = {"url": url, "password": "chrome pw", "fileName": "report.pdf",
                "returnFile": returned, "downloadDir": downloads, "screenshotDir": ARTIFACTS}
        result = run(["node", SCRIPT, json.dumps(args)], timeout=300, cwd=HERE)
        self.assertEqual(result.returncode, 0, result)
        seen = json.loads(result.stdout.strip().splitlines()[-1])

        self.assertEqual(seen["firstStatus"], 403)
        self.assertTrue(seen["promptShown"])
        self.assertEqual(sorted(seen["files"]), sorted(files))
        cookie = [c for c in seen["cookies"] if c["name"] == "dadpw"][0]
        self.assertTrue(cookie["httpOnly"] and cookie["secure"])
        self.assertEqual(cookie["sameSite"], "Strict")
        self.assertEqual(cookie["path"], token_path)
        self.assertEqual(sha256_file(seen["file"]),
                         __import__("hashlib").sha256(files["report.pdf"]).hexdigest())
        with zipfile.ZipFile(seen["zip"]) as archive:
            self.assertEqual(sorted(archive.namelist()), sorted(files))
            for name, data in files.items():
                self.assertEqual(archive.read(name), data)
        self.assertIn("returned answer.bin", seen["notice"])
        self.assertEqual(seen["consoleErrors"], [])
        for shot in ("1-password-prompt", "2-package", "3-return-chosen", "4-returned"):
            self.assertTrue(os.path.getsize(os.path.join(ARTIFACTS, shot + ".png")) > 0)

        replies = [n for n in client.listdir("/inbox") if "re-browser" in n]
        self.assertEqual(len(replies), 1, client.listdir("/inbox"))
        back = self.local("back.bin")
        client.get("/inbox/%s/returned answer.bin" % replies[0], back)
        self.assertEqual(sha256_file(back), returned_sha)


if __name__ == "__main__":
    unittest.main()
