// HttpRequestBody: a request's body as a stream buffer, framed by what the
// parser read in the head (none, Content-Length, or chunked). Reads end at
// the end of the body and never take a byte of the next request. A body of
// known length is received straight into a big read's buffer.
//
// A body that cannot be read to its end throws HttpBodyError out of the
// read (the request's istream has badbit in its exceptions, so the
// exception reaches the handler): a malformed chunk, or the client closing
// or going silent for the read timeout before the end.
//
// Thread-safety: one object per request, used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <streambuf>
#include <vector>

#include "HttpRequestParser.h"
#include "HttpSocketInput.h"

namespace dad {

class HttpRequestBody : public std::streambuf {
public:
    // `beforeFirstRead` runs once, before the first byte is asked of the
    // client (it sends "100 Continue" when the client waits for it).
    HttpRequestBody(HttpSocketInput& input, HttpRequestParser& parser,
                    std::function<void()> beforeFirstRead);

    // Every byte of the body was read (or it had none).
    bool complete() const { return done_; }
    // The body's framing broke or it was cut off: the connection must close.
    bool broken() const { return broken_; }

protected:
    int_type underflow() override;
    std::streamsize xsgetn(char* out, std::streamsize size) override;

private:
    // Up to `size` bytes of the body; 0 at its end.
    size_t readSome(char* out, size_t size);
    size_t readLength(char* out, size_t size);
    size_t readChunked(char* out, size_t size);
    [[noreturn]] void cutOff(HttpSocketInput::Fill why);

    HttpSocketInput& input_;
    HttpRequestParser& parser_;
    std::function<void()> beforeFirstRead_;
    bool chunked_;
    uint64_t remaining_;  // of a body of known length
    uint64_t received_ = 0;
    bool done_;
    bool broken_ = false;
    std::vector<char> buffer_;  // for small reads
};

}  // namespace dad
