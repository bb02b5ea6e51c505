#include "Multipart.h"

#include <Poco/String.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "Text.h"

namespace dad {

namespace {

// RFC 2046 bcharsnospace plus space (not last).
bool boundaryChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string("'()+_,-./:=? ").find(c) != std::string::npos;
}

// Parameters of a header value: `type; a=b; c="d"`. The type goes to
// `type`; false when malformed. Names are lower-cased; the first of a name wins.
bool parseParameters(const std::string& value, std::string& type,
                     std::vector<std::pair<std::string, std::string>>& parameters) {
    size_t i = value.find(';');
    type = Poco::toLower(trimBlanks(value.substr(0, i)));
    parameters.clear();
    while (i != std::string::npos && i < value.size()) {
        ++i;  // past ';'
        while (i < value.size() && (value[i] == ' ' || value[i] == '\t'))
            ++i;
        if (i >= value.size()) break;
        const size_t eq = value.find('=', i);
        if (eq == std::string::npos) return false;
        const std::string name = Poco::toLower(trimBlanks(value.substr(i, eq - i)));
        if (name.empty()) return false;
        i = eq + 1;
        while (i < value.size() && (value[i] == ' ' || value[i] == '\t'))
            ++i;
        std::string v;
        if (i < value.size() && value[i] == '"') {
            ++i;
            bool closed = false;
            while (i < value.size()) {
                char c = value[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < value.size()) c = value[i++];
                v += c;
            }
            if (!closed) return false;
            i = value.find(';', i);
        } else {
            const size_t end = value.find(';', i);
            v = trimBlanks(value.substr(i, end == std::string::npos ? std::string::npos : end - i));
            i = end;
        }
        bool seen = false;
        for (const auto& p : parameters)
            seen = seen || p.first == name;
        if (!seen) parameters.emplace_back(name, v);
    }
    return true;
}

}  // namespace

bool MultipartParser::boundaryOf(const std::string& contentType, std::string& boundary) {
    std::string type;
    std::vector<std::pair<std::string, std::string>> parameters;
    if (!parseParameters(contentType, type, parameters) || type != "multipart/form-data") {
        return false;
    }
    for (const auto& [name, value] : parameters) {
        if (name != "boundary") continue;
        if (value.empty() || value.size() > kMaxBoundary || value.back() == ' ') return false;
        if (!std::all_of(value.begin(), value.end(), boundaryChar)) return false;
        boundary = value;
        return true;
    }
    return false;
}

MultipartParser::MultipartParser(const std::string& boundary, MultipartHandler& handler)
    : handler_(handler), delimiter_("\r\n--" + boundary), buffer_("\r\n") {}

Status MultipartParser::fail(const std::string& message) {
    state_ = State::Failed;
    buffer_.clear();
    return Status::invalid(message);
}

Status MultipartParser::feed(const char* data, size_t length) {
    if (state_ == State::Failed) return Status::invalid("the form data is malformed");
    if (state_ == State::Epilogue) return Status::ok();
    buffer_.append(data, length);
    Status s = run();
    if (!s && state_ != State::Failed) {
        state_ = State::Failed;
        buffer_.clear();
    }
    return s;
}

Status MultipartParser::finish() {
    if (state_ == State::Failed) return Status::invalid("the form data is malformed");
    if (state_ != State::Epilogue) return fail("the form data ended early");
    return Status::ok();
}

