#include "DavPath.h"

#include <Poco/String.h>

#include <algorithm>
#include <cctype>

#include "Text.h"
#include "VirtualPath.h"

namespace dad {

namespace {

// Characters that some layer might turn into a separator or a dot.
const char* const kLookAlikes[] = {
    "\xEF\xBC\x8F",  // U+FF0F fullwidth solidus
    "\xEF\xBC\xBC",  // U+FF3C fullwidth reverse solidus
    "\xE2\x88\x95",  // U+2215 division slash
    "\xE2\x81\x84",  // U+2044 fraction slash
    "\xEF\xB9\xA8",  // U+FE68 small reverse solidus
    "\xEF\xBC\x8E",  // U+FF0E fullwidth full stop
    "\xE2\x80\xA4",  // U+2024 one dot leader
};

Status checkDecoded(const std::string& decoded) {
    if (decoded.find('\\') != std::string::npos) {
        return Status::invalid("backslashes are not allowed in paths");
    }
    for (const char* s : kLookAlikes) {
        if (decoded.find(s) != std::string::npos) {
            return Status::invalid("look-alike slash or dot characters are not allowed");
        }
    }
    const std::string l = Poco::toLower(decoded);
    for (const char* twice : {"%2e", "%2f", "%5c", "%25", "%00"}) {
        if (l.find(twice) != std::string::npos) {
            return Status::invalid("doubly encoded characters are not allowed");
        }
    }
    size_t start = 0;
    while (start <= decoded.size()) {
        size_t end = decoded.find('/', start);
        if (end == std::string::npos) end = decoded.size();
        const std::string segment = decoded.substr(start, end - start);
        if (segment == "." || segment == "..") {
            return Status::invalid("\".\" and \"..\" are not allowed in paths");
        }
        start = end + 1;
    }
    return Status::ok();
}

}  // namespace

Status DavPath::percentDecode(const std::string& in, std::string& out) {
    out.clear();
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size()) return Status::invalid("malformed percent-encoding");
        const int hi = hexDigitValue(in[i + 1]), lo = hexDigitValue(in[i + 2]);
        if (hi < 0 || lo < 0) return Status::invalid("malformed percent-encoding");
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return Status::ok();
}

Status DavPath::decode(const std::string& target, std::string& path) {
    std::string raw = target;
    // A fragment never belongs in a request; acting on the part before it is unsafe.
    if (raw.find('#') != std::string::npos) return Status::invalid("a fragment is not allowed");
    const size_t cut = raw.find('?');
    if (cut != std::string::npos) raw.resize(cut);
    const size_t scheme = raw.find("://");
    if (scheme != std::string::npos && raw.find('/') > scheme) {
        const size_t slash = raw.find('/', scheme + 3);
        raw = slash == std::string::npos ? "/" : raw.substr(slash);
    }
    if (raw.empty() || raw[0] != '/') return Status::invalid("the path must be absolute");
    std::string decoded;
    if (Status s = percentDecode(raw, decoded); !s) return s;
    if (Status s = checkDecoded(decoded); !s) return s;
    return VirtualPath::resolve("/", decoded, path);
}

Status DavPath::decodeDestination(const std::string& destination, const std::string& host,
                                  std::string& path) {
    if (destination.empty()) return Status::invalid("Destination is missing");
    const size_t scheme = destination.find("://");
    if (scheme != std::string::npos) {
        const std::string s = Poco::toLower(destination.substr(0, scheme));
        if (s != "http" && s != "https") return Status::invalid("Destination is not http(s)");
        const size_t slash = destination.find('/', scheme + 3);
        std::string authority = destination.substr(
            scheme + 3, slash == std::string::npos ? std::string::npos : slash - scheme - 3);
        const size_t at = authority.rfind('@');
        if (at != std::string::npos) authority = authority.substr(at + 1);
        if (Poco::toLower(authority) != Poco::toLower(host)) {
            return Status::error(StatusCode::Unsupported, "Destination is on another server");
        }
        return decode(slash == std::string::npos ? "/" : destination.substr(slash), path);
    }
    return decode(destination, path);
}

std::string DavPath::href(const std::string& path, bool collection) {
    static const char* const kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : path) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    if (collection && (out.empty() || out.back() != '/')) out += '/';
    return out;
}

}  // namespace dad
