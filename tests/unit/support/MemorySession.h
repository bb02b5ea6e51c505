// MemorySession: a dad::Session held in memory, for protocol engine tests.
// Directories and files live in std::maps; an upload becomes visible only when
// its WriteStream closes Ok, as the real session promises. Tests can inject a
// close error and read counters of what the engine asked for.
#pragma once

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "Session.h"
#include "VirtualPath.h"

namespace dad {
namespace test {

struct MemoryFile {
    std::string content;
    int64_t mtime = 1700000000;
    bool writable = true;
};

struct CopyCall {
    std::string from, to;
    bool replace = false;
};

class MemorySession : public Session {
public:
    // Injectable behaviour.
    std::string home = "/";
    Status closeError;         // returned by the next upload's close()
    Status syncError;          // returned by sync()
    bool throwOnStat = false;  // a misbehaving implementation
    SpaceInfo space{1ULL << 40, 1ULL << 30};

    // What happened.
    std::map<std::string, MemoryFile> files;
    std::set<std::string> directories{"/"};
    int openReads = 0, readCloses = 0, openWrites = 0, writeCloses = 0, abandons = 0, discards = 0;
    int syncs = 0, hashCalls = 0;
    std::vector<CopyCall> copies;
    std::vector<CopyCall> renames;
    std::vector<std::pair<std::string, int64_t>> mtimes;
    WriteOptions lastWriteOptions;

    void addFile(const std::string& path, const std::string& content, bool writable = true) {
        files[path] = MemoryFile{content, 1700000000, writable};
    }

    const std::string& userName() const override { return user_; }
    std::string homeDirectory() const override { return home; }

    Status stat(const std::string& path, FileInfo& info) override {
        if (throwOnStat) throw std::runtime_error("stat exploded");
        info = FileInfo();
        info.name = VirtualPath::baseName(path);
        if (directories.count(path)) {
            info.type = EntryType::Directory;
            info.size = 4096;
            info.mtime = 1700000000;
            info.writable = true;
            return Status::ok();
        }
        auto it = files.find(path);
        if (it == files.end()) return Status::notFound("no such file: " + path);
        info.size = it->second.content.size();
        info.mtime = it->second.mtime;
        info.writable = it->second.writable;
        return Status::ok();
    }

    Status list(const std::string& path, std::vector<FileInfo>& entries) override {
        if (files.count(path)) return Status::error(StatusCode::NotADirectory, "not a directory");
        if (!directories.count(path)) return Status::notFound("no such directory: " + path);
        entries.clear();
        for (const auto& dir : directories) {
            if (dir != "/" && VirtualPath::parent(dir) == path) entries.push_back(info(dir));
        }
        for (const auto& [name, file] : files) {
            if (VirtualPath::parent(name) == path) entries.push_back(info(name));
        }
        return Status::ok();
    }

    Status makeDirectory(const std::string& path) override {
        if (exists(path)) return Status::exists("exists: " + path);
        if (!directories.count(VirtualPath::parent(path))) return Status::notFound("no parent");
        directories.insert(path);
        return Status::ok();
    }
    Status removeDirectory(const std::string& path) override {
        if (!directories.count(path)) return Status::notFound("no such directory");
        std::vector<FileInfo> entries;
        list(path, entries);
        if (!entries.empty()) return Status::error(StatusCode::NotEmpty, "directory not empty");
        directories.erase(path);
        return Status::ok();
    }
    Status removeFile(const std::string& path) override {
        if (!files.erase(path)) return Status::notFound("no such file");
        return Status::ok();
    }
    Status rename(const std::string& from, const std::string& to, bool replace) override {
        renames.push_back({from, to, replace});
        auto it = files.find(from);
        if (it == files.end()) return Status::notFound("no such file");
        if (exists(to) && !replace) return Status::exists("target exists");
        MemoryFile moved = it->second;
        files.erase(it);
        files[to] = moved;
        return Status::ok();
    }
    Status copyFile(const std::string& from, const std::string& to, bool replace) override {
        copies.push_back({from, to, replace});
        auto it = files.find(from);
        if (it == files.end()) return Status::notFound("no such file");
        if (exists(to) && !replace) return Status::exists("target exists");
        files[to] = it->second;
        return Status::ok();
    }
    Status linkContent(const std::string&, const std::string&, uint64_t, bool) override {
        return Status::error(StatusCode::Unsupported, "upload by hash is not supported here");
    }
    Status setModificationTime(const std::string& path, int64_t mtime) override {
        mtimes.emplace_back(path, mtime);
        auto it = files.find(path);
        if (it == files.end()) return Status::notFound("no such file");
        it->second.mtime = mtime;
        return Status::ok();
    }

