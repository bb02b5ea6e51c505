"""The OpenAPI document at /api/v1/openapi.json matches the server: every
path and method it lists answers with one of its documented statuses and,
on success, a body with the documented fields (errors: the documented error
shape); nothing the router serves is missing from it."""

import re
import unittest

from api_client import ApiClient, make_token
from harness import GatewayTestCase


class OpenApiTest(GatewayTestCase, unittest.TestCase):
    WEB = True
    USERS = (("alice", "alice-pw-1"),)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = ApiClient(cls.gateway, make_token(cls.gateway, "admin", "doc", "admin"))
        cls.alice = ApiClient(cls.gateway, make_token(cls.gateway, "alice", "doc"))
        cls.pid = cls.alice.make_draft("docs")
        cls.upload = cls.alice.create_upload(cls.pid, "a.txt", 3).json["id"]

    def value_of(self, name):
        return {"pid": self.pid, "name": "alice", "id": "1", "kind": "address",
                "subject": "192.0.2.1"}[name]

    def test_document_is_openapi_3_and_public(self):
        doc = ApiClient(self.gateway).get("/api/v1/openapi.json")
        self.assertEqual(doc.status, 200)
        self.assertTrue(doc.json["openapi"].startswith("3."))
        self.assertIn("/api/v1/packages", doc.json["paths"])

    def test_every_documented_operation_answers_as_documented(self):
        doc = self.alice.get("/api/v1/openapi.json").json
        walked = 0
        for path, item in sorted(doc["paths"].items()):
            for method, op in sorted(item.items()):
                method = method.upper()
                url = re.sub(r"\{(\w+)\}", lambda m: self.value_of(m.group(1)), path)
                if path == "/api/v1/uploads/{id}":
                    url = "/api/v1/uploads/" + self.upload
                client = self.admin if op.get("x-scope") == "admin" else self.alice
                body = {} if method in ("POST", "PUT", "PATCH") else None
                if (method, path) == ("POST", "/api/v1/session"):
                    body = {"name": "alice", "password": "alice-pw-1"}
                headers = None
                if (method, path) == ("PATCH", "/api/v1/uploads/{id}"):
                    headers = {"Upload-Offset": "0",
                               "Content-Type": "application/offset+octet-stream"}
                    reply = client.request(method, url, raw=b"abc", headers=headers)
                else:
                    reply = client.request(method, url, body=body)
                walked += 1
                documented = op["responses"]
                where = "%s %s -> %r" % (method, url, reply)
                self.assertIn(str(reply.status), documented, where)
                if method == "HEAD" or reply.status == 204:
                    continue
                self.assertIsNotNone(reply.json, where)
                schema = documented[str(reply.status)]["content"]["application/json"]["schema"]
                if reply.status < 400:
                    for field in schema.get("required", []):
                        self.assertIn(field, reply.json, where)
                else:
                    self.assertEqual(sorted(reply.json["error"]), ["code", "message"], where)
        self.assertGreaterEqual(walked, 40)

    def test_undocumented_paths_are_404(self):
        self.assertEqual(self.alice.get("/api/v1/packages/x/y/z").status, 404)


if __name__ == "__main__":
    unittest.main()
