// libFuzzer target: what a user may hand the fetch feature. The input is
// read as a `*.fetch` request file and as a fetch job's JSON payload.
// Findings: a crash or sanitizer report (an exception escaping included); an
// error that names no line of the file; a request file or payload that,
// written back (key = value lines; toJson), reads as something else; and an
// accepted URL, into or host key that the codec's own checks refuse.
#include <Poco/Base64Encoder.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <sstream>
#include <string>

#include "FetchRequest.h"

namespace {

using dad::FetchRequest;
using dad::FetchRequestCodec;
using dad::FetchRequestFile;

std::string base64(const std::string& bytes) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder.rdbuf()->setLineLength(0);
    encoder << bytes;
    encoder.close();
    return out.str();
}

std::string date(int64_t seconds) {
    const time_t t = static_cast<time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

std::string write(const FetchRequestFile& f) {
    std::string out = "url = " + f.url + "\n";
    if (f.at != 0) out += "at = " + date(f.at) + "\n";
    if (!f.into.empty()) out += "into = " + f.into + "\n";
    if (!f.user.empty()) out += "user = " + f.user + "\n";
    if (!f.password.empty()) {
        // As a password line only what trimming and getline leave as it is.
        const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)); };
        const bool oneLine = f.password.find_first_of("\r\n") == std::string::npos &&
                             !space(f.password.front()) && !space(f.password.back());
        out += oneLine ? "password = " + f.password + "\n"
                       : "private_key = " + base64(f.password) + "\n";
    }
    if (!f.hostKey.empty()) out += "host_key = " + f.hostKey + "\n";
    return out;
}

bool same(const FetchRequestFile& a, const FetchRequestFile& b) {
    return a.url == b.url && a.at == b.at && a.into == b.into && a.user == b.user &&
           a.password == b.password && a.hostKey == b.hostKey;
}

void checkFile(const std::string& text) {
    FetchRequestFile file;
    const dad::Status s = FetchRequestCodec::parseFile("r.fetch", text, file);
    if (!s) {
        if (s.message().rfind("r.fetch", 0) != 0) abort();
        return;
    }
    if (!FetchRequestCodec::checkUrl(file.url) || !FetchRequestCodec::checkInto(file.into)) abort();
    if (!file.hostKey.empty() && !FetchRequestCodec::checkHostKey(file.hostKey)) abort();
    // A password holding CR (getline keeps it) has no other spelling unless it is a key.
    if (file.password.find('\r') != std::string::npos && file.password.rfind("-----BEGIN", 0) != 0)
        return;
    FetchRequestFile again;
    const std::string written = write(file);
    if (written.size() > FetchRequestCodec::kMaxFileBytes) return;
    if (!FetchRequestCodec::parseFile("r.fetch", written, again) || !same(file, again)) abort();
}

bool same(const FetchRequest& a, const FetchRequest& b) {
    return a.user == b.user && a.url == b.url && a.into == b.into &&
           a.credentials == b.credentials && a.package == b.package && a.request == b.request &&
           a.hostKey == b.hostKey && a.stored == b.stored &&
           (a.stored.empty() || (a.bytes == b.bytes && a.sha256 == b.sha256)) &&
           a.removed == b.removed;
}

void checkJson(const std::string& payload) {
    FetchRequest request;
    if (!FetchRequestCodec::fromJson(payload, request)) return;
    FetchRequest again;
    if (!FetchRequestCodec::fromJson(FetchRequestCodec::toJson(request), again)) abort();
    if (!same(request, again)) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    checkFile(text);
    checkJson(text);
    return 0;
}
