// Request URIs and Destination headers to virtual paths: one decoding, the
// tricks refused.
#include <cppunit/extensions/HelperMacros.h>

#include "DavPath.h"

using dad::DavPath;

class DavPathTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DavPathTest);
    CPPUNIT_TEST(testDecodesOnce);
    CPPUNIT_TEST(testDotSegmentsRefused);
    CPPUNIT_TEST(testDoubleEncodingRefused);
    CPPUNIT_TEST(testBackslashAndLookAlikesRefused);
    CPPUNIT_TEST(testFragmentRefused);
    CPPUNIT_TEST(testDestinationOnSameHost);
    CPPUNIT_TEST(testDestinationOnOtherHostRefused);
    CPPUNIT_TEST(testHrefEncodes);
    CPPUNIT_TEST_SUITE_END();

    static std::string decode(const std::string& target) {
        std::string out;
        dad::Status s = DavPath::decode(target, out);
        return s ? out : "ERR";
    }

public:
    void testDecodesOnce() {
        CPPUNIT_ASSERT_EQUAL(std::string("/files/a b"), decode("/files/a%20b"));
        CPPUNIT_ASSERT_EQUAL(std::string("/files/x"), decode("/files/x/?q=1"));
        CPPUNIT_ASSERT_EQUAL(std::string("/files/x"), decode("https://host:8443/files/x"));
        CPPUNIT_ASSERT_EQUAL(std::string("/"), decode("/"));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/%zz"));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/%2"));
    }
    void testDotSegmentsRefused() {
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/../etc"));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/%2e%2e/etc"));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/%2E%2E"));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/./a"));
    }
    void testDoubleEncodingRefused() {
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/%252e%252e/x"));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/a%252fb"));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/%00"));
    }
    void testBackslashAndLookAlikesRefused() {
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/..%5c..%5cetc"));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/a\\b"));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/..%EF%BC%8F..%EF%BC%8Fetc"));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/a%E2%88%95b"));
    }
    void testFragmentRefused() {
        CPPUNIT_ASSERT_EQUAL(std::string("ERR"), decode("/files/coll/#frag"));
    }
    void testDestinationOnSameHost() {
        std::string out;
        CPPUNIT_ASSERT(DavPath::decodeDestination("https://h:8443/files/b%20c", "h:8443", out));
        CPPUNIT_ASSERT_EQUAL(std::string("/files/b c"), out);
        CPPUNIT_ASSERT(DavPath::decodeDestination("/sent/x", "h", out));
        CPPUNIT_ASSERT_EQUAL(std::string("/sent/x"), out);
    }
    void testDestinationOnOtherHostRefused() {
        std::string out;
        dad::Status s = DavPath::decodeDestination("https://evil:8443/files/b", "h:8443", out);
        CPPUNIT_ASSERT(s.code() == dad::StatusCode::Unsupported);
        CPPUNIT_ASSERT(!DavPath::decodeDestination("ftp://h/files/b", "h", out));
        CPPUNIT_ASSERT(!DavPath::decodeDestination("https://h/files/%2e%2e/x", "h", out));
        CPPUNIT_ASSERT(!DavPath::decodeDestination("", "h", out));
    }
    void testHrefEncodes() {
        CPPUNIT_ASSERT_EQUAL(std::string("/files/a%20b/"), DavPath::href("/files/a b", true));
        CPPUNIT_ASSERT_EQUAL(std::string("/files/%C3%A9%23"),
                             DavPath::href("/files/\xC3\xA9#", false));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DavPathTest);
