"""Mail over TLS to a real SMTP server on loopback (aiosmtpd): implicit TLS
(smtp.tls = implicit, TLS from the first byte) delivers with the server's
certificate checked against smtp.ca_file, and a server whose certificate is
not signed by that CA gets no mail (the job fails and is retried, it never
falls back to plain text). STARTTLS with AUTH is in test_notify."""

import os
import unittest

from harness import REPO_ROOT, Gateway, close_client, run, wait_until
from notify_helpers import SmtpServer, body_of

TEMPLATES = os.path.join(REPO_ROOT, "packaging", "templates")


class NotifyTlsTest(unittest.TestCase):
    def start(self, smtp, **extra):
        self.smtp = smtp
        self.addCleanup(smtp.stop)
        smtp.start()
        defines = smtp.defines(**extra)
        defines["notify.templates_dir"] = TEMPLATES
        self.gateway = Gateway(extra_defines=defines)
        self.addCleanup(self.gateway.cleanup)
        self.gateway.start()
        self.gateway.add_user("alice", "alice-pw", email="alice@example.com")

    def send(self, to):
        client = self.gateway.connect("alice", "alice-pw")
        try:
            draft = "/outbox/" + to
            client.mkdir(draft)
            with client.open(draft + "/.dad", "wb") as f:
                f.write(b"message = Over TLS\n")
            with client.open(draft + "/plan.txt", "wb") as f:
                f.write(b"the plan")
            client.rename(draft, "/sent/plan")
        finally:
            close_client(client)

    def notify_jobs(self):
        rc, out, err = self.gateway.dadctl("job", "list")
        self.assertEqual(rc, 0, err)
        return [line for line in out.splitlines() if " notify " in line]

    def test_implicit_tls_delivers_with_verified_certificate(self):
        smtp = SmtpServer(tls="implicit", auth=("mailer", "s3cret-pw"))
        self.start(smtp, **{"smtp.user": "mailer",
                            "smtp.password_file": smtp.password_file("s3cret-pw")})
        self.assertEqual(self.gateway.extra_defines["smtp.tls"], "implicit")
        self.send("carol@example.com")
        try:
            (carol,) = self.smtp.wait_for("carol@example.com")
        except AssertionError as e:
            self.fail("%s\n%s\n%s" % (e, "\n".join(self.notify_jobs()),
                                      self.gateway.log_text()[-3000:]))
        self.assertIn("Over TLS", body_of(carol))
        self.assertNotIn("s3cret-pw", self.gateway.log_text())

    def test_implicit_tls_refuses_an_untrusted_certificate(self):
        smtp = SmtpServer(tls="implicit")
        # A CA file holding another self-signed certificate: the server's is not trusted.
        other_key = os.path.join(smtp.dir, "other-key.pem")
        other_cert = os.path.join(smtp.dir, "other-cert.pem")
        r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                 "-keyout", other_key, "-out", other_cert])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.start(smtp, **{"smtp.ca_file": other_cert})
        self.send("carol@example.com")
        # The attempt fails on the certificate and the job waits for a retry.
        wait_until(lambda: any("certificate" in line.lower() for line in self.notify_jobs()),
                   30, what="a notify attempt failing on the certificate")
        self.assertEqual(self.smtp.messages_to("carol@example.com"), [])


if __name__ == "__main__":
    unittest.main()
