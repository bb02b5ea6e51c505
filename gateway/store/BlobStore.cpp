#include "BlobStore.h"

#include <mutex>

#include "Catalog.h"
#include "Sha256.h"

namespace dad {

BlobStore::BlobStore(FileSystem& fs, std::string dataDir)
    : fs_(fs), blobDir_(dataDir + "/blobs"), uploadDir_(dataDir + "/uploads") {}

Status BlobStore::init() {
    if (Status s = fs_.makeDirectories(uploadDir_); !s) return s;
    static const char* kHex = "0123456789abcdef";
    for (int i = 0; i < 256; ++i) {
        const std::string dir = blobDir_ + "/" + kHex[i >> 4] + kHex[i & 15];
        if (Status s = ensureDurableDirectory(dir); !s) return s;
    }
    return Status::ok();
}

std::string BlobStore::blobPath(const std::string& sha256) const {
    return blobDir_ + "/" + sha256.substr(0, 2) + "/" + sha256;
}

std::string BlobStore::uploadPath(const std::string& tempName) const {
    return uploadDir_ + "/" + tempName;
}

Status BlobStore::adopt(const std::string& uploadFile, const std::string& sha256) {
    if (!Sha256::isHexDigest(sha256)) return Status::invalid("not a SHA-256 digest");
    const std::string target = blobPath(sha256);
    const std::string dir = target.substr(0, target.rfind('/'));
    if (fs_.exists(target)) {
        // The name may be a failed or still running adopt()'s, not yet durable:
        // only a directory fsync of our own makes it safe to commit.
        return fs_.syncDirectory(dir);
    }
    if (Status s = ensureDurableDirectory(dir); !s) return s;
    Status s = fs_.link(uploadFile, target);
    if (!s && s.code() != StatusCode::Exists) return s;
    // The new name must survive a crash before the catalog names it.
    return fs_.syncDirectory(dir);
}

Status BlobStore::ensureDurableDirectory(const std::string& dir) {
    // Held while creating and syncing, so nobody links into a folder whose own
    // name is not yet on disk. A folder found existing was made by an earlier
    // run (durable, or lost with everything else in the same crash) or by a
    // call that finished syncing under this lock.
    std::lock_guard<std::mutex> lock(directoriesMutex_);
    if (durableDirectories_.count(dir)) return Status::ok();
    if (!fs_.exists(dir)) {
        if (Status s = fs_.makeDirectories(dir); !s) return s;
        const std::string parent = dir.substr(0, dir.rfind('/'));
        if (Status s = fs_.syncDirectory(parent); !s) return s;
        if (Status s = fs_.syncDirectory(parent.substr(0, parent.rfind('/'))); !s) return s;
    }
    durableDirectories_.insert(dir);
    return Status::ok();
}

Status BlobStore::hashFile(const std::string& path, std::string& sha256, uint64_t& size) {
    int fd = -1;
    if (Status s = fs_.openForRead(path, fd); !s) return s;
    Sha256 hasher;
    std::string buffer(1 << 20, '\0');
    size = 0;
    for (;;) {
        size_t got = 0;
        Status s = fs_.readAt(fd, size, buffer.data(), buffer.size(), got);
        if (!s) {
            fs_.close(fd);
            return s;
        }
        hasher.update(buffer.data(), got);
        size += got;
        if (got < buffer.size()) break;
    }
    fs_.close(fd);
    sha256 = hasher.finishHex();
    return Status::ok();
}

Status BlobStore::collectGarbage(Catalog& catalog, int64_t graceSeconds, size_t& removed) {
    std::unique_lock<std::shared_mutex> lock(linkLock_);
    std::vector<std::string> collectable;
    if (Status s = catalog.takeCollectableBlobs(nowSeconds() - graceSeconds, collectable); !s) {
        return s;
    }
    removed = 0;
    for (const std::string& sha : collectable) {
        if (fs_.remove(blobPath(sha))) ++removed;
    }
    return Status::ok();
}

Status BlobStore::check(Catalog& catalog, std::vector<std::string>& problems) {
    std::vector<BlobRecord> blobs;
    if (Status s = catalog.listBlobs(blobs); !s) return s;
    for (const BlobRecord& blob : blobs) {
        int fd = -1;
        if (!fs_.openForRead(blobPath(blob.sha256), fd)) {
            if (blob.refcount > 0) problems.push_back("blob " + blob.sha256 + " is missing");
            continue;
        }
        uint64_t size = 0;
        Status s = fs_.size(fd, size);
        fs_.close(fd);
        if (!s || size != blob.size) {
            problems.push_back("blob " + blob.sha256 + " has " + std::to_string(size) +
                               " bytes, the catalog says " + std::to_string(blob.size));
        }
    }
    return Status::ok();
}

}  // namespace dad