Status MultipartParser::run() {
    for (;;) {
        switch (state_) {
            case State::Preamble: {
                const size_t at = buffer_.find(delimiter_);
                if (at == std::string::npos) {
                    const size_t keep = std::min(buffer_.size(), delimiter_.size() - 1);
                    preambleBytes_ += buffer_.size() - keep;
                    buffer_.erase(0, buffer_.size() - keep);
                    if (preambleBytes_ > kMaxPreambleBytes) return fail("no multipart boundary");
                    return Status::ok();
                }
                preambleBytes_ += at;
                if (preambleBytes_ > kMaxPreambleBytes) return fail("no multipart boundary");
                buffer_.erase(0, at + delimiter_.size());
                state_ = State::AfterDelimiter;
                break;
            }
            case State::AfterDelimiter: {
                if (buffer_.size() < 2) return Status::ok();
                if (buffer_.compare(0, 2, "--") == 0) {
                    buffer_.clear();
                    state_ = State::Epilogue;
                    return Status::ok();
                }
                // Transport padding (spaces, tabs) may precede the line end.
                size_t i = 0;
                while (i < buffer_.size() && (buffer_[i] == ' ' || buffer_[i] == '\t'))
                    ++i;
                if (i > 64) return fail("malformed multipart delimiter");
                if (i + 2 > buffer_.size()) return Status::ok();
                if (buffer_.compare(i, 2, "\r\n") != 0)
                    return fail("malformed multipart delimiter");
                buffer_.erase(0, i + 2);
                state_ = State::Headers;
                break;
            }
            case State::Headers: {
                size_t end = std::string::npos, skip = 0;
                if (buffer_.compare(0, 2, "\r\n") == 0) {
                    end = 0;
                    skip = 2;
                } else if ((end = buffer_.find("\r\n\r\n")) != std::string::npos) {
                    skip = end + 4;
                }
                if (end == std::string::npos || end > kMaxHeaderBytes) {
                    if (buffer_.size() > kMaxHeaderBytes + 4 || end != std::string::npos) {
                        return fail("a form part's headers are too long");
                    }
                    return Status::ok();
                }
                if (++parts_ > kMaxParts) return fail("too many form parts");
                MultipartPart part;
                if (Status s = parseHeaders(buffer_.substr(0, end), part); !s) return s;
                buffer_.erase(0, skip);
                state_ = State::Body;
                if (Status s = handler_.partBegin(part); !s) return s;
                break;
            }
            case State::Body: {
                const size_t at = buffer_.find(delimiter_);
                if (at == std::string::npos) {
                    const size_t keep = std::min(buffer_.size(), delimiter_.size() - 1);
                    const size_t emit = buffer_.size() - keep;
                    if (emit > 0) {
                        if (Status s = handler_.partData(buffer_.data(), emit); !s) return s;
                        buffer_.erase(0, emit);
                    }
                    return Status::ok();
                }
                if (at > 0) {
                    if (Status s = handler_.partData(buffer_.data(), at); !s) return s;
                }
                buffer_.erase(0, at + delimiter_.size());
                state_ = State::AfterDelimiter;
                if (Status s = handler_.partEnd(); !s) return s;
                break;
            }
            case State::Epilogue:
                buffer_.clear();
                return Status::ok();
            case State::Failed:
                return Status::invalid("the form data is malformed");
        }
    }
}

Status MultipartParser::parseHeaders(const std::string& block, MultipartPart& part) {
    bool disposition = false;
    size_t start = 0;
    while (start < block.size()) {
        size_t end = block.find("\r\n", start);
        if (end == std::string::npos) end = block.size();
        const std::string line = block.substr(start, end - start);
        start = end + 2;
        if (line.empty()) continue;
        if (line[0] == ' ' || line[0] == '\t') return fail("folded form part headers");
        const size_t colon = line.find(':');
        if (colon == std::string::npos || colon == 0) return fail("malformed form part header");
        const std::string name = Poco::toLower(line.substr(0, colon));
        const std::string value = trimBlanks(line.substr(colon + 1));
        if (value.find('\0') != std::string::npos) return fail("NUL in a form part header");
        if (name == "content-disposition") {
            if (disposition) return fail("two Content-Disposition headers in a form part");
            disposition = true;
            std::string type;
            std::vector<std::pair<std::string, std::string>> parameters;
            if (!parseParameters(value, type, parameters) || type != "form-data") {
                return fail("a form part is not form-data");
            }
            bool named = false;
            for (const auto& [key, v] : parameters) {
                if (key == "name") {
                    part.name = v;
                    named = true;
                } else if (key == "filename") {
                    part.fileName = v;
                    part.hasFileName = true;
                }
            }
            if (!named || part.name.empty()) return fail("a form part has no name");
        } else if (name == "content-type") {
            part.contentType = value;
        }
    }
    if (!disposition) return fail("a form part has no Content-Disposition");
    return Status::ok();
}

}  // namespace dad
