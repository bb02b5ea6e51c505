#include "Text.h"

#include <algorithm>

namespace dad {

std::string trimBlanks(std::string_view text) {
    const size_t first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return "";
    return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

bool parseDecimal(std::string_view text, uint64_t& value) {
    if (text.empty() || text.size() > 19) return false;
    value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
}

int hexDigitValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

namespace {

// Appends the printable form of the piece of `text` at `i` (a character, an
// escape, or a whole UTF-8 sequence) to `out`; returns the bytes it took.
size_t appendPiece(std::string_view text, size_t i, std::string& out) {
    static const char kHex[] = "0123456789abcdef";
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' || c == '\r' || c == '\t') {
        out += c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t";
        return 1;
    }
    if (c < 0x20 || c == 0x7f) {
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
        return 1;
    }
    size_t n = 1;
    if (c >= 0xc0) {
        while (i + n < text.size() && n < 4 &&
               (static_cast<unsigned char>(text[i + n]) & 0xc0) == 0x80)
            ++n;
    }
    out.append(text.substr(i, n));
    return n;
}

}  // namespace

std::string printableExcerpt(std::string_view text, size_t limit, size_t whole) {
    std::string out;
    size_t i = 0;
    while (i < text.size() && out.size() <= limit)
        i += appendPiece(text, i, out);
    whole = std::max(whole, text.size());
    if (i == text.size() && out.size() <= limit && whole == text.size()) return out;
    const std::string suffix = "... (" + std::to_string(whole) + " bytes)";
    const size_t room = limit > suffix.size() ? limit - suffix.size() : 0;
    out.clear();
    std::string piece;
    for (i = 0; i < text.size(); out += piece) {
        piece.clear();
        i += appendPiece(text, i, piece);
        if (out.size() + piece.size() > room) break;
    }
    return out + suffix;
}

}  // namespace dad
