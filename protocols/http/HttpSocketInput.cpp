#include "HttpSocketInput.h"

#include <Poco/Exception.h>

#include <algorithm>
#include <cstring>

namespace dad {

HttpSocketInput::HttpSocketInput(Poco::Net::StreamSocket& socket, Poco::Timespan readTimeout)
    : socket_(socket), readTimeout_(readTimeout), buffer_(kBufferSize) {}

void HttpSocketInput::consume(size_t n) {
    begin_ += std::min(n, size());
    if (begin_ == end_) begin_ = end_ = 0;
}

HttpSocketInput::Fill HttpSocketInput::fill() {
    return fill(Poco::Timestamp() + readTimeout_);
}

HttpSocketInput::Fill HttpSocketInput::fill(const Poco::Timestamp& deadline) {
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
    // Below a millisecond a socket timeout means "none" to some kernels.
    if (wait.totalMilliseconds() < 1) return Fill::timedOut;
    try {
        if (wait != currentTimeout_) {
            socket_.setReceiveTimeout(wait);
            currentTimeout_ = wait;
        }
        const int n = socket_.receiveBytes(out, static_cast<int>(std::min<size_t>(size, 1 << 30)));
        if (n <= 0) return Fill::closed;
        got = static_cast<size_t>(n);
        return Fill::more;
    } catch (const Poco::TimeoutException&) {
        return Fill::timedOut;
    } catch (const Poco::Exception&) {
        return Fill::closed;
    }
}

}  // namespace dad
