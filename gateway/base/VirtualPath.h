// VirtualPath: turns a path a client sent into a normalized absolute virtual
// path, the only form the Session accepts. One rule for every protocol.
#pragma once

#include <string>
#include <vector>

#include "Status.h"

namespace dad {

class VirtualPath {
public:
    static constexpr size_t kMaxPathBytes = 4096;
    static constexpr size_t kMaxNameBytes = 255;

    // Resolves `raw` (absolute, or relative to `cwd`, itself normalized) into
    // `out`: "/a/b" form, no ".", ".." clamped at "/" (it can never escape).
    // Refuses with InvalidArgument: NUL or other control characters, a
    // backslash, invalid UTF-8, a name or path past the limits.
    static Status resolve(const std::string& cwd, const std::string& raw, std::string& out);

    // Whether `name` may be one path component (same checks, plus no "/").
    static Status checkName(const std::string& name);

    // "/a/b/c" -> {"a","b","c"}; "/" -> {}. REQUIRES: a normalized path.
    static std::vector<std::string> split(const std::string& path);
    static std::string join(const std::vector<std::string>& parts);
    static std::string parent(const std::string& path);
    static std::string baseName(const std::string& path);
};

}  // namespace dad
