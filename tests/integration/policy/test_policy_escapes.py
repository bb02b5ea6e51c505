"""Every way out of the Lua sandbox, tried in a running dadgate: each script
is stopped with its name, line and message (log and `dadctl policy errors`),
the upload it guards is refused (policy.on_error = deny), and uploads on
another session keep completing between one escape and the next. A bytecode
script is refused at reload and the old set stays."""

import os
import threading
import unittest

from harness import close_client, started_gateway, upload_refusal, wait_until

# name -> (line 3 of the script's on_before_upload, what the error says)
ESCAPES = {
    "load-bytecode": ('load(string.char(27) .. "LuaT")()', "undefined global 'load'"),
    "string-dump": ("return string.dump(on_before_upload)", "field 'dump'"),
    "os": ('os.execute("touch /tmp/escaped")', "undefined global 'os'"),
    "io": ('io.open("/etc/passwd")', "undefined global 'io'"),
    "debug": ("debug.sethook()", "undefined global 'debug'"),
    "package": ('package.loadlib("libc.so.6", "system")', "undefined global 'package'"),
    "require": ('require("os")', "undefined global 'require'"),
    "dofile": ('dofile("/etc/passwd")', "undefined global 'dofile'"),
    "setmetatable-g": ("setmetatable(_G, {})", "cannot change a protected metatable"),
    # Whichever runs out first: 5 million instructions or 50 ms of CPU.
    "endless-loop": ("while true do end", "budget of"),
    "coroutine-loop": ("coroutine.wrap(function() while true do end end)()",
                       "undefined global 'coroutine'"),
    "finalizer-loop": ("setmetatable({}, {__gc = function() while true do end end})",
                       "__gc (finalizers) is not allowed"),
    "memory-bomb": ('local t, s = {}, string.rep("x", 100000) for i = 1, 1e9 do t[i] = s .. i end',
                    "not enough memory"),
    "pattern-backtracking": ('return string.rep("a", 50000):find(string.rep("a-", 12) .. "b")',
                             "pattern matching"),
    "rep-of-nothing": ('return string.rep("", math.maxinteger)', "(string.rep)"),
}

TEMPLATE = """function on_before_upload(event)
  if event.path == "/files/%s.txt" then
    %s
  end
end
"""


class PolicyEscapesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        scripts = {"%02d-%s.lua" % (number, name): TEMPLATE % (name, code)
                   for number, (name, (code, _)) in enumerate(ESCAPES.items())}
        cls.gateway = started_gateway(cls, [("alice", "alice-pw")],
                                      extra_defines={"policy.on_error": "deny"}, policy=scripts)

    def test_each_escape_is_stopped_while_other_uploads_complete(self):
        completed = []
        failures = []
        stop = threading.Event()

        def keep_uploading():
            other = self.gateway.connect("alice", "alice-pw")
            try:
                data = os.urandom(1 << 20)
                while not stop.is_set():
                    path = "/files/steady-%d.bin" % len(completed)
                    with other.open(path, "wb") as f:
                        f.write(data)
                    if other.stat(path).st_size != len(data):
                        failures.append(path)
                    completed.append(path)
            except Exception as error:  # reported by the assertion below
                failures.append(repr(error))
            finally:
                close_client(other)

        worker = threading.Thread(target=keep_uploading)
        worker.start()
        self.addCleanup(worker.join, 60)
        self.addCleanup(stop.set)
        client = self.gateway.connect("alice", "alice-pw")
        self.addCleanup(close_client, client)
        for number, (name, (_, message)) in enumerate(ESCAPES.items()):
            before = len(completed)
            refusal = upload_refusal(client, "/files/%s.txt" % name)
            script = "%02d-%s.lua" % (number, name)
            self.assertIn("policy failed (%s)" % script, refusal)
            wait_until(lambda: len(completed) > before or failures, 60,
                       what="an upload on the other session after " + name)
            self.assertEqual(failures, [])
            rc, out, _ = self.gateway.dadctl("policy", "errors")
            self.assertEqual(rc, 0)
            self.assertIn("%s:3: " % script, out)
            self.assertIn(message, out)
        stop.set()
        worker.join(60)
        self.assertFalse(worker.is_alive())
        self.assertEqual(failures, [])
        self.assertFalse(os.path.exists("/tmp/escaped"))
        # The scripts still answer once the escapes are over.
        with client.open("/files/fine.txt", "wb") as f:
            f.write(b"fine")
        self.assertEqual(client.stat("/files/fine.txt").st_size, 4)

    def test_bytecode_script_is_refused_and_the_old_set_stays(self):
        rc, _, err = self.gateway.reload_policy_with("99-bytecode.lua",
                                                     b"\x1bLuaT\x00\x19\x93\r\n\x1a\n")
        self.assertNotEqual(rc, 0)
        self.assertIn("99-bytecode.lua: precompiled (bytecode) scripts are refused", err)
        self.assertIn("previous scripts stay", err)
        client = self.gateway.connect("alice", "alice-pw")
        self.addCleanup(close_client, client)
        self.assertIn("policy failed", upload_refusal(client, "/files/os.txt"))


if __name__ == "__main__":
    unittest.main()