    Status openRead(const std::string& path, std::unique_ptr<ReadStream>& stream) override {
        ++openReads;
        if (directories.count(path)) return Status::error(StatusCode::IsADirectory, "directory");
        auto it = files.find(path);
        if (it == files.end()) return Status::notFound("no such file: " + path);
        stream = std::make_unique<Reader>(*this, it->second.content);
        return Status::ok();
    }
    Status openWrite(const std::string& path, const WriteOptions& options,
                     std::unique_ptr<WriteStream>& stream) override {
        ++openWrites;
        lastWriteOptions = options;
        if (directories.count(path)) return Status::error(StatusCode::IsADirectory, "directory");
        if (!directories.count(VirtualPath::parent(path))) return Status::notFound("no parent");
        auto it = files.find(path);
        if (options.exclusive && it != files.end()) return Status::exists("file exists");
        if (it != files.end() && !it->second.writable) return Status::denied("read-only");
        std::string start = (it == files.end() || options.truncate) ? "" : it->second.content;
        stream = std::make_unique<Writer>(*this, path, std::move(start), options.append);
        return Status::ok();
    }

    Status contentHash(const std::string& path, std::string& sha256Hex) override {
        ++hashCalls;
        auto it = files.find(path);
        if (it == files.end()) return Status::notFound("no such file");
        sha256Hex = sha256Of(it->second.content);
        return Status::ok();
    }
    Status spaceInfo(SpaceInfo& info) override {
        info = space;
        return Status::ok();
    }

    static std::string sha256Of(const std::string& data) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_Digest(data.data(), data.size(), md, &length, EVP_sha256(), nullptr);
        static const char* const kHex = "0123456789abcdef";
        std::string hex;
        for (unsigned int i = 0; i < length; ++i) {
            hex.push_back(kHex[md[i] >> 4]);
            hex.push_back(kHex[md[i] & 15]);
        }
        return hex;
    }

private:
    class Reader : public ReadStream {
    public:
        Reader(MemorySession& session, std::string content)
            : session_(session), content_(std::move(content)) {}
        Status read(uint64_t offset, char* buffer, size_t length, size_t& got) override {
            got = 0;
            if (offset < content_.size()) {
                got = std::min<size_t>(length, content_.size() - offset);
                std::memcpy(buffer, content_.data() + offset, got);
            }
            return Status::ok();
        }
        uint64_t size() const override { return content_.size(); }
        Status close() override {
            ++session_.readCloses;
            return Status::ok();
        }

    private:
        MemorySession& session_;
        std::string content_;
    };

    class Writer : public WriteStream {
    public:
        Writer(MemorySession& session, std::string path, std::string content, bool append)
            : session_(session),
              path_(std::move(path)),
              content_(std::move(content)),
              append_(append) {}
        Status write(uint64_t offset, const char* data, size_t length) override {
            if (append_) offset = content_.size();
            if (offset > (1ULL << 30)) return Status::invalid("offset too large for a test");
            if (content_.size() < offset + length) content_.resize(offset + length, '\0');
            content_.replace(offset, length, data, length);
            return Status::ok();
        }
        uint64_t size() const override { return content_.size(); }
        Status sync() override {
            ++session_.syncs;
            return session_.syncError;
        }
        Status close() override {
            ++session_.writeCloses;
            if (!session_.closeError) return session_.closeError;
            session_.files[path_].content = content_;
            return Status::ok();
        }
        void abandon() override { ++session_.abandons; }
        void discard() override { ++session_.discards; }

    private:
        MemorySession& session_;
        std::string path_;
        std::string content_;
        bool append_;
    };

    bool exists(const std::string& path) const {
        return directories.count(path) > 0 || files.count(path) > 0;
    }
    FileInfo info(const std::string& path) {
        FileInfo result;
        stat(path, result);
        return result;
    }

    std::string user_ = "alice";
};

}  // namespace test
}  // namespace dad
