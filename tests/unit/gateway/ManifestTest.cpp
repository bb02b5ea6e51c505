#include <cppunit/extensions/HelperMacros.h>

#include "Manifest.h"

using dad::Manifest;
using dad::ManifestParser;
using dad::Status;
using dad::StatusCode;

class ManifestTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ManifestTest);
    CPPUNIT_TEST(testEveryKeyParsed);
    CPPUNIT_TEST(testUnknownKeyNamesItsLine);
    CPPUNIT_TEST(testDuplicateKeyRefused);
    CPPUNIT_TEST(testBadExpiresNamesItsLine);
    CPPUNIT_TEST(testBadMaxDownloadsNamesItsLine);
    CPPUNIT_TEST(testBadNotifyNamesItsLine);
    CPPUNIT_TEST(testRepeatedToAndCcAccumulate);
    CPPUNIT_TEST(testExpiresDurationIsSecondsAfterSending);
    CPPUNIT_TEST(testExpiresDateIsAbsoluteTime);
    CPPUNIT_TEST(testLargerThan64KiBRefused);
    CPPUNIT_TEST(testControlCharacterRefused);
    CPPUNIT_TEST(testCrlfLineEndingsAccepted);
    CPPUNIT_TEST(testLineWithoutEqualsRefused);
    CPPUNIT_TEST(testBadAddressRefused);
    CPPUNIT_TEST(testGroupsAreAddresses);
    CPPUNIT_TEST(testParseDuration);
    CPPUNIT_TEST_SUITE_END();

    static Status parse(const std::string& text, Manifest& m) {
        return ManifestParser::parse(text, m);
    }
    static std::string error(const std::string& text) {
        Manifest m;
        Status s = parse(text, m);
        if (s) return "OK";
        CPPUNIT_ASSERT(s.code() == StatusCode::InvalidArgument);
        return s.message();
    }
    static bool startsWith(const std::string& text, const std::string& prefix) {
        return text.rfind(prefix, 0) == 0;
    }

