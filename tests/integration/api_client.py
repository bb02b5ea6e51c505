"""A small client of dadgate's REST API (/api/v1/) over HTTPS with
http.client: bearer tokens or the console's session cookie, JSON in and out,
and the tus upload steps."""

import base64
import http.client
import json
import ssl

from harness import wait_until


def tls_context():
    # The gateway's certificate is self-signed on first start.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class Reply:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.raw = raw
        self.json = None
        if raw and self.headers.get("content-type", "").startswith("application/json"):
            self.json = json.loads(raw.decode("utf-8"))

    def error_code(self):
        return (self.json or {}).get("error", {}).get("code")

    def __repr__(self):
        return "Reply(%d, %r)" % (self.status, self.raw[:500])


class ApiClient:
    """Requests as one credential: a token (Bearer) or a session cookie."""

    def __init__(self, gateway, token=None):
        self.gateway = gateway
        self.token = token
        self.cookie = None
        self.csrf = None

    def connection(self):
        return http.client.HTTPSConnection("127.0.0.1", self.gateway.https_port, timeout=30,
                                           context=tls_context())

    def request(self, method, path, body=None, headers=None, raw=None):
        all_headers = {}
        if self.token:
            all_headers["Authorization"] = "Bearer " + self.token
        if self.cookie:
            all_headers["Cookie"] = self.cookie
            if self.csrf and method not in ("GET", "HEAD"):
                all_headers["X-CSRF-Token"] = self.csrf
        if body is not None:
            raw = json.dumps(body).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        conn = self.connection()
        try:
            conn.request(method, path, body=raw, headers=all_headers)
            response = conn.getresponse()
            return Reply(response.status, response.getheaders(), response.read())
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body if body is not None else {}, **kw)

    # ---- the console's session
    def login(self, name, password):
        reply = self.request("POST", "/api/v1/session", body={"name": name, "password": password})
        if reply.status == 200:
            cookie = reply.headers["set-cookie"]
            self.cookie = cookie.split(";", 1)[0]
            self.csrf = reply.json["csrf_token"]
        return reply

    # ---- packages and tus uploads
    def make_draft(self, name, **fields):
        reply = self.post("/api/v1/drafts", dict(fields, name=name))
        assert reply.status == 201, reply
        return reply.json["pid"]

    def create_upload(self, pid, filename, length, sha256=None):
        meta = "draft %s,filename %s" % (b64(pid), b64(filename))
        if sha256:
            meta += ",sha256 " + b64(sha256)
        return self.request("POST", "/api/v1/uploads", headers={
            "Tus-Resumable": "1.0.0", "Upload-Length": str(length), "Upload-Metadata": meta})

    def patch(self, upload_id, offset, data):
        return self.request("PATCH", "/api/v1/uploads/" + upload_id, raw=data, headers={
            "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream"})

    def offset(self, upload_id):
        reply = self.request("HEAD", "/api/v1/uploads/" + upload_id,
                             headers={"Tus-Resumable": "1.0.0"})
        assert reply.status == 200, reply
        return int(reply.headers["upload-offset"])

    def upload(self, pid, filename, data):
        created = self.create_upload(pid, filename, len(data))
        assert created.status == 201, created
        if data:
            done = self.patch(created.json["id"], 0, data)
            assert done.status == 204, done
        return created.json["id"]

    def send(self, pid):
        reply = self.post("/api/v1/drafts/%s/send" % pid)
        assert reply.status == 200, reply
        return reply


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def make_token(gateway, user, name, scope="write", expires=None):
    args = ["token", "create", name, "--user", user, "--scope", scope]
    if expires:
        args += ["--expires", expires]
    rc, out, err = gateway.dadctl(*args)
    assert rc == 0, out + err
    return out.strip()
