"""dadgate as the `Subsystem sftp` of a real OpenSSH sshd: the same catalog
and blob store as dadgate's own listener, so packages and dedup hold."""

import os
import shutil
import signal
import subprocess
import tempfile
import unittest

from harness import (DADGATE, MiB, GatewayTestCase, LineReader, free_port, make_ssh_key, run,
                     sha256_bytes, sha256_file)

ALICE = ("alice", "alice-pw-7")
SSHD = "/usr/sbin/sshd"
SSHD_START_TIMEOUT = 30


class OpenSshServer:
    """An sshd on a loopback port whose sftp subsystem is dadgate's, logged in
    as root with a generated key (the subsystem runs as the given dad user)."""

    def __init__(self, gateway, dad_user):
        self.dir = tempfile.mkdtemp(prefix="dadgate-sshd-")
        self.port = free_port()
        self.host_key = make_ssh_key(os.path.join(self.dir, "host_key"))
        self.client_key = make_ssh_key(os.path.join(self.dir, "client_key"))
        shutil.copyfile(self.client_key + ".pub", os.path.join(self.dir, "authorized_keys"))
        self.config = os.path.join(self.dir, "sshd_config")
        subsystem = [DADGATE, "sftp-subsystem", "--config", gateway.config_path,
                     "--define", "data.dir=" + gateway.data_dir, "--user", dad_user]
        with open(self.config, "w") as f:
            f.write("\n".join([
                "Port %d" % self.port,
                "ListenAddress 127.0.0.1",
                "HostKey " + self.host_key,
                "PidFile " + os.path.join(self.dir, "sshd.pid"),
                "AuthorizedKeysFile " + os.path.join(self.dir, "authorized_keys"),
                "StrictModes no",
                "UsePAM no",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "Subsystem sftp " + " ".join(subsystem),
                "",
            ]))
        self.process = None

    def start(self):
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation dir
        self.process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", self.config], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace")
        self.log = LineReader(self.process.stderr)
        listening = self.log.wait_for(lambda line: "Server listening on" in line,
                                      SSHD_START_TIMEOUT)
        if listening is None:
            self.stop()
            raise AssertionError("sshd exited:\n" + "\n".join(self.log.lines))

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        if self.process is not None:
            self.log.join()
            self.process.stderr.close()
        self.process = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def sftp_batch(self, commands, timeout=120):
        return run(["sftp", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                    "-o", "ConnectTimeout=10", "-o", "IdentitiesOnly=yes",
                    "-o", "LogLevel=ERROR", "-i", self.client_key, "-P", str(self.port),
                    "-b", "-", "root@127.0.0.1"], input="\n".join(commands) + "\n",
                   timeout=timeout)


@unittest.skipUnless(hasattr(os, "geteuid") and os.geteuid() == 0, "needs root to run sshd")
@unittest.skipUnless(os.access(SSHD, os.X_OK), "OpenSSH server not installed")
class SubsystemTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE,)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if any(" " in path for path in (DADGATE, cls.gateway.work_dir)):
            raise unittest.SkipTest("sshd's Subsystem line cannot hold paths with spaces")
        cls.sshd = OpenSshServer(cls.gateway, ALICE[0])
        cls.addClassCleanup(cls.sshd.cleanup)
        cls.sshd.start()

    def test_files_put_through_sshd_are_seen_by_dadgate(self):
        source, digest = self.random_file("via-sshd.bin", 2 * MiB)
        result = self.sshd.sftp_batch(["put %s /files/via-sshd.bin" % source, "ls -l /"])
        self.assertTrue(result.ok, "%r\nsshd log:\n%s" % (result, "\n".join(self.sshd.log.lines)))
        for area in ("files", "outbox", "sent", "inbox"):
            self.assertIn(area, result.stdout)

        client = self.client(*ALICE)
        with client.open("/files/via-sshd.bin", "rb") as f:
            self.assertEqual(sha256_bytes(f.read()), digest)

    def test_files_put_through_dadgate_are_seen_through_sshd(self):
        source, digest = self.random_file("via-dadgate.bin", MiB)
        self.client(*ALICE).put(source, "/files/via-dadgate.bin")
        back = self.local("back.bin")
        result = self.sshd.sftp_batch(["get /files/via-dadgate.bin %s" % back])
        self.assertTrue(result.ok, result)
        self.assertEqual(sha256_file(back), digest)

    def test_dedup_holds_across_both_front_ends(self):
        source, digest = self.random_file("twice.bin", 3 * MiB)
        before = self.gateway.blob_count()
        self.assertTrue(self.sshd.sftp_batch(["put %s /files/twice-a.bin" % source]).ok)
        self.client(*ALICE).put(source, "/files/twice-b.bin")
        self.assertTrue(self.gateway.has_blob(digest))
        self.assertEqual(self.gateway.blob_count(), before + 1)


if __name__ == "__main__":
    unittest.main()
