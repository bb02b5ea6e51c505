// DavPath: request URIs to virtual paths and back. One decoding, with the
// tricks refused rather than interpreted: a second level of percent-encoding
// ("%252e" decodes to "%2e"), backslashes, look-alike slashes (fullwidth
// solidus and friends), "." and ".." segments, control characters and bad
// UTF-8 all give InvalidArgument. Pure functions.
#pragma once

#include <string>

#include "Status.h"

namespace dad {

class DavPath {
public:
    // `target` is the request-target (origin form "/a%20b/c?x" or absolute
    // form "https://host/a"); `path` becomes a normalized virtual path.
    static Status decode(const std::string& target, std::string& path);

    // A Destination header (RFC 4918 10.3): an absolute URI whose authority
    // must be `host` (the request's Host header), or an absolute path.
    // A different host gives Unsupported (the caller answers 502).
    static Status decodeDestination(const std::string& destination, const std::string& host,
                                    std::string& path);

    // The href of a virtual path: each segment percent-encoded; collections
    // end with "/".
    static std::string href(const std::string& path, bool collection);

    // Percent-decodes once; InvalidArgument on a malformed escape.
    static Status percentDecode(const std::string& in, std::string& out);
};

}  // namespace dad
