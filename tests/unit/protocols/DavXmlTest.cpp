// The WebDAV XML readers: DavXml (limits, DOCTYPE refused, namespaces) and
// DavRequests (PROPFIND, PROPPATCH, LOCK bodies), and the If header parser.
#include <cppunit/extensions/HelperMacros.h>

#include "DavRequests.h"
#include "DavXml.h"
#include "IfHeader.h"

using dad::DavRequests;
using dad::DavXml;
using dad::XmlNode;

class DavXmlTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DavXmlTest);
    CPPUNIT_TEST(testDoctypeRefused);
    CPPUNIT_TEST(testExternalEntityRefused);
    CPPUNIT_TEST(testDeepNestingRefused);
    CPPUNIT_TEST(testTooManyElementsRefused);
    CPPUNIT_TEST(testHugeBodyRefused);
    CPPUNIT_TEST(testMalformedRefused);
    CPPUNIT_TEST(testUndeclaredDefaultNamespaceIsEmpty);
    CPPUNIT_TEST(testPropfindKinds);
    CPPUNIT_TEST(testPropfindWrongRootRefused);
    CPPUNIT_TEST(testProppatchValueRoundTrips);
    CPPUNIT_TEST(testLockInfo);
    CPPUNIT_TEST(testIfHeaderListsAndTokens);
    CPPUNIT_TEST(testIfHeaderMalformedRefused);
    CPPUNIT_TEST_SUITE_END();

    static std::string wrap(const std::string& inner) {
        return "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\">" + inner + "</D:propfind>";
    }

