#include <cppunit/extensions/HelperMacros.h>

#include "FtpListing.h"
#include "FtpReplies.h"
#include "FtpStatusMap.h"

using namespace dad;

class FtpRepliesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(FtpRepliesTest);
    CPPUNIT_TEST(testSingleLine);
    CPPUNIT_TEST(testTextWithNewlinesBecomesMultiLine);
    CPPUNIT_TEST(testInnerLinesCannotEndTheReply);
    CPPUNIT_TEST(testControlCharactersNeverBreakFraming);
    CPPUNIT_TEST(testQuotePathDoublesQuotes);
    CPPUNIT_TEST(testStatusMapTable);
    CPPUNIT_TEST(testStatusTextFallsBackToSentence);
    CPPUNIT_TEST(testListLineLooksLikeLsL);
    CPPUNIT_TEST(testFactsForFileAndDirectory);
    CPPUNIT_TEST(testTimeValRoundTrip);
    CPPUNIT_TEST(testTimeValRejectsGarbage);
    CPPUNIT_TEST_SUITE_END();

public:
    void testSingleLine() {
        CPPUNIT_ASSERT_EQUAL(std::string("226 Transfer complete\r\n"),
                             ftpReply(226, "Transfer complete"));
        CPPUNIT_ASSERT_EQUAL(std::string("200 \r\n"), ftpMultilineReply(200, {}));
    }
    void testTextWithNewlinesBecomesMultiLine() {
        CPPUNIT_ASSERT_EQUAL(std::string("550-line 3: unknown key\r\n second\r\n550 end\r\n"),
                             ftpReply(550, "line 3: unknown key\nsecond\nend\n"));
    }
    void testInnerLinesCannotEndTheReply() {
        std::string r = ftpMultilineReply(211, {"Features:", "226 fake", "End"});
        CPPUNIT_ASSERT_EQUAL(std::string("211-Features:\r\n 226 fake\r\n211 End\r\n"), r);
    }
    void testControlCharactersNeverBreakFraming() {
        CPPUNIT_ASSERT_EQUAL(std::string("550 ab\r\n"), ftpReply(550, "a\rb"));
        CPPUNIT_ASSERT_EQUAL(std::string("550 a?b?\r\n"),
                             ftpReply(550, std::string("a\0b\x7f", 4)));
    }
    void testQuotePathDoublesQuotes() {
        CPPUNIT_ASSERT_EQUAL(std::string("\"/a \"\"b\"\"\""), ftpQuotePath("/a \"b\""));
    }
    void testStatusMapTable() {
        CPPUNIT_ASSERT_EQUAL(550, ftpReplyCode(StatusCode::NotFound, FtpContext::Path));
        CPPUNIT_ASSERT_EQUAL(550, ftpReplyCode(StatusCode::PermissionDenied, FtpContext::Path));
        CPPUNIT_ASSERT_EQUAL(552, ftpReplyCode(StatusCode::QuotaExceeded, FtpContext::Upload));
        CPPUNIT_ASSERT_EQUAL(550, ftpReplyCode(StatusCode::Exists, FtpContext::NewName));
        CPPUNIT_ASSERT_EQUAL(550, ftpReplyCode(StatusCode::Exists, FtpContext::Path));
        CPPUNIT_ASSERT_EQUAL(501, ftpReplyCode(StatusCode::InvalidArgument, FtpContext::Path));
        CPPUNIT_ASSERT_EQUAL(553, ftpReplyCode(StatusCode::InvalidArgument, FtpContext::NewName));
        CPPUNIT_ASSERT_EQUAL(550, ftpReplyCode(StatusCode::InvalidArgument, FtpContext::Upload));
        CPPUNIT_ASSERT_EQUAL(450, ftpReplyCode(StatusCode::Busy, FtpContext::Path));
        CPPUNIT_ASSERT_EQUAL(451, ftpReplyCode(StatusCode::IoError, FtpContext::Upload));
        CPPUNIT_ASSERT_EQUAL(504, ftpReplyCode(StatusCode::Unsupported, FtpContext::Path));
    }
    void testStatusTextFallsBackToSentence() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("quota of 1 GB reached"),
            ftpStatusText(Status::error(StatusCode::QuotaExceeded, "quota of 1 GB reached")));
        CPPUNIT_ASSERT_EQUAL(std::string("No such file or directory"),
                             ftpStatusText(Status::notFound("")));
    }
    void testListLineLooksLikeLsL() {
        FileInfo f;
        f.name = "report.pdf";
        f.size = 1234;
        f.mtime = 1700000000;  // 2023-11-14 22:13:20 UTC
        f.writable = true;
        std::string line = ftpListLine(f, "alice", 1700000000 + 60);
        CPPUNIT_ASSERT_EQUAL(
            std::string("-rw-r--r-- 1 alice alice          1234 Nov 14 22:13 report.pdf"), line);
        f.type = EntryType::Directory;
        f.writable = false;
        line = ftpListLine(f, "alice", 1700000000 + 365LL * 86400);
        CPPUNIT_ASSERT_EQUAL(
            std::string("dr-xr-xr-x 1 alice alice          4096 Nov 14  2023 report.pdf"), line);
    }
    void testFactsForFileAndDirectory() {
        FileInfo f;
        f.size = 5;
        f.mtime = 0;
        CPPUNIT_ASSERT_EQUAL(std::string("type=file;size=5;modify=19700101000000;perm=r; "),
                             ftpFacts(f));
        f.type = EntryType::Directory;
        f.writable = true;
        CPPUNIT_ASSERT_EQUAL(std::string("type=cdir;modify=19700101000000;perm=cdeflmp; "),
                             ftpFacts(f, "cdir"));
    }
    void testTimeValRoundTrip() {
        int64_t t = 0;
        CPPUNIT_ASSERT(ftpParseTimeVal("20231114221320", t));
        CPPUNIT_ASSERT_EQUAL(int64_t(1700000000), t);
        CPPUNIT_ASSERT(ftpParseTimeVal("20231114221320.123", t));
        CPPUNIT_ASSERT_EQUAL(std::string("20231114221320"), ftpTimeVal(1700000000));
    }
    void testTimeValRejectsGarbage() {
        int64_t t = 0;
        CPPUNIT_ASSERT(!ftpParseTimeVal("2023", t));
        CPPUNIT_ASSERT(!ftpParseTimeVal("2023111422132x", t));
        CPPUNIT_ASSERT(!ftpParseTimeVal("20231314221320", t));
        CPPUNIT_ASSERT(!ftpParseTimeVal("20231114221320.", t));
        CPPUNIT_ASSERT(!ftpParseTimeVal("20231114221320.12345", t));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FtpRepliesTest);
