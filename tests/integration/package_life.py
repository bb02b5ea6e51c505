"""Helpers for the tests of a package's life (issue 18): making drafts and
sent packages over SFTP, following their share link over HTTP, and running
rclone against the WebDAV listener."""

import os
import re
import urllib.parse

from harness import basic_auth, run, upload_checked


def make_draft(client, draft, files, manifest=None):
    """Makes /outbox/DRAFT holding `files` (name -> bytes) and `manifest`
    (.dad text) over paramiko; returns (pid, the link's path "/p/<token>")."""
    client.mkdir("/outbox/" + draft)
    for name, data in files.items():
        upload_checked(client, data, "/outbox/%s/%s" % (draft, name))
    if manifest is not None:
        upload_checked(client, manifest.encode(), "/outbox/%s/.dad" % draft)
    with client.open("/outbox/%s/.link" % draft) as f:
        link = f.read().decode()
    pid = re.search(r"(?m)^pid = (\S+)", link).group(1)
    path = urllib.parse.urlparse(re.search(r"(?m)^link = (\S+)", link).group(1)).path
    return pid, path


def send_package(client, draft, files, manifest):
    """make_draft, then sent to /sent/DRAFT; returns (pid, link path)."""
    pid, path = make_draft(client, draft, files, manifest)
    client.rename("/outbox/" + draft, "/sent/" + draft)
    return pid, path


def link_status(gateway, path):
    """The HTTP status of GET `path` (a link page) on the plain listener."""
    status, _, _ = gateway.web_request("GET", path)
    return status


def rclone_dav_env(gateway, user, password, root="/"):
    """The environment that gives rclone the remote "dav:": the WebDAV
    listener as `user` (vendor owncloud, HTTPS)."""
    obscured = run(["rclone", "obscure", password]).stdout.strip()
    return dict(os.environ, RCLONE_CONFIG_DAV_TYPE="webdav",
                RCLONE_CONFIG_DAV_URL=gateway.web_url(root, https=True),
                RCLONE_CONFIG_DAV_VENDOR="owncloud", RCLONE_CONFIG_DAV_USER=user,
                RCLONE_CONFIG_DAV_PASS=obscured, RCLONE_CONFIG="/dev/null")


def rclone_dav(gateway, user, password, *args, root="/"):
    """rclone against the WebDAV listener as `user` (remote "dav:", without
    certificate check): a Result."""
    return run(["rclone", "--no-check-certificate", "--low-level-retries", "1", "--retries", "1"]
               + list(args), env=rclone_dav_env(gateway, user, password, root))


def curl_delete(gateway, user, path):
    """curl's WebDAV DELETE of `path` as `user` ((name, password)) over
    HTTPS: a Result whose stdout is the HTTP status."""
    return run(["curl", "-sS", "-k", "-X", "DELETE", "-o", "/dev/null", "-w", "%{http_code}",
                "-H", "Authorization: " + basic_auth(*user), gateway.web_url(path, https=True)])


def shown(gateway, pid):
    """`dadctl package show PID`'s text (AssertionError when it fails)."""
    rc, out, err = gateway.dadctl("package", "show", pid)
    if rc != 0:
        raise AssertionError("dadctl package show %s -> %d: %s" % (pid, rc, err))
    return out
