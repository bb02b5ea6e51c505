#include "HttpRequestParser.h"

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <cctype>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

namespace dad {

namespace http = boost::beast::http;

struct HttpRequestParser::Beast {
    http::request_parser<http::buffer_body> parser;
    // Beast keeps a reference to it: it lives as long as the parser.
    std::function<void(uint64_t, boost::string_view, boost::beast::error_code&)> onChunkHeader;
};

namespace {

bool isTokenChar(char c) {
    static const std::string extra = "!#$%&'*+-.^_`|~";
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || extra.find(c) != std::string::npos;
}

std::string lower(std::string s) {
    for (char& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The codings of every Transfer-Encoding field, in order, lower case.
std::vector<std::string> transferCodings(const http::request<http::buffer_body>& message) {
    std::vector<std::string> codings;
    for (const auto& field : message) {
        if (field.name() != http::field::transfer_encoding) continue;
        const std::string value(field.value());
        size_t start = 0;
        while (start <= value.size()) {
            size_t end = value.find(',', start);
            if (end == std::string::npos) end = value.size();
            std::string coding = value.substr(start, end - start);
            const size_t first = coding.find_first_not_of(" \t");
            const size_t last = coding.find_last_not_of(" \t");
            coding = first == std::string::npos ? "" : coding.substr(first, last - first + 1);
            if (!coding.empty()) codings.push_back(lower(coding));
            start = end + 1;
        }
    }
    return codings;
}

}  // namespace

HttpRequestParser::HttpRequestParser(const HttpLimits& limits) : limits_(limits) {
    reset();
}

HttpRequestParser::~HttpRequestParser() = default;

void HttpRequestParser::reset() {
    beast_ = std::make_unique<Beast>();
    beast_->parser.header_limit(static_cast<uint32_t>(limits_.headerSection + 4));
    // Quotas decide how much may be stored, not framing. (Not boost::none:
    // Boost 1.74 compares a Content-Length with the optional limit, and any
    // value is greater than none.)
    beast_->parser.body_limit(std::numeric_limits<uint64_t>::max());
    const size_t chunkLine = limits_.chunkLine;
    beast_->onChunkHeader = [chunkLine](uint64_t, boost::string_view extensions,
                                        boost::beast::error_code& ec) {
        if (extensions.size() > chunkLine) ec = http::error::bad_chunk_extension;
    };
    beast_->parser.on_chunk_header(beast_->onChunkHeader);
    head_.clear();
    lineStart_ = 0;
    fieldLines_ = 0;
    pendingBody_ = 0;
    chunked_ = false;
    keepAlive_ = true;
    contentLength_ = 0;
    error_ = HttpFramingError();
}

HttpRequestParser::Result HttpRequestParser::fail(int status, std::string reason) {
    error_.status = status;
    error_.reason = std::move(reason);
    return Result::failed;
}

HttpRequestParser::Result HttpRequestParser::parseHead(const char* data, size_t size,
                                                       size_t& used) {
    used = 0;
    if (error_.status != 0) return Result::failed;
    while (used < size) {
        const char* end = static_cast<const char*>(memchr(data + used, '\n', size - used));
        const size_t take =
            end == nullptr ? size - used : static_cast<size_t>(end - data) + 1 - used;
        head_.append(data + used, take);
        used += take;
        const size_t lineLength = head_.size() - lineStart_;
        const bool requestLine = lineStart_ == 0;
        if (requestLine && lineLength > limits_.requestLine + 2) {
            return fail(414, "the request line is longer than " +
                                 std::to_string(limits_.requestLine) + " bytes");
        }
        if (!requestLine && lineLength > limits_.fieldLine + 2) {
            return fail(431, "a header field is longer than " + std::to_string(limits_.fieldLine) +
                                 " bytes");
        }
        if (head_.size() > limits_.headerSection + 4) {
            return fail(431, "the header section is longer than " +
                                 std::to_string(limits_.headerSection) + " bytes");
        }
        if (end == nullptr) return Result::needMore;

        const std::string line = head_.substr(lineStart_);
        if (line.size() < 2 || line[line.size() - 2] != '\r') {
            return fail(400, "a line that does not end in CR LF");
        }
        if (line.find('\r') != line.size() - 2) return fail(400, "a bare CR in the header section");
        if (requestLine) {
            if (line == "\r\n") {  // RFC 9112 2.2: an empty line before the request line is ignored
                head_.clear();
                continue;
            }
            if (Result r = checkRequestLine(line.substr(0, line.size() - 2)); r == Result::failed) {
                return r;
            }
        } else if (line == "\r\n") {
            boost::beast::error_code ec;
            beast_->parser.put(boost::asio::buffer(head_.data(), head_.size()), ec);
            if (ec && ec != http::error::need_more) return fail(400, ec.message());
            if (!beast_->parser.is_header_done()) return fail(400, "an incomplete header section");
            return checkFields();
        } else {
            if (line[0] == ' ' || line[0] == '\t') {
                return fail(400, "a header field folded onto a second line (obs-fold)");
            }
            if (++fieldLines_ > limits_.fieldCount) {
                return fail(431,
                            "more than " + std::to_string(limits_.fieldCount) + " header fields");
            }
        }
        lineStart_ = head_.size();
    }
    return Result::needMore;
}

HttpRequestParser::Result HttpRequestParser::checkRequestLine(const std::string& line) {
    const size_t firstSpace = line.find(' ');
    const size_t lastSpace = line.rfind(' ');
    if (firstSpace == std::string::npos || firstSpace == 0 || firstSpace == lastSpace ||
        line.find(' ', firstSpace + 1) != lastSpace) {
        return fail(400, "a request line that is not 'method target HTTP-version'");
    }
    const std::string method = line.substr(0, firstSpace);
    for (char c : method) {
        if (!isTokenChar(c)) return fail(400, "a method that is not a token");
    }
    const std::string version = line.substr(lastSpace + 1);
    const bool shaped = version.size() == 8 && version.compare(0, 5, "HTTP/") == 0 &&
                        std::isdigit(static_cast<unsigned char>(version[5])) != 0 &&
                        version[6] == '.' &&
                        std::isdigit(static_cast<unsigned char>(version[7])) != 0;
    if (!shaped) return fail(400, "a malformed HTTP version");
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        return fail(505, "only HTTP/1.1 and HTTP/1.0 are served");
    }
    if (lastSpace == firstSpace + 1) return fail(400, "a request line without a target");
    return Result::needMore;
}

HttpRequestParser::Result HttpRequestParser::checkFields() {
    const auto& message = beast_->parser.get();
    const size_t hosts = message.count(http::field::host);
    if (message.version() == 11 && hosts == 0) return fail(400, "an HTTP/1.1 request without Host");
    if (hosts > 1) return fail(400, "more than one Host");
    const std::vector<std::string> codings = transferCodings(message);
    if (message.count(http::field::transfer_encoding) > 0) {
        if (message.version() == 10) return fail(400, "Transfer-Encoding on an HTTP/1.0 request");
        if (codings.empty() || codings.back() != "chunked") {
            return fail(400, "a Transfer-Encoding whose final coding is not chunked");
        }
        if (codings.size() > 1) {
            return fail(501, "transfer coding '" + codings.front() + "' is not supported");
        }
        chunked_ = true;
    }
    if (auto length = beast_->parser.content_length(); length && !chunked_) {
        contentLength_ = *length;
    }
    keepAlive_ = beast_->parser.keep_alive();
    beast_->parser.eager(true);

    return Result::ready;
}

bool HttpRequestParser::headMethod() const {
    return beast_->parser.get().method() == http::verb::head;
}

bool HttpRequestParser::http11() const {
    return beast_->parser.get().version() == 11;
}

void HttpRequestParser::fillRequest(Poco::Net::HTTPRequest& request) const {
    const auto& message = beast_->parser.get();
    request.clear();
    request.setMethod(std::string(message.method_string()));
    request.setURI(std::string(message.target()));
    request.setVersion(message.version() == 11 ? Poco::Net::HTTPMessage::HTTP_1_1
                                               : Poco::Net::HTTPMessage::HTTP_1_0);
    for (const auto& field : message) {
        if (field.name() == http::field::content_length) continue;
        request.add(std::string(field.name_string()), std::string(field.value()));
    }
    if (!chunked_ && beast_->parser.content_length()) {
        request.setContentLength64(static_cast<Poco::Int64>(contentLength_));
    }
}

HttpRequestParser::Result HttpRequestParser::parseBody(const char* data, size_t size, size_t& used,
                                                       char* out, size_t outSize,
                                                       size_t& produced) {
    used = 0;
    produced = 0;
    if (error_.status != 0) return Result::failed;
    auto& parser = beast_->parser;
    if (parser.is_done()) return Result::done;
    auto& body = parser.get().body();
    body.data = out;
    body.size = outSize;
    body.more = true;
    boost::beast::error_code ec;
    for (;;) {  // Beast may stop at a chunk boundary with input left
        const size_t n = parser.put(boost::asio::buffer(data + used, size - used), ec);
        used += n;
        if (ec || n == 0 || used == size || body.size == 0 || parser.is_done()) break;
    }
    produced = outSize - body.size;
    if (ec == http::error::need_buffer) return Result::ready;
    if (parser.is_done()) return Result::done;
    if (ec == http::error::need_more || (!ec && body.size > 0)) {
        pendingBody_ = size - used;
        if (pendingBody_ > limits_.chunkLine + limits_.trailerSection) {
            return fail(400, "a chunk line or trailer section that is too long");
        }
        return Result::needMore;
    }
    if (ec) return fail(400, "a malformed chunked body (" + ec.message() + ")");
    return Result::ready;
}

}  // namespace dad
