#include <cppunit/extensions/HelperMacros.h>

#include "VirtualPath.h"

using dad::VirtualPath;

class VirtualPathTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VirtualPathTest);
    CPPUNIT_TEST(testRelativeJoinsCwd);
    CPPUNIT_TEST(testDotDotCannotEscapeRoot);
    CPPUNIT_TEST(testControlCharactersRefused);
    CPPUNIT_TEST(testBackslashRefused);
    CPPUNIT_TEST(testInvalidUtf8Refused);
    CPPUNIT_TEST(testUtf8NamesAccepted);
    CPPUNIT_TEST(testLongNameRefused);
    CPPUNIT_TEST_SUITE_END();

    static std::string resolve(const std::string& cwd, const std::string& raw) {
        std::string out;
        dad::Status s = VirtualPath::resolve(cwd, raw, out);
        return s ? out : "ERR:" + s.message();
    }

public:
    void testRelativeJoinsCwd() {
        CPPUNIT_ASSERT_EQUAL(std::string("/files/a/b"), resolve("/files", "a//b/."));
        CPPUNIT_ASSERT_EQUAL(std::string("/inbox"), resolve("/files", "/inbox/"));
        CPPUNIT_ASSERT_EQUAL(std::string("/"), resolve("/", ""));
    }
    void testDotDotCannotEscapeRoot() {
        CPPUNIT_ASSERT_EQUAL(std::string("/"), resolve("/files", "../../../.."));
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/passwd"), resolve("/", "../../etc/passwd"));
    }
    void testControlCharactersRefused() {
        CPPUNIT_ASSERT_EQUAL(std::string("ERR:control character in path"),
                             resolve("/", std::string("a\0b", 3)));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR:control character in path"), resolve("/", "a\nb"));
    }
    void testBackslashRefused() {
        CPPUNIT_ASSERT_EQUAL(std::string("ERR:backslash in path"), resolve("/", "..\\x"));
    }
    void testInvalidUtf8Refused() {
        CPPUNIT_ASSERT_EQUAL(std::string("ERR:path is not valid UTF-8"), resolve("/", "a\xff"));
        CPPUNIT_ASSERT_EQUAL(std::string("ERR:path is not valid UTF-8"), resolve("/", "\xc0\xaf"));
    }
    void testUtf8NamesAccepted() {
        CPPUNIT_ASSERT_EQUAL(std::string("/files/Grüße ☃"), resolve("/files", "Grüße ☃"));
    }
    void testLongNameRefused() {
        CPPUNIT_ASSERT(resolve("/", std::string(256, 'a')).rfind("ERR:", 0) == 0);
        CPPUNIT_ASSERT_EQUAL(std::string("/") + std::string(255, 'a'),
                             resolve("/", std::string(255, 'a')));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(VirtualPathTest);
