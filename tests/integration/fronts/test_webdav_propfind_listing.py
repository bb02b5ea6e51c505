"""PROPFIND Depth 1 of a folder: each entry gets its own live and dead
properties, though the gateway reads them for the whole folder at once (the
content hash from the listing, the dead properties of all children in one
catalog query, the locks in one look). The etag and the ownCloud checksum of a
listed file are those of its content, as a Depth 0 PROPFIND and GET give them;
properties set by PROPPATCH on one child, or a lock on it, show on that child
only."""

import base64
import hashlib
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from harness import GatewayTestCase

ALICE = ("alice", "alice-pw-listing")
BOB = ("bob", "bob-pw-listing")
OC = "{http://owncloud.org/ns}"
Z = "{urn:z}"
ALLPROP_WITH_CHECKSUMS = (b'<?xml version="1.0"?><D:propfind xmlns:D="DAV:" '
                          b'xmlns:O="http://owncloud.org/ns"><D:allprop/>'
                          b'<D:include><O:checksums/></D:include></D:propfind>')


def etag_of(data):
    return '"%s"' % base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")


def set_property(name, value):
    return ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set>'
            '<D:prop><Z:%s>%s</Z:%s></D:prop></D:set></D:propertyupdate>'
            % (name, value, name)).encode()


