// The streaming multipart/form-data parser: parts in any chunking, caps,
// and malformed bodies refused without a crash.
#include <cppunit/extensions/HelperMacros.h>

#include <random>
#include <string>
#include <vector>

#include "Multipart.h"

using dad::MultipartParser;
using dad::MultipartPart;
using dad::Status;

namespace {

struct Collected : dad::MultipartHandler {
    std::vector<MultipartPart> parts;
    std::vector<std::string> bodies;
    int ended = 0;
    size_t largestPiece = 0;
    Status partBegin(const MultipartPart& part) override {
        parts.push_back(part);
        bodies.emplace_back();
        return Status::ok();
    }
    Status partData(const char* data, size_t length) override {
        bodies.back().append(data, length);
        largestPiece = std::max(largestPiece, length);
        return Status::ok();
    }
    Status partEnd() override {
        ++ended;
        return Status::ok();
    }
};

const std::string kBoundary = "----WebKitFormBoundaryx7Gq";

std::string form(const std::string& fileContent) {
    return "--" + kBoundary +
           "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc123\r\n--" + kBoundary +
           "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".txt\"\r\n"
           "Content-Type: text/plain\r\n\r\n" +
           fileContent + "\r\n--" + kBoundary + "--\r\n";
}

Status parseInChunks(const std::string& body, size_t chunk, Collected& out) {
    MultipartParser parser(kBoundary, out);
    for (size_t i = 0; i < body.size(); i += chunk) {
        if (Status s = parser.feed(body.data() + i, std::min(chunk, body.size() - i)); !s) return s;
    }
    return parser.finish();
}

}  // namespace

class MultipartTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(MultipartTest);
    CPPUNIT_TEST(testBoundaryFromContentType);
    CPPUNIT_TEST(testPartsInAnyChunking);
    CPPUNIT_TEST(testBodyThatLooksLikeADelimiterIsData);
    CPPUNIT_TEST(testLargePartStreamsInPieces);
    CPPUNIT_TEST(testTruncatedBodyRefused);
    CPPUNIT_TEST(testHeaderBlockTooLongRefused);
    CPPUNIT_TEST(testTooManyPartsRefused);
    CPPUNIT_TEST(testPartWithoutDispositionRefused);
    CPPUNIT_TEST(testNoBoundaryInPreambleRefused);
    CPPUNIT_TEST(testHandlerErrorStops);
    CPPUNIT_TEST(testRandomGarbageNeverCrashes);
    CPPUNIT_TEST_SUITE_END();

