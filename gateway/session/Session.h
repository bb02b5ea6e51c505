// Session: what a logged-in user may do with the namespace of DESIGN.md
// (/files, /outbox, /sent, /inbox). Every protocol front-end translates its
// requests into these calls and nothing else, so each rule is written once.
//
// Paths are absolute virtual paths ("/outbox/report/a.pdf") already normalized
// by VirtualPath::resolve; implementations still refuse anything else.
// A Session is used by one connection's thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

enum class EntryType { File, Directory };

struct FileInfo {
    std::string name;  // last path component ("" for "/")
    EntryType type = EntryType::File;
    uint64_t size = 0;
    int64_t mtime = 0;      // seconds since the epoch, UTC
    bool writable = false;  // this session may change or remove it
    // Files: SHA-256 of the content (lower-case hex, as contentHash) where the
    // catalog holds it; empty for folders, generated files and unfinished uploads.
    std::string sha256;
    bool isDirectory() const { return type == EntryType::Directory; }
};

struct WriteOptions {
    bool truncate = false;   // start from zero bytes (otherwise resume the partial upload)
    bool exclusive = false;  // fail with Exists when the name is taken
    bool append = false;     // every write goes to the end
};

struct SpaceInfo {
    uint64_t totalBytes = 0;
    uint64_t freeBytes = 0;
};

class ReadStream {
public:
    virtual ~ReadStream() = default;
    // Reads up to `length` bytes at `offset`; `got` is 0 at the end of the file.
    virtual Status read(uint64_t offset, char* buffer, size_t length, size_t& got) = 0;
    // Fixed for the life of the stream (a replaced file keeps its old content here).
    virtual uint64_t size() const = 0;
    // Ends the read. Where the file belongs to a received package this records
    // the download (bytes, complete or not). Destroying without close() closes.
    virtual Status close() = 0;
};

class WriteStream {
public:
    virtual ~WriteStream() = default;
    virtual Status write(uint64_t offset, const char* data, size_t length) = 0;
    // Bytes written so far, counting a resumed partial upload.
    virtual uint64_t size() const = 0;
    // Makes the bytes so far durable; the upload stays unfinished.
    virtual Status sync() = 0;
    // Finishes the upload: data fsynced, blob linked and the catalog committed
    // before it returns Ok; only then may the protocol acknowledge. On an error
    // nothing new is visible and the partial upload is kept for a resume.
    virtual Status close() = 0;
    // The transfer was cut (connection lost, ABOR): keep the partial upload for
    // its uploader to resume; make nothing visible. Destroying without close()
    // abandons.
    virtual void abandon() = 0;
    // The upload is cancelled: its bytes are dropped, nothing is kept or made
    // visible (for example when a server-side copy replaces it).
    virtual void discard() = 0;
};

class Session {
public:
    virtual ~Session() = default;

    virtual const std::string& userName() const = 0;
    // Where a client lands after login ("/").
    virtual std::string homeDirectory() const = 0;

    // A file whose upload is unfinished is shown to its uploader only, with the
    // bytes received so far, so the client's own resume knows where to go on.
    virtual Status stat(const std::string& path, FileInfo& info) = 0;
    virtual Status list(const std::string& path, std::vector<FileInfo>& entries) = 0;
    virtual Status makeDirectory(const std::string& path) = 0;
    virtual Status removeDirectory(const std::string& path) = 0;
    virtual Status removeFile(const std::string& path) = 0;
    // Renames or moves; `replace` allows replacing an existing file atomically.
    // Renaming /outbox/<draft> into /sent sends the package.
    virtual Status rename(const std::string& from, const std::string& to, bool replace) = 0;
    // Server-side copy: a new reference to the same blob, no bytes copied.
    virtual Status copyFile(const std::string& from, const std::string& to, bool replace) = 0;
    // Upload by hash: makes `path` a new reference to stored content named by
    // its SHA-256 (lower-case hex) and size, with the same permission, policy
    // and quota checks as copyFile; no bytes move. NotFound when the store does
    // not hold that content; `replace` as for rename.
    virtual Status linkContent(const std::string& path, const std::string& sha256Hex, uint64_t size,
                               bool replace) = 0;
    virtual Status setModificationTime(const std::string& path, int64_t mtime) = 0;

    virtual Status openRead(const std::string& path, std::unique_ptr<ReadStream>& stream) = 0;
    virtual Status openWrite(const std::string& path, const WriteOptions& options,
                             std::unique_ptr<WriteStream>& stream) = 0;

    // SHA-256 of a file's content, lower-case hex, from the catalog (no re-read).
    virtual Status contentHash(const std::string& path, std::string& sha256Hex) = 0;
    virtual Status spaceInfo(SpaceInfo& info) = 0;
};

// Makes each folder above `path` that does not exist yet, as mkdir -p does,
// through the session (so its permission checks apply); the first refusal
// is returned. REQUIRES: `path` absolute and normalized.
Status makeParentDirectories(Session& session, const std::string& path);

}  // namespace dad
