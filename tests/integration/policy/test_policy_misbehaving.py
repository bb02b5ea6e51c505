"""A gateway whose policy scripts misbehave in every way the host knows of
keeps serving SFTP, FTPS and WebDAV logins and transfers: each misbehaving
script costs one error per hook until it is disabled, the daemon never
stops, and what a script says reaches the log, the audit and the client cut
and escaped."""

import ftplib
import io
import os
import unittest

from ftps_client import ftplib_client
from harness import close_client, started_gateway

MAX_FAILURES = 3

# name -> (body of on_login, what `dadctl policy errors` then says)
MISBEHAVING = {
    "fills-memory": ('local t, s = {}, string.rep("x", 100000) '
                     'for i = 1, 1e9 do t[i] = s .. i end', ("not enough memory", "budget of")),
    "keeps-memory": ("for i = 1, 100 do keep[#keep + 1] = string.rep('x', 100000) end",
                     ("tables defined at load are read-only",)),
    "aliased-action": ('local s, t = string.rep("x", 1000000), {} '
                       "for i = 1, 10000 do t[i] = s end dad.set_recipients(t)",
                       ("not enough memory",)),
    "long-upper": ('local s = string.rep("x", 1000000) while true do local u = s:upper() end',
                   ("budget of",)),
    "long-compare": ('local a, b = string.rep("\\0", 1000000), string.rep("\\0", 1000000) '
                     "local n = 0 while true do if a < b then n = n + 1 end end",
                     ("time budget of 50 ms (CPU) exceeded",)),
    "long-gsub": ('local r = string.rep("r", 10000) '
                  'while true do local u = string.rep("a", 100):gsub("a", r) end',
                  ("budget of",)),
    "reassigns-globals": ("on_login = nil", ("cannot set global 'on_login'",)),
    "changes-library": ("string.upper = nil", ("tables defined at load are read-only",)),
    "huge-error": ('error(string.rep("e\\n", 400000))', ("e\\ne\\ne", "(800000 bytes)")),
}

TEMPLATE = """local keep = {}
function on_login(event)
  %s
end
"""

HUGE_REASON = """function on_before_upload(event)
  if event.path == "/files/refused.txt" then
    return deny(string.rep("no\\r\\n550 injected\\r\\n", 50000))
  end
end
"""


def script_name(number, name):
    return "%02d-%s.lua" % (number, name)


class PolicyMisbehavingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        scripts = {script_name(number, name): TEMPLATE % code
                   for number, (name, (code, _)) in enumerate(MISBEHAVING.items())}
        scripts["99-huge-reason.lua"] = HUGE_REASON
        cls.gateway = started_gateway(
            cls, [("alice", "alice-pw")], web=True, ftp=True, policy=scripts,
            extra_defines={"policy.on_error": "allow",
                           "policy.max_failures": str(MAX_FAILURES),
                           "policy.failure_window_seconds": "3600"})

    def serve_every_protocol(self, round_number):
        """alice logs in and moves a file each way over SFTP, FTPS and WebDAV."""
        data = os.urandom(64 * 1024)
        client = self.gateway.connect("alice", "alice-pw")
        try:
            path = "/files/sftp-%d.bin" % round_number
            with client.open(path, "wb") as f:
                f.write(data)
            with client.open(path, "rb") as f:
                self.assertEqual(f.read(), data)
        finally:
            close_client(client)

        ftp = ftplib_client(self.gateway, "alice", "alice-pw")
        try:
            path = "/files/ftps-%d.bin" % round_number
            ftp.storbinary("STOR " + path, io.BytesIO(data))
            got = bytearray()
            ftp.retrbinary("RETR " + path, got.extend)
            self.assertEqual(bytes(got), data)
        finally:
            ftp.close()

        path = "/files/dav-%d.bin" % round_number
        status, _, _ = self.gateway.web_request("PUT", path, ("alice", "alice-pw"), data)
        self.assertEqual(status, 201)
        status, _, body = self.gateway.web_request("GET", path, ("alice", "alice-pw"))
        self.assertEqual(status, 200)
        self.assertEqual(body, data)

    def test_misbehaving_scripts_do_not_stop_the_gateway(self):
        # Enough logins for every misbehaving script to reach its limit, and more.
        for round_number in range(MAX_FAILURES + 1):
            self.serve_every_protocol(round_number)
            self.assertIsNone(self.gateway.process.poll(), "dadgate stopped")

        rc, out, _ = self.gateway.dadctl("policy", "errors")
        self.assertEqual(rc, 0)
        for number, (name, (_, messages)) in enumerate(MISBEHAVING.items()):
            script = script_name(number, name)
            lines = [line for line in out.splitlines() if (" %s:" % script) in line]
            self.assertTrue(lines, script + " reported no error:\n" + out)
            self.assertTrue(any(m in line for line in lines for m in messages),
                            "%s: none of %s in %s" % (script, messages, lines))
            for line in lines:
                self.assertLess(len(line), 1200, line[:200])

        rc, out, _ = self.gateway.dadctl("policy", "list")
        self.assertEqual(rc, 0)
        states = dict(line.split("  ", 1) for line in out.splitlines())
        for number, name in enumerate(MISBEHAVING):
            state = states[script_name(number, name)]
            self.assertTrue(state.startswith("disabled: %d failures within 3600 s; the last: "
                                             % MAX_FAILURES), state)
        self.assertEqual(states["99-huge-reason.lua"], "active")

    def test_huge_reason_reaches_the_client_cut_and_escaped(self):
        ftp = ftplib_client(self.gateway, "alice", "alice-pw")
        self.addCleanup(ftp.close)
        with self.assertRaises(ftplib.error_perm) as refused:
            ftp.storbinary("STOR /files/refused.txt", io.BytesIO(b"x"))
        reply = str(refused.exception)
        self.assertTrue(reply.startswith("550"), reply[:200])
        self.assertIn("no\\r\\n550 injected\\r\\n", reply)
        self.assertLess(len(reply), 1200)
        # The control connection is still in step: no injected reply lines.
        self.assertTrue(ftp.pwd().startswith("/"))
        status, _, body = self.gateway.web_request("PUT", "/files/refused.txt",
                                                   ("alice", "alice-pw"), b"x")
        self.assertEqual(status, 403)
        self.assertLess(len(body), 4096)


if __name__ == "__main__":
    unittest.main()