public:
    void testDoctypeRefused() {
        XmlNode root;
        const std::string laughs =
            "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
            "\"&lol;&lol;&lol;\">]><D:propfind xmlns:D=\"DAV:\">&lol2;</D:propfind>";
        dad::Status s = DavXml::parse(laughs, root);
        CPPUNIT_ASSERT(!s);
        CPPUNIT_ASSERT(s.code() == dad::StatusCode::InvalidArgument);
        CPPUNIT_ASSERT(!DavXml::parse("<?xml version=\"1.0\"?><!doctype x><x/>", root));
    }
    void testExternalEntityRefused() {
        XmlNode root;
        CPPUNIT_ASSERT(
            !DavXml::parse("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                           "<x>&e;</x>",
                           root));
        // An undeclared entity is a well-formedness error, never a file read.
        CPPUNIT_ASSERT(!DavXml::parse("<x>&e;</x>", root));
    }
    void testDeepNestingRefused() {
        std::string body;
        for (size_t i = 0; i < DavXml::kMaxDepth + 1; ++i)
            body += "<a>";
        for (size_t i = 0; i < DavXml::kMaxDepth + 1; ++i)
            body += "</a>";
        XmlNode root;
        CPPUNIT_ASSERT_EQUAL(std::string("XML nested too deeply"),
                             DavXml::parse(body, root).message());
        std::string deep(100000, ' ');
        deep = "";
        for (int i = 0; i < 100000; ++i)
            deep += "<a>";
        CPPUNIT_ASSERT(!DavXml::parse(deep, root));  // unclosed and too deep: no crash
    }
    void testTooManyElementsRefused() {
        std::string body = "<a>";
        for (size_t i = 0; i < DavXml::kMaxElements + 1; ++i)
            body += "<b/>";
        body += "</a>";
        XmlNode root;
        CPPUNIT_ASSERT_EQUAL(std::string("too many XML elements"),
                             DavXml::parse(body, root).message());
    }
    void testHugeBodyRefused() {
        XmlNode root;
        std::string body = "<a>" + std::string(DavXml::kMaxBodyBytes, 'x') + "</a>";
        CPPUNIT_ASSERT_EQUAL(std::string("XML body too large"),
                             DavXml::parse(body, root).message());
    }
    void testMalformedRefused() {
        XmlNode root;
        CPPUNIT_ASSERT(!DavXml::parse("<a><b></a>", root));
        CPPUNIT_ASSERT(!DavXml::parse("", root));
        CPPUNIT_ASSERT(!DavXml::parse(std::string("<a>\0</a>", 8), root));
        // Undeclaring a prefix is not allowed in XML namespaces 1.0.
        CPPUNIT_ASSERT(!DavXml::parse(wrap("<D:prop><bar:foo xmlns:bar=\"\"/></D:prop>"), root));
    }
    void testUndeclaredDefaultNamespaceIsEmpty() {
        XmlNode root;
        CPPUNIT_ASSERT(DavXml::parse(
            "<propertyupdate xmlns=\"DAV:\"><set><prop><nons xmlns=\"\">v</nons></prop></set>"
            "</propertyupdate>",
            root));
        const XmlNode* prop = root.child("DAV:", "set")->child("DAV:", "prop");
        CPPUNIT_ASSERT(prop->child("", "nons") != nullptr);
    }
    void testPropfindKinds() {
        dad::PropfindRequest r;
        CPPUNIT_ASSERT(DavRequests::parsePropfind("", r));
        CPPUNIT_ASSERT(r.kind == dad::PropfindRequest::Kind::AllProp);
        CPPUNIT_ASSERT(DavRequests::parsePropfind(wrap("<D:propname/>"), r));
        CPPUNIT_ASSERT(r.kind == dad::PropfindRequest::Kind::PropName);
        CPPUNIT_ASSERT(DavRequests::parsePropfind(
            wrap("<D:prop><D:getetag/><o:checksums xmlns:o=\"http://owncloud.org/ns\"/></D:prop>"),
            r));
        CPPUNIT_ASSERT(r.kind == dad::PropfindRequest::Kind::Prop);
        CPPUNIT_ASSERT_EQUAL(size_t(2), r.properties.size());
        CPPUNIT_ASSERT_EQUAL(std::string("http://owncloud.org/ns"), r.properties[1].ns);
        CPPUNIT_ASSERT_EQUAL(std::string("checksums"), r.properties[1].name);
    }
    void testPropfindWrongRootRefused() {
        dad::PropfindRequest r;
        CPPUNIT_ASSERT(!DavRequests::parsePropfind("<propfind/>", r));  // no DAV: namespace
        CPPUNIT_ASSERT(!DavRequests::parsePropfind(wrap(""), r));
        CPPUNIT_ASSERT(!DavRequests::parsePropfind(wrap("<D:allprop/><D:propname/>"), r));
    }
    void testProppatchValueRoundTrips() {
        dad::ProppatchRequest r;
        CPPUNIT_ASSERT(DavRequests::parseProppatch(
            "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:z\"><D:set><D:prop>"
            "<Z:color>red &amp; <Z:b a=\"1\">bold</Z:b></Z:color></D:prop></D:set>"
            "<D:remove><D:prop><Z:gone/></D:prop></D:remove></D:propertyupdate>",
            r));
        CPPUNIT_ASSERT_EQUAL(size_t(2), r.changes.size());
        CPPUNIT_ASSERT(r.changes[0].set);
        CPPUNIT_ASSERT_EQUAL(std::string("red & bold"), r.changes[0].valueText);
        // The stored fragment parses again on its own, with its namespaces.
        XmlNode again;
        CPPUNIT_ASSERT(DavXml::parse("<v>" + r.changes[0].valueXml + "</v>", again));
        CPPUNIT_ASSERT(again.child("urn:z", "b") != nullptr);
        CPPUNIT_ASSERT(!r.changes[1].set);
        CPPUNIT_ASSERT_EQUAL(std::string("gone"), r.changes[1].property.name);
    }
    void testLockInfo() {
        dad::LockRequest r;
        CPPUNIT_ASSERT(DavRequests::parseLock("", r));
        CPPUNIT_ASSERT(r.refresh);
        CPPUNIT_ASSERT(DavRequests::parseLock(
            "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:shared/></D:lockscope><D:locktype>"
            "<D:write/></D:locktype><D:owner><D:href>mailto:a@b</D:href></D:owner></D:lockinfo>",
            r));
        CPPUNIT_ASSERT(!r.refresh);
        CPPUNIT_ASSERT(!r.exclusive);
        CPPUNIT_ASSERT(r.ownerXml.find("mailto:a@b") != std::string::npos);
        CPPUNIT_ASSERT(!DavRequests::parseLock(
            "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope></D:lockinfo>",
            r));
    }
    void testIfHeaderListsAndTokens() {
        std::vector<dad::IfList> lists;
        CPPUNIT_ASSERT(dad::IfHeader::parse(
            "<http://h/a> (<opaquelocktoken:x> [\"e1\"]) (Not <DAV:no-lock>)", lists));
        CPPUNIT_ASSERT_EQUAL(size_t(2), lists.size());
        CPPUNIT_ASSERT_EQUAL(std::string("http://h/a"), lists[0].resource);
        CPPUNIT_ASSERT(lists[0].conditions[1].isEtag);
        CPPUNIT_ASSERT(lists[1].conditions[0].negated);
        CPPUNIT_ASSERT_EQUAL(size_t(1), dad::IfHeader::tokens(lists).count("opaquelocktoken:x"));
        const bool holds = dad::IfHeader::evaluate(
            lists, [](const std::string&, const std::string&) { return false; },
            [](const std::string&, const std::string&) { return false; });
        CPPUNIT_ASSERT(holds);  // the second list: Not <DAV:no-lock>
    }
    void testIfHeaderMalformedRefused() {
        std::vector<dad::IfList> lists;
        CPPUNIT_ASSERT(!dad::IfHeader::parse("", lists));
        CPPUNIT_ASSERT(!dad::IfHeader::parse("(<unterminated", lists));
        CPPUNIT_ASSERT(!dad::IfHeader::parse("()", lists));
        CPPUNIT_ASSERT(!dad::IfHeader::parse("garbage", lists));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DavXmlTest);
