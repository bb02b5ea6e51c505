// BlobStore: content named by SHA-256 under <data>/blobs/ab/<sha256>, stored
// once whoever uploads it; partial uploads under <data>/uploads/.
//
// Publishing an upload: the caller fsyncs the upload file, then adopt() gives
// it the blob's name (a hard link, so the upload file survives a failed
// commit) and fsyncs the directory; the caller commits the catalog, then
// discards the upload file. A blob file exists before any catalog row names
// it; the collector removes a blob's row before its file, under linkLock()
// held exclusively, while publishers hold it shared from adopt() to commit.
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "FileSystem.h"
#include "Status.h"

namespace dad {

class Catalog;

class BlobStore {
public:
    BlobStore(FileSystem& fs, std::string dataDir);

    // Creates the directories, with the 256 blob folders made durable once
    // here, so publishing a new blob costs one directory fsync.
    Status init();

    std::string blobPath(const std::string& sha256) const;
    std::string uploadPath(const std::string& tempName) const;
    const std::string& uploadDirectory() const { return uploadDir_; }
    FileSystem& fileSystem() { return fs_; }

    // Gives the (fsynced) upload file the blob's name, unless the store holds
    // that content already. REQUIRES: linkLock() held shared.
    Status adopt(const std::string& uploadFile, const std::string& sha256);

    // Reads a file and returns its SHA-256 and size (the second pass, only for
    // uploads whose writes came out of order).
    Status hashFile(const std::string& path, std::string& sha256, uint64_t& size);

    // Deletes blobs unreferenced for longer than `graceSeconds`; returns how many.
    Status collectGarbage(Catalog& catalog, int64_t graceSeconds, size_t& removed);

    // Checks that every blob row has a file of the right size; lists problems.
    Status check(Catalog& catalog, std::vector<std::string>& problems);

    std::shared_mutex& linkLock() { return linkLock_; }

private:
    // Creates blobs/ab when missing and makes its name durable before use.
    Status ensureDurableDirectory(const std::string& dir);

    FileSystem& fs_;
    std::string blobDir_;
    std::string uploadDir_;
    std::shared_mutex linkLock_;
    std::mutex directoriesMutex_;
    std::set<std::string> durableDirectories_;
};

}  // namespace dad