public:
    void testEveryKeyParsed() {
        Manifest m;
        const Status s = parse(
            "to = bob, carol@example.com\n"
            "cc = dave\n"
            "message = Here are the files\n"
            "message = second line\n"
            "expires = 2026-12-01T12:00:00Z\n"
            "max_downloads = 3\n"
            "password = s3cret pass\n"
            "notify = email\n"
            "forward_to = peer1, ftp-backup\n",
            m);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        CPPUNIT_ASSERT((m.to == std::vector<std::string>{"bob", "carol@example.com"}));
        CPPUNIT_ASSERT((m.cc == std::vector<std::string>{"dave"}));
        CPPUNIT_ASSERT_EQUAL(std::string("Here are the files\nsecond line"), m.message);
        CPPUNIT_ASSERT(m.expiresAt.has_value());
        CPPUNIT_ASSERT_EQUAL(int64_t{1796126400}, *m.expiresAt);
        CPPUNIT_ASSERT(!m.expiresAfter.has_value());
        CPPUNIT_ASSERT(m.maxDownloads.has_value());
        CPPUNIT_ASSERT_EQUAL(int64_t{3}, *m.maxDownloads);
        CPPUNIT_ASSERT(m.password.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("s3cret pass"), *m.password);
        CPPUNIT_ASSERT_EQUAL(std::string("email"), m.notify);
        CPPUNIT_ASSERT((m.forwardTo == std::vector<std::string>{"peer1", "ftp-backup"}));
    }

    void testUnknownKeyNamesItsLine() {
        // Comments and blank lines count as lines: "colour" is on line 5.
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 5: unknown key 'colour'"),
                             error("# a package for bob\n"
                                   "to = bob\n"
                                   "\n"
                                   "   \n"
                                   "colour = blue\n"
                                   "notify = none\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 1: unknown key 'colour'"),
                             error("colour = blue"));
    }

    void testDuplicateKeyRefused() {
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 3: duplicate key 'notify'"),
                             error("notify = email\nto = bob\nnotify = none\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 2: duplicate key 'expires'"),
                             error("expires = 7d\nexpires = 2026-01-01\n"));
    }

    void testBadExpiresNamesItsLine() {
        CPPUNIT_ASSERT(startsWith(error("to = bob\nexpires = soon\n"), ".dad line 2: expires "));
        CPPUNIT_ASSERT(startsWith(error("\n\nexpires = 2026-13-01\n"), ".dad line 3: expires "));
        CPPUNIT_ASSERT(startsWith(error("expires = 0d\n"), ".dad line 1: expires "));
        CPPUNIT_ASSERT(startsWith(error("expires = 7x\n"), ".dad line 1: expires "));
    }

    void testBadMaxDownloadsNamesItsLine() {
        for (const char* bad : {"0", "-1", "three", "1.5", "1000001", ""}) {
            const std::string text = "# limit\nmax_downloads = " + std::string(bad) + "\n";
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                bad,
                std::string(".dad line 2: max_downloads must be a whole number from 1 to "
                            "1000000"),
                error(text));
        }
    }

    void testBadNotifyNamesItsLine() {
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 4: notify must be email or none"),
                             error("to = bob\n#\n\nnotify = pigeon\n"));
    }

    void testRepeatedToAndCcAccumulate() {
        Manifest m;
        const Status s = parse("to = bob\ncc = x@example.org\nto = carol, dave\ncc = erin\n", m);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        CPPUNIT_ASSERT((m.to == std::vector<std::string>{"bob", "carol", "dave"}));
        CPPUNIT_ASSERT((m.cc == std::vector<std::string>{"x@example.org", "erin"}));
    }

    void testExpiresDurationIsSecondsAfterSending() {
        Manifest m;
        CPPUNIT_ASSERT(parse("expires = 7d\n", m).isOk());
        CPPUNIT_ASSERT(m.expiresAfter.has_value());
        CPPUNIT_ASSERT_EQUAL(int64_t{604800}, *m.expiresAfter);
        CPPUNIT_ASSERT(!m.expiresAt.has_value());
        CPPUNIT_ASSERT(parse("expires = 24h", m).isOk());
        CPPUNIT_ASSERT_EQUAL(int64_t{86400}, *m.expiresAfter);
    }

    void testExpiresDateIsAbsoluteTime() {
        Manifest m;
        CPPUNIT_ASSERT(parse("expires = 2026-12-01\n", m).isOk());
        CPPUNIT_ASSERT(m.expiresAt.has_value());
        CPPUNIT_ASSERT_EQUAL(int64_t{1796083200}, *m.expiresAt);  // 2026-12-01T00:00:00Z
        CPPUNIT_ASSERT(!m.expiresAfter.has_value());
    }

    void testLargerThan64KiBRefused() {
        // Comment lines only, so the size alone decides.
        std::string text;
        while (text.size() < ManifestParser::kMaxBytes)
            text += "# padding padding padding padding padding padding padding padding\n";
        text.resize(ManifestParser::kMaxBytes - 1);
        text += "\n";
        Manifest m;
        CPPUNIT_ASSERT_MESSAGE("exactly 64 KiB is allowed", parse(text, m).isOk());
        text += "to = bob\n";
        const Status s = parse(text, m);
        CPPUNIT_ASSERT(!s);
        CPPUNIT_ASSERT(s.code() == StatusCode::InvalidArgument);
        CPPUNIT_ASSERT(s.message().find("larger than 65536 bytes") != std::string::npos);
    }

    void testControlCharacterRefused() {
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 2: control character"),
                             error("to = bob\nmessage = hi\x01there\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 1: control character"),
                             error(std::string("message = a\0b\n", 14)));
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 1: control character"),
                             error("message = a\rb\n"));
        // A tab is whitespace, not a control character.
        CPPUNIT_ASSERT_EQUAL(std::string("OK"), error("to\t=\tbob\n"));
    }

    void testCrlfLineEndingsAccepted() {
        Manifest m;
        const Status s = parse("to = bob\r\nnotify = none\r\n\r\nmessage = hello\r\n", m);
        CPPUNIT_ASSERT_MESSAGE(s.message(), s.isOk());
        CPPUNIT_ASSERT((m.to == std::vector<std::string>{"bob"}));
        CPPUNIT_ASSERT_EQUAL(std::string("none"), m.notify);
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), m.message);
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 3: unknown key 'colour'"),
                             error("to = bob\r\n\r\ncolour = red\r\n"));
    }

    void testLineWithoutEqualsRefused() {
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 2: expected key = value"),
                             error("to = bob\njust some words\n"));
    }

    void testGroupsAreAddresses() {
        Manifest m;
        CPPUNIT_ASSERT(ManifestParser::parse("to = @team, bob\ncc = @ops.uk-1\n", m));
        CPPUNIT_ASSERT_EQUAL(std::string("@team"), m.to.at(0));
        CPPUNIT_ASSERT_EQUAL(std::string("@ops.uk-1"), m.cc.at(0));
        CPPUNIT_ASSERT_EQUAL(
            std::string(".dad line 1: '@-x' is not an account name, e-mail address or @group"),
            error("to = @-x\n"));
    }

    void testBadAddressRefused() {
        CPPUNIT_ASSERT_EQUAL(
            std::string(".dad line 1: 'bob@' is not an account name, e-mail address or @group"),
            error("to = bob@\n"));
        CPPUNIT_ASSERT_EQUAL(std::string(".dad line 2: 'a@b.c' is not a site name"),
                             error("to = bob\nforward_to = peer1, a@b.c\n"));
    }

    void testParseDuration() {
        int64_t seconds = 0;
        CPPUNIT_ASSERT(ManifestParser::parseDuration("30m", seconds));
        CPPUNIT_ASSERT_EQUAL(int64_t{1800}, seconds);
        CPPUNIT_ASSERT(ManifestParser::parseDuration("2w", seconds));
        CPPUNIT_ASSERT_EQUAL(int64_t{1209600}, seconds);
        CPPUNIT_ASSERT(ManifestParser::parseDuration("3600s", seconds));
        CPPUNIT_ASSERT_EQUAL(int64_t{3600}, seconds);
        CPPUNIT_ASSERT(!ManifestParser::parseDuration("d", seconds));
        CPPUNIT_ASSERT(!ManifestParser::parseDuration("-1d", seconds));
        CPPUNIT_ASSERT(!ManifestParser::parseDuration("1y", seconds));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ManifestTest);
