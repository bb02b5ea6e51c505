#include "MarkupEscape.h"

namespace dad {

std::string escapeMarkup(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    appendEscapedMarkup(out, text);
    return out;
}

void appendEscapedMarkup(std::string& out, const std::string& text) {
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '\r':
                out += "&#13;";
                break;
            default:
                out += c;
        }
    }
}

}  // namespace dad
