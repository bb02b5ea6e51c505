// libFuzzer target: random bytes as requests on one connection, given to
// HttpRequestParser in pieces of random size. A crash, a leak, an ASan report
// or a broken invariant (more taken than given, more body produced than room,
// a chunked body larger than its input) is a finding.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "HttpRequestParser.h"

using dad::HttpRequestParser;
using Result = HttpRequestParser::Result;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const size_t step = 1 + data[0] % 64;  // the first bytes choose how input arrives
    const size_t room = 1 + data[1] % 32;
    const std::string input(reinterpret_cast<const char*>(data) + 2, size - 2);
    dad::HttpLimits limits;
    limits.headerSection = 4096;
    limits.trailerSection = 1024;
    HttpRequestParser parser(limits);
    std::string pending;
    size_t at = 0;
    std::string out(room, '\0');
    for (int requests = 0; requests < 64; ++requests) {
        parser.reset();
        Result r = Result::needMore;
        while (r == Result::needMore) {
            if (pending.empty()) {
                if (at >= input.size()) return 0;
                pending = input.substr(at, step);
                at += pending.size();
            }
            size_t used = 0;
            r = parser.parseHead(pending.data(), pending.size(), used);
            if (used > pending.size()) abort();
            pending.erase(0, used);
            if (r == Result::needMore && !pending.empty()) abort();  // all taken, or an answer
        }
        if (r == Result::failed) {
            if (parser.error().status < 400 || parser.error().status > 505) abort();
            return 0;
        }
        Poco::Net::HTTPRequest request;
        parser.fillRequest(request);
        if (!parser.chunked()) {
            const uint64_t length = parser.contentLength();
            const size_t take = static_cast<size_t>(std::min<uint64_t>(length, pending.size()));
            pending.erase(0, take);
            if (take < length) return 0;  // the rest of the body is not in this input
            continue;
        }
        size_t bodyBytes = 0, fedBytes = 0;
        for (;;) {
            if (pending.empty()) {
                if (at >= input.size()) return 0;
                pending = input.substr(at, step);
                at += pending.size();
            }
            size_t used = 0, produced = 0;
            const size_t before = pending.size();
            r = parser.parseBody(pending.data(), pending.size(), used, &out[0], out.size(),
                                 produced);
            if (used > before || produced > out.size()) abort();
            fedBytes += used;
            bodyBytes += produced;
            if (bodyBytes > fedBytes) abort();
            pending.erase(0, used);
            if (r == Result::failed) return 0;
            if (r == Result::done) break;
            if (r == Result::needMore) {
                if (at >= input.size()) return 0;
                const std::string more = input.substr(at, step);
                at += more.size();
                pending += more;
            }
        }
    }
    return 0;
}
