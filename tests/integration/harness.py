"""Drives a real dadgate on loopback for the integration tests.

A Gateway owns a temporary work directory (config file, data directory,
logs), starts `dadgate` on free loopback ports, and offers helpers that run
the real clients against it: OpenSSH sftp/scp (through sshpass), paramiko,
and dadctl. Every subprocess has a timeout; nothing waits by sleeping.
"""

import base64
import hashlib
import http.client
import os
import queue
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

import paramiko

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD_DIR = os.path.abspath(os.environ.get("DAD_BUILD_DIR", os.path.join(REPO_ROOT, "build")))
DADGATE = os.path.join(BUILD_DIR, "dadgate")
DADCTL = os.path.join(BUILD_DIR, "dadctl")
PLUGIN_DIR = os.path.join(BUILD_DIR, "lib", "dadgate", "plugins")
DEFAULT_CONFIG = os.path.join(REPO_ROOT, "packaging", "dadgate.properties")

READY_LINE = "dadgate: ready"
ADMIN_LINE = re.compile(r'^dadgate: created admin account "([^"]+)" with password: (\S+)\s*$')
START_TIMEOUT = 30
STOP_TIMEOUT = 15
CLIENT_TIMEOUT = 120

MiB = 1024 * 1024
BLOB_NAME = re.compile(r"^[0-9a-f]{64}$")
LONG_LISTING = re.compile(r"^[-dl][-rwxsStT]{9}")
CATALOG_FILE = re.compile(r"\.(db|sqlite|sqlite3)(-wal|-shm|-journal)?$")

# Options every OpenSSH client invocation gets: no ssh_config, no host key
# bookkeeping, a bounded connect, and password authentication only (so a key
# in the invoking user's ~/.ssh is never tried).
SSH_PASSWORD_OPTIONS = [
    "-F", "/dev/null",  # neither the user's nor the system's ssh_config
    "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null",
    "-o", "ConnectTimeout=10",
    "-o", "LogLevel=ERROR",
    "-o", "PubkeyAuthentication=no",
    "-o", "PreferredAuthentications=password,keyboard-interactive",
    "-o", "NumberOfPasswordPrompts=1",
]


class Result:
    """What a finished client run left: exit code, stdout, stderr (text)."""

    def __init__(self, args, returncode, stdout, stderr):
        self.args = args
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr

    @property
    def ok(self):
        return self.returncode == 0

    def __repr__(self):
        return "Result(rc=%r, args=%r,\n stdout=%s\n stderr=%s)" % (
            self.returncode, self.args, self.stdout[-3000:], self.stderr[-3000:])


def batch_output_lines(result):
    """The lines an sftp batch printed, without its echo of each command."""
    return [line for line in result.stdout.splitlines()
            if line.strip() and not line.startswith("sftp>")]


def listed_names(result):
    """Names from an sftp batch `ls` (short, -1 or -l): every field of a
    short listing, the last field of a long one, as base names."""
    names = set()
    for line in batch_output_lines(result):
        fields = line.split()[-1:] if LONG_LISTING.match(line) else line.split()
        names.update(os.path.basename(field.rstrip("/")) for field in fields)
    return names


def run(args, input=None, timeout=CLIENT_TIMEOUT, cwd=None, env=None):
    """Runs a command to completion (bounded by `timeout`) and returns a Result."""
    completed = subprocess.run(
        args, input=input, capture_output=True, text=True, timeout=timeout,
        cwd=cwd, env=env, errors="replace")
    return Result(args, completed.returncode, completed.stdout, completed.stderr)


def password_env(password):
    """The environment for `sshpass -e`: the password stays out of argv."""
    return dict(os.environ, SSHPASS=password)


def basic_auth(name, password):
    """The Authorization header value of HTTP Basic authentication."""
    return "Basic " + base64.b64encode(("%s:%s" % (name, password)).encode()).decode()


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(MiB), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def write_random_file(path, size):
    """Writes `size` random bytes to `path`; returns their sha256 (hex)."""
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        remaining = size
        while remaining > 0:
            chunk = os.urandom(min(remaining, MiB))
            f.write(chunk)
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest()


