"""A real SMTP server for the notification tests (Debian's python3-aiosmtpd).

    python3 smtp_sink.py --port N --dir DIR [--cert C --key K [--implicit]] [--auth USER:PASSWORD]

Each accepted message is written to DIR/<n>.eml (the raw message, with a first
line "X-Envelope-To: ..."), atomically. With --cert/--key it offers STARTTLS
(required) or, with --implicit, speaks TLS from the first byte. With --auth it
requires AUTH (PLAIN or LOGIN) with that user and password. Prints "ready" once
listening; runs until SIGTERM.
"""

import argparse
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            name = os.path.join(self.directory, "%04d.eml" % self.count)
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode()
        header = ("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode()
        with open(name + ".tmp", "wb") as f:
            f.write(header + data)
        os.rename(name + ".tmp", name)
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--implicit", action="store_true")
    parser.add_argument("--auth")
    args = parser.parse_args()

    kwargs = {}
    context = None
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.implicit:
            kwargs["ssl_context"] = context
        else:
            kwargs["tls_context"] = context
            kwargs["require_starttls"] = True
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode() == user and auth_data.password.decode() == password)
            return AuthResult(success=ok)

        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        # aiosmtpd counts only STARTTLS as TLS; with --implicit every byte
        # already is, and it would not offer AUTH at all.
        kwargs["auth_require_tls"] = bool(args.cert) and not args.implicit
    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=args.port,
                            server_hostname="127.0.0.1", ready_timeout=10, **kwargs)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
