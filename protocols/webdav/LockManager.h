// LockManager: WebDAV write locks (RFC 4918 class 2), held in memory; a
// restart forgets them, as clients re-lock. Locks are keyed by virtual path
// and by owner (the account): a token only counts for the user who took it.
// Thread-safe; the number of locks is capped so memory stays bounded.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

struct DavLock {
    std::string token;  // "opaquelocktoken:<uuid>"
    std::string root;   // the virtual path locked
    std::string user;
    bool exclusive = true;
    bool infinite = false;  // Depth: infinity (collections)
    std::string ownerXml;
    int64_t timeoutSeconds = 0;
    int64_t expires = 0;  // monotonic seconds
};

class LockManager {
public:
    static constexpr size_t kMaxLocks = 100000;
    static constexpr int64_t kDefaultTimeout = 600;
    static constexpr int64_t kMaxTimeout = 3600;

    // Takes a new lock on `lock.root`; Busy when it conflicts with a lock on
    // that path, an infinite lock above it, or (infinite) any lock below it.
    Status lock(DavLock& lock);
    // Renews a lock of `user` by token; NotFound when it does not exist.
    Status refresh(const std::string& token, const std::string& user, int64_t timeoutSeconds,
                   DavLock& lock);
    // Releases a lock that covers `path`; NotFound otherwise.
    Status unlock(const std::string& path, const std::string& token, const std::string& user);

    // Locks that cover `path` (on it, or infinite on an ancestor).
    std::vector<DavLock> covering(const std::string& path);
    // Locks that cover `path` or anything below it: one look for a PROPFIND of
    // a folder, whose entries then pick theirs with covers().
    std::vector<DavLock> coveringOrBelow(const std::string& path);
    static bool covers(const DavLock& lock, const std::string& path) {
        return lock.root == path || (lock.infinite && isAncestorOrSelf(lock.root, path));
    }
    // Whether a change at `path` (and, with `subtree`, below it) is allowed:
    // every lock there is owned by `user` and one of its tokens is in
    // `submitted`. Busy (HTTP 423) otherwise.
    Status mayChange(const std::string& path, bool subtree, const std::string& user,
                     const std::set<std::string>& submitted);
    // Forgets the locks at and below `path` (after a DELETE or MOVE).
    void dropBelow(const std::string& path);
    // The lock with that token if it covers `path`.
    bool find(const std::string& token, const std::string& path, DavLock& lock);

    // "Second-600" style Timeout header into seconds, capped.
    static int64_t parseTimeout(const std::string& header);

private:
    static bool isAncestorOrSelf(const std::string& ancestor, const std::string& path);
    void expire();

    std::mutex mutex_;
    std::map<std::string, DavLock> locks_;  // by token
};

}  // namespace dad