def make_ssh_key(path):
    """Generates an ed25519 key pair at `path` and `path`.pub (no passphrase)."""
    result = run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dadgate-test",
                  "-f", path], timeout=30)
    if not result.ok:
        raise AssertionError("ssh-keygen failed: %r" % result)
    return path


def wait_until(predicate, timeout, interval=0.05, what="condition"):
    """Polls `predicate` until it is true or `timeout` seconds pass.

    Only for state changes that have no event a test can wait on (a file
    growing on disk, a server noticing a dropped TCP connection). Returns the
    predicate's last value; raises AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(interval)


class LineReader:
    """Reads a process's output lines on a thread, so a test can wait for a
    given line with a deadline and the pipe never fills up."""

    def __init__(self, stream, log_path=None):
        self.lines = []
        self._queue = queue.Queue()
        self._log = open(log_path, "a", encoding="utf-8") if log_path else None
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream):
        for line in iter(stream.readline, ""):
            line = line.rstrip("\n")
            self.lines.append(line)
            if self._log:
                self._log.write(line + "\n")
                self._log.flush()
            self._queue.put(line)
        self._queue.put(None)  # end of stream
        if self._log:
            self._log.close()

    def wait_for(self, predicate, timeout):
        """Returns the first new line satisfying `predicate`, or None when the
        stream ends first. Raises AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no matching output line within %ss" % timeout)
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                return None
            if predicate(line):
                return line

    def join(self, timeout=5):
        self._thread.join(timeout)


