// HttpRequestBody and HttpResponseBody on a real loopback TCP connection:
// request bodies end exactly where their framing says (never a byte of the
// next request), a cut or malformed one throws HttpBodyError, and responses
// come out framed as their head says.
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <cppunit/extensions/HelperMacros.h>

#include <istream>
#include <ostream>
#include <string>

#include "HttpBodyError.h"
#include "HttpRequestBody.h"
#include "HttpRequestParser.h"
#include "HttpResponseBody.h"
#include "HttpSocketInput.h"

using dad::HttpBodyError;
using dad::HttpLimits;
using dad::HttpRequestBody;
using dad::HttpRequestParser;
using dad::HttpResponseBody;
using dad::HttpSocketInput;

namespace {

// Two ends of one loopback TCP connection.
struct Connection {
    Connection() : listener(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        client.connect(listener.address());
        server = listener.acceptConnection();
    }
    // What the client reads until the server's end closes.
    std::string clientReadsAll() {
        server.shutdown();
        std::string all;
        char buffer[4096];
        for (int n; (n = client.receiveBytes(buffer, sizeof buffer)) > 0;)
            all.append(buffer, static_cast<size_t>(n));
        return all;
    }
    Poco::Net::ServerSocket listener;
    Poco::Net::StreamSocket client;
    Poco::Net::StreamSocket server;
};

// Reads the head of what the client sent; the body then comes from `input`.
struct Received {
    explicit Received(Connection& c) : input(c.server, Poco::Timespan(5, 0)), parser(HttpLimits()) {
        for (;;) {
            size_t used = 0;
            const auto r = parser.parseHead(input.data(), input.size(), used);
            input.consume(used);
            if (r == HttpRequestParser::Result::ready) break;
            CPPUNIT_ASSERT(r == HttpRequestParser::Result::needMore);
            CPPUNIT_ASSERT(input.fill() == HttpSocketInput::Fill::more);
        }
    }
    // The whole body through an istream, in reads of `step` bytes.
    std::string body(size_t step) {
        HttpRequestBody buffer(input, parser, [] {});
        std::istream in(&buffer);
        in.exceptions(std::ios::badbit);
        std::string all(step, '\0');
        std::string body;
        while (in.read(all.data(), static_cast<std::streamsize>(step)) || in.gcount() > 0)
            body.append(all.data(), static_cast<size_t>(in.gcount()));
        CPPUNIT_ASSERT(buffer.complete());
        return body;
    }
    std::string rest() const { return std::string(input.data(), input.size()); }

    HttpSocketInput input;
    HttpRequestParser parser;
};

const std::string kNext = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";

std::string respond(HttpResponseBody::Framing framing, uint64_t length, const std::string& body,
                    bool& whole) {
    Connection c;
    HttpResponseBody out(c.server);
    out.begin("HTTP/1.1 200 OK\r\n\r\n", framing, length);
    std::ostream stream(&out);
    stream.write(body.data(), static_cast<std::streamsize>(body.size()));
    whole = out.finish();
    return c.clientReadsAll();
}

}  // namespace

class HttpBodiesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HttpBodiesTest);
    CPPUNIT_TEST(testLengthBodyEndsAtItsLengthInSmallAndBigReads);
    CPPUNIT_TEST(testChunkedBodyDecodedAndTheNextRequestKept);
    CPPUNIT_TEST(testCutBodyThrowsCutOff);
    CPPUNIT_TEST(testMalformedChunkThrowsWithItsStatus);
    CPPUNIT_TEST(testResponseFramings);
    CPPUNIT_TEST(testResponseLongerThanItsLengthIsCutAndNotWhole);
    CPPUNIT_TEST_SUITE_END();

