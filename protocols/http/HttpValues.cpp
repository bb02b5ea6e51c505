#include "HttpValues.h"

#include <cctype>

#include "Text.h"

namespace dad {

namespace {

bool unreserved(unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

}  // namespace

RangeResult parseByteRange(const std::string& header, uint64_t size, ByteRange& range) {
    if (header.compare(0, 6, "bytes=") != 0) return RangeResult::Whole;
    const std::string spec = trimBlanks(header.substr(6));
    if (spec.find(',') != std::string::npos) return RangeResult::Whole;
    const size_t dash = spec.find('-');
    if (dash == std::string::npos) return RangeResult::Whole;
    const std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
    uint64_t x = 0, y = 0;
    if (a.empty()) {
        if (!parseDecimal(b, y)) return RangeResult::Whole;
        if (y == 0 || size == 0) return RangeResult::Unsatisfiable;
        range.first = y >= size ? 0 : size - y;
        range.last = size - 1;
        return RangeResult::Partial;
    }
    if (!parseDecimal(a, x)) return RangeResult::Whole;
    if (!b.empty() && (!parseDecimal(b, y) || y < x)) return RangeResult::Whole;
    if (x >= size) return RangeResult::Unsatisfiable;
    range.first = x;
    range.last = b.empty() || y >= size ? size - 1 : y;
    return RangeResult::Partial;
}

bool percentDecode(const std::string& text, std::string& decoded) {
    decoded.clear();
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return false;
            const int h = hexDigitValue(text[i + 1]), l = hexDigitValue(text[i + 2]);
            if (h < 0 || l < 0) return false;
            c = static_cast<char>(h * 16 + l);
            i += 2;
        }
        if (c == '\0') return false;
        decoded += c;
    }
    return true;
}

bool parseUrlEncodedForm(const std::string& body, std::map<std::string, std::string>& fields,
                         size_t maxFields) {
    fields.clear();
    size_t count = 0;
    size_t start = 0;
    for (;;) {
        size_t end = body.find('&', start);
        const bool last = end == std::string::npos;
        if (last) end = body.size();
        std::string pair = body.substr(start, end - start);
        if (!pair.empty()) {
            if (++count > maxFields) return false;
            for (char& c : pair)
                if (c == '+') c = ' ';
            const size_t eq = pair.find('=');
            std::string name, value;
            if (!percentDecode(pair.substr(0, eq), name)) return false;
            if (eq != std::string::npos && !percentDecode(pair.substr(eq + 1), value)) {
                return false;
            }
            fields.emplace(name, value);
        }
        if (last) break;
        start = end + 1;
    }
    return true;
}

std::string cookieValue(const std::string& header, const std::string& name) {
    size_t start = 0;
    while (start < header.size()) {
        size_t end = header.find(';', start);
        if (end == std::string::npos) end = header.size();
        const std::string pair = trimBlanks(header.substr(start, end - start));
        const size_t eq = pair.find('=');
        if (eq != std::string::npos && pair.compare(0, eq, name) == 0 && eq == name.size()) {
            std::string value = pair.substr(eq + 1);
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            return value;
        }
        start = end + 1;
    }
    return "";
}

std::string percentEncode(const std::string& text, bool keepSlash) {
    static const char* const kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (unreserved(c) || (keepSlash && c == '/')) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

std::string attachmentDisposition(const std::string& path) {
    const size_t slash = path.rfind('/');
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    std::string fallback;
    for (unsigned char c : name) {
        fallback += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '%')
                        ? static_cast<char>(c)
                        : '_';
    }
    if (fallback.empty()) fallback = "download";
    return "attachment; filename=\"" + fallback + "\"; filename*=UTF-8''" +
           percentEncode(name, false);
}

}  // namespace dad