class Gateway:
    """One dadgate process with its own data directory, on loopback ports.

    Usage in a TestCase: started_gateway(cls, users, **options) below, or
        gw = Gateway(); cls.addClassCleanup(gw.cleanup); gw.start()
    """

    def __init__(self, extra_defines=None, web=False, ftp=False, policy=None, config=None,
                 cwd=None, default_plugins=False):
        if not os.access(DADGATE, os.X_OK):
            raise AssertionError("dadgate not built: %s (set DAD_BUILD_DIR)" % DADGATE)
        self.work_dir = tempfile.mkdtemp(prefix="dadgate-test-")
        self.data_dir = os.path.join(self.work_dir, "data")
        self.config_path = os.path.join(self.work_dir, "dadgate.properties")
        self.log_path = os.path.join(self.work_dir, "dadgate.log")
        self.extra_defines = dict(extra_defines or {})
        # web=True: HTTPS and plain-HTTP listeners (WebDAV, package pages) on
        # free loopback ports; otherwise they stay off whatever the config says.
        self.web = web
        # ftp=True: explicit (AUTH TLS) and implicit FTPS listeners on free
        # loopback ports; otherwise both stay off whatever the config says.
        self.ftp = ftp
        self.https_port = None
        self.http_port = None
        self.process = None
        self.port = None
        self.ftp_port = None   # explicit FTPS (AUTH TLS)
        self.ftps_port = None  # implicit FTPS
        self.admin_user = None
        self.admin_password = None
        self.stdout_reader = None
        # config: a config file used where it is (a path relative to cwd
        # stays relative), instead of a copy of the default one in the work dir.
        # cwd: where dadgate and dadctl start (default: the work dir).
        # default_plugins: no plugins.dir define, so dadgate finds its own.
        self.cwd = cwd or self.work_dir
        self.default_plugins = default_plugins
        if config is None:
            shutil.copyfile(DEFAULT_CONFIG, self.config_path)
        else:
            self.config_path = config
        # policy={file name: Lua script}: a policy folder of this gateway's
        # own (policy.dir) holding those scripts, removed with the work dir.
        self.policy_dir = None
        if policy is not None:
            self.policy_dir = os.path.join(self.work_dir, "policy")
            os.mkdir(self.policy_dir)
            self.extra_defines["policy.dir"] = self.policy_dir
            for name, script in policy.items():
                self.write_policy(name, script)

    # ---- life cycle -------------------------------------------------------

    def defines(self):
        """The --define arguments dadgate and dadctl share (data dir etc.)."""
        args = ["--define", "data.dir=" + self.data_dir]
        # The copied config's policy.dir (../policies, beside the checkout's
        # packaging/) would name a folder outside the work dir: no scripts
        # unless the test gives some.
        if "policy.dir" not in self.extra_defines:
            args += ["--define", "policy.dir=" + os.path.join(self.work_dir, "policies")]
        if "plugins.dir" not in self.extra_defines and not self.default_plugins:
            # the built-in plugins (quota)
            args += ["--define", "plugins.dir=" + PLUGIN_DIR]
        for key, value in self.extra_defines.items():
            args += ["--define", "%s=%s" % (key, value)]
        return args

    def start(self):
        """Starts dadgate on a fresh free port and waits for `dadgate: ready`."""
        if self.process is not None:
            raise AssertionError("gateway already running")
        self.port = free_port()
        args = ([DADGATE, "--config", self.config_path,
                 "--define", "sftp.address=127.0.0.1",
                 "--define", "sftp.port=%d" % self.port]
                + self.web_defines() + self.ftp_defines() + self.defines())
        stderr_log = open(self.log_path, "a", encoding="utf-8")
        try:
            self.process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_log,
                text=True, errors="replace", cwd=self.cwd)
        finally:
            stderr_log.close()
        self.stdout_reader = LineReader(self.process.stdout)
        try:
            ready = self.stdout_reader.wait_for(self._note_line, START_TIMEOUT)
        except AssertionError:
            self.kill9()
            raise AssertionError("dadgate did not print %r within %ss\n%s"
                                 % (READY_LINE, START_TIMEOUT, self.diagnostics()))
        if ready is None:
            code = self.process.wait(timeout=STOP_TIMEOUT)
            self._close_pipes(self.process)
            self.process = None
            raise AssertionError("dadgate exited (%s) before it was ready\n%s"
                                 % (code, self.diagnostics()))
        return self

    def web_defines(self):
        if not self.web:
            return ["--define", "https.port=0", "--define", "http.port=0"]
        if self.https_port is None:  # kept across restarts
            self.https_port, self.http_port = free_port(), free_port()
        return ["--define", "https.address=127.0.0.1",
                "--define", "https.port=%d" % self.https_port,
                "--define", "http.port=%d" % self.http_port]

    def ftp_defines(self):
        if not self.ftp:
            return ["--define", "ftp.port=0", "--define", "ftps.port=0"]
        if self.ftp_port is None:  # kept across restarts
            self.ftp_port, self.ftps_port = free_port(), free_port()
        return ["--define", "ftp.address=127.0.0.1",
                "--define", "ftp.port=%d" % self.ftp_port,
                "--define", "ftps.port=%d" % self.ftps_port,
                "--define", "ftp.passive_port_min=0", "--define", "ftp.passive_port_max=0"]

    def ftp_url(self, path="/", implicit=False):
        """ftp:// (explicit, AUTH TLS) or ftps:// (implicit) URL of `path`."""
        if implicit:
            return "ftps://127.0.0.1:%d%s" % (self.ftps_port, path)
        return "ftp://127.0.0.1:%d%s" % (self.ftp_port, path)

    def web_url(self, path="/", https=False):
        """The URL of `path` on the HTTPS or the plain-HTTP listener."""
        if https:
            return "https://127.0.0.1:%d%s" % (self.https_port, path)
        return "http://127.0.0.1:%d%s" % (self.http_port, path)

    def web_request(self, method, path, user=None, body=None, headers=None):
        """One request to the plain-HTTP listener on a fresh connection, as
        `user` ((name, password), Basic authentication) when given:
        (status, header list, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30)
        try:
            all_headers = {"Authorization": basic_auth(*user)} if user else {}
            all_headers.update(headers or {})
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()

    def _note_line(self, line):
        match = ADMIN_LINE.match(line)
        if match:
            self.admin_user, self.admin_password = match.group(1), match.group(2)
        return line.strip() == READY_LINE

    def stop(self):
        """SIGTERM, wait; SIGKILL if it does not stop in time. Returns the exit code."""
        if self.process is None:
            return None
        process, self.process = self.process, None
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT)
        self._close_pipes(process)
        return process.returncode

    def kill9(self):
        """Kills dadgate with SIGKILL at whatever it is doing."""
        if self.process is None:
            return
        process, self.process = self.process, None
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
        self._close_pipes(process)

    def _close_pipes(self, process):
        if self.stdout_reader:
            self.stdout_reader.join()
        if process.stdout:
            process.stdout.close()

    def restart(self):
        """Stops (if running) and starts again on the same data directory."""
        self.stop()
        return self.start()

    def is_running(self):
        return self.process is not None and self.process.poll() is None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def log_text(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def diagnostics(self):
        stdout = "\n".join(self.stdout_reader.lines) if self.stdout_reader else ""
        return "--- dadgate stdout ---\n%s\n--- dadgate stderr (tail) ---\n%s" % (
            stdout[-2000:], self.log_text()[-4000:])

    # ---- policy scripts ---------------------------------------------------

    def policy_path(self, name):
        return os.path.join(self.policy_dir, name)

    def write_policy(self, name, script):
        """Writes a script into the policy folder (text, or bytes as they are:
        a test may write what no editor would); returns its path."""
        path = self.policy_path(name)
        if isinstance(script, bytes):
            with open(path, "wb") as f:
                f.write(script)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(script)
        return path

    def remove_policy(self, name):
        os.remove(self.policy_path(name))

    def reload_policy_with(self, name, script):
        """`dadctl policy reload` with one more script in the policy folder,
        removed again after: (rc, stdout, stderr). For a set the reload
        refuses; a set it accepts is loaded by the daemon later."""
        self.write_policy(name, script)
        try:
            return self.dadctl("policy", "reload")
        finally:
            self.remove_policy(name)

    # ---- administration ---------------------------------------------------

    def dadctl(self, *args, input=None, timeout=60):
        """Runs dadctl on this gateway's data; returns (rc, stdout, stderr)."""
        result = run([DADCTL, "--config", self.config_path] + self.defines() + list(args),
                     input=input, timeout=timeout, cwd=self.cwd)
        return result.returncode, result.stdout, result.stderr

    def add_user(self, name, password, email=None, admin=False, parent=None, quota=None):
        args = ["user", "add", name]
        if email:
            args += ["--email", email]
        if admin:
            args.append("--admin")
        if parent:
            args += ["--parent", parent]
        if quota is not None:
            args += ["--quota", str(quota)]
        rc, out, err = self.dadctl(*args, input=password + "\n")
        if rc != 0:
            raise AssertionError("dadctl %s -> %d\n%s%s" % (" ".join(args), rc, out, err))
        return name

    # ---- clients ----------------------------------------------------------

    def sftp_command(self, user, extra_args=()):
        """OpenSSH sftp in batch mode (commands on stdin) through sshpass.

        sftp stops at the first failing command (exit code 1) unless it is
        prefixed with '-'. BatchMode=no comes before -b so that sshpass can
        answer the password prompt; the password travels in $SSHPASS."""
        return (["sshpass", "-e", "sftp", "-o", "BatchMode=no"] + SSH_PASSWORD_OPTIONS
                + list(extra_args) + ["-P", str(self.port), "-b", "-", user + "@127.0.0.1"])

    def sftp_batch(self, user, password, commands, cwd=None, timeout=CLIENT_TIMEOUT,
                   extra_args=()):
        """Runs `commands` (a list or text) with OpenSSH sftp; returns a Result."""
        if not isinstance(commands, str):
            commands = "\n".join(commands)
        return run(self.sftp_command(user, extra_args), input=commands + "\n", timeout=timeout,
                   cwd=cwd, env=password_env(password))

    def sftp_batch_popen(self, user, password, commands, cwd=None, extra_args=()):
        """Like sftp_batch, but returns the running Popen (stdin already fed
        and closed, output to pipes) for a transfer the test interrupts."""
        if not isinstance(commands, str):
            commands = "\n".join(commands)
        with tempfile.TemporaryFile(mode="w+") as batch:
            batch.write(commands + "\n")
            batch.seek(0)
            return subprocess.Popen(self.sftp_command(user, extra_args), stdin=batch,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    cwd=cwd, env=password_env(password))

    def scp(self, password, *args, timeout=CLIENT_TIMEOUT):
        """Runs OpenSSH scp against this gateway; remote paths are written
        as USER@127.0.0.1:/path by the caller."""
        command = (["sshpass", "-e", "scp"] + SSH_PASSWORD_OPTIONS
                   + ["-P", str(self.port)] + list(args))
        return run(command, timeout=timeout, env=password_env(password))

    def connect(self, user, password=None, key_path=None, timeout=30):
        """A paramiko SFTPClient logged in as `user`. Close it with
        close_client(); its transport is client.get_channel().get_transport()."""
        transport = self.transport(user, password=password, key_path=key_path, timeout=timeout)
        try:
            client = paramiko.SFTPClient.from_transport(transport)
            client.get_channel().settimeout(timeout)
            return client
        except Exception:
            transport.close()
            raise

    def read_file(self, user, password, path):
        """The content of `path` read over SFTP as `user`."""
        client = self.connect(user, password)
        try:
            with client.open(path, "rb") as f:
                return f.read()
        finally:
            close_client(client)

    def list_dir(self, user, password, path):
        """The names in folder `path`, listed over SFTP as `user`."""
        client = self.connect(user, password)
        try:
            return client.listdir(path)
        finally:
            close_client(client)

    def transport(self, user, password=None, key_path=None, timeout=30):
        """An authenticated paramiko Transport (no channel opened yet)."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        transport = paramiko.Transport(sock)
        transport.banner_timeout = timeout
        transport.auth_timeout = timeout
        try:
            transport.start_client(timeout=timeout)
            if key_path:
                key = paramiko.Ed25519Key.from_private_key_file(key_path)
                transport.auth_publickey(user, key)
            else:
                transport.auth_password(user, password)
            return transport
        except Exception:
            transport.close()
            raise

    # ---- looking at the store --------------------------------------------

    def blob_paths(self):
        """Every blob file: data/blobs/<2 hex>/<64 hex sha256>."""
        found = []
        root = os.path.join(self.data_dir, "blobs")
        for directory, _, files in os.walk(root):
            for name in files:
                if BLOB_NAME.match(name):
                    found.append(os.path.join(directory, name))
        return found

    def blob_count(self):
        return len(self.blob_paths())

    def has_blob(self, sha256_hex):
        path = os.path.join(self.data_dir, "blobs", sha256_hex[0:2], sha256_hex)
        return os.path.isfile(path)

    def partial_upload_bytes(self):
        """Bytes in the data directory that are neither finished blobs nor the
        catalog: where uploads in progress are kept, wherever that is."""
        total = 0
        for directory, _, files in os.walk(self.data_dir):
            for name in files:
                if BLOB_NAME.match(name) or CATALOG_FILE.search(name):
                    continue
                try:
                    total += os.path.getsize(os.path.join(directory, name))
                except OSError:
                    pass  # finished and moved while we looked
        return total


def started_gateway(owner, users=(), **options):
    """A Gateway(**options), started, with `users` ((name, password[, email])
    each) made, and a cleanup that stops it by PID and removes its work dir
    when `owner` is done: a TestCase class (setUpClass) or a test (setUp)."""
    gateway = Gateway(**options)
    if isinstance(owner, type):
        owner.addClassCleanup(gateway.cleanup)
    else:
        owner.addCleanup(gateway.cleanup)
    gateway.start()
    for user in users:
        gateway.add_user(*user)
    return gateway


def close_checked(client, handle_file):
    """Closes a paramiko SFTPFile and raises the server's refusal, if any.

    paramiko's own close() swallows errors from CLOSE, but the gateway
    refuses some uploads exactly there (a bad manifest, a failed commit)."""
    handle_file.flush()
    handle_file._closed = True  # paramiko must not send a second CLOSE
    client._request(paramiko.sftp.CMD_CLOSE, handle_file.handle)


def close_client(client):
    """Closes a paramiko SFTPClient and its transport."""
    transport = client.get_channel().get_transport()
    try:
        client.close()
    finally:
        transport.close()


def upload_checked(client, data, remote_path):
    """Writes `data` to `remote_path` through paramiko and closes with the
    server's answer checked (see close_checked)."""
    handle_file = client.open(remote_path, "wb")
    try:
        handle_file.write(data)
    except Exception:
        handle_file.close()
        raise
    close_checked(client, handle_file)


