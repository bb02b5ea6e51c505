// HttpResponseBody: the bytes of one response on their way to the client:
// the head, then the body framed as the head says (Content-Length, chunked,
// until the connection closes, or no body at all for HEAD, 204 and 304).
// Small writes are gathered so that a small reply leaves in one piece with
// its head (one TLS record); a big write goes to the socket as it is.
//
// A write that fails (the client went away or timed out) puts the stream
// in a failed state; a body longer than its Content-Length is cut there.
// finish() says whether the framing came out whole, so the connection knows
// whether the next request on it can be read.
//
// Thread-safety: one object per response, used by one thread.
#pragma once

#include <Poco/Net/StreamSocket.h>

#include <cstdint>
#include <streambuf>
#include <string>
#include <vector>

namespace dad {

class HttpResponseBody : public std::streambuf {
public:
    enum class Framing { none, length, chunked, untilClose };

    explicit HttpResponseBody(Poco::Net::StreamSocket& socket);

    // Bytes sent before any response, at once ("100 Continue").
    bool sendNow(const std::string& bytes);
    // REQUIRES: called once. `head` is the status line and fields with the
    // empty line; `length` counts for Framing::length only.
    void begin(std::string head, Framing framing, uint64_t length);
    // Everything written is sent and the body ended. True when the client got
    // a whole response: nothing failed and a Content-Length was met exactly.
    bool finish();

protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* data, std::streamsize size) override;
    int sync() override;

private:
    // Moves what is gathered in the put area into pending_, framed.
    void frameGathered();
    // Frames `size` bytes of body into pending_ (or only counts them).
    size_t frame(const char* data, size_t size, bool copy);
    bool sendPending();
    bool sendAll(const char* data, size_t size);

    Poco::Net::StreamSocket& socket_;
    Framing framing_ = Framing::none;
    uint64_t length_ = 0;
    uint64_t written_ = 0;
    bool failed_ = false;
    std::string pending_;    // framed bytes not sent yet
    std::vector<char> put_;  // body bytes gathered from small writes
};

}  // namespace dad
