// RemoteFiles: what pushing to or fetching from a file server needs of a
// connected client session (FtpClient, SftpClient), so the resume logic is
// written once for both. Paths are '/'-separated: absolute ("/a/b") or
// relative to the login directory ("a/b").
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

class RemoteFiles {
public:
    // Reads up to `length` bytes at `offset` of the content to upload; `got`
    // 0 at its end.
    using Reader = std::function<Status(uint64_t offset, char* buffer, size_t length, size_t& got)>;
    // Told the offset reached after each chunk.
    using Progress = std::function<void(uint64_t offset)>;
    // Takes each downloaded chunk.
    using Sink = std::function<Status(const char* data, size_t length)>;

    virtual ~RemoteFiles() = default;
    // Creates each missing folder of `path`, like mkdir -p.
    virtual Status makeDirectories(const std::string& path) = 0;
    // The size of a remote file; nullopt when there is no such file.
    virtual Status size(const std::string& path, std::optional<uint64_t>& bytes) = 0;
    // Writes the content from `offset` on (from 0: the file is replaced);
    // ends when `read` gives 0 bytes.
    virtual Status upload(const std::string& path, uint64_t offset, const Reader& read,
                          const Progress& progress) = 0;
    // Reads a remote file from `offset` on.
    virtual Status download(const std::string& path, uint64_t offset, const Sink& sink) = 0;

    // "a/b/c" -> "a", "a/b", "a/b/c"; "/a/b" -> "/a", "/a/b".
    static std::vector<std::string> folderPrefixes(const std::string& path) {
        std::vector<std::string> prefixes;
        std::string prefix = !path.empty() && path[0] == '/' ? "/" : "";
        size_t start = 0;
        while (start < path.size()) {
            size_t end = path.find('/', start);
            if (end == std::string::npos) end = path.size();
            if (end > start) {
                if (!prefix.empty() && prefix.back() != '/') prefix += "/";
                prefix += path.substr(start, end - start);
                prefixes.push_back(prefix);
            }
            start = end + 1;
        }
        return prefixes;
    }
};

}  // namespace dad
