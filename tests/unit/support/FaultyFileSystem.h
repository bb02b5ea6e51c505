// FaultyFileSystem: a FileSystem for tests that delegates to the real one
// (posixFileSystem()) and can be told to fail the next sync, syncDirectory,
// writeAt (like a full disk) or link, as leveldb's fault injection Env does.
// It also counts the calls that make data durable, so a test can prove an
// fsync happened. Thread-safe.
#pragma once

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "FileSystem.h"

namespace dad::test {

class FaultyFileSystem : public FileSystem {
public:
    // Each makes the next call of that kind fail once.
    void failNextSync() { failSync_ = true; }
    void failNextSyncDirectory() { failSyncDirectory_ = true; }
    void failNextWrite() { failWrite_ = true; }
    void failNextLink() { failLink_ = true; }
    void clearFaults() {
        failSync_ = false;
        failSyncDirectory_ = false;
        failWrite_ = false;
        failLink_ = false;
    }

    int syncCalls() const { return syncCalls_; }
    int syncDirectoryCalls() const { return syncDirectoryCalls_; }
    int linkCalls() const { return linkCalls_; }

    Status openForWrite(const std::string& path, bool truncate, int& fd) override {
        return real_.openForWrite(path, truncate, fd);
    }
    Status openForRead(const std::string& path, int& fd) override {
        return real_.openForRead(path, fd);
    }
    Status writeAt(int fd, uint64_t offset, const char* data, size_t length) override {
        if (failWrite_.exchange(false)) return injected("cannot write upload", ENOSPC);
        return real_.writeAt(fd, offset, data, length);
    }
    Status readAt(int fd, uint64_t offset, char* buffer, size_t length, size_t& got) override {
        return real_.readAt(fd, offset, buffer, length, got);
    }
    Status sync(int fd) override {
        ++syncCalls_;
        if (failSync_.exchange(false)) return injected("cannot sync file", EIO);
        return real_.sync(fd);
    }
    Status size(int fd, uint64_t& bytes) override { return real_.size(fd, bytes); }
    Status truncate(int fd, uint64_t length) override { return real_.truncate(fd, length); }
    void close(int fd) override { real_.close(fd); }

    Status syncDirectory(const std::string& path) override {
        ++syncDirectoryCalls_;
        if (failSyncDirectory_.exchange(false))
            return injected("cannot sync directory " + path, EIO);
        return real_.syncDirectory(path);
    }
    Status rename(const std::string& from, const std::string& to) override {
        return real_.rename(from, to);
    }
    Status link(const std::string& from, const std::string& to) override {
        ++linkCalls_;
        if (failLink_.exchange(false)) return injected("cannot link " + to, EIO);
        return real_.link(from, to);
    }
    Status remove(const std::string& path) override { return real_.remove(path); }
    bool exists(const std::string& path) override { return real_.exists(path); }
    Status makeDirectories(const std::string& path) override { return real_.makeDirectories(path); }
    Status listDirectory(const std::string& path, std::vector<std::string>& names) override {
        return real_.listDirectory(path, names);
    }
    Status capacity(const std::string& path, uint64_t& total, uint64_t& available) override {
        return real_.capacity(path, total, available);
    }

private:
    static Status injected(const std::string& what, int error) {
        return Status::ioError(what + ": " + std::strerror(error) + " (injected)");
    }

    FileSystem& real_ = posixFileSystem();
    std::atomic<bool> failSync_{false};
    std::atomic<bool> failSyncDirectory_{false};
    std::atomic<bool> failWrite_{false};
    std::atomic<bool> failLink_{false};
    std::atomic<int> syncCalls_{0};
    std::atomic<int> syncDirectoryCalls_{0};
    std::atomic<int> linkCalls_{0};
};

}  // namespace dad::test
