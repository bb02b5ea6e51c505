#include <cppunit/extensions/HelperMacros.h>

#include "FtpCommandParser.h"

using dad::FtpCommand;
using dad::FtpCommandParser;
using dad::FtpParse;

class FtpCommandParserTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FtpCommandParserTest);
    CPPUNIT_TEST(testVerbIsUpperCasedAndArgumentKept);
    CPPUNIT_TEST(testBareLfEndsALine);
    CPPUNIT_TEST(testLineSplitAcrossFeeds);
    CPPUNIT_TEST(testPipelinedLinesComeOutInOrder);
    CPPUNIT_TEST(testCrInsideLineIsRefusedNotSplit);
    CPPUNIT_TEST(testNulInsideLineIsRefused);
    CPPUNIT_TEST(testOverlongLineDroppedOnceAndMemoryBounded);
    CPPUNIT_TEST(testTelnetNegotiationRemoved);
    CPPUNIT_TEST(testTelnetIpBeforeAbor);
    CPPUNIT_TEST(testDoubledIacIsLiteralByte);
    CPPUNIT_TEST(testSubnegotiationDropped);
    CPPUNIT_TEST(testBadVerbRefused);
    CPPUNIT_TEST(testEmptyLineRefused);
    CPPUNIT_TEST(testDiscardBufferedDropsPipelinedPlaintext);
    CPPUNIT_TEST(testUtf8ArgumentPassesThrough);
    CPPUNIT_TEST(testArgumentKeepsInnerAndTrailingSpaces);
    CPPUNIT_TEST_SUITE_END();

    static FtpParse one(FtpCommandParser& p, const std::string& bytes, FtpCommand& c) {
        p.feed(bytes.data(), bytes.size());
        return p.next(c);
    }

public:
    void testVerbIsUpperCasedAndArgumentKept() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "stor My File.txt\r\n", c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("STOR"), c.verb);
        CPPUNIT_ASSERT_EQUAL(std::string("My File.txt"), c.argument);
        CPPUNIT_ASSERT(one(p, "XSHA256 a\r\n", c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("XSHA256"), c.verb);
    }
    void testBareLfEndsALine() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "NOOP\n", c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("NOOP"), c.verb);
        CPPUNIT_ASSERT_EQUAL(std::string(), c.argument);
    }
    void testLineSplitAcrossFeeds() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "RET", c) == FtpParse::NeedMore);
        CPPUNIT_ASSERT(one(p, "R a", c) == FtpParse::NeedMore);
        CPPUNIT_ASSERT(one(p, "\r", c) == FtpParse::NeedMore);
        CPPUNIT_ASSERT(one(p, "\n", c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("RETR"), c.verb);
        CPPUNIT_ASSERT_EQUAL(std::string("a"), c.argument);
    }
    void testPipelinedLinesComeOutInOrder() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "USER a\r\nPASS b\r\nPWD\r\n", c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("USER"), c.verb);
        CPPUNIT_ASSERT(p.next(c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("PASS"), c.verb);
        CPPUNIT_ASSERT(p.next(c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("PWD"), c.verb);
        CPPUNIT_ASSERT(p.next(c) == FtpParse::NeedMore);
    }
    void testCrInsideLineIsRefusedNotSplit() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "DELE a\rDELE b\r\n", c) == FtpParse::BadLine);
        CPPUNIT_ASSERT(p.next(c) == FtpParse::NeedMore);
    }
    void testNulInsideLineIsRefused() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, std::string("DELE a\0b\r\n", 10), c) == FtpParse::BadLine);
    }
    void testOverlongLineDroppedOnceAndMemoryBounded() {
        FtpCommandParser p(64);
        FtpCommand c;
        std::string big(100000, 'A');
        p.feed(big.data(), big.size());
        CPPUNIT_ASSERT(p.buffered() <= 64);
        CPPUNIT_ASSERT(one(p, "\r\nNOOP\r\n", c) == FtpParse::LineTooLong);
        CPPUNIT_ASSERT(p.next(c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("NOOP"), c.verb);
    }
    void testTelnetNegotiationRemoved() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "\xff\xfb\x01NO\xff\xfe\x03OP\r\n", c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("NOOP"), c.verb);
    }
    void testTelnetIpBeforeAbor() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p,
                           "\xff\xf4\xff\xf2"
                           "ABOR\r\n",
                           c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("ABOR"), c.verb);
    }
    void testDoubledIacIsLiteralByte() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "DELE a\xff\xff\r\n", c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("a\xff"), c.argument);
    }
    void testSubnegotiationDropped() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "\xff\xfa\x18junk\r\n\xff\xf0PWD\r\n", c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("PWD"), c.verb);
    }
    void testBadVerbRefused() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "GET/ HTTP/1.1\r\n", c) == FtpParse::BadLine);
        CPPUNIT_ASSERT(one(p, "ABCDEFGHIJKLMNOPQ x\r\n", c) == FtpParse::BadLine);
    }
    void testEmptyLineRefused() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "\r\n", c) == FtpParse::BadLine);
        CPPUNIT_ASSERT(one(p, " NOOP\r\n", c) == FtpParse::BadLine);
    }
    void testDiscardBufferedDropsPipelinedPlaintext() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "AUTH TLS\r\nUSER evil\r\nPASS x", c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("AUTH"), c.verb);
        CPPUNIT_ASSERT(p.buffered() > 0);
        p.discardBuffered();
        CPPUNIT_ASSERT_EQUAL(size_t(0), p.buffered());
        CPPUNIT_ASSERT(one(p, "\r\n", c) == FtpParse::BadLine);
    }
    void testUtf8ArgumentPassesThrough() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "MKD r\xc3\xa9sum\xc3\xa9\r\n", c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string("r\xc3\xa9sum\xc3\xa9"), c.argument);
    }
    void testArgumentKeepsInnerAndTrailingSpaces() {
        FtpCommandParser p;
        FtpCommand c;
        CPPUNIT_ASSERT(one(p, "STOR  a  b \r\n", c) == FtpParse::Command);
        CPPUNIT_ASSERT_EQUAL(std::string(" a  b "), c.argument);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FtpCommandParserTest);
