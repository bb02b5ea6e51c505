"""Helpers of the notification tests: a real SMTP server (smtp_sink.py, run as
its own process and stopped by PID) and reading the mails it received."""

import email
import email.policy
import os
import signal
import subprocess
import tempfile

from harness import HERE, free_port, run, wait_until

SMTP_SINK = os.path.join(HERE, "smtp_sink.py")


class SmtpServer:
    def __init__(self, port=None, tls=None, auth=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="dad-smtp-")
        self.tls = tls  # None, "starttls", "implicit"
        self.auth = auth
        self.process = None
        self.cert = os.path.join(self.dir, "cert.pem")
        self.key = os.path.join(self.dir, "key.pem")
        if tls:
            r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                     "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                     "-keyout", self.key, "-out", self.cert])
            assert r.returncode == 0, r.stderr
        self.mail_dir = os.path.join(self.dir, "mail")
        os.makedirs(self.mail_dir)

    def start(self):
        args = ["/usr/bin/python3",
                SMTP_SINK, "--port", str(self.port), "--dir", self.mail_dir]
        if self.tls:
            args += ["--cert", self.cert, "--key", self.key]
            if self.tls == "implicit":
                args.append("--implicit")
        if self.auth:
            args += ["--auth", "%s:%s" % self.auth]
        self.log = open(os.path.join(self.dir, "sink.log"), "w")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.process.stdout.readline()
        assert line.strip() == "ready", "smtp sink did not start: %r" % line

    def stop(self):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def password_file(self, password):
        """Writes `password` to a file for smtp.password_file; returns its path."""
        path = os.path.join(self.dir, "pw")
        with open(path, "w") as f:
            f.write(password + "\n")
        return path

    def defines(self, **extra):
        d = {"smtp.host": "127.0.0.1", "smtp.port": str(self.port),
             "smtp.from": "dadgate@example.com", "jobs.first_retry_seconds": "1",
             "jobs.max_retry_seconds": "2", "jobs.idle_poll_seconds": "1",
             # A reply the sink loses under load fails the attempt, which is retried.
             "smtp.timeout_seconds": "5"}
        if self.tls:
            d["smtp.tls"] = self.tls
            d["smtp.ca_file"] = self.cert
        d.update(extra)
        return d

    def messages(self):
        out = []
        for name in sorted(os.listdir(self.mail_dir)):
            if not name.endswith(".eml"):
                continue
            with open(os.path.join(self.mail_dir, name), "rb") as f:
                out.append(email.message_from_bytes(f.read(), policy=email.policy.default))
        return out

    def messages_to(self, address):
        return [m for m in self.messages() if address in m["X-Envelope-To"]]

    def wait_for(self, address, count=1, timeout=30):
        wait_until(lambda: len(self.messages_to(address)) >= count, timeout,
                   what="%d mail(s) to %s" % (count, address))
        return self.messages_to(address)


def body_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()
