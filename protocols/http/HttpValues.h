// HttpValues: small pure pieces of HTTP the fronts share: one byte
// range, an application/x-www-form-urlencoded body, a cookie header, a
// Content-Disposition for attachments, percent-encoding of a path. No
// socket; untrusted input gives false or an empty result, never a crash.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace dad {

struct ByteRange {
    uint64_t first = 0;
    uint64_t last = 0;  // inclusive
};

enum class RangeResult { Whole, Partial, Unsatisfiable };

// "bytes=a-b", "bytes=a-", "bytes=-n" of a file of `size` bytes. Several
// ranges or anything malformed: Whole (the whole file is sent).
RangeResult parseByteRange(const std::string& header, uint64_t size, ByteRange& range);

// name=value pairs (+ and %XX decoded). False when malformed or when it has
// more than `maxFields` fields; a repeated name keeps its first value.
bool parseUrlEncodedForm(const std::string& body, std::map<std::string, std::string>& fields,
                         size_t maxFields = 16);

// The value of cookie `name` in a Cookie header ("" when absent).
std::string cookieValue(const std::string& header, const std::string& name);

// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<encoded>` for
// the last component of `path`.
std::string attachmentDisposition(const std::string& path);

// Every byte but unreserved characters (and '/' when `keepSlash`) as %XX.
std::string percentEncode(const std::string& text, bool keepSlash);
// %XX decoded; false for a malformed escape or a NUL byte.
bool percentDecode(const std::string& text, std::string& decoded);

}  // namespace dad
