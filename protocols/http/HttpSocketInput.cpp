#include "HttpSocketInput.h"

#include <algorithm>
#include <cstring>

namespace dad {

HttpSocketInput::HttpSocketInput(NetSocket& socket, Poco::Timespan readTimeout)
    : socket_(socket), readTimeout_(readTimeout) {}

void HttpSocketInput::allocate() {
    if (buffer_.empty()) buffer_.resize(kBufferSize);
}

void HttpSocketInput::append(const char* bytes, size_t n) {
    if (n == 0) return;
    allocate();
    if (begin_ > 0) {
        std::memmove(buffer_.data(), buffer_.data() + begin_, size());
        end_ -= begin_;
        begin_ = 0;
    }
    n = std::min(n, buffer_.size() - end_);
    std::memcpy(buffer_.data() + end_, bytes, n);
    end_ += n;
}

void HttpSocketInput::release() {
    if (size() > 0) return;
    begin_ = end_ = 0;
    std::vector<char>().swap(buffer_);
}

void HttpSocketInput::consume(size_t n) {
    begin_ += std::min(n, size());
    if (begin_ == end_) begin_ = end_ = 0;
}

HttpSocketInput::Fill HttpSocketInput::fill() {
    return fill(Poco::Timestamp() + readTimeout_);
}

HttpSocketInput::Fill HttpSocketInput::fill(const Poco::Timestamp& deadline) {
    allocate();
    if (begin_ > 0) {  // room at the end for what comes
        std::memmove(buffer_.data(), buffer_.data() + begin_, size());
        end_ -= begin_;
        begin_ = 0;
    }
    if (end_ == buffer_.size()) return Fill::more;  // full: the caller takes some first
    const Poco::Timespan left = deadline - Poco::Timestamp();
    size_t got = 0;
    const Fill result = receiveWithin(std::min(left, readTimeout_), buffer_.data() + end_,
                                      buffer_.size() - end_, got);
    end_ += got;
    return result;
}

HttpSocketInput::Fill HttpSocketInput::receive(char* out, size_t size, size_t& got) {
    return receiveWithin(readTimeout_, out, size, got);
}

HttpSocketInput::Fill HttpSocketInput::receiveWithin(Poco::Timespan wait, char* out, size_t size,
                                                     size_t& got) {
    got = 0;
    const int64_t milliseconds = wait.totalMilliseconds();
    if (milliseconds < 1) return Fill::timedOut;
    const Status s = socket_.read(out, size, got, static_cast<int>(milliseconds));
    if (s.code() == StatusCode::Busy) return Fill::timedOut;
    if (!s || got == 0) return Fill::closed;
    return Fill::more;
}

}  // namespace dad
