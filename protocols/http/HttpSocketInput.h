// HttpSocketInput: the bytes a client sends on one connection, through one
// buffer that the head parser and the body reader share; what one request
// did not take (a pipelined request) stays there for the next.
//
// The buffer is allocated when bytes first come and freed by release(): an
// idle kept-alive connection holds none.
//
// Every wait is bounded: by the connection's read timeout, and by a deadline
// when the caller gives one (the header-read timeout).
//
// Thread-safety: one object per connection, used by one thread.
#pragma once

#include <Poco/Timespan.h>
#include <Poco/Timestamp.h>

#include <cstddef>
#include <vector>

#include "NetSocket.h"

namespace dad {

class HttpSocketInput {
public:
    enum class Fill {
        more,      // bytes arrived
        closed,    // the client closed the connection, or it failed
        timedOut,  // nothing arrived in time
    };

    HttpSocketInput(NetSocket& socket, Poco::Timespan readTimeout);

    const char* data() const { return buffer_.empty() ? "" : buffer_.data() + begin_; }
    size_t size() const { return end_ - begin_; }
    void consume(size_t n);

    // Receives more into the buffer, waiting at most the read timeout.
    Fill fill();
    // The same, but never past `deadline`.
    Fill fill(const Poco::Timestamp& deadline);
    // With the buffer empty, receives up to `size` bytes straight into
    // `out`: a body read bigger than the buffer is not copied twice.
    Fill receive(char* out, size_t size, size_t& got);

    // Keeps bytes read elsewhere (what followed a head the event loop read).
    // REQUIRES: size() + n <= kBufferSize.
    void append(const char* bytes, size_t n);
    // Frees the buffer when it holds nothing.
    void release();

    static constexpr size_t kBufferSize = 64 * 1024;

private:
    void allocate();
    Fill receiveWithin(Poco::Timespan wait, char* out, size_t size, size_t& got);

    NetSocket& socket_;
    Poco::Timespan readTimeout_;
    std::vector<char> buffer_;
    size_t begin_ = 0;
    size_t end_ = 0;
};

}  // namespace dad
