// libFuzzer target: the package manifest (.dad). Findings: a crash or
// sanitizer report; an error that does not name a line of the text (or the
// size); and a manifest that, written back as key = value lines, parses to
// another manifest.
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>

#include "Manifest.h"

namespace {

using dad::Manifest;

std::string list(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items)
        out += (out.empty() ? "" : ", ") + item;
    return out;
}

std::string date(int64_t seconds) {
    const time_t t = static_cast<time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

std::string write(const Manifest& m) {
    std::string out;
    if (!m.to.empty()) out += "to = " + list(m.to) + "\n";
    if (!m.cc.empty()) out += "cc = " + list(m.cc) + "\n";
    if (!m.message.empty()) {
        size_t start = 0;
        for (;;) {
            const size_t end = m.message.find('\n', start);
            out += "message = " + m.message.substr(start, end - start) + "\n";
            if (end == std::string::npos) break;
            start = end + 1;
        }
    }
    // The last of expires wins in the struct; only one is ever set by parse.
    if (m.expiresAfter) out += "expires = " + std::to_string(*m.expiresAfter) + "s\n";
    if (m.expiresAt) out += "expires = " + date(*m.expiresAt) + "\n";
    if (m.maxDownloads) out += "max_downloads = " + std::to_string(*m.maxDownloads) + "\n";
    if (m.password) out += "password = " + *m.password + "\n";
    if (!m.notify.empty()) out += "notify = " + m.notify + "\n";
    if (!m.forwardTo.empty()) out += "forward_to = " + list(m.forwardTo) + "\n";
    return out;
}

bool same(const Manifest& a, const Manifest& b) {
    return a.to == b.to && a.cc == b.cc && a.message == b.message && a.expiresAt == b.expiresAt &&
           a.expiresAfter == b.expiresAfter && a.maxDownloads == b.maxDownloads &&
           a.password == b.password && a.notify == b.notify && a.forwardTo == b.forwardTo;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    Manifest manifest;
    const dad::Status s = dad::ManifestParser::parse(text, manifest);
    if (!s) {
        const std::string& why = s.message();
        if (why.rfind(".dad line ", 0) != 0) {
            if (text.size() <= dad::ManifestParser::kMaxBytes) abort();
            return 0;
        }
        const unsigned long line = std::strtoul(why.c_str() + 10, nullptr, 10);
        size_t lines = 1;
        for (char c : text)
            lines += c == '\n';
        if (line < 1 || line > lines) abort();
        return 0;
    }
    if (manifest.expiresAt && manifest.expiresAfter) abort();
    const std::string written = write(manifest);
    Manifest again;
    if (written.size() > dad::ManifestParser::kMaxBytes) return 0;
    if (!dad::ManifestParser::parse(written, again) || !same(manifest, again)) abort();
    return 0;
}
