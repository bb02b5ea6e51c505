// HttpRequestParser: the one reader of HTTP/1.1 request framing (RFC 9112)
// behind every HTTPS endpoint. Bytes in, a request head and body bytes out;
// no socket, so it is fuzzed on its own and any connection loop can feed it.
//
// The request line and fields are checked here (limits, obs-fold, bare CR,
// the version, Host, Transfer-Encoding on HTTP/1.0, a final coding that is
// not chunked); the grammar of fields, Content-Length and chunked bodies is
// Boost.Beast's parser, which gets right what Poco's reader did not: one
// Content-Length of digits only, Content-Length with Transfer-Encoding
// refused, strict chunk-size lines, CR LF required everywhere, no control
// characters in names or values, no white space before a colon.
//
// A framing error is final: error() says the status (400, 414, 431, 501,
// 505) and a reason for the client, and the connection must close, so
// nothing after it is ever read as a request.
//
// Thread-safety: one object per connection, used by one thread.
#pragma once

#include <Poco/Net/HTTPRequest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "HttpLimits.h"

namespace dad {

struct HttpFramingError {
    int status = 0;
    std::string reason;
};

class HttpRequestParser {
public:
    enum class Result {
        needMore,  // all of the input was taken; give more
        ready,     // the head is complete (parseHead), output is full (parseBody)
        done,      // the body ended (parseBody)
        failed,    // see error(); close the connection
    };

    explicit HttpRequestParser(const HttpLimits& limits);
    ~HttpRequestParser();

    // Takes bytes of the head; `used` says how many. REQUIRES: a fresh parser
    // (reset()) until it answered ready or failed.
    Result parseHead(const char* data, size_t size, size_t& used);

    // Right after parseHead() was ready: method, target, version and fields;
    // the Content-Length, when there is one, in its one canonical form.
    void fillRequest(Poco::Net::HTTPRequest& request) const;
    bool hasBody() const { return chunked_ || contentLength_ > 0; }
    bool chunked() const { return chunked_; }
    uint64_t contentLength() const { return contentLength_; }
    bool keepAlive() const { return keepAlive_; }
    bool headMethod() const;  // HEAD: the response has no body
    bool http11() const;

    // Decodes a chunked body: takes `used` bytes of the input and writes
    // `produced` bytes of body to `out`. ready when `out` is full, done at the
    // end of the body (the trailer section read and dropped). A body of known
    // length needs no parsing: the connection counts its bytes itself.
    Result parseBody(const char* data, size_t size, size_t& used, char* out, size_t outSize,
                     size_t& produced);

    const HttpFramingError& error() const { return error_; }

    // Ready for the next request on the connection.
    void reset();

private:
    Result fail(int status, std::string reason);
    Result checkRequestLine(const std::string& line);
    Result checkFields();

    struct Beast;
    HttpLimits limits_;
    std::unique_ptr<Beast> beast_;
    std::string head_;        // the head read so far
    size_t lineStart_ = 0;    // where the line being read starts in head_
    size_t fieldLines_ = 0;   // field lines seen
    size_t pendingBody_ = 0;  // body-phase bytes Beast has not taken yet (a chunk line, trailers)
    bool chunked_ = false;
    bool keepAlive_ = true;
    uint64_t contentLength_ = 0;
    HttpFramingError error_;
};

}  // namespace dad
