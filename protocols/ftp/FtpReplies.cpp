#include "FtpReplies.h"

namespace dad {

std::string ftpSanitizeLine(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (c == '\r') continue;
        out += (u < 0x20 || u == 0x7f) ? '?' : c;
    }
    return out;
}

std::string ftpMultilineReply(int code, const std::vector<std::string>& lines) {
    const std::string number = std::to_string(code);
    if (lines.size() <= 1) {
        return number + " " + (lines.empty() ? std::string() : ftpSanitizeLine(lines[0])) + "\r\n";
    }
    std::string out = number + "-" + ftpSanitizeLine(lines.front()) + "\r\n";
    for (size_t i = 1; i + 1 < lines.size(); ++i)
        out += " " + ftpSanitizeLine(lines[i]) + "\r\n";
    out += number + " " + ftpSanitizeLine(lines.back()) + "\r\n";
    return out;
}

std::string ftpReply(int code, const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    for (;;) {
        size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    while (lines.size() > 1 && lines.back().empty())
        lines.pop_back();
    return ftpMultilineReply(code, lines);
}

std::string ftpQuotePath(const std::string& path) {
    std::string out = "\"";
    for (char c : ftpSanitizeLine(path)) {
        out += c;
        if (c == '"') out += '"';
    }
    return out + "\"";
}

}  // namespace dad
