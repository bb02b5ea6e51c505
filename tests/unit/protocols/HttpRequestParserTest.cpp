// HttpRequestParser: the strict HTTP/1.1 framing behind every HTTPS endpoint.
// Each raw request of the smuggling table is either refused with its status
// or framed exactly, so that what follows it is read as what it is.
#include <cppunit/extensions/HelperMacros.h>

#include <string>

#include "HttpRequestParser.h"

using dad::HttpLimits;
using dad::HttpRequestParser;
using Result = HttpRequestParser::Result;

namespace {

struct Parsed {
    int status = 0;  // 0: framed; else the error's status
    std::string reason;
    std::string body;
    std::string rest;  // the bytes after the request: the next request, if any
    Poco::Net::HTTPRequest request;
};

// Parses one request out of `raw`, giving the parser `step` bytes at a time
// and taking the body through an output buffer of `out` bytes.
Parsed parse(const std::string& raw, size_t step = 1 << 20, size_t out = 7,
             const HttpLimits& limits = HttpLimits()) {
    Parsed p;
    HttpRequestParser parser(limits);
    size_t at = 0;
    std::string pending;
    Result r = Result::needMore;
    while (r == Result::needMore && at < raw.size()) {
        pending += raw.substr(at, step);
        at += std::min(step, raw.size() - at);
        size_t used = 0;
        r = parser.parseHead(pending.data(), pending.size(), used);
        pending.erase(0, used);
    }
    if (r == Result::failed) {
        p.status = parser.error().status;
        p.reason = parser.error().reason;
        return p;
    }
    CPPUNIT_ASSERT(r == Result::ready);
    parser.fillRequest(p.request);
    std::string input = pending + raw.substr(at);
    if (!parser.chunked()) {
        p.body = input.substr(0, parser.contentLength());
        p.rest = input.substr(p.body.size());
        return p;
    }
    std::string buffer(out, '\0');
    size_t offset = 0;
    std::string fed;
    for (;;) {
        if (fed.empty() && offset < input.size()) {
            fed = input.substr(offset, step);
            offset += fed.size();
        }
        size_t used = 0, produced = 0;
        r = parser.parseBody(fed.data(), fed.size(), used, &buffer[0], buffer.size(), produced);
        p.body.append(buffer.data(), produced);
        fed.erase(0, used);
        if (r == Result::failed) {
            p.status = parser.error().status;
            p.reason = parser.error().reason;
            return p;
        }
        if (r == Result::done) break;
        if (r == Result::needMore) {
            if (offset >= input.size()) {
                p.status = -1;  // the parser still waits: the body never ended
                return p;
            }
            const std::string more = input.substr(offset, step);
            offset += more.size();
            fed += more;
        }
    }
    p.rest = fed + input.substr(offset);
    return p;
}

const std::string kNext = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";

}  // namespace

class HttpRequestParserTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HttpRequestParserTest);
    CPPUNIT_TEST(testContentLengthFramesExactly);
    CPPUNIT_TEST(testDifferingOrSignedContentLengthsRefused);
    CPPUNIT_TEST(testTransferEncodingNotEndingInChunkedRefused);
    CPPUNIT_TEST(testObsFoldAndSpaceBeforeColonRefused);
    CPPUNIT_TEST(testTransferEncodingOnHttp10Refused);
    CPPUNIT_TEST(testContentLengthWithTransferEncodingRefused);
    CPPUNIT_TEST(testChunkedBodyDecodedWithTrailerConsumed);
    CPPUNIT_TEST(testMalformedChunkSizesRefused);
    CPPUNIT_TEST(testRequestLineShapeAndVersion);
    CPPUNIT_TEST(testHostRequiredOnceOnHttp11);
    CPPUNIT_TEST(testControlCharactersAndBareLineEndsRefused);
    CPPUNIT_TEST(testLimitsAnswerTheirStatus);
    CPPUNIT_TEST(testByteByByteGivesTheSameFraming);
    CPPUNIT_TEST_SUITE_END();