def make_parent_folders(client, root, path):
    """Makes over SFTP the folders between `root` and the file `path` (relative,
    "/"-separated) below it that are not there yet."""
    parts = path.split("/")
    for i in range(1, len(parts)):
        folder = "%s/%s" % (root, "/".join(parts[:i]))
        try:
            client.stat(folder)
        except IOError:
            client.mkdir(folder)


def draft_pid(client, draft):
    """The package ID the `.link` of the draft folder `draft` names."""
    with client.open(draft + "/.link") as f:
        return re.search(r"(?m)^pid = (\S+)", f.read().decode()).group(1)


def upload_refusal(client, path, data=b"x"):
    """The text of the server's refusal of an upload of `data` to `path`
    through paramiko; AssertionError when the upload goes through."""
    try:
        with client.open(path, "wb") as f:
            f.write(data)
    except IOError as refused:
        return str(refused)
    raise AssertionError("the upload to %s was not refused" % path)


FXP_INIT, FXP_VERSION, FXP_OPEN, FXP_CLOSE, FXP_READ = 1, 2, 3, 4, 5
FXP_EXTENDED = 200
FXP_STATUS, FXP_HANDLE, FXP_DATA, FXP_EXTENDED_REPLY = 101, 102, 103, 201
FX_FAILURE, FX_BAD_MESSAGE = 4, 5
FX_OK = 0
FXF_READ, FXF_WRITE, FXF_CREAT, FXF_TRUNC = 0x01, 0x02, 0x08, 0x10


