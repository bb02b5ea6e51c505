// FileSystem: the seam through which the store touches the disk, so tests can
// make a write or an fsync fail, or the disk full (see FaultyFileSystem in
// tests). Paths are real paths of the host. Errors are Status values
// carrying strerror text. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

class FileSystem {
public:
    virtual ~FileSystem() = default;

    // Opens for reading and writing, creating (mode 0600) when missing.
    virtual Status openForWrite(const std::string& path, bool truncate, int& fd) = 0;
    virtual Status openForRead(const std::string& path, int& fd) = 0;
    virtual Status writeAt(int fd, uint64_t offset, const char* data, size_t length) = 0;
    // Reads up to `length`; `got` < length only at the end of the file.
    virtual Status readAt(int fd, uint64_t offset, char* buffer, size_t length, size_t& got) = 0;
    virtual Status sync(int fd) = 0;
    virtual Status size(int fd, uint64_t& bytes) = 0;
    virtual Status truncate(int fd, uint64_t length) = 0;
    virtual void close(int fd) = 0;

    virtual Status syncDirectory(const std::string& path) = 0;
    // Renames atomically; replaces the target.
    virtual Status rename(const std::string& from, const std::string& to) = 0;
    // Makes `to` a second name of `from`; Exists when `to` is taken.
    virtual Status link(const std::string& from, const std::string& to) = 0;
    virtual Status remove(const std::string& path) = 0;
    virtual bool exists(const std::string& path) = 0;
    virtual Status makeDirectories(const std::string& path) = 0;
    // Names in a directory (not "." or "..").
    virtual Status listDirectory(const std::string& path, std::vector<std::string>& names) = 0;
    // Total and available bytes of the file system holding `path`.
    virtual Status capacity(const std::string& path, uint64_t& total, uint64_t& available) = 0;
};

// The real one, on POSIX calls.
FileSystem& posixFileSystem();

}  // namespace dad
