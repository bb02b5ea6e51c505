"""The durable job queue: a package for someone without an account queues a
notification job; it survives kill -9 of the gateway, and dadctl can list,
cancel and retry jobs."""

import re
import unittest

from harness import Gateway, close_client


class JobsTest(unittest.TestCase):
    def setUp(self):
        self.gateway = Gateway()
        self.addCleanup(self.gateway.cleanup)
        self.gateway.start()
        self.gateway.add_user("alice", "alice-pw")

    def jobs(self, *args):
        rc, out, err = self.gateway.dadctl("job", "list", *args)
        self.assertEqual(rc, 0, err)
        return out

    def send_to_outsider(self):
        client = self.gateway.connect("alice", "alice-pw")
        try:
            client.mkdir("/outbox/carol@example.com")
            with client.open("/outbox/carol@example.com/plan.txt", "wb") as f:
                f.write(b"the plan")
            client.rename("/outbox/carol@example.com", "/sent/carol")
        finally:
            close_client(client)

    def test_notification_job_survives_kill9_and_can_be_cancelled_and_retried(self):
        self.send_to_outsider()
        listing = self.jobs("--state", "queued")
        self.assertRegex(listing, r"notify\s+queued.*carol@example\.com")
        job_id = re.search(r"#(\d+)\s+notify", listing).group(1)

        self.gateway.kill9()
        self.gateway.restart()
        self.assertIn("#%s  notify  queued" % job_id, self.jobs())

        rc, _, err = self.gateway.dadctl("job", "cancel", job_id)
        self.assertEqual(rc, 0, err)
        self.assertIn("#%s  notify  cancelled" % job_id, self.jobs())
        rc, _, err = self.gateway.dadctl("job", "cancel", job_id)
        self.assertNotEqual(rc, 0)
        self.assertIn("no queued or dead job", err)
        rc, _, err = self.gateway.dadctl("job", "retry", job_id)
        self.assertEqual(rc, 0, err)
        self.assertIn("#%s  notify  queued" % job_id, self.jobs())


if __name__ == "__main__":
    unittest.main()