def sftp_string(data):
    return struct.pack(">I", len(data)) + data


class RawSftp:
    """SFTP spoken byte by byte over a paramiko channel, so a test can send
    what no well-behaved client would."""

    def __init__(self, transport, timeout=15):
        self.channel = transport.open_session(timeout=timeout)
        self.channel.settimeout(timeout)
        self.channel.invoke_subsystem("sftp")
        self.next_id = 1

    def send_packet(self, payload):
        self.channel.sendall(struct.pack(">I", len(payload)) + payload)

    def recv_exact(self, count):
        data = b""
        while len(data) < count:
            chunk = self.channel.recv(count - len(data))
            if not chunk:
                raise EOFError("channel closed")
            data += chunk
        return data

    def recv_packet(self):
        """(type, body after the type byte)."""
        (length,) = struct.unpack(">I", self.recv_exact(4))
        packet = self.recv_exact(length)
        return packet[0], packet[1:]

    def init(self):
        self.send_packet(bytes([FXP_INIT]) + struct.pack(">I", 3))
        kind, _ = self.recv_packet()
        if kind != FXP_VERSION:
            raise AssertionError("expected VERSION, got %d" % kind)

    def send_request(self, kind, body):
        """Sends a request with a fresh id and returns the id (no waiting)."""
        request_id = self.next_id
        self.next_id += 1
        self.send_packet(bytes([kind]) + struct.pack(">I", request_id) + body)
        return request_id

    def recv_reply(self):
        """(reply type, request id, body after the id) of the next reply."""
        reply, body = self.recv_packet()
        return reply, struct.unpack(">I", body[:4])[0], body[4:]

    def request(self, kind, body):
        """Sends a request with a fresh id; returns (reply type, body after the id)."""
        request_id = self.send_request(kind, body)
        reply, body = self.recv_packet()
        (answered_id,) = struct.unpack(">I", body[:4])
        if answered_id != request_id:
            raise AssertionError("reply id %d for request %d" % (answered_id, request_id))
        return reply, body[4:]

    def open_handle(self, path, pflags):
        """OPENs `path` with `pflags` (no attributes); returns the handle."""
        kind, body = self.request(FXP_OPEN, sftp_string(path.encode()) +
                                  struct.pack(">II", pflags, 0))
        if kind != FXP_HANDLE:
            raise AssertionError("OPEN %s: reply %d %r" % (path, kind, body))
        (length,) = struct.unpack(">I", body[:4])
        return body[4:4 + length]

    def open_read(self, path):
        return self.open_handle(path, FXF_READ)

    def close_handle(self, handle):
        """CLOSEs `handle`; returns the status code."""
        kind, body = self.request(FXP_CLOSE, sftp_string(handle))
        if kind != FXP_STATUS:
            raise AssertionError("CLOSE: reply %d %r" % (kind, body))
        return status_code(body)

    def read(self, handle, offset, length):
        return self.request(FXP_READ, sftp_string(handle) + struct.pack(">QI", offset, length))

    def extended(self, name, body):
        return self.request(FXP_EXTENDED, sftp_string(name.encode()) + body)