class WebDavPropfindListingTest(GatewayTestCase, unittest.TestCase):
    USERS = (ALICE, BOB)
    WEB = True

    def request(self, method, path, body=None, headers=None, user=ALICE):
        """(status, header list, body) of one request as `user` for the
        unquoted `path`."""
        return self.gateway.web_request(method, urllib.parse.quote(path), user, body, headers)

    def put(self, path, data):
        self.assertIn(self.request("PUT", path, body=data)[0], (201, 204))

    def propfind(self, path, depth, body=None):
        """{decoded href: {property tag: element}} of the 200 propstats."""
        status, _, answer = self.request("PROPFIND", path, body=body, headers={"Depth": depth})
        self.assertEqual(status, 207, answer)
        result = {}
        for response in ET.fromstring(answer).findall("{DAV:}response"):
            href = urllib.parse.unquote(response.find("{DAV:}href").text)
            props = {}
            for propstat in response.findall("{DAV:}propstat"):
                if "200" in propstat.find("{DAV:}status").text:
                    props.update({p.tag: p for p in propstat.find("{DAV:}prop")})
            result[href] = props
        return result

    def test_listed_files_carry_the_etag_and_checksum_of_their_content(self):
        self.assertEqual(self.request("MKCOL", "/files/hashes/")[0], 201)
        self.assertEqual(self.request("MKCOL", "/files/hashes/sub/")[0], 201)
        contents = {"a.txt": b"alpha", "b & <c>.bin": bytes(range(256)) * 40, "empty": b""}
        for name, data in contents.items():
            self.put("/files/hashes/" + name, data)
        listing = self.propfind("/files/hashes/", "1", ALLPROP_WITH_CHECKSUMS)
        self.assertEqual(len(listing), 1 + len(contents) + 1)
        for name, data in contents.items():
            props = listing["/files/hashes/" + name]
            self.assertEqual(props["{DAV:}getetag"].text, etag_of(data), name)
            checksum = props[OC + "checksums"].find(OC + "checksum").text
            self.assertEqual(checksum, "SHA256:" + hashlib.sha256(data).hexdigest(), name)
            self.assertEqual(props["{DAV:}getcontentlength"].text, str(len(data)))
            self.assertEqual(props["{DAV:}displayname"].text, name)
            # The same as a Depth 0 PROPFIND of the file and GET's ETag header.
            alone = self.propfind("/files/hashes/" + name, "0")["/files/hashes/" + name]
            self.assertEqual(alone["{DAV:}getetag"].text, etag_of(data))
            status, headers, _ = self.request("GET", "/files/hashes/" + name)
            self.assertEqual(status, 200)
            self.assertEqual(dict(headers)["ETag"], etag_of(data))
        for folder in ("/files/hashes/", "/files/hashes/sub/"):
            self.assertNotIn("{DAV:}getetag", listing[folder])
            self.assertNotIn(OC + "checksums", listing[folder])
            self.assertIsNotNone(listing[folder]["{DAV:}resourcetype"].find("{DAV:}collection"))
        # Replaced content: the listing follows it.
        self.put("/files/hashes/a.txt", b"changed")
        listing = self.propfind("/files/hashes/", "1")
        self.assertEqual(listing["/files/hashes/a.txt"]["{DAV:}getetag"].text,
                         etag_of(b"changed"))

    def test_dead_properties_and_locks_show_on_their_own_entry_only(self):
        self.assertEqual(self.request("MKCOL", "/files/dead/")[0], 201)
        self.assertEqual(self.request("MKCOL", "/files/dead/sub/")[0], 201)
        for name in ("one.txt", "two.txt", "three.txt"):
            self.put("/files/dead/" + name, name.encode())
        for path, name, value in (("/files/dead/one.txt", "color", "red &amp; blue"),
                                  ("/files/dead/one.txt", "size", "12"),
                                  ("/files/dead/sub", "color", "green"),
                                  ("/files/dead", "color", "folder")):
            status, _, _ = self.request("PROPPATCH", path, body=set_property(name, value))
            self.assertEqual(status, 207)
        status, _, _ = self.request(
            "LOCK", "/files/dead/two.txt", headers={"Timeout": "Second-600"},
            body=b'<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/>'
                 b'</D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>')
        self.assertEqual(status, 200)

        listing = self.propfind("/files/dead/", "1")
        self.assertEqual(listing["/files/dead/"][Z + "color"].text, "folder")
        self.assertEqual(listing["/files/dead/one.txt"][Z + "color"].text, "red & blue")
        self.assertEqual(listing["/files/dead/one.txt"][Z + "size"].text, "12")
        self.assertEqual(listing["/files/dead/sub/"][Z + "color"].text, "green")
        self.assertNotIn(Z + "size", listing["/files/dead/sub/"])
        for bare in ("/files/dead/two.txt", "/files/dead/three.txt"):
            self.assertNotIn(Z + "color", listing[bare])
        locked = {href for href, props in listing.items()
                  if props["{DAV:}lockdiscovery"].find("{DAV:}activelock") is not None}
        self.assertEqual(locked, {"/files/dead/two.txt"})

        # Asked for by name: found where set, 404 elsewhere.
        status, _, answer = self.request(
            "PROPFIND", "/files/dead/", headers={"Depth": "1"},
            body=b'<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:z"><D:prop>'
                 b'<Z:color/></D:prop></D:propfind>')
        self.assertEqual(status, 207)
        missing = set()
        for response in ET.fromstring(answer).findall("{DAV:}response"):
            for propstat in response.findall("{DAV:}propstat"):
                if "404" in propstat.find("{DAV:}status").text:
                    missing.add(response.find("{DAV:}href").text)
        self.assertEqual(missing, {"/files/dead/two.txt", "/files/dead/three.txt"})

    def test_draft_folders_in_the_outbox_list_their_own_properties(self):
        # /outbox lists packages (not children of one stored folder): each
        # draft still gets the properties of its own root.
        for draft in ("first", "second"):
            self.assertEqual(self.request("MKCOL", "/outbox/%s/" % draft)[0], 201)
        self.put("/outbox/first/x.txt", b"x")
        status, _, _ = self.request("PROPPATCH", "/outbox/first",
                                    body=set_property("color", "draft"))
        self.assertEqual(status, 207)
        status, _, _ = self.request("PROPPATCH", "/outbox/first/x.txt",
                                    body=set_property("color", "inside"))
        self.assertEqual(status, 207)
        outbox = self.propfind("/outbox/", "1")
        self.assertEqual(outbox["/outbox/first/"][Z + "color"].text, "draft")
        self.assertNotIn(Z + "color", outbox["/outbox/second/"])
        draft = self.propfind("/outbox/first/", "1")
        self.assertEqual(draft["/outbox/first/x.txt"][Z + "color"].text, "inside")
        self.assertEqual(draft["/outbox/first/x.txt"]["{DAV:}getetag"].text, etag_of(b"x"))
        self.assertNotIn(Z + "color", draft["/outbox/first/.link"])  # generated
        self.assertNotIn("{DAV:}getetag", draft["/outbox/first/.link"])


if __name__ == "__main__":
    unittest.main()