public:
    void testBoundaryFromContentType() {
        std::string b;
        CPPUNIT_ASSERT(MultipartParser::boundaryOf("multipart/form-data; boundary=abc", b));
        CPPUNIT_ASSERT_EQUAL(std::string("abc"), b);
        CPPUNIT_ASSERT(
            MultipartParser::boundaryOf("Multipart/Form-Data; charset=x; BOUNDARY=\"a b\"", b));
        CPPUNIT_ASSERT_EQUAL(std::string("a b"), b);
        CPPUNIT_ASSERT(!MultipartParser::boundaryOf("multipart/mixed; boundary=abc", b));
        CPPUNIT_ASSERT(!MultipartParser::boundaryOf("multipart/form-data", b));
        CPPUNIT_ASSERT(!MultipartParser::boundaryOf("multipart/form-data; boundary=", b));
        CPPUNIT_ASSERT(!MultipartParser::boundaryOf(
            "multipart/form-data; boundary=" + std::string(71, 'x'), b));
        CPPUNIT_ASSERT(!MultipartParser::boundaryOf("multipart/form-data; boundary=a\"b", b));
        CPPUNIT_ASSERT(!MultipartParser::boundaryOf("multipart/form-data; boundary=\"abc", b));
    }

    void testPartsInAnyChunking() {
        const std::string body = form("hello\r\nworld");
        for (size_t chunk : {size_t(1), size_t(2), size_t(3), size_t(7), size_t(64), body.size()}) {
            Collected c;
            CPPUNIT_ASSERT(parseInChunks(body, chunk, c));
            CPPUNIT_ASSERT_EQUAL(size_t(2), c.parts.size());
            CPPUNIT_ASSERT_EQUAL(2, c.ended);
            CPPUNIT_ASSERT_EQUAL(std::string("csrf"), c.parts[0].name);
            CPPUNIT_ASSERT(!c.parts[0].hasFileName);
            CPPUNIT_ASSERT_EQUAL(std::string("abc123"), c.bodies[0]);
            CPPUNIT_ASSERT_EQUAL(std::string("file"), c.parts[1].name);
            CPPUNIT_ASSERT(c.parts[1].hasFileName);
            CPPUNIT_ASSERT_EQUAL(std::string("a \"b\".txt"), c.parts[1].fileName);
            CPPUNIT_ASSERT_EQUAL(std::string("text/plain"), c.parts[1].contentType);
            CPPUNIT_ASSERT_EQUAL(std::string("hello\r\nworld"), c.bodies[1]);
        }
    }

    void testBodyThatLooksLikeADelimiterIsData() {
        const std::string tricky = "\r\n--" + kBoundary.substr(0, 10) + "x\r\n--" + kBoundary + "X";
        // "--boundaryX" without the CRLF before it, and a near miss, are data.
        const std::string content = "a--" + kBoundary + "\r\n" + tricky;
        Collected c;
        // The last one ("\r\n--<boundary>X") is a delimiter by RFC 2046 only
        // when followed by CRLF or "--": it is refused as malformed.
        Status s = parseInChunks(form(content), 5, c);
        CPPUNIT_ASSERT(!s);
        Collected d;
        const std::string fine = "a--" + kBoundary + "\r\n" + "\r\n--" + kBoundary.substr(0, 10);
        CPPUNIT_ASSERT(parseInChunks(form(fine), 5, d));
        CPPUNIT_ASSERT_EQUAL(fine, d.bodies[1]);
    }

    void testLargePartStreamsInPieces() {
        std::string content(3 * 1024 * 1024, 'z');
        for (size_t i = 0; i < content.size(); i += 4099)
            content[i] = '\r';
        Collected c;
        CPPUNIT_ASSERT(parseInChunks(form(content), 65536, c));
        CPPUNIT_ASSERT(content == c.bodies[1]);
        CPPUNIT_ASSERT(c.largestPiece <= 65536 + 128);
    }

    void testTruncatedBodyRefused() {
        const std::string body = form("data");
        for (size_t cut : {size_t(0), size_t(10), body.size() / 2, body.size() - 3}) {
            Collected c;
            CPPUNIT_ASSERT(!parseInChunks(body.substr(0, cut), 4, c));
        }
    }

    void testHeaderBlockTooLongRefused() {
        const std::string body = "--" + kBoundary +
                                 "\r\nContent-Disposition: form-data; name=\"x\"\r\nX-Long: " +
                                 std::string(MultipartParser::kMaxHeaderBytes, 'h') +
                                 "\r\n\r\nv\r\n--" + kBoundary + "--\r\n";
        Collected c;
        Status s = parseInChunks(body, 1000, c);
        CPPUNIT_ASSERT(!s);
        CPPUNIT_ASSERT(s.code() == dad::StatusCode::InvalidArgument);
    }

    void testTooManyPartsRefused() {
        std::string body;
        for (size_t i = 0; i <= MultipartParser::kMaxParts; ++i) {
            body += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"f" +
                    std::to_string(i) + "\"\r\n\r\nv\r\n";
        }
        body += "--" + kBoundary + "--\r\n";
        Collected c;
        CPPUNIT_ASSERT(!parseInChunks(body, 100, c));
        CPPUNIT_ASSERT_EQUAL(MultipartParser::kMaxParts, c.parts.size());
    }

    void testPartWithoutDispositionRefused() {
        Collected c;
        CPPUNIT_ASSERT(!parseInChunks(
            "--" + kBoundary + "\r\nContent-Type: text/plain\r\n\r\nv\r\n--" + kBoundary + "--\r\n",
            7, c));
        Collected d;
        CPPUNIT_ASSERT(!parseInChunks(
            "--" + kBoundary + "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--" +
                kBoundary + "--\r\n",
            7, d));
        Collected e;
        CPPUNIT_ASSERT(!parseInChunks(
            "--" + kBoundary + "\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nv\r\n--" +
                kBoundary + "--\r\n",
            7, e));
        // An empty name (found by fuzz_multipart) names no field either.
        Collected f;
        CPPUNIT_ASSERT(!parseInChunks(
            "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\r\n\r\nv\r\n--" +
                kBoundary + "--\r\n",
            7, f));
    }

    void testNoBoundaryInPreambleRefused() {
        Collected c;
        CPPUNIT_ASSERT(
            !parseInChunks(std::string(MultipartParser::kMaxPreambleBytes + 200, 'p'), 512, c));
        CPPUNIT_ASSERT(c.parts.empty());
        // A short preamble is allowed.
        Collected d;
        CPPUNIT_ASSERT(parseInChunks("ignored preamble\r\n" + form("x"), 3, d));
        CPPUNIT_ASSERT_EQUAL(std::string("x"), d.bodies[1]);
    }

    void testHandlerErrorStops() {
        struct Refusing : Collected {
            Status partBegin(const MultipartPart& part) override {
                if (part.hasFileName) return Status::denied("no");
                return Collected::partBegin(part);
            }
        } r;
        MultipartParser parser(kBoundary, r);
        const std::string body = form("data");
        Status s = parser.feed(body.data(), body.size());
        CPPUNIT_ASSERT(s.code() == dad::StatusCode::PermissionDenied);
        CPPUNIT_ASSERT(!parser.feed("x", 1));
        CPPUNIT_ASSERT(!parser.finish());
    }

    void testRandomGarbageNeverCrashes() {
        std::mt19937 random(42);
        const std::string base = form("content");
        for (int round = 0; round < 2000; ++round) {
            std::string body = base;
            const int edits = 1 + static_cast<int>(random() % 8);
            for (int e = 0; e < edits; ++e) {
                const size_t at = random() % body.size();
                switch (random() % 3) {
                    case 0:
                        body[at] = static_cast<char>(random() % 256);
                        break;
                    case 1:
                        body.erase(at, 1 + random() % 5);
                        break;
                    default:
                        body.insert(at, std::string(1 + random() % 5, "-\r\n\"x"[random() % 5]));
                }
                if (body.empty()) body = "x";
            }
            Collected c;
            (void)parseInChunks(body, 1 + random() % 40, c);
            CPPUNIT_ASSERT(c.parts.size() <= MultipartParser::kMaxParts);
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(MultipartTest);
