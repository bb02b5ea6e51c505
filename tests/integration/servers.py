"""Real file servers on free loopback ports for the integration tests:
ProFTPD (FTP, and FTPS with mod_tls and a generated CA) and OpenSSH sshd
(SFTP, key authentication, OpenSSH's sftp-server or any other subsystem).
Each lives in its own temp dir, is started in a process group of its own and
stopped by that group's id (the servers fork a process per session). Nothing
waits by sleeping."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile

from harness import LineReader, free_port, make_ssh_key, run, wait_until

PROFTPD = "/usr/sbin/proftpd"
SSHD = "/usr/sbin/sshd"
SFTP_SERVER = "/usr/lib/openssh/sftp-server"
START_TIMEOUT = 30
NOBODY_UID = 65534
NOGROUP_GID = 65534


def port_open(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def stop_group(process, timeout=15):
    """Ends a server started with start_new_session=True, and its sessions."""
    if process is None:
        return
    sessions = descendants(process.pid) if process.poll() is None else []
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)
    for pid in sessions:  # sessions may outlive the master
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def descendants(pid):
    """Every process under `pid` (a server's sessions may have left its
    process group with setsid, as sshd's do)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_group(process):
    """SIGKILL to the server and every session it forked: a cut mid-transfer."""
    for pid in descendants(process.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=15)


class TestCa:
    """A self-signed CA and a server certificate it signed for 127.0.0.1 and
    localhost (openssl command line)."""

    def __init__(self, directory, name="dadgate test CA"):
        self.dir = directory
        self.ca_key = os.path.join(directory, "ca.key")
        self.ca_cert = os.path.join(directory, "ca.pem")
        self.key = os.path.join(directory, "server.key")
        self.cert = os.path.join(directory, "server.pem")
        self._openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                      "-subj", "/CN=" + name, "-keyout", self.ca_key, "-out", self.ca_cert)
        csr = os.path.join(directory, "server.csr")
        self._openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                      "-keyout", self.key, "-out", csr)
        ext = os.path.join(directory, "server.ext")
        with open(ext, "w") as f:
            f.write("subjectAltName = DNS:localhost, IP:127.0.0.1\n"
                    "extendedKeyUsage = serverAuth\n")
        self._openssl("x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", self.ca_key,
                      "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", self.cert)

    @staticmethod
    def _openssl(*args):
        result = run(["openssl"] + list(args), timeout=60)
        if not result.ok:
            raise AssertionError("openssl failed: %r" % result)


