"""The REST API's resources against a running dadgate, one gateway for the
class: the caller, packages (lists with filters, sort, search and cursor
pages; a package with its downloads; withdraw, notify, forward), drafts,
accounts, keys, the address book, sites, jobs, policies, bans, audit, tokens;
and for every resource, another user's thing answers 404 exactly as a thing
that does not exist."""

import os
import unittest

from api_client import ApiClient, make_token
from harness import GatewayTestCase


class ApiResourcesTest(GatewayTestCase, unittest.TestCase):
    WEB = True
    USERS = (("alice", "alice-pw-1"), ("bob", "bob-pw-1"), ("carol", "carol-pw-1"))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        gw = cls.gateway
        gw.add_user("boss", "boss-pw-1", admin=True)
        gw.add_user("sub", "sub-pw-1", parent="boss")
        cls.admin = ApiClient(gw, make_token(gw, "admin", "ops", "admin"))
        cls.boss = ApiClient(gw, make_token(gw, "boss", "ops", "admin"))
        cls.sub = ApiClient(gw, make_token(gw, "sub", "cli"))
        cls.alice = ApiClient(gw, make_token(gw, "alice", "cli"))
        cls.bob = ApiClient(gw, make_token(gw, "bob", "cli"))
        cls.carol = ApiClient(gw, make_token(gw, "carol", "cli"))
        # alice sends two packages to bob; a third stays a draft.
        cls.sent = []
        for name, message in (("quarterly", "the Q3 numbers"), ("holiday", "photos")):
            pid = cls.alice.make_draft(name, to=["bob"], message=message)
            cls.alice.upload(pid, "report-%s.txt" % name, b"x" * 1000)
            cls.alice.send(pid)
            cls.sent.append(pid)
        cls.draft = cls.alice.make_draft("unfinished")
        cls.sub_pid = cls.sub.make_draft("subwork", to=["carol"])
        cls.sub.upload(cls.sub_pid, "a.bin", b"y" * 10)
        cls.sub.send(cls.sub_pid)

    def assertNotFoundLikeUnknown(self, client, method, path_of, real, body=None,
                                  unknown="doesnotexist0"):
        """`real` answers exactly as an id that does not exist."""
        a = client.request(method, path_of(real), body=body)
        b = client.request(method, path_of(unknown), body=body)
        self.assertEqual(a.status, 404, a)
        self.assertEqual(b.status, 404, b)
        self.assertEqual(a.error_code(), b.error_code())
        self.assertEqual(a.json["error"]["message"].replace(real, "X"),
                         b.json["error"]["message"].replace(unknown, "X"))

    def test_me_says_who_and_with_which_scope(self):
        me = self.alice.get("/api/v1/me")
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json["name"], "alice")
        self.assertEqual(me.json["scope"], "write")
        self.assertIn("own", me.json["quota"])

    def test_inbox_sent_and_drafts(self):
        sent = self.alice.get("/api/v1/packages?box=sent").json["items"]
        self.assertEqual(sorted(p["pid"] for p in sent), sorted(self.sent))
        drafts = self.alice.get("/api/v1/packages?box=drafts").json["items"]
        self.assertEqual([p["pid"] for p in drafts], [self.draft])
        inbox = self.bob.get("/api/v1/packages?box=inbox").json["items"]
        self.assertEqual(sorted(p["pid"] for p in inbox), sorted(self.sent))
        self.assertEqual(self.carol.get("/api/v1/packages?box=inbox&sender=alice").json["items"], [])

    def test_sort_search_filter_and_cursor(self):
        by_name = self.alice.get("/api/v1/packages?box=sent&sort=name&order=asc").json["items"]
        self.assertEqual([p["name"] for p in by_name], ["holiday", "quarterly"])
        found = self.alice.get("/api/v1/packages?q=Q3").json["items"]
        self.assertEqual([p["pid"] for p in found], [self.sent[0]])
        by_file = self.alice.get("/api/v1/packages?q=report-holiday").json["items"]
        self.assertEqual([p["pid"] for p in by_file], [self.sent[1]])
        to_bob = self.alice.get("/api/v1/packages?recipient=bob&state=sent").json["items"]
        self.assertEqual(len(to_bob), 2)
        self.assertEqual(self.alice.get("/api/v1/packages?from=4000000000").json["items"], [])
        # One per page, stable: two pages then the end.
        first = self.alice.get("/api/v1/packages?box=sent&limit=1")
        self.assertEqual(len(first.json["items"]), 1)
        cursor = first.json["next_cursor"]
        self.assertTrue(cursor)
        second = self.alice.get("/api/v1/packages?box=sent&limit=1&cursor=" + cursor)
        self.assertEqual(len(second.json["items"]), 1)
        self.assertNotEqual(first.json["items"][0]["pid"], second.json["items"][0]["pid"])
        self.assertIsNone(second.json["next_cursor"])
        bad = self.alice.get("/api/v1/packages?cursor=!!")
        self.assertEqual((bad.status, bad.error_code()), (400, "invalid"))
        self.assertEqual(self.alice.get("/api/v1/packages?sort=size").status, 400)

    def test_admin_sees_its_sub_users_packages_not_others(self):
        pids = [p["pid"] for p in self.boss.get("/api/v1/packages").json["items"]]
        self.assertIn(self.sub_pid, pids)
        self.assertFalse(set(self.sent) & set(pids))
        detail = self.boss.get("/api/v1/packages/" + self.sub_pid)
        self.assertEqual(detail.status, 200, detail)

    def test_package_detail_has_every_download(self):
        pid = self.sent[0]
        client = self.client("bob", "bob-pw-1")
        inbox = client.listdir("/inbox")
        name = [n for n in inbox if "quarterly" in n]
        self.assertEqual(len(name), 1, inbox)
        name = name[0]
        with client.open("/inbox/%s/report-quarterly.txt" % name) as f:
            self.assertEqual(f.read(), b"x" * 1000)
        detail = self.alice.get("/api/v1/packages/" + pid)
        self.assertEqual(detail.status, 200, detail)
        self.assertEqual([f["path"] for f in detail.json["files"]], ["report-quarterly.txt"])
        downloads = [d for d in detail.json["downloads"] if d["account"] == "bob"]
        self.assertTrue(downloads, detail.json)
        self.assertEqual(downloads[0]["protocol"], "sftp")
        self.assertEqual(downloads[0]["bytes"], 1000)
        self.assertTrue(downloads[0]["complete"])
        self.assertTrue(detail.json["link"].startswith("https://"))
        # The recipient sees the package and its own downloads, not the link.
        as_bob = self.bob.get("/api/v1/packages/" + pid).json
        self.assertIsNone(as_bob["link"])

    def test_other_users_package_is_404_for_every_package_resource(self):
        pid = self.sent[0]
        for method, path_of in (
                ("GET", lambda p: "/api/v1/packages/" + p),
                ("POST", lambda p: "/api/v1/packages/%s/withdraw" % p),
                ("POST", lambda p: "/api/v1/packages/%s/notify" % p),
                ("POST", lambda p: "/api/v1/packages/%s/forward" % p),
                ("POST", lambda p: "/api/v1/drafts/%s/send" % p)):
            body = {"site": "x"} if method == "POST" else None
            self.assertNotFoundLikeUnknown(self.carol, method, path_of, pid, body)
        self.assertNotFoundLikeUnknown(self.carol, "POST", lambda p: "/api/v1/drafts/%s/send" % p,
                                       self.draft, {})
        # bob is a recipient of alice's draft? No: a draft has no reader but its sender.
        self.assertNotFoundLikeUnknown(self.bob, "GET", lambda p: "/api/v1/packages/" + p,
                                       self.draft)
        up = self.carol.create_upload(self.draft, "f.txt", 3)
        self.assertEqual(up.status, 404, up)

    def test_other_users_account_keys_groups_contacts_tokens_are_404(self):
        self.assertNotFoundLikeUnknown(self.carol, "GET", lambda n: "/api/v1/accounts/" + n, "alice")
        self.assertNotFoundLikeUnknown(self.carol, "GET", lambda n: "/api/v1/accounts/%s/keys" % n,
                                       "alice")
        self.assertNotFoundLikeUnknown(self.carol, "PATCH", lambda n: "/api/v1/accounts/" + n,
                                       "alice", {"email": "x@example.com"})
        made = self.alice.post("/api/v1/groups", {"name": "team", "members": ["bob"]})
        self.assertEqual(made.status, 201, made)
        self.assertNotFoundLikeUnknown(self.carol, "GET", lambda n: "/api/v1/groups/" + n, "team")
        self.assertNotFoundLikeUnknown(self.carol, "DELETE", lambda n: "/api/v1/groups/" + n, "team")
        contact = self.alice.post("/api/v1/contacts", {"name": "Dora", "email": "dora@example.com"})
        self.assertEqual(contact.status, 201, contact)
        cid = str(contact.json["id"])
        self.assertNotFoundLikeUnknown(self.carol, "GET", lambda i: "/api/v1/contacts/" + i, cid,
                                       unknown="987654")
        self.assertNotFoundLikeUnknown(self.carol, "DELETE", lambda i: "/api/v1/contacts/" + i, cid,
                                       unknown="987654")
        tokens = self.alice.get("/api/v1/tokens").json["items"]
        tid = str(tokens[0]["id"])
        self.assertNotFoundLikeUnknown(self.carol, "DELETE", lambda i: "/api/v1/tokens/" + i, tid,
                                       unknown="987654")
        self.assertTrue(all(t["account"] == "alice" for t in tokens))

    def test_withdraw_notify_and_forward(self):
        pid = self.alice.make_draft("to-withdraw", to=["bob"])
        self.alice.upload(pid, "a.txt", b"abc")
        self.alice.send(pid)
        # bob can see it but not withdraw it.
        refused = self.bob.post("/api/v1/packages/%s/withdraw" % pid)
        self.assertEqual((refused.status, refused.error_code()), (403, "forbidden"), refused)
        notified = self.alice.post("/api/v1/packages/%s/notify" % pid)
        self.assertEqual(notified.status, 200, notified)
        self.assertEqual(notified.json["queued"], 1)
        no_site = self.alice.post("/api/v1/packages/%s/forward" % pid, {"site": "nowhere"})
        self.assertEqual(no_site.status, 404, no_site)
        done = self.alice.post("/api/v1/packages/%s/withdraw" % pid)
        self.assertEqual(done.status, 200, done)
        self.assertEqual(self.alice.get("/api/v1/packages/" + pid).json["state"], "withdrawn")
        self.assertNotIn(pid, [p["pid"] for p in self.bob.get("/api/v1/packages?box=inbox").json["items"]])

    def test_accounts_for_admins_and_self(self):
        made = self.admin.post("/api/v1/accounts", {"name": "dave", "password": "dave-pw-1",
                                                    "email": "dave@example.com",
                                                    "quota_bytes": 5000})
        self.assertEqual(made.status, 201, made)
        self.assertEqual(made.json["quota"]["own"]["limit_bytes"], 5000)
        changed = self.admin.request("PATCH", "/api/v1/accounts/dave",
                                     body={"quota_bytes": 9000, "disabled": True})
        self.assertEqual(changed.status, 200, changed)
        self.assertEqual(changed.json["quota_bytes"], 9000)
        self.assertTrue(changed.json["disabled"])
        bad = self.admin.request("PATCH", "/api/v1/accounts/dave", body={"email": "no address"})
        self.assertEqual((bad.status, bad.error_code()), (400, "invalid"), bad)
        own = self.alice.request("PATCH", "/api/v1/accounts/alice", body={"email": "a@example.org"})
        self.assertEqual(own.status, 403, own)  # an address is the admin's to change
        taken = self.admin.post("/api/v1/accounts", {"name": "dave", "password": "x"})
        self.assertEqual((taken.status, taken.error_code()), (409, "exists"))
        names = [a["name"] for a in self.admin.get("/api/v1/accounts").json["items"]]
        self.assertIn("dave", names)
        self.assertEqual([a["name"] for a in self.alice.get("/api/v1/accounts").json["items"]],
                         ["alice"])
        refused = self.alice.post("/api/v1/accounts", {"name": "eve", "password": "x"})
        self.assertEqual(refused.status, 403, refused)
        self.assertEqual(self.admin.request("DELETE", "/api/v1/accounts/dave").status, 200)
        self.assertEqual(self.admin.get("/api/v1/accounts/dave").status, 404)

    def test_keys_of_self(self):
        key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q me@x"
        added = self.alice.post("/api/v1/accounts/alice/keys", {"key": key})
        self.assertEqual(added.status, 201, added)
        keys = self.alice.get("/api/v1/accounts/alice/keys").json["items"]
        self.assertEqual(keys[0]["type"], "ssh-ed25519")
        bad = self.alice.post("/api/v1/accounts/alice/keys", {"key": "nonsense"})
        self.assertEqual((bad.status, bad.error_code()), (400, "invalid"))

    def test_address_book_groups_and_contacts(self):
        site = self.admin.post("/api/v1/groups", {"name": "everyone", "members": ["alice", "bob"],
                                                  "site": True})
        self.assertEqual(site.status, 201, site)
        self.assertEqual(self.bob.post("/api/v1/groups", {"name": "x", "site": True}).status, 403)
        mine = self.bob.post("/api/v1/groups", {"name": "pals", "members": ["carol"]})
        self.assertEqual(mine.status, 201, mine)
        more = self.bob.post("/api/v1/groups/pals/members", {"add": ["@everyone"]})
        self.assertEqual(more.status, 200, more)
        self.assertEqual(more.json["expanded"], ["carol", "alice", "bob"])
        names = sorted(g["name"] for g in self.bob.get("/api/v1/groups").json["items"])
        self.assertIn("pals", names)
        self.assertIn("everyone", names)
        c = self.bob.post("/api/v1/contacts", {"name": "Erin", "email": "erin@example.com"})
        self.assertEqual(c.status, 201, c)
        cid = c.json["id"]
        changed = self.bob.request("PUT", "/api/v1/contacts/%d" % cid,
                                   body={"name": "Erin B", "email": "erin@example.org"})
        self.assertEqual(changed.json["email"], "erin@example.org")
        bad = self.bob.post("/api/v1/contacts", {"name": "Z", "email": "not an address"})
        self.assertEqual(bad.status, 400, bad)
        self.assertEqual(self.bob.request("DELETE", "/api/v1/contacts/%d" % cid).status, 200)
        self.assertEqual(self.bob.get("/api/v1/contacts/%d" % cid).status, 404)

    def test_admin_operations_refused_to_users(self):
        for method, path in (("GET", "/api/v1/jobs"), ("GET", "/api/v1/bans"),
                             ("GET", "/api/v1/policy/errors"), ("POST", "/api/v1/policy/reload"),
                             ("POST", "/api/v1/sites"), ("DELETE", "/api/v1/sites/x")):
            reply = self.alice.request(method, path, body={} if method == "POST" else None)
            self.assertEqual((reply.status, reply.error_code()), (403, "forbidden"),
                             "%s %s: %r" % (method, path, reply))

    def test_jobs_policy_bans_sites(self):
        jobs = self.admin.get("/api/v1/jobs")
        self.assertEqual(jobs.status, 200, jobs)
        notify = [j for j in jobs.json["items"] if j["kind"] == "notify"]
        self.assertTrue(notify)
        self.assertEqual(self.admin.post("/api/v1/jobs/999999/retry").status, 404)
        rc, out, err = self.gateway.dadctl("job", "add", "nobody-runs-this")
        job_id = int(out.split("#")[1])
        cancelled = self.admin.post("/api/v1/jobs/%d/cancel" % job_id)
        self.assertEqual(cancelled.json["state"], "cancelled")
        retried = self.admin.post("/api/v1/jobs/%d/retry" % job_id)
        self.assertEqual(retried.json["state"], "queued")
        self.assertEqual(self.admin.get("/api/v1/policy/errors").status, 200)
        reload = self.admin.post("/api/v1/policy/reload")
        self.assertEqual(reload.status, 200, reload)
        self.assertEqual(self.admin.get("/api/v1/bans").json["items"], [])
        self.assertEqual(self.admin.request("DELETE", "/api/v1/bans/address/192.0.2.1").status, 404)
        site = self.admin.post("/api/v1/sites", {"name": "mirror", "type": "ftp",
                                                 "url": "ftp://127.0.0.1:1/in"})
        self.assertEqual(site.status, 201, site)
        self.assertEqual([s["name"] for s in self.alice.get("/api/v1/sites").json["items"]],
                         ["mirror"])
        fwd = self.alice.post("/api/v1/packages/%s/forward" % self.sent[1], {"site": "mirror"})
        self.assertEqual((fwd.status, fwd.json["queued"]), (200, True))
        self.assertEqual(self.admin.request("DELETE", "/api/v1/sites/mirror").status, 200)

    def test_audit_with_filters_and_own_only_for_users(self):
        everything = self.admin.get("/api/v1/audit?action=draft&limit=500").json["items"]
        self.assertTrue(any(e["account"] == "alice" for e in everything))
        self.assertTrue(all(e["action"] == "draft" for e in everything))
        own = self.alice.get("/api/v1/audit?account=bob").json["items"]
        self.assertTrue(own)
        self.assertTrue(all(e["account"] == "alice" for e in own))
        page = self.admin.get("/api/v1/audit?limit=2")
        self.assertEqual(len(page.json["items"]), 2)
        older = self.admin.get("/api/v1/audit?limit=2&cursor=" + page.json["next_cursor"])
        self.assertLess(older.json["items"][0]["id"], page.json["items"][-1]["id"])

    def test_fetch_queued_for_self(self):
        queued = self.alice.post("/api/v1/fetches", {"url": "https://example.com/a.bin"})
        self.assertEqual(queued.status, 201, queued)
        self.assertGreater(queued.json["job"], 0)
        bad = self.alice.post("/api/v1/fetches", {"url": "gopher://x"})
        self.assertEqual(bad.status, 400, bad)
        other = self.alice.post("/api/v1/fetches", {"url": "https://example.com/", "user": "bob"})
        self.assertEqual(other.status, 404, other)


if __name__ == "__main__":
    unittest.main()
