// The pure parts of the package pages: byte ranges, forms, cookies,
// attachment names, escaping, signed values and the password attempt limit.
#include <cppunit/extensions/HelperMacros.h>

#include "AttemptLimiter.h"
#include "HttpValues.h"
#include "LinkAccess.h"
#include "PackagePageHtml.h"
#include "PageSigner.h"

using namespace dad;

class PackagePagesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PackagePagesTest);
    CPPUNIT_TEST(testByteRanges);
    CPPUNIT_TEST(testUrlEncodedForm);
    CPPUNIT_TEST(testCookieValue);
    CPPUNIT_TEST(testAttachmentDispositionIsSafe);
    CPPUNIT_TEST(testPercentCoding);
    CPPUNIT_TEST(testPageEscapesWhatTheSenderWrote);
    CPPUNIT_TEST(testPasswordCookieBoundToTokenHashAndTime);
    CPPUNIT_TEST(testFormTokenBoundToToken);
    CPPUNIT_TEST(testAttemptLimiterWindow);
    CPPUNIT_TEST(testAttemptLimiterMemoryBounded);
    CPPUNIT_TEST(testPlausibleTokens);
    CPPUNIT_TEST_SUITE_END();

public:
    void testByteRanges() {
        ByteRange r;
        CPPUNIT_ASSERT(parseByteRange("bytes=0-99", 1000, r) == RangeResult::Partial);
        CPPUNIT_ASSERT_EQUAL(uint64_t(0), r.first);
        CPPUNIT_ASSERT_EQUAL(uint64_t(99), r.last);
        CPPUNIT_ASSERT(parseByteRange("bytes=900-", 1000, r) == RangeResult::Partial);
        CPPUNIT_ASSERT_EQUAL(uint64_t(999), r.last);
        CPPUNIT_ASSERT(parseByteRange("bytes=-10", 1000, r) == RangeResult::Partial);
        CPPUNIT_ASSERT_EQUAL(uint64_t(990), r.first);
        CPPUNIT_ASSERT(parseByteRange("bytes=500-5000", 1000, r) == RangeResult::Partial);
        CPPUNIT_ASSERT_EQUAL(uint64_t(999), r.last);
        CPPUNIT_ASSERT(parseByteRange("bytes=1000-", 1000, r) == RangeResult::Unsatisfiable);
        CPPUNIT_ASSERT(parseByteRange("bytes=-0", 1000, r) == RangeResult::Unsatisfiable);
        CPPUNIT_ASSERT(parseByteRange("bytes=0-1,5-6", 1000, r) == RangeResult::Whole);
        CPPUNIT_ASSERT(parseByteRange("bytes=9-1", 1000, r) == RangeResult::Whole);
        CPPUNIT_ASSERT(parseByteRange("items=0-1", 1000, r) == RangeResult::Whole);
        CPPUNIT_ASSERT(parseByteRange("bytes=99999999999999999999-", 1000, r) ==
                       RangeResult::Whole);
        CPPUNIT_ASSERT(parseByteRange("bytes=a-b", 1000, r) == RangeResult::Whole);
    }

    void testUrlEncodedForm() {
        std::map<std::string, std::string> f;
        CPPUNIT_ASSERT(parseUrlEncodedForm("password=open+sesame%21&x=&y", f));
        CPPUNIT_ASSERT_EQUAL(std::string("open sesame!"), f["password"]);
        CPPUNIT_ASSERT(f.count("x") && f.count("y"));
        CPPUNIT_ASSERT(parseUrlEncodedForm("a=1&a=2", f));
        CPPUNIT_ASSERT_EQUAL(std::string("1"), f["a"]);
        CPPUNIT_ASSERT(parseUrlEncodedForm("", f));
        CPPUNIT_ASSERT(f.empty());
        CPPUNIT_ASSERT(!parseUrlEncodedForm("a=%zz", f));
        CPPUNIT_ASSERT(!parseUrlEncodedForm("a=%00", f));
        CPPUNIT_ASSERT(!parseUrlEncodedForm("a=%4", f));
        std::string many;
        for (int i = 0; i < 20; ++i)
            many += "f" + std::to_string(i) + "=1&";
        CPPUNIT_ASSERT(!parseUrlEncodedForm(many, f));
    }

    void testCookieValue() {
        CPPUNIT_ASSERT_EQUAL(std::string("v1"), cookieValue("a=b; dadpw=v1; c=d", "dadpw"));
        CPPUNIT_ASSERT_EQUAL(std::string("v2"), cookieValue("dadpw=\"v2\"", "dadpw"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), cookieValue("xdadpw=v; dadpwx=w", "dadpw"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), cookieValue("", "dadpw"));
    }

    void testAttachmentDispositionIsSafe() {
        const std::string d = attachmentDisposition("dir/r\xc3\xa9sum\xc3\xa9 \"1\";\r\n.pdf");
        CPPUNIT_ASSERT(d.find("attachment; filename=\"") == 0);
        CPPUNIT_ASSERT(d.find('\r') == std::string::npos && d.find('\n') == std::string::npos);
        CPPUNIT_ASSERT(d.find("filename*=UTF-8''r%C3%A9sum%C3%A9%20%221%22%3B%0D%0A.pdf") !=
                       std::string::npos);
        CPPUNIT_ASSERT(d.find("dir") == std::string::npos);
    }

    void testPercentCoding() {
        CPPUNIT_ASSERT_EQUAL(std::string("a%20b/c%3F"), percentEncode("a b/c?", true));
        CPPUNIT_ASSERT_EQUAL(std::string("a%2Fb"), percentEncode("a/b", false));
        std::string out;
        CPPUNIT_ASSERT(percentDecode("a%20b%2fc", out));
        CPPUNIT_ASSERT_EQUAL(std::string("a b/c"), out);
        CPPUNIT_ASSERT(!percentDecode("a%2", out));
        CPPUNIT_ASSERT(!percentDecode("%%", out));
    }

    void testPageEscapesWhatTheSenderWrote() {
        PackageView v;
        v.name = "<script>alert(1)</script>";
        v.sender = "a\"b";
        v.message = "x' onmouseover='y";
        v.files.push_back({"<img src=x>", 5, "ab", "/p/t/f/%3Cimg"});
        const std::string html = packagePageHtml(v);
        CPPUNIT_ASSERT(html.find("<script>") == std::string::npos);
        CPPUNIT_ASSERT(html.find("<img src=x>") == std::string::npos);
        CPPUNIT_ASSERT(html.find("&lt;script&gt;") != std::string::npos);
        CPPUNIT_ASSERT(html.find("x&#39; onmouseover") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("1.5 KiB"), humanSize(1536));
        CPPUNIT_ASSERT_EQUAL(std::string("12 bytes"), humanSize(12));
    }

    void testPasswordCookieBoundToTokenHashAndTime() {
        PageSigner signer("key-1");
        const std::string c = signer.passwordCookie("tok", "hash", 1000);
        CPPUNIT_ASSERT(signer.validPasswordCookie(c, "tok", "hash", 999));
        CPPUNIT_ASSERT(!signer.validPasswordCookie(c, "tok", "hash", 1000));  // expired
        CPPUNIT_ASSERT(!signer.validPasswordCookie(c, "tok2", "hash", 1));
        CPPUNIT_ASSERT(!signer.validPasswordCookie(c, "tok", "new-hash", 1));
        CPPUNIT_ASSERT(!PageSigner("key-2").validPasswordCookie(c, "tok", "hash", 1));
        // A later expiry cannot be written in without the key.
        CPPUNIT_ASSERT(!signer.validPasswordCookie("9" + c, "tok", "hash", 1));
        CPPUNIT_ASSERT(!signer.validPasswordCookie("", "tok", "hash", 1));
        CPPUNIT_ASSERT(!signer.validPasswordCookie(".", "tok", "hash", 1));
        CPPUNIT_ASSERT(!signer.validPasswordCookie("x.y", "tok", "hash", 1));
        // Two signers with random keys disagree.
        CPPUNIT_ASSERT(PageSigner().formToken("t") != PageSigner().formToken("t"));
    }

    void testFormTokenBoundToToken() {
        PageSigner signer("k");
        CPPUNIT_ASSERT(signer.validFormToken(signer.formToken("a"), "a"));
        CPPUNIT_ASSERT(!signer.validFormToken(signer.formToken("a"), "b"));
        CPPUNIT_ASSERT(!signer.validFormToken("", "a"));
    }

    void testAttemptLimiterWindow() {
        int64_t now = 100;
        AttemptLimiter limiter(3, 60, [&] { return now; });
        for (int i = 0; i < 3; ++i) {
            CPPUNIT_ASSERT(!limiter.blocked("k"));
            limiter.recordFailure("k");
        }
        CPPUNIT_ASSERT(limiter.blocked("k"));
        CPPUNIT_ASSERT(!limiter.blocked("other"));
        now += 59;
        CPPUNIT_ASSERT(limiter.blocked("k"));
        now += 1;  // the first failures leave the window
        CPPUNIT_ASSERT(!limiter.blocked("k"));
        limiter.recordFailure("k");
        limiter.recordFailure("k");
        limiter.recordFailure("k");
        CPPUNIT_ASSERT(limiter.blocked("k"));
        limiter.reset("k");
        CPPUNIT_ASSERT(!limiter.blocked("k"));
    }

    void testAttemptLimiterMemoryBounded() {
        int64_t now = 0;
        AttemptLimiter limiter(2, 60, [&] { return now; });
        for (size_t i = 0; i < AttemptLimiter::kMaxKeys + 50; ++i) {
            limiter.recordFailure("k" + std::to_string(i));
            limiter.recordFailure("k" + std::to_string(i));
        }
        // The newest keys are kept; the oldest made room.
        CPPUNIT_ASSERT(limiter.blocked("k" + std::to_string(AttemptLimiter::kMaxKeys + 49)));
    }

    void testPlausibleTokens() {
        CPPUNIT_ASSERT(LinkAccess::plausibleToken("abcdefghijklmnop_-AZ09"));
        CPPUNIT_ASSERT(!LinkAccess::plausibleToken("short"));
        CPPUNIT_ASSERT(!LinkAccess::plausibleToken("abcdefghijklmnop/.."));
        CPPUNIT_ASSERT(!LinkAccess::plausibleToken(std::string(129, 'a')));
        CPPUNIT_ASSERT(!LinkAccess::plausibleToken("abcdefghijklmnop%20"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PackagePagesTest);
