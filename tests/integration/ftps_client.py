"""FTPS client helpers for the integration tests: curl, lftp and rclone
command lines, a Python ftplib client that resumes the control connection's
TLS session on data connections (as the gateway requires by default), and a
raw control connection for sending what no well-behaved client sends."""

import ftplib
import socket
import ssl

from harness import CLIENT_TIMEOUT, run


def curl(gateway, user, password, *args, implicit=False, timeout=CLIENT_TIMEOUT):
    """curl against the gateway: explicit TLS with --ssl-reqd (or implicit
    ftps://); URLs in `args` are written by the caller with gateway.ftp_url."""
    tls = [] if implicit else ["--ssl-reqd"]
    return run(["curl", "-sS", "--insecure", "--max-time", str(timeout), "-u",
                "%s:%s" % (user, password)] + tls + list(args), timeout=timeout + 10)


def lftp(gateway, user, password, commands, cwd=None, timeout=CLIENT_TIMEOUT, extra=()):
    """lftp with TLS forced on control and data; `commands` run in order."""
    script = ["set ssl:verify-certificate no", "set ftp:ssl-force true",
              "set ftp:ssl-protect-data true", "set net:max-retries 1",
              "set net:timeout 20", "set cmd:fail-exit true"] + list(extra)
    script.append("open -u %s,%s -p %d 127.0.0.1" % (user, password, gateway.ftp_port))
    script += list(commands)
    return run(["lftp", "-c", "; ".join(script)], timeout=timeout, cwd=cwd)


def rclone(gateway, user, password, config_dir, *args, timeout=CLIENT_TIMEOUT):
    """rclone with an on-the-fly :ftp remote over explicit TLS."""
    obscured = run(["rclone", "obscure", password], timeout=30).stdout.strip()
    remote = (":ftp,host=127.0.0.1,port=%d,user=%s,pass=%s,explicit_tls=true,"
              "no_check_certificate=true,disable_tls13=true:" % (gateway.ftp_port, user, obscured))
    resolved = [a.replace("REMOTE:", remote) for a in args]
    env = {"RCLONE_CONFIG": config_dir + "/rclone.conf", "PATH": "/usr/bin:/bin"}
    return run(["rclone", "--contimeout", "10s", "--timeout", "60s"] + resolved,
               timeout=timeout, env=env)


class ReusingFTP_TLS(ftplib.FTP_TLS):
    """ftplib's FTP_TLS, but data connections resume the control
    connection's TLS session (RFC 4217), which plain ftplib does not do."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host,
                                            session=self.sock.session)
        return conn, size


def insecure_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def ftplib_client(gateway, user, password, reuse=True, implicit=False, timeout=30):
    """A logged-in FTP_TLS client with PROT P (closed by the caller)."""
    cls = ReusingFTP_TLS if reuse else ftplib.FTP_TLS
    client = cls(context=insecure_context(), timeout=timeout)
    client.connect("127.0.0.1", gateway.ftp_port)
    client.login(user, password)
    client.prot_p()
    return client


class RawControl:
    """A control connection spoken line by line (plain until starttls())."""

    def __init__(self, port, timeout=15):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        """(code, full text) of the next reply, multi-line replies joined."""
        lines = []
        while True:
            line = self._line()
            lines.append(line)
            if len(line) >= 4 and line[:3].isdigit() and line[3:4] == " " and (
                    len(lines) == 1 or line[:3] == lines[0][:3]):
                return int(line[:3]), "\n".join(lines)

    def _line(self):
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("control connection closed; got %r" % self.buffer)
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.rstrip(b"\r").decode("utf-8", "replace")

    def command(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def starttls(self):
        self.context = insecure_context()
        self.sock = self.context.wrap_socket(self.sock)
        self.buffer = b""

    def pasv_data(self, source="127.0.0.1", tls=True):
        """EPSV, then a data connection from `source` (TLS resuming the
        control session when `tls`); returns the socket. The TLS handshake
        waits until do_handshake() (the gateway runs it after the command)."""
        code, text = self.command("EPSV")
        assert code == 229, text
        port = int(text.split("|||")[1].split("|")[0])
        sock = socket.create_connection(("127.0.0.1", port), timeout=15,
                                        source_address=(source, 0))
        if tls:
            sock = self.context.wrap_socket(sock, session=self.sock.session,
                                            do_handshake_on_connect=False)
        return sock

    def login(self, user, password):
        code, text = self.command("AUTH TLS")
        assert code == 234, text
        self.starttls()
        assert self.command("USER " + user)[0] == 331
        code, text = self.command("PASS " + password)
        assert code == 230, text

    def closed(self):
        """True when the server closed the connection."""
        try:
            return self.sock.recv(1) == b""
        except (ConnectionError, ssl.SSLError):
            return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
