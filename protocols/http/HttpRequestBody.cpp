#include "HttpRequestBody.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "HttpBodyError.h"

namespace dad {

namespace {

constexpr size_t kSmallReadBuffer = 16 * 1024;

}  // namespace

HttpRequestBody::HttpRequestBody(HttpSocketInput& input, HttpRequestParser& parser,
                                 std::function<void()> beforeFirstRead)
    : input_(input),
      parser_(parser),
      beforeFirstRead_(std::move(beforeFirstRead)),
      chunked_(parser.chunked()),
      remaining_(parser.chunked() ? 0 : parser.contentLength()),
      done_(!parser.hasBody()) {}

HttpRequestBody::int_type HttpRequestBody::underflow() {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    if (buffer_.empty()) buffer_.resize(kSmallReadBuffer);
    const size_t got = readSome(buffer_.data(), buffer_.size());
    if (got == 0) return traits_type::eof();
    setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
    return traits_type::to_int_type(*gptr());
}

std::streamsize HttpRequestBody::xsgetn(char* out, std::streamsize size) {
    const size_t wanted = static_cast<size_t>(size);
    size_t total = std::min(wanted, static_cast<size_t>(egptr() - gptr()));
    if (total > 0) {  // before the first read gptr() is null: memcpy from null is UB
        std::memcpy(out, gptr(), total);
        gbump(static_cast<int>(total));
    }
    while (total < wanted) {
        size_t got = 0;
        // An error drops what this read had gathered: returned short, it
        // would look like the end of the body to a reader of an istream.
        if (wanted - total >= kSmallReadBuffer) {
            got = readSome(out + total, wanted - total);
        } else if (underflow() != traits_type::eof()) {
            got = std::min(wanted - total, static_cast<size_t>(egptr() - gptr()));
            std::memcpy(out + total, gptr(), got);
            gbump(static_cast<int>(got));
        }
        if (got == 0) break;
        total += got;
    }
    return static_cast<std::streamsize>(total);
}

size_t HttpRequestBody::readSome(char* out, size_t size) {
    if (done_ || size == 0) return 0;
    if (broken_) throw HttpBodyError(400, "the request body could not be read", false);
    if (beforeFirstRead_) {
        auto once = std::move(beforeFirstRead_);
        beforeFirstRead_ = nullptr;
        once();
    }
    return chunked_ ? readChunked(out, size) : readLength(out, size);
}

size_t HttpRequestBody::readLength(char* out, size_t size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(remaining_, size));
    size_t got = 0;
    while (got == 0) {
        if (input_.size() > 0) {
            got = std::min(want, input_.size());
            std::memcpy(out, input_.data(), got);
            input_.consume(got);
        } else if (want >= kSmallReadBuffer) {
            if (auto fill = input_.receive(out, want, got); fill != HttpSocketInput::Fill::more) {
                cutOff(fill);
            }
        } else if (auto fill = input_.fill(); fill != HttpSocketInput::Fill::more) {
            cutOff(fill);
        }
    }
    remaining_ -= got;
    received_ += got;
    done_ = remaining_ == 0;
    return got;
}

size_t HttpRequestBody::readChunked(char* out, size_t size) {
    for (;;) {
        size_t used = 0;
        size_t produced = 0;
        const auto result =
            parser_.parseBody(input_.data(), input_.size(), used, out, size, produced);
        input_.consume(used);
        received_ += produced;
        if (result == HttpRequestParser::Result::failed) {
            broken_ = true;
            throw HttpBodyError(parser_.error().status, parser_.error().reason, false);
        }
        if (result == HttpRequestParser::Result::done) done_ = true;
        if (produced > 0 || done_) return produced;
        if (result == HttpRequestParser::Result::needMore) {
            if (auto fill = input_.fill(); fill != HttpSocketInput::Fill::more) cutOff(fill);
        }
    }
}

void HttpRequestBody::cutOff(HttpSocketInput::Fill why) {
    broken_ = true;
    std::string reason = why == HttpSocketInput::Fill::timedOut
                             ? "the client stopped sending the request body"
                             : "the connection closed before the end of the request body";
    reason += " (" + std::to_string(received_) + " bytes received";
    if (!chunked_) reason += " of " + std::to_string(received_ + remaining_);
    reason += ")";
    throw HttpBodyError(400, reason, true);
}

}  // namespace dad
