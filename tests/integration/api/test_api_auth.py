"""Authentication of the REST API: bearer tokens and their scopes (a read
token cannot write; revoked and expired tokens are refused), the console's
login session (cookie attributes, the CSRF token required on every change,
logout, wrong passwords through the failed-login rule), HTTPS only, and
bounded, precisely refused bodies."""

import http.client
import json
import socket
import unittest

from api_client import ApiClient, make_token, tls_context
from harness import GatewayTestCase, wait_until


class ApiAuthTest(GatewayTestCase, unittest.TestCase):
    WEB = True
    USERS = (("alice", "alice-pw-1"), ("bob", "bob-pw-1"))

    def test_no_credential_is_401_in_json(self):
        reply = ApiClient(self.gateway).get("/api/v1/me")
        self.assertEqual(reply.status, 401)
        self.assertEqual(reply.error_code(), "unauthenticated")
        self.assertIn("Bearer", reply.headers["www-authenticate"])
        garbage = ApiClient(self.gateway, "dad_not-a-real-token").get("/api/v1/me")
        self.assertEqual(garbage.status, 401)

    def test_read_token_reads_but_cannot_write(self):
        reader = ApiClient(self.gateway, make_token(self.gateway, "alice", "reader", "read"))
        self.assertEqual(reader.get("/api/v1/me").json["scope"], "read")
        self.assertEqual(reader.get("/api/v1/packages").status, 200)
        refused = reader.post("/api/v1/drafts", {"name": "nope"})
        self.assertEqual((refused.status, refused.error_code()), (403, "forbidden"), refused)
        contact = reader.post("/api/v1/contacts", {"name": "A", "email": "a@example.com"})
        self.assertEqual(contact.status, 403)

    def test_admin_scope_only_for_admins(self):
        rc, out, err = self.gateway.dadctl("token", "create", "big", "--user", "alice",
                                           "--scope", "admin")
        self.assertEqual(rc, 1)
        self.assertIn("not an admin", err)
        writer = ApiClient(self.gateway, make_token(self.gateway, "admin", "w", "write"))
        # An admin's write token is not an admin credential.
        self.assertEqual(writer.get("/api/v1/jobs").status, 403)
        wider = writer.post("/api/v1/tokens", {"name": "wider", "scope": "admin"})
        self.assertEqual(wider.status, 403, wider)

    def test_revoked_token_is_refused(self):
        token = make_token(self.gateway, "bob", "short-lived")
        client = ApiClient(self.gateway, token)
        self.assertEqual(client.get("/api/v1/me").status, 200)
        rc, out, err = self.gateway.dadctl("token", "list", "--user", "bob")
        self.assertIn("short-lived", out)
        self.assertNotIn(token, out)
        rc, out, err = self.gateway.dadctl("token", "revoke", "short-lived", "--user", "bob")
        self.assertEqual(rc, 0, err)
        self.assertEqual(client.get("/api/v1/me").status, 401)

    def test_token_made_and_revoked_through_the_api(self):
        alice = ApiClient(self.gateway, make_token(self.gateway, "alice", "main"))
        made = alice.post("/api/v1/tokens", {"name": "ci", "scope": "read", "expires_in": 3600})
        self.assertEqual(made.status, 201, made)
        self.assertTrue(made.json["token"].startswith("dad_"))
        self.assertGreaterEqual(len(made.json["token"]), 4 + 43)  # 256 bits
        ci = ApiClient(self.gateway, made.json["token"])
        self.assertEqual(ci.get("/api/v1/me").json["scope"], "read")
        gone = alice.request("DELETE", "/api/v1/tokens/%d" % made.json["id"])
        self.assertEqual(gone.status, 200, gone)
        self.assertEqual(ci.get("/api/v1/me").status, 401)

    def test_expired_token_is_refused(self):
        client = ApiClient(self.gateway, make_token(self.gateway, "bob", "brief", expires="2s"))
        wait_until(lambda: client.get("/api/v1/me").status == 401, 15, interval=0.5,
                   what="the token to expire")

    def test_session_cookie_attributes_and_csrf(self):
        console = ApiClient(self.gateway)
        reply = console.login("alice", "alice-pw-1")
        self.assertEqual(reply.status, 200, reply)
        cookie = reply.headers["set-cookie"]
        for attribute in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
            self.assertIn(attribute, cookie)
        self.assertTrue(cookie.startswith("dad_session="))
        self.assertEqual(console.get("/api/v1/me").json["name"], "alice")
        self.assertEqual(console.get("/api/v1/session").json["csrf_token"], console.csrf)
        # A change without the CSRF token (what a forged form sends) is refused.
        forged = ApiClient(self.gateway)
        forged.cookie = console.cookie
        refused = forged.post("/api/v1/contacts", {"name": "F", "email": "f@example.com"})
        self.assertEqual((refused.status, refused.error_code()), (403, "csrf"), refused)
        wrong = forged.post("/api/v1/contacts", {"name": "F", "email": "f@example.com"},
                            headers={"X-CSRF-Token": "0" * 64})
        self.assertEqual(wrong.status, 403)
        ok = console.post("/api/v1/contacts", {"name": "F", "email": "f@example.com"})
        self.assertEqual(ok.status, 201, ok)
        out = console.request("DELETE", "/api/v1/session")
        self.assertEqual(out.status, 200, out)
        self.assertIn("Max-Age=0", out.headers["set-cookie"])
        self.assertEqual(forged.get("/api/v1/me").status, 401)

    def test_session_survives_a_restart(self):
        console = ApiClient(self.gateway)
        self.assertEqual(console.login("bob", "bob-pw-1").status, 200)
        self.gateway.stop()
        self.gateway.start()
        self.assertEqual(console.get("/api/v1/me").json["name"], "bob")

    def test_wrong_password_refused_and_audited(self):
        reply = ApiClient(self.gateway).login("alice", "wrong")
        self.assertEqual((reply.status, reply.error_code()), (401, "unauthenticated"), reply)
        self.assertNotIn("set-cookie", reply.headers)
        unknown = ApiClient(self.gateway).login("nobody", "wrong")
        self.assertEqual(unknown.json, reply.json)
        audit = ApiClient(self.gateway, make_token(self.gateway, "admin", "audit", "admin"))
        entries = audit.get("/api/v1/audit?action=login&protocol=api&ok=false").json["items"]
        self.assertTrue(any(e["account"] == "alice" for e in entries), entries)

    def test_plain_http_is_refused(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.gateway.http_port, timeout=30)
        try:
            conn.request("GET", "/api/v1/openapi.json")
            response = conn.getresponse()
            body = json.loads(response.read())
        finally:
            conn.close()
        self.assertEqual(response.status, 403)
        self.assertIn("HTTPS", body["error"]["message"])

    def test_malformed_json_and_bounds(self):
        alice = ApiClient(self.gateway, make_token(self.gateway, "alice", "json"))
        broken = alice.request("POST", "/api/v1/contacts", raw=b'{"name": "x",',
                               headers={"Content-Type": "application/json"})
        self.assertEqual((broken.status, broken.error_code()), (400, "invalid"), broken)
        self.assertIn("malformed JSON", broken.json["error"]["message"])
        array = alice.request("POST", "/api/v1/contacts", raw=b"[1, 2]",
                              headers={"Content-Type": "application/json"})
        self.assertEqual(array.status, 400)
        self.assertIn("JSON object", array.json["error"]["message"])
        # Refused from its Content-Length, before a byte of it is read: the
        # head alone is sent, so the early answer never races the body.
        raw = socket.create_connection(("127.0.0.1", self.gateway.https_port), timeout=30)
        conn = tls_context().wrap_socket(raw, server_hostname="127.0.0.1")
        try:
            conn.sendall(("POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\n"
                          "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                          "Content-Length: %d\r\n\r\n" % (alice.token, 1024 * 1024 + 1)).encode())
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                answer += chunk
        finally:
            conn.close()
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer)
        self.assertIn(b'"too_large"', answer)
        self.assertEqual(alice.get("/api/v1/nothing-here").status, 404)
        self.assertEqual(alice.request("PUT", "/api/v1/me").status, 405)


class ApiLoginBanTest(GatewayTestCase, unittest.TestCase):
    """The console's login is a password login like any other: its failures
    count toward the address's ban, and a banned address gets 429."""
    WEB = True
    USERS = (("alice", "alice-pw-1"),)
    DEFINES = {"login.max_failures": "3", "login.failed_delay_ms": "0"}

    def test_failed_logins_ban_the_address(self):
        for _ in range(3):
            self.assertEqual(ApiClient(self.gateway).login("alice", "wrong").status, 401)
        banned = ApiClient(self.gateway).login("alice", "alice-pw-1")
        self.assertEqual((banned.status, banned.error_code()), (429, "busy"), banned)
        self.assertNotIn("set-cookie", banned.headers)
        rc, out, err = self.gateway.dadctl("ban", "list")
        self.assertIn("127.0.0.1", out)
        rc, out, err = self.gateway.dadctl("ban", "remove", "127.0.0.1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(ApiClient(self.gateway).login("alice", "alice-pw-1").status, 200)


if __name__ == "__main__":
    unittest.main()
