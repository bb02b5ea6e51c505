"""SFTP with real clients: OpenSSH sftp and scp, curl, rclone, paramiko."""

import hashlib
import os
import struct
import unittest

from harness import (FXP_DATA, FXP_EXTENDED_REPLY, FXP_READ, LONG_LISTING, MiB, GatewayTestCase, batch_output_lines,
                     close_client, listed_names, make_ssh_key, read_sftp_string, run,
                     sftp_string, sha256_file, wait_until)

ALICE = ("alice", "alice-pw-1")


class SftpBasicsTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE,)

    def batch(self, commands, **kwargs):
        return self.gateway.sftp_batch(ALICE[0], ALICE[1], commands, **kwargs)

    def remote(self, path):
        return "%s@127.0.0.1:%s" % (ALICE[0], path)

    def test_put_get_round_trip_keeps_content(self):
        source, digest = self.random_file("five.bin", 5 * MiB)
        back = self.local("five.back")
        self.assertBatchOk(self.batch(["put %s /files/five.bin" % source,
                                       "get /files/five.bin %s" % back]))
        self.assertEqual(sha256_file(back), digest)

    def test_root_lists_the_four_areas(self):
        result = self.batch(["ls -l /"])
        self.assertBatchOk(result)
        self.assertTrue({"files", "outbox", "sent", "inbox"} <= listed_names(result),
                        result.stdout)
        for line in batch_output_lines(result):
            self.assertTrue(LONG_LISTING.match(line) and line.startswith("d"),
                            "not a directory: %s" % line)

    def test_mkdir_rename_remove_in_files(self):
        source, _ = self.random_file("small.txt", 1000)
        self.assertBatchOk(self.batch([
            "mkdir /files/work",
            "mkdir /files/work/sub",
            "put %s /files/work/a.txt" % source,
            "rename /files/work/a.txt /files/work/sub/b.txt",
            "rename /files/work/sub /files/work/moved",
        ]))
        listing = self.batch(["ls -1 /files/work/moved"])
        self.assertBatchOk(listing)
        self.assertEqual(listed_names(listing), {"b.txt"})
        self.assertBatchFails(self.batch(["ls /files/work/sub"]))
        self.assertBatchFails(self.batch(["rmdir /files/work/moved"]))  # not empty
        self.assertBatchOk(self.batch(["rm /files/work/moved/b.txt",
                                       "rmdir /files/work/moved",
                                       "rmdir /files/work"]))
        self.assertNotIn("work", listed_names(self.batch(["ls -1 /files"])))

    def test_df_reports_space(self):
        result = self.batch(["df /files"])
        self.assertBatchOk(result)
        self.assertIn("Avail", result.stdout)

    def test_reput_resumes_an_interrupted_upload(self):
        source, digest = self.random_file("big.bin", 4 * MiB)
        with open(source, "rb") as f:
            first_half = f.read(2 * MiB)
        client = self.gateway.connect(*ALICE)
        transport = client.get_channel().get_transport()
        handle_file = client.open("/files/big", "wb")
        handle_file.write(first_half)
        handle_file.flush()  # every WRITE acknowledged
        transport.close()    # cut the connection with the file still open

        # The server learns of the cut asynchronously; nothing a client can
        # wait on tells when it has kept the partial upload, so poll.
        def partial_kept():
            checker = self.gateway.connect(*ALICE)
            try:
                return checker.stat("/files/big").st_size == len(first_half)
            except IOError:
                return False
            finally:
                close_client(checker)
        wait_until(partial_kept, timeout=20, interval=0.2, what="the partial upload")

        back = self.local("big.back")
        self.assertBatchOk(self.batch(["reput %s /files/big" % source,
                                       "get /files/big %s" % back]))
        self.assertEqual(sha256_file(back), digest)

    def test_scp_upload_and_download(self):
        source, digest = self.random_file("scp.bin", 2 * MiB)
        back = self.local("scp.back")
        up = self.gateway.scp(ALICE[1], source, self.remote("/files/scp.bin"))
        self.assertTrue(up.ok, up)
        down = self.gateway.scp(ALICE[1], self.remote("/files/scp.bin"), back)
        self.assertTrue(down.ok, down)
        self.assertEqual(sha256_file(back), digest)

    def test_legacy_scp_is_refused_clearly(self):
        source, _ = self.random_file("legacy.txt", 100)
        result = self.gateway.scp(ALICE[1], "-O", source, self.remote("/files/legacy.txt"))
        self.assertFalse(result.ok, result)
        self.assertIn("legacy scp", result.stderr.lower(), result)

    def curl(self, *args):
        return run(["curl", "--silent", "--show-error", "--fail", "-k", "--insecure",
                    "--max-time", "60", "-u", "%s:%s" % ALICE] + list(args))

    def curl_url(self, path):
        return "sftp://127.0.0.1:%d%s" % (self.gateway.port, path)

    def test_curl_sftp_upload_and_download(self):
        version = run(["curl", "-V"], timeout=10)
        if "sftp" not in version.stdout.split("Protocols:")[-1].split():
            self.skipTest("this curl is built without sftp: %s" % version.stdout.splitlines()[0])
        source, digest = self.random_file("curl.bin", 1 * MiB)
        back = self.local("curl.back")
        up = self.curl("-T", source, self.curl_url("/files/curl.bin"))
        self.assertTrue(up.ok, up)
        down = self.curl("-o", back, self.curl_url("/files/curl.bin"))
        self.assertTrue(down.ok, down)
        self.assertEqual(sha256_file(back), digest)

    def rclone(self, *args):
        env = dict(os.environ, RCLONE_CONFIG=self.local("rclone.conf"))
        return run(["rclone", "--contimeout", "10s", "--timeout", "60s"] + list(args),
                   env=env)

    def rclone_remote(self, path):
        obscured = self.rclone("obscure", ALICE[1])
        self.assertTrue(obscured.ok, obscured)
        return ":sftp,host=127.0.0.1,port=%d,user=%s,pass=%s:%s" % (
            self.gateway.port, ALICE[0], obscured.stdout.strip(), path)

    def test_rclone_copy_check_move(self):
        tree = self.local("tree")
        os.makedirs(os.path.join(tree, "sub"))
        for name, size in (("a.bin", 300 * 1024), ("b.txt", 10), ("sub/c.bin", MiB)):
            self.random_file(os.path.join("tree", name), size)
        remote = self.rclone_remote("files/rclone")

        copied = self.rclone("copy", tree, remote)
        self.assertTrue(copied.ok, copied)
        checked = self.rclone("check", "--download", tree, remote)
        self.assertTrue(checked.ok, checked)

        moving = self.local("moving")
        os.makedirs(moving)
        _, digest = self.random_file("moving/d.bin", 200 * 1024)
        moved = self.rclone("move", moving, self.rclone_remote("files/rclone-moved"))
        self.assertTrue(moved.ok, moved)
        self.assertEqual(os.listdir(moving), [])
        client = self.client(*ALICE)
        with client.open("/files/rclone-moved/d.bin", "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), digest)

    def test_paramiko_stat_after_close_matches_size(self):
        source, _ = self.random_file("para.bin", 3 * MiB + 17)
        client = self.client(*ALICE)
        attrs = client.put(source, "/files/para.bin")  # put() itself stats after close
        self.assertEqual(attrs.st_size, os.path.getsize(source))
        self.assertEqual(client.stat("/files/para.bin").st_size, os.path.getsize(source))

    def test_check_file_sha256_comes_from_the_server(self):
        source, digest = self.random_file("hash.bin", 2 * MiB + 5)
        client = self.client(*ALICE)
        client.put(source, "/files/hash.bin")
        with client.open("/files/hash.bin", "rb") as f:
            self.assertEqual(f.check("sha256").hex(), digest)

    def test_check_file_name_reply_follows_the_draft(self):
        # draft-ietf-secsh-filexfer-extensions: the reply is the string
        # "check-file", the algorithm used, then the raw hash bytes.
        source, digest = self.random_file("hash-name.bin", MiB + 3)
        self.client(*ALICE).put(source, "/files/hash-name.bin")
        raw = self.raw(*ALICE)
        kind, body = raw.extended("check-file-name", sftp_string(b"/files/hash-name.bin") +
                                  sftp_string(b"sha256") + struct.pack(">QQI", 0, 0, 0))
        self.assertEqual(kind, FXP_EXTENDED_REPLY, body)
        reply_type, body = read_sftp_string(body)
        algorithm, hash_bytes = read_sftp_string(body)
        self.assertEqual((reply_type, algorithm), (b"check-file", b"sha256"))
        self.assertEqual(hash_bytes.hex(), digest)

    def test_deep_pipelining_answers_every_request(self):
        content = os.urandom(4 * MiB)
        client = self.client(*ALICE)
        with client.open("/files/pipelined.bin", "wb") as f:
            f.write(content)
        raw = self.raw(*ALICE)
        handle = raw.open_read("/files/pipelined.bin")
        chunk = 32 * 1024
        in_flight = {}
        for index in range(128):  # all sent before any reply is read
            request_id = raw.send_request(FXP_READ, sftp_string(handle) +
                                          struct.pack(">QI", index * chunk, chunk))
            in_flight[request_id] = index * chunk
        while in_flight:
            kind, request_id, body = raw.recv_reply()
            self.assertEqual(kind, FXP_DATA, body)
            offset = in_flight.pop(request_id)
            (length,) = struct.unpack(">I", body[:4])
            self.assertEqual(body[4:4 + length], content[offset:offset + chunk])

    def test_replacing_a_file_is_atomic_for_readers(self):
        old = os.urandom(2 * MiB)
        new = os.urandom(2 * MiB)
        writer = self.client(*ALICE)
        with writer.open("/files/replaced.bin", "wb") as f:
            f.write(old)
        reader = self.client(*ALICE)
        with reader.open("/files/replaced.bin", "rb") as f:
            first = f.read(MiB)
            with writer.open("/files/replaced.bin", "wb") as g:
                g.write(new)
            rest = f.read()
        self.assertEqual(first + rest, old, "a reader saw a mix of old and new content")
        with reader.open("/files/replaced.bin", "rb") as f:
            self.assertEqual(f.read(), new)

    def test_public_key_login(self):
        key = make_ssh_key(self.local("id_alice"))
        rc, out, err = self.gateway.dadctl("user", "key", "add", ALICE[0], key + ".pub")
        self.assertEqual(rc, 0, out + err)
        rc, out, err = self.gateway.dadctl("user", "key", "list", ALICE[0])
        self.assertEqual(rc, 0, out + err)
        with open(key + ".pub") as f:
            self.assertIn(f.read().split()[1][:20], out + err)

        client = self.client(ALICE[0], key_path=key)
        self.assertIn("files", client.listdir("/"))

        result = run(["sftp", "-o", "StrictHostKeyChecking=no",
                      "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10",
                      "-o", "IdentitiesOnly=yes", "-o", "PasswordAuthentication=no",
                      "-i", key, "-P", str(self.gateway.port), "-b", "-",
                      "%s@127.0.0.1" % ALICE[0]], input="ls /\n")
        self.assertTrue(result.ok, result)
        self.assertIn("outbox", result.stdout)


if __name__ == "__main__":
    unittest.main()