def read_sftp_string(body):
    """(the string at the start of `body`, the rest)."""
    (length,) = struct.unpack(">I", body[:4])
    return body[4:4 + length], body[4 + length:]


def status_code(body):
    return struct.unpack(">I", body[:4])[0]


class LocalFilesCase:
    """Mixin for unittest.TestCase: a fresh local temp dir per test, for the
    files a test uploads and downloads."""

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="dadgate-client-")
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def local(self, name):
        return os.path.join(self.tmp, name)

    def random_file(self, name, size):
        """A local file of random bytes; returns (path, sha256 hex)."""
        path = self.local(name)
        return path, write_random_file(path, size)


class GatewayTestCase(LocalFilesCase):
    """Mixin for unittest.TestCase: one gateway per test class, started in
    setUpClass and stopped by a class cleanup; a fresh local temp dir per test.

    Subclasses list USERS as (name, password) pairs to create up front."""

    USERS = ()
    EMAILS = True  # each of USERS gets the e-mail address <name>@example.com
    WEB = False  # True: the gateway also listens for HTTPS and HTTP (Gateway(web=True))
    FTP = False  # True: explicit and implicit FTPS listeners too (Gateway(ftp=True))
    DEFINES = {}  # settings of this class's gateway (Gateway(extra_defines=...))
    gateway = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = [(name, password) + (("%s@example.com" % name,) if cls.EMAILS else ())
                 for name, password in cls.USERS]
        cls.gateway = started_gateway(cls, users, extra_defines=cls.DEFINES, web=cls.WEB,
                                      ftp=cls.FTP)

    def client(self, user, password=None, key_path=None):
        """A paramiko SFTP client closed when the test ends."""
        client = self.gateway.connect(user, password=password, key_path=key_path)
        self.addCleanup(close_client, client)
        return client

    def raw(self, user, password):
        """A RawSftp session (INIT done) closed when the test ends."""
        transport = self.gateway.transport(user, password)
        self.addCleanup(transport.close)
        raw = RawSftp(transport)
        raw.init()
        return raw

    def assertBatchOk(self, result):
        self.assertEqual(result.returncode, 0, "sftp batch failed: %r" % result)

    def assertBatchFails(self, result):
        self.assertNotEqual(result.returncode, 0, "sftp batch should have failed: %r" % result)