public:
    void testLengthBodyEndsAtItsLengthInSmallAndBigReads() {
        const std::string body(200 * 1024, 'b');
        for (size_t step : {size_t(7), size_t(64 * 1024)}) {
            Connection c;
            c.client.sendBytes(("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body + kNext)
                                   .data(),
                               static_cast<int>(body.size() + kNext.size() + 60));
            Received r(c);
            CPPUNIT_ASSERT(r.body(step) == body);
            // The next request is still to come: whatever of it arrived is
            // in the buffer, the rest on the socket.
            std::string next = r.rest();
            while (next.size() < kNext.size() && r.input.fill() == HttpSocketInput::Fill::more) {
                next = r.rest();
            }
            CPPUNIT_ASSERT_EQUAL(kNext, next.substr(0, kNext.size()));
        }
    }

    void testChunkedBodyDecodedAndTheNextRequestKept() {
        Connection c;
        const std::string raw =
            "PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n1;x=y\r\n \r\n5\r\nworld\r\n0\r\nT: 1\r\n\r\n" +
            kNext;
        c.client.sendBytes(raw.data(), static_cast<int>(raw.size()));
        Received r(c);
        CPPUNIT_ASSERT_EQUAL(std::string("hello world"), r.body(3));
        CPPUNIT_ASSERT_EQUAL(kNext, r.rest());
    }

    void testCutBodyThrowsCutOff() {
        Connection c;
        const std::string raw = "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc";
        c.client.sendBytes(raw.data(), static_cast<int>(raw.size()));
        c.client.shutdownSend();
        Received r(c);
        try {
            r.body(64 * 1024);
            CPPUNIT_FAIL("a cut body read as whole");
        } catch (const HttpBodyError& e) {
            CPPUNIT_ASSERT(e.cutOff());
            CPPUNIT_ASSERT(std::string(e.what()).find("of 100") != std::string::npos);
        }
    }

    void testMalformedChunkThrowsWithItsStatus() {
        Connection c;
        const std::string raw =
            "PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdeXY0\r\n\r\n";
        c.client.sendBytes(raw.data(), static_cast<int>(raw.size()));
        Received r(c);
        try {
            r.body(64 * 1024);
            CPPUNIT_FAIL("a malformed chunked body read as whole");
        } catch (const HttpBodyError& e) {
            CPPUNIT_ASSERT(!e.cutOff());
            CPPUNIT_ASSERT_EQUAL(400, e.status());
        }
    }

    void testResponseFramings() {
        using Framing = HttpResponseBody::Framing;
        const std::string head = "HTTP/1.1 200 OK\r\n\r\n";
        bool whole = false;
        CPPUNIT_ASSERT_EQUAL(head + "hello", respond(Framing::length, 5, "hello", whole));
        CPPUNIT_ASSERT(whole);
        CPPUNIT_ASSERT_EQUAL(head + "5\r\nhello\r\n0\r\n\r\n",
                             respond(Framing::chunked, 0, "hello", whole));
        CPPUNIT_ASSERT(whole);
        CPPUNIT_ASSERT_EQUAL(head, respond(Framing::none, 5, "hello", whole));  // HEAD
        CPPUNIT_ASSERT(whole);
        CPPUNIT_ASSERT_EQUAL(head + "hello", respond(Framing::untilClose, 0, "hello", whole));
        const std::string big(100 * 1024, 'z');  // past the gathering buffer: one big chunk
        const std::string chunked = respond(Framing::chunked, 0, big, whole);
        CPPUNIT_ASSERT_EQUAL(head + "19000\r\n" + big + "\r\n0\r\n\r\n", chunked);
        CPPUNIT_ASSERT(whole);
    }

    void testResponseLongerThanItsLengthIsCutAndNotWhole() {
        bool whole = true;
        const std::string sent = respond(HttpResponseBody::Framing::length, 3, "hello", whole);
        CPPUNIT_ASSERT(!whole);
        CPPUNIT_ASSERT(sent.find("hello") == std::string::npos);
        bool shortWhole = true;
        respond(HttpResponseBody::Framing::length, 10, "hello", shortWhole);
        CPPUNIT_ASSERT(!shortWhole);  // fewer bytes than said: the connection must close
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HttpBodiesTest);
