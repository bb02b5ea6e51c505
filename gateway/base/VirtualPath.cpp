#include "VirtualPath.h"

namespace dad {

namespace {

// Length of the UTF-8 sequence starting at s[i], or 0 if it is not valid.
size_t utf8Length(const std::string& s, size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    unsigned min;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) {
        n = 2;
        min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3;
        min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    unsigned code = c & (0x7F >> n);
    for (size_t k = 1; k < n; ++k) {
        const auto d = static_cast<unsigned char>(s[i + k]);
        if ((d & 0xC0) != 0x80) return 0;
        code = (code << 6) | (d & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
    return n;
}

Status checkCharacters(const std::string& text) {
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F) return Status::invalid("control character in path");
        if (c == '\\') return Status::invalid("backslash in path");
        const size_t n = utf8Length(text, i);
        if (n == 0) return Status::invalid("path is not valid UTF-8");
        i += n;
    }
    return Status::ok();
}

}  // namespace

Status VirtualPath::resolve(const std::string& cwd, const std::string& raw, std::string& out) {
    if (raw.size() > kMaxPathBytes) return Status::invalid("path too long");
    if (Status s = checkCharacters(raw); !s) return s;
    std::vector<std::string> parts;
    if (raw.empty() || raw[0] != '/') parts = split(cwd);
    size_t start = 0;
    while (start <= raw.size()) {
        size_t end = raw.find('/', start);
        if (end == std::string::npos) end = raw.size();
        const std::string part = raw.substr(start, end - start);
        start = end + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        if (part.size() > kMaxNameBytes) return Status::invalid("name too long: " + part);
        parts.push_back(part);
    }
    out = join(parts);
    if (out.size() > kMaxPathBytes) return Status::invalid("path too long");
    return Status::ok();
}

Status VirtualPath::checkName(const std::string& name) {
    if (name.empty() || name == "." || name == "..") return Status::invalid("invalid name");
    if (name.size() > kMaxNameBytes) return Status::invalid("name too long");
    if (name.find('/') != std::string::npos) return Status::invalid("slash in name");
    return checkCharacters(name);
}

std::vector<std::string> VirtualPath::split(const std::string& path) {
    std::vector<std::string> parts;
    size_t start = 1;
    while (start < path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (end > start) parts.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

std::string VirtualPath::join(const std::vector<std::string>& parts) {
    if (parts.empty()) return "/";
    std::string out;
    for (const auto& p : parts)
        out += "/" + p;
    return out;
}

std::string VirtualPath::parent(const std::string& path) {
    const size_t slash = path.rfind('/');
    if (slash == 0 || slash == std::string::npos) return "/";
    return path.substr(0, slash);
}

std::string VirtualPath::baseName(const std::string& path) {
    const size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace dad
