// libFuzzer target: bytes of an FTP control connection through
// FtpCommandParser, once whole and once in pieces of a size the first byte
// picks. Findings: a crash or sanitizer report; a different sequence of
// results for the two ways in (the parser must not depend on how TCP cut the
// stream); a command whose verb is not 1-16 upper-case letters or digits or
// whose argument holds CR, LF or NUL; more buffered than one line allows.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "FtpCommandParser.h"

namespace {

constexpr size_t kMaxLine = 64;  // small, so overlong lines are reached

struct Result {
    dad::FtpParse kind;
    std::string verb, argument;
    bool operator==(const Result& o) const {
        return kind == o.kind && verb == o.verb && argument == o.argument;
    }
};

void drain(dad::FtpCommandParser& parser, std::vector<Result>& out) {
    for (;;) {
        dad::FtpCommand command;
        const dad::FtpParse kind = parser.next(command);
        if (kind == dad::FtpParse::NeedMore) break;
        if (kind == dad::FtpParse::Command) {
            if (command.verb.empty() || command.verb.size() > 16) abort();
            for (char c : command.verb) {
                if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) abort();
            }
            if (command.argument.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
                abort();
            if (command.verb.size() + command.argument.size() > kMaxLine) abort();
        }
        out.push_back({kind, command.verb, command.argument});
    }
    if (parser.hasLine()) abort();
    if (parser.buffered() > kMaxLine) abort();  // only the partial line is left
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const size_t step = 1 + data[0] % 16;
    const char* input = reinterpret_cast<const char*>(data) + 1;
    const size_t length = size - 1;

    dad::FtpCommandParser whole(kMaxLine);
    std::vector<Result> once;
    whole.feed(input, length);
    for (;;) {  // drain without the buffered bound: many lines came at once
        dad::FtpCommand command;
        const dad::FtpParse kind = whole.next(command);
        if (kind == dad::FtpParse::NeedMore) break;
        once.push_back({kind, command.verb, command.argument});
    }

    dad::FtpCommandParser pieces(kMaxLine);
    std::vector<Result> split;
    for (size_t at = 0; at < length; at += step) {
        pieces.feed(input + at, std::min(step, length - at));
        drain(pieces, split);
    }
    if (!(once == split)) abort();
    if (whole.buffered() != pieces.buffered()) abort();
    pieces.discardBuffered();
    if (pieces.buffered() != 0) abort();
    return 0;
}