public:
    void testContentLengthFramesExactly() {
        Parsed p = parse("PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nabcde" + kNext);
        CPPUNIT_ASSERT_EQUAL(0, p.status);
        CPPUNIT_ASSERT_EQUAL(std::string("abcde"), p.body);
        CPPUNIT_ASSERT_EQUAL(kNext, p.rest);
        CPPUNIT_ASSERT_EQUAL(std::string("PUT"), p.request.getMethod());
        CPPUNIT_ASSERT_EQUAL(std::string("/f"), p.request.getURI());
        CPPUNIT_ASSERT_EQUAL(Poco::Int64(5), p.request.getContentLength64());
        // A list of one value repeated is that value (RFC 9110 8.6), in one form.
        p = parse("PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nabcde");
        CPPUNIT_ASSERT_EQUAL(0, p.status);
        CPPUNIT_ASSERT_EQUAL(std::string("5"), p.request.get("Content-Length"));
    }
    void testDifferingOrSignedContentLengthsRefused() {
        for (const char* field :
             {"Content-Length: 3\r\nContent-Length: 5", "Content-Length: 3, 5",
              "Content-Length: +5", "Content-Length: -5", "Content-Length: 0x5",
              "Content-Length: 5 5", "Content-Length: 99999999999999999999999"}) {
            Parsed p =
                parse(std::string("POST / HTTP/1.1\r\nHost: a\r\n") + field + "\r\n\r\nabcde");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(field, 400, p.status);
        }
    }
    void testTransferEncodingNotEndingInChunkedRefused() {
        for (const char* coding :
             {"xchunked", "chunked, identity", "identity", "chunkedx", "\"chunked\""}) {
            Parsed p = parse(std::string("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ") +
                             coding + "\r\n\r\n5\r\nabcde\r\n0\r\n\r\n");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(coding, 400, p.status);
        }
        // chunked last but after a coding we do not decode: not implemented.
        Parsed p = parse(
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(501, p.status);
        // The name and the coding are case-insensitive.
        p = parse("POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: Chunked\r\n\r\n0\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(0, p.status);
    }
    void testObsFoldAndSpaceBeforeColonRefused() {
        CPPUNIT_ASSERT_EQUAL(400, parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n "
                                        "chunked\r\n\r\n0\r\n\r\n")
                                      .status);
        CPPUNIT_ASSERT_EQUAL(400,
                             parse("POST / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\tmore\r\n\r\n").status);
        CPPUNIT_ASSERT_EQUAL(400, parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : "
                                        "chunked\r\n\r\n0\r\n\r\n")
                                      .status);
        CPPUNIT_ASSERT_EQUAL(400, parse("GET / HTTP/1.1\r\n Host: a\r\n\r\n").status);
    }
    void testTransferEncodingOnHttp10Refused() {
        Parsed p = parse(
            "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n0\r\n"
            "\r\n");
        CPPUNIT_ASSERT_EQUAL(400, p.status);
    }
    void testContentLengthWithTransferEncodingRefused() {
        CPPUNIT_ASSERT_EQUAL(400, parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                                        "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                                      .status);
        CPPUNIT_ASSERT_EQUAL(400, parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                                        "chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n")
                                      .status);
    }
    void testChunkedBodyDecodedWithTrailerConsumed() {
        Parsed p = parse(
            "PUT /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5;name=value\r\nabcde\r\n10\r\n0123456789abcdef\r\n0\r\nX-Trailer: 1\r\n"
            "\r\n" +
            kNext);
        CPPUNIT_ASSERT_EQUAL(0, p.status);
        CPPUNIT_ASSERT_EQUAL(std::string("abcde0123456789abcdef"), p.body);
        CPPUNIT_ASSERT_EQUAL(kNext, p.rest);
        CPPUNIT_ASSERT(!p.request.has("Content-Length"));
    }
    void testMalformedChunkSizesRefused() {
        for (const char* chunks :
             {"100000000000000000005\r\nabcde\r\n0\r\n\r\n", "-5\r\nabcde\r\n0\r\n\r\n",
              "zz\r\nabcde\r\n0\r\n\r\n", "0x5\r\nabcde\r\n0\r\n\r\n", "5\r\nabcdeX0\r\n\r\n",
              " 5\r\nabcde\r\n0\r\n\r\n"}) {
            Parsed p = parse(
                std::string("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n") +
                chunks);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(chunks, 400, p.status);
        }
        // A bare LF never ends a chunk line: the body does not end (the
        // connection's timeout closes it), and past the limit it is refused.
        const std::string head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        CPPUNIT_ASSERT_EQUAL(-1, parse(head + "5\nabcde\n0\n\n").status);
        CPPUNIT_ASSERT_EQUAL(400, parse(head + "5\nabcde\n" + std::string(20000, 'x')).status);
    }
    void testRequestLineShapeAndVersion() {
        CPPUNIT_ASSERT_EQUAL(400, parse("GET /\r\n\r\n").status);
        CPPUNIT_ASSERT_EQUAL(400, parse("GET / HTTX/1.1\r\nHost: a\r\n\r\n").status);
        CPPUNIT_ASSERT_EQUAL(400, parse("GET  / HTTP/1.1\r\nHost: a\r\n\r\n").status);
        CPPUNIT_ASSERT_EQUAL(400, parse("GET / HTTP/1.1 \r\nHost: a\r\n\r\n").status);
        CPPUNIT_ASSERT_EQUAL(400, parse("G(T / HTTP/1.1\r\nHost: a\r\n\r\n").status);
        CPPUNIT_ASSERT_EQUAL(505, parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n").status);
        CPPUNIT_ASSERT_EQUAL(505, parse("GET / HTTP/1.2\r\nHost: a\r\n\r\n").status);
        // An empty line before the request line is ignored (RFC 9112 2.2).
        CPPUNIT_ASSERT_EQUAL(0, parse("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").status);
        Parsed p = parse("GET / HTTP/1.0\r\n\r\n");
        CPPUNIT_ASSERT_EQUAL(0, p.status);
        CPPUNIT_ASSERT_EQUAL(std::string("HTTP/1.0"), p.request.getVersion());
    }
    void testHostRequiredOnceOnHttp11() {
        CPPUNIT_ASSERT_EQUAL(400, parse("GET / HTTP/1.1\r\n\r\n").status);
        CPPUNIT_ASSERT_EQUAL(400, parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status);
        CPPUNIT_ASSERT_EQUAL(400, parse("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n").status);
    }
    void testControlCharactersAndBareLineEndsRefused() {
        CPPUNIT_ASSERT_EQUAL(
            400, parse(std::string("GET / HTTP/1.1\r\nHost: a\r\nX-A\0b: 1\r\n\r\n", 38)).status);
        CPPUNIT_ASSERT_EQUAL(400, parse("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01"
                                        "b\r\n\r\n")
                                      .status);
        CPPUNIT_ASSERT_EQUAL(400, parse("GET / HTTP/1.1\nHost: a\n\n").status);
        CPPUNIT_ASSERT_EQUAL(400, parse("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n").status);
        CPPUNIT_ASSERT_EQUAL(400, parse("GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n").status);
    }
    void testLimitsAnswerTheirStatus() {
        HttpLimits limits;
        limits.requestLine = 64;
        limits.fieldLine = 64;
        limits.fieldCount = 3;
        limits.headerSection = 200;
        limits.chunkLine = 16;
        limits.trailerSection = 64;
        const std::string longTarget(100, 'a');
        // Refused as soon as the line is too long, without waiting for its end.
        CPPUNIT_ASSERT_EQUAL(414, parse("GET /" + longTarget, 1 << 20, 7, limits).status);
        CPPUNIT_ASSERT_EQUAL(
            431,
            parse("GET / HTTP/1.1\r\nHost: a\r\nX: " + longTarget + "\r\n\r\n", 1 << 20, 7, limits)
                .status);
        CPPUNIT_ASSERT_EQUAL(431, parse("GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\n\r\n",
                                        1 << 20, 7, limits)
                                      .status);
        std::string many = "GET / HTTP/1.1\r\nHost: a\r\n";
        limits.fieldCount = 100;
        for (int i = 0; i < 10; ++i)
            many += "X-Field-" + std::to_string(i) + ": 0123456789\r\n";
        CPPUNIT_ASSERT_EQUAL(431, parse(many + "\r\n", 1 << 20, 7, limits).status);
        const std::string chunked =
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        CPPUNIT_ASSERT_EQUAL(
            400, parse(chunked + "5;" + longTarget + "\r\nabcde\r\n0\r\n\r\n", 1 << 20, 7, limits)
                     .status);
        // A chunk line that never ends is refused once it passes the limit.
        CPPUNIT_ASSERT_EQUAL(
            400, parse(chunked + "5;" + std::string(500, 'a'), 1 << 20, 7, limits).status);
        CPPUNIT_ASSERT_EQUAL(
            400, parse(chunked + "0\r\nX: " + std::string(500, 'a'), 1 << 20, 7, limits).status);
    }
    void testByteByByteGivesTheSameFraming() {
        const std::string raw =
            "PUT /f HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nabcde\r\n3\r\nxyz\r\n0\r\nT: 1\r\n\r\n" +
            kNext;
        Parsed p = parse(raw, 1, 2);
        CPPUNIT_ASSERT_EQUAL(0, p.status);
        CPPUNIT_ASSERT_EQUAL(std::string("abcdexyz"), p.body);
        CPPUNIT_ASSERT_EQUAL(kNext, p.rest);
        CPPUNIT_ASSERT_EQUAL(400, parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                                        "Content-Length: 5\r\n\r\nabcde",
                                        1)
                                      .status);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HttpRequestParserTest);
