// IfHeader: the WebDAV If request header (RFC 4918 section 10.4) parsed into
// lists of conditions, and evaluated against state the caller looks up.
// Pure; a malformed header gives InvalidArgument (HTTP 400).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

struct IfCondition {
    bool negated = false;
    bool isEtag = false;
    std::string value;  // a state token (without <>) or an entity tag (with quotes)
};

struct IfList {
    std::string resource;  // the tagged resource's URI, "" for the request URI
    std::vector<IfCondition> conditions;
};

class IfHeader {
public:
    static constexpr size_t kMaxBytes = 16384;

    static Status parse(const std::string& header, std::vector<IfList>& lists);

    // Every state token in the header: the lock tokens the client submits.
    static std::set<std::string> tokens(const std::vector<IfList>& lists);

    // True when at least one list holds: each condition (or its negation) is
    // true for the list's resource. `tokenMatches(resource, token)` and
    // `etagMatches(resource, etag)` answer for one condition.
    static bool evaluate(
        const std::vector<IfList>& lists,
        const std::function<bool(const std::string&, const std::string&)>& tokenMatches,
        const std::function<bool(const std::string&, const std::string&)>& etagMatches);
};

}  // namespace dad
