"""Webhooks: a real HTTP receiver on loopback gets one JSON POST per event
(package sent, downloaded, quota threshold), signed with HMAC-SHA256 of the
body; a non-2xx answer is retried by the job queue until it is accepted."""

import hashlib
import hmac
import http.server
import json
import os
import tempfile
import threading
import unittest

from harness import Gateway, close_client, free_port, wait_until

SECRET = "hook-secret-123"


class Receiver(http.server.BaseHTTPRequestHandler):
    received = []
    failures_left = 0
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with Receiver.lock:
            if Receiver.failures_left > 0:
                Receiver.failures_left -= 1
                self.send_response(503)
                self.end_headers()
                return
            Receiver.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class WebhookTest(unittest.TestCase):
    def setUp(self):
        Receiver.received = []
        Receiver.failures_left = 2
        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Receiver)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        directory = tempfile.mkdtemp(prefix="dad-hook-")
        secret_file = os.path.join(directory, "secret")
        with open(secret_file, "w") as f:
            f.write(SECRET + "\n")
        self.gateway = Gateway(extra_defines={
            "webhook.url": "http://127.0.0.1:%d/hook" % self.port,
            "webhook.secret_file": secret_file,
            "jobs.first_retry_seconds": "1", "jobs.max_retry_seconds": "1",
            "jobs.idle_poll_seconds": "1"})
        self.addCleanup(self.gateway.cleanup)
        self.gateway.start()
        self.gateway.add_user("alice", "alice-pw", quota=1000)
        self.gateway.add_user("bob", "bob-pw")

    def events(self):
        with Receiver.lock:
            return [json.loads(body) for _, body in Receiver.received]

    def test_signed_posts_retried_until_accepted(self):
        client = self.gateway.connect("alice", "alice-pw")
        try:
            client.mkdir("/outbox/bob")
            with client.open("/outbox/bob/plan.txt", "wb") as f:
                f.write(b"x" * 850)  # past 80% of the quota
            client.rename("/outbox/bob", "/sent/plan")
        finally:
            close_client(client)
        client = self.gateway.connect("bob", "bob-pw")
        try:
            (box,) = client.listdir("/inbox")
            with client.open("/inbox/%s/plan.txt" % box, "rb") as f:
                f.read()
        finally:
            close_client(client)
        wait_until(lambda: {"package_sent", "downloaded", "quota"} <=
                   {e["event"] for e in self.events()}, 40, what="three webhook events")
        for headers, body in Receiver.received:
            expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
            self.assertEqual(headers["X-Dadgate-Signature"], "sha256=" + expected)
            self.assertEqual(headers["Content-Type"], "application/json")
        by_event = {e["event"]: e for e in self.events()}
        self.assertEqual(by_event["downloaded"]["account"], "bob")
        self.assertEqual(by_event["downloaded"]["pid"], by_event["package_sent"]["pid"])
        self.assertIn("80%", by_event["quota"]["detail"])
        # The first two answers were 503: retried, each event delivered once.
        self.assertEqual(Receiver.failures_left, 0)
        ids = [e["id"] for e in self.events()]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertNotIn(SECRET, self.gateway.log_text())


if __name__ == "__main__":
    unittest.main()