class ProFtpd:
    """ProFTPD on a free loopback port with one virtual user (AuthUserFile)
    whose home is `home`, chrooted there. tls=True loads mod_tls with a
    certificate from a fresh TestCa (`self.ca`); tls_required also refuses
    clear-text logins. Every command is in `extended_log` ("%r": the command
    line, "%b": bytes) and transfers in `transfer_log`."""

    def __init__(self, user="far", password="far-secret-9", tls=False, tls_required=False,
                 rate_limit_kib=None):
        self.dir = tempfile.mkdtemp(prefix="dadgate-proftpd-")
        os.chmod(self.dir, 0o755)  # the session runs as nobody and must reach its home
        self.user, self.password = user, password
        self.home = os.path.join(self.dir, "home")
        os.mkdir(self.home)
        os.chown(self.home, NOBODY_UID, NOGROUP_GID)
        self.port = free_port()
        self.extended_log = os.path.join(self.dir, "extended.log")
        self.transfer_log = os.path.join(self.dir, "xfer.log")
        self.system_log = os.path.join(self.dir, "system.log")
        self.ca = TestCa(self.dir) if tls else None
        hashed = run(["openssl", "passwd", "-6", "-stdin"], input=password + "\n", timeout=30)
        if not hashed.ok:
            raise AssertionError("openssl passwd failed: %r" % hashed)
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            f.write("%s:%s:%d:%d::%s:/bin/false\n" % (user, hashed.stdout.strip(), NOBODY_UID,
                                                      NOGROUP_GID, self.home))
        with open(os.path.join(self.dir, "group"), "w") as f:
            f.write("nogroup:x:%d:\n" % NOGROUP_GID)
        for name in ("passwd", "group"):  # ProFTPD refuses world-readable ones
            os.chmod(os.path.join(self.dir, name), 0o600)
        lines = [
            "ModulePath /usr/lib/proftpd",
            "ServerName \"dadgate test\"",
            "ServerType standalone",
            "DefaultServer on",
            "DefaultAddress 127.0.0.1",
            "SocketBindTight on",
            "Port %d" % self.port,
            "UseIPv6 off",
            "UseReverseDNS off",
            "PidFile " + os.path.join(self.dir, "proftpd.pid"),
            "ScoreboardFile " + os.path.join(self.dir, "scoreboard"),
            "DelayTable none",
            "DelayEngine off",
            "WtmpLog off",
            "SystemLog " + self.system_log,
            "TransferLog " + self.transfer_log,
            "ExtendedLog %s ALL" % self.extended_log,
            "User nobody",
            "Group nogroup",
            "AuthOrder mod_auth_file.c",
            "AuthUserFile " + os.path.join(self.dir, "passwd"),
            "AuthGroupFile " + os.path.join(self.dir, "group"),
            "RequireValidShell off",
            "DefaultRoot ~",
            "AllowOverwrite on",
            "AllowStoreRestart on",
            "MaxInstances 30",
            "<Limit SITE_CHMOD>",
            "  DenyAll",
            "</Limit>",
        ]
        if rate_limit_kib:
            lines.append("TransferRate STOR,APPE %d" % rate_limit_kib)
        if tls:
            lines += [
                "LoadModule mod_tls.c",
                "<IfModule mod_tls.c>",
                "  TLSEngine on",
                "  TLSLog " + os.path.join(self.dir, "tls.log"),
                "  TLSProtocol TLSv1.2 TLSv1.3",
                "  TLSRSACertificateFile " + self.ca.cert,
                "  TLSRSACertificateKeyFile " + self.ca.key,
                "  TLSRequired %s" % ("on" if tls_required else "off"),
                "  TLSVerifyClient off",
                "  TLSRenegotiate none",
                "</IfModule>",
            ]
        self.config = os.path.join(self.dir, "proftpd.conf")
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.process = None

    def start(self):
        checked = run([PROFTPD, "-t", "-c", self.config], timeout=30)
        if not checked.ok:
            raise AssertionError("proftpd refuses its config: %r" % checked)
        self.process = subprocess.Popen(
            [PROFTPD, "--nodaemon", "-c", self.config], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until(lambda: port_open(self.port) or self.process.poll() is not None,
                   START_TIMEOUT, what="proftpd listening")
        if self.process.poll() is not None:
            raise AssertionError("proftpd exited:\n" + self.log_text())
        return self

    def url(self, folder="", tls=False):
        return "%s://127.0.0.1:%d/%s" % ("ftps" if tls else "ftp", self.port, folder)

    def kill(self):
        kill_group(self.process)
        self.process = None

    def stop(self):
        stop_group(self.process)
        self.process = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        text = ""
        for path in (self.system_log, self.extended_log):
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    text += f.read()
        return text

    def commands(self):
        """The command lines of the extended log, in order."""
        if not os.path.exists(self.extended_log):
            return []
        with open(self.extended_log, errors="replace") as f:
            return [line.rstrip("\n") for line in f]


class OpenSshd:
    """OpenSSH sshd on a free loopback port: root logs in with a generated
    client key (no passwords). `subsystem(folder)` gives its `Subsystem sftp`
    command line (`folder`: the server's own temp dir, for a log); the SFTP
    servers of these tests differ only in that line. `host_key_sha256` is the
    fingerprint a site names; `client_key` the private key file."""

    def __init__(self, subsystem):
        self.dir = tempfile.mkdtemp(prefix="dadgate-sshd-")
        self.port = free_port()
        self.host_key = make_ssh_key(os.path.join(self.dir, "host_key"))
        self.client_key = make_ssh_key(os.path.join(self.dir, "client_key"))
        shutil.copyfile(self.client_key + ".pub", os.path.join(self.dir, "authorized_keys"))
        listed = run(["ssh-keygen", "-l", "-E", "sha256", "-f", self.host_key + ".pub"],
                     timeout=30)
        if not listed.ok:
            raise AssertionError("ssh-keygen -l failed: %r" % listed)
        self.host_key_sha256 = listed.stdout.split()[1]
        self.config = os.path.join(self.dir, "sshd_config")
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
                "Subsystem sftp " + subsystem(self.dir),
                "",
            ]))
        self.process = None
        self.log = None

    def start(self):
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation dir
        self.process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", self.config], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace",
            start_new_session=True)
        self.log = LineReader(self.process.stderr)
        if self.log.wait_for(lambda line: "Server listening on" in line, START_TIMEOUT) is None:
            self.stop()
            raise AssertionError("sshd exited:\n" + "\n".join(self.log.lines))
        return self

    def kill(self):
        """SIGKILL to the listener and its sessions: a cut mid-transfer."""
        kill_group(self.process)
        self._close_log()

    def stop(self):
        stop_group(self.process)
        self._close_log()

    def _close_log(self):
        if self.process is not None:
            self.log.join()
            self.process.stderr.close()
        self.process = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def sftp_batch(self, commands, timeout=120):
        """OpenSSH sftp logged in as root with the client key; `commands` on stdin."""
        return run(["sftp", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                    "-o", "ConnectTimeout=10", "-o", "IdentitiesOnly=yes",
                    "-o", "LogLevel=ERROR", "-i", self.client_key, "-P", str(self.port),
                    "-b", "-", "root@127.0.0.1"], input="\n".join(commands) + "\n",
                   timeout=timeout)


