// Manifest: the `.dad` file a sender may write into a draft, `key = value`
// lines. Unknown keys and bad values are refused with the line's number, never
// ignored. Bounded: at most kMaxBytes of text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

struct Manifest {
    std::vector<std::string> to;
    std::vector<std::string> cc;
    std::string message;
    std::optional<int64_t> expiresAt;     // absolute time, seconds since the epoch
    std::optional<int64_t> expiresAfter;  // seconds after sending
    std::optional<int64_t> maxDownloads;
    std::optional<std::string> password;
    std::string notify;                  // "", "email", "none"
    std::vector<std::string> forwardTo;  // site names
};

class ManifestParser {
public:
    static constexpr size_t kMaxBytes = 64 * 1024;
    // Parses `text`; on error the message reads ".dad line N: ...".
    static Status parse(const std::string& text, Manifest& manifest);
    // "7d", "24h", "30m", "2w", "3600s" -> seconds; false if malformed.
    static bool parseDuration(const std::string& text, int64_t& seconds);
    // "2026-12-01" or "2026-12-01T12:00:00Z" -> seconds since the epoch (UTC).
    static bool parseDateTime(const std::string& text, int64_t& seconds);
};

}  // namespace dad
