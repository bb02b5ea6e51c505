// libFuzzer target: a multipart/form-data body (the package pages' upload
// form). The first line of the input is the Content-Type (a fixed boundary
// when it names none), the first byte the size of the pieces the body
// arrives in. Findings: a crash or sanitizer report; a different outcome or
// different parts for the body given whole and in pieces; more parts than
// kMaxParts; part data outside a part or more of it than the body holds.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "Multipart.h"

namespace {

using dad::MultipartPart;
using dad::Status;

struct Recorder : dad::MultipartHandler {
    struct Part {
        MultipartPart head;
        std::string body;
        bool ended = false;
    };
    std::vector<Part> parts;
    bool open = false;

    Status partBegin(const MultipartPart& part) override {
        if (open) abort();
        open = true;
        parts.push_back({part, "", false});
        return Status::ok();
    }
    Status partData(const char* data, size_t length) override {
        if (!open || length == 0) abort();
        parts.back().body.append(data, length);
        return Status::ok();
    }
    Status partEnd() override {
        if (!open) abort();
        open = false;
        parts.back().ended = true;
        return Status::ok();
    }
};

bool same(const Recorder& a, const Recorder& b) {
    if (a.parts.size() != b.parts.size()) return false;
    for (size_t i = 0; i < a.parts.size(); ++i) {
        const auto& x = a.parts[i];
        const auto& y = b.parts[i];
        if (x.head.name != y.head.name || x.head.fileName != y.head.fileName ||
            x.head.hasFileName != y.head.hasFileName || x.head.contentType != y.head.contentType ||
            x.body != y.body || x.ended != y.ended)
            return false;
    }
    return true;
}

bool parse(const std::string& boundary, const std::string& body, size_t step, Recorder& out) {
    dad::MultipartParser parser(boundary, out);
    for (size_t at = 0; at < body.size(); at += step) {
        if (!parser.feed(body.data() + at, std::min(step, body.size() - at))) return false;
    }
    return static_cast<bool>(parser.finish());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const size_t step = 1 + data[0] % 32;
    const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
    const size_t eol = input.find('\n');
    const std::string contentType = input.substr(0, eol);
    const std::string body = eol == std::string::npos ? std::string() : input.substr(eol + 1);
    std::string boundary;
    if (!dad::MultipartParser::boundaryOf(contentType, boundary)) {
        boundary = "b0und";
    } else if (boundary.empty() || boundary.size() > dad::MultipartParser::kMaxBoundary) {
        abort();
    }
    Recorder whole, pieces;
    const bool ok = parse(boundary, body, body.size() + 1, whole);
    if (parse(boundary, body, step, pieces) != ok) abort();
    if (whole.parts.size() > dad::MultipartParser::kMaxParts) abort();
    size_t bytes = 0;
    for (const auto& part : whole.parts)
        bytes += part.body.size();
    if (bytes > body.size()) abort();
    if (ok) {
        if (whole.open || !same(whole, pieces)) abort();
        for (const auto& part : whole.parts) {
            if (!part.ended || part.head.name.empty()) abort();
        }
    }
    return 0;
}