class OpenSshSftp(OpenSshd):
    """OpenSshd serving OpenSSH's own sftp-server. log_level="INFO" logs
    every SFTP open and close; sftp_log_lines() has them."""

    def __init__(self, log_level=None):
        # sftp-server -l logs each open (flags) and close (bytes) to sftp.log
        # (sshd runs the subsystem through root's shell).
        super().__init__(lambda folder: "%s -e -l %s 2>>%s" % (
            SFTP_SERVER, log_level or "ERROR", os.path.join(folder, "sftp.log")))
        self.sftp_log = os.path.join(self.dir, "sftp.log")

    def sftp_log_lines(self):
        if not os.path.exists(self.sftp_log):
            return []
        with open(self.sftp_log, errors="replace") as f:
            return f.read().splitlines()


class HttpProxy:
    """A reverse proxy in HTTP mode on a free loopback port in front of
    `backend_port` (the gateway's plain-HTTP listener), keeping its
    connections to the backend alive and reusing them for other clients, as
    a company's front proxy does. Subclasses write the config and the
    command; the proxy runs in the foreground in a process group of its own."""

    NAME = "proxy"

    def __init__(self, backend_port):
        self.dir = tempfile.mkdtemp(prefix="dadgate-%s-" % self.NAME)
        self.port = free_port()
        self.backend_port = backend_port
        self.log_path = os.path.join(self.dir, "proxy.log")
        self.process = None

    def command(self):
        raise NotImplementedError

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=log, start_new_session=True)
        wait_until(lambda: port_open(self.port) or self.process.poll() is not None,
                   START_TIMEOUT, what="%s listening" % self.NAME)
        if self.process.poll() is not None:
            raise AssertionError("%s exited:\n%s" % (self.NAME, self.log_text()))
        return self

    def stop(self):
        stop_group(self.process)
        self.process = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


class HaProxy(HttpProxy):
    """HAProxy (Debian's haproxy) in HTTP mode, http-reuse always."""

    NAME = "haproxy"

    def command(self):
        config = os.path.join(self.dir, "haproxy.cfg")
        with open(config, "w") as f:
            f.write("\n".join([
                "global",
                "  pidfile %s" % os.path.join(self.dir, "haproxy.pid"),
                "defaults",
                "  mode http",
                "  option http-keep-alive",
                "  http-reuse always",
                "  timeout connect 5s",
                "  timeout client 30s",
                "  timeout server 30s",
                "frontend front",
                "  bind 127.0.0.1:%d" % self.port,
                "  default_backend gateway",
                "backend gateway",
                "  server dadgate 127.0.0.1:%d" % self.backend_port,
            ]) + "\n")
        return ["/usr/sbin/haproxy", "-db", "-f", config]


class NginxProxy(HttpProxy):
    """nginx (Debian's nginx-light) with proxy_pass, HTTP/1.1 and keep-alive
    to the backend (an upstream with keepalive), the body streamed."""

    NAME = "nginx"

    def command(self):
        config = os.path.join(self.dir, "nginx.conf")
        temp = os.path.join(self.dir, "tmp")
        os.mkdir(temp)
        with open(config, "w") as f:
            f.write("""
daemon off;
master_process off;
worker_processes 1;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %(temp)s; proxy_temp_path %(temp)s; fastcgi_temp_path %(temp)s;
  uwsgi_temp_path %(temp)s; scgi_temp_path %(temp)s;
  upstream gateway { server 127.0.0.1:%(backend)d; keepalive 8; }
  server {
    listen 127.0.0.1:%(port)d;
    client_max_body_size 0;
    location / {
      proxy_pass http://gateway;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_request_buffering off;
      proxy_buffering off;
    }
  }
}
""" % {"dir": self.dir, "temp": temp, "backend": self.backend_port, "port": self.port})
        return ["/usr/sbin/nginx", "-p", self.dir, "-c", config, "-e", self.log_path]
