#include "HttpResponseBody.h"

#include <Poco/Exception.h>

#include <algorithm>
#include <cstdio>

namespace dad {

namespace {

constexpr size_t kGather = 16 * 1024;

std::string chunkSizeLine(size_t size) {
    char line[24];
    std::snprintf(line, sizeof line, "%zx\r\n", size);
    return line;
}

}  // namespace

HttpResponseBody::HttpResponseBody(Poco::Net::StreamSocket& socket) : socket_(socket) {}

bool HttpResponseBody::sendNow(const std::string& bytes) {
    return sendAll(bytes.data(), bytes.size());
}

void HttpResponseBody::begin(std::string head, Framing framing, uint64_t length) {
    pending_ = std::move(head);
    framing_ = framing;
    length_ = length;
    put_.resize(kGather);
    setp(put_.data(), put_.data() + put_.size());
}

HttpResponseBody::int_type HttpResponseBody::overflow(int_type c) {
    if (failed_) return traits_type::eof();
    frameGathered();
    if (pending_.size() >= kGather && !sendPending()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
        *pptr() = traits_type::to_char_type(c);
        pbump(1);
    }
    return traits_type::not_eof(c);
}

std::streamsize HttpResponseBody::xsputn(const char* data, std::streamsize size) {
    if (failed_) return 0;
    if (framing_ == Framing::none) return size;  // HEAD, 204, 304: the body is not sent
    const size_t n = static_cast<size_t>(size);
    if (n <= static_cast<size_t>(epptr() - pptr())) {
        std::copy(data, data + n, pptr());
        pbump(static_cast<int>(n));
        return size;
    }
    frameGathered();
    if (n < kGather) {  // small: gathered after what is pending
        if (!sendPending()) return 0;
        std::copy(data, data + n, pptr());
        pbump(static_cast<int>(n));
        return size;
    }
    const size_t body = frame(data, n, false);
    if (!sendPending() || !sendAll(data, body)) return 0;
    if (framing_ == Framing::chunked) pending_ = "\r\n";
    return body == n ? size : 0;
}

int HttpResponseBody::sync() {
    frameGathered();
    return sendPending() ? 0 : -1;
}

bool HttpResponseBody::finish() {
    frameGathered();
    if (framing_ == Framing::chunked) pending_ += "0\r\n\r\n";
    const bool sent = sendPending();
    setp(nullptr, nullptr);
    return sent && !failed_ && (framing_ != Framing::length || written_ == length_);
}

void HttpResponseBody::frameGathered() {
    const size_t n = static_cast<size_t>(pptr() - pbase());
    if (n > 0) frame(pbase(), n, true);
    setp(put_.data(), put_.data() + put_.size());
}

size_t HttpResponseBody::frame(const char* data, size_t size, bool copy) {
    switch (framing_) {
        case Framing::none:
            return 0;
        case Framing::length:
            if (written_ + size > length_) {
                failed_ = true;  // more than the head said: cut, and the connection closes
                size = static_cast<size_t>(length_ - written_);
            }
            break;
        case Framing::chunked:
            if (size == 0) return 0;
            pending_ += chunkSizeLine(size);
            break;
        case Framing::untilClose:
            break;
    }
    written_ += size;
    if (copy) {
        pending_.append(data, size);
        if (framing_ == Framing::chunked) pending_ += "\r\n";
    }
    return size;
}

bool HttpResponseBody::sendPending() {
    if (pending_.empty()) return !failed_;
    const bool sent = sendAll(pending_.data(), pending_.size());
    pending_.clear();
    return sent;
}

bool HttpResponseBody::sendAll(const char* data, size_t size) {
    if (failed_) return false;
    try {
        for (size_t sent = 0; sent < size;) {
            const int n = socket_.sendBytes(
                data + sent, static_cast<int>(std::min<size_t>(size - sent, 1 << 30)));
            if (n <= 0) {
                failed_ = true;
                return false;
            }
            sent += static_cast<size_t>(n);
        }
    } catch (const Poco::Exception&) {
        failed_ = true;
        return false;
    }
    return true;
}

}  // namespace dad
