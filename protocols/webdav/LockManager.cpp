#include "LockManager.h"

#include <Poco/UUIDGenerator.h>

#include <chrono>

namespace dad {

namespace {

int64_t monotonicSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

bool LockManager::isAncestorOrSelf(const std::string& ancestor, const std::string& path) {
    if (ancestor == path || ancestor == "/") return true;
    return path.size() > ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
           path[ancestor.size()] == '/';
}

void LockManager::expire() {
    const int64_t now = monotonicSeconds();
    for (auto it = locks_.begin(); it != locks_.end();) {
        it = it->second.expires <= now ? locks_.erase(it) : std::next(it);
    }
}

int64_t LockManager::parseTimeout(const std::string& header) {
    size_t pos = 0;
    while ((pos = header.find("Second-", pos)) != std::string::npos) {
        pos += 7;
        int64_t value = 0;
        size_t digits = 0;
        while (pos < header.size() && header[pos] >= '0' && header[pos] <= '9' && digits < 12) {
            value = value * 10 + (header[pos++] - '0');
            ++digits;
        }
        if (digits > 0) return value <= 0 ? kDefaultTimeout : std::min(value, kMaxTimeout);
    }
    return header.find("Infinite") != std::string::npos ? kMaxTimeout : kDefaultTimeout;
}

Status LockManager::lock(DavLock& lock) {
    std::lock_guard<std::mutex> guard(mutex_);
    expire();
    if (locks_.size() >= kMaxLocks) return Status::error(StatusCode::Busy, "too many locks");
    for (const auto& [token, held] : locks_) {
        const bool overlaps = (held.root == lock.root) ||
                              (held.infinite && isAncestorOrSelf(held.root, lock.root)) ||
                              (lock.infinite && isAncestorOrSelf(lock.root, held.root));
        if (overlaps && (held.exclusive || lock.exclusive)) {
            return Status::error(StatusCode::Busy, "the resource is locked");
        }
    }
    lock.token =
        "opaquelocktoken:" + Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
    if (lock.timeoutSeconds <= 0) lock.timeoutSeconds = kDefaultTimeout;
    lock.expires = monotonicSeconds() + lock.timeoutSeconds;
    locks_[lock.token] = lock;
    return Status::ok();
}

Status LockManager::refresh(const std::string& token, const std::string& user,
                            int64_t timeoutSeconds, DavLock& lock) {
    std::lock_guard<std::mutex> guard(mutex_);
    expire();
    auto it = locks_.find(token);
    if (it == locks_.end() || it->second.user != user) return Status::notFound("no such lock");
    it->second.timeoutSeconds = timeoutSeconds > 0 ? timeoutSeconds : kDefaultTimeout;
    it->second.expires = monotonicSeconds() + it->second.timeoutSeconds;
    lock = it->second;
    return Status::ok();
}

Status LockManager::unlock(const std::string& path, const std::string& token,
                           const std::string& user) {
    std::lock_guard<std::mutex> guard(mutex_);
    expire();
    auto it = locks_.find(token);
    if (it == locks_.end() || !(it->second.root == path ||
                                (it->second.infinite && isAncestorOrSelf(it->second.root, path)))) {
        return Status::notFound("no such lock on this resource");
    }
    if (it->second.user != user) return Status::denied("the lock belongs to someone else");
    locks_.erase(it);
    return Status::ok();
}

std::vector<DavLock> LockManager::covering(const std::string& path) {
    std::lock_guard<std::mutex> guard(mutex_);
    expire();
    std::vector<DavLock> out;
    for (const auto& [token, held] : locks_) {
        if (covers(held, path)) out.push_back(held);
    }
    return out;
}

std::vector<DavLock> LockManager::coveringOrBelow(const std::string& path) {
    std::lock_guard<std::mutex> guard(mutex_);
    expire();
    std::vector<DavLock> out;
    for (const auto& [token, held] : locks_) {
        if (covers(held, path) || isAncestorOrSelf(path, held.root)) out.push_back(held);
    }
    return out;
}

Status LockManager::mayChange(const std::string& path, bool subtree, const std::string& user,
                              const std::set<std::string>& submitted) {
    std::lock_guard<std::mutex> guard(mutex_);
    expire();
    bool covered = false, unlocked = false;
    for (const auto& [token, held] : locks_) {
        const bool owned = held.user == user && submitted.count(token);
        if (held.root == path || (held.infinite && isAncestorOrSelf(held.root, path))) {
            // One submitted lock of those covering the path is enough (shared locks).
            covered = true;
            unlocked = unlocked || owned;
        } else if (subtree && isAncestorOrSelf(path, held.root) && !owned) {
            return Status::error(StatusCode::Busy, "a member is locked");
        }
    }
    if (covered && !unlocked) return Status::error(StatusCode::Busy, "the resource is locked");
    return Status::ok();
}

void LockManager::dropBelow(const std::string& path) {
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto it = locks_.begin(); it != locks_.end();) {
        it = isAncestorOrSelf(path, it->second.root) ? locks_.erase(it) : std::next(it);
    }
}

bool LockManager::find(const std::string& token, const std::string& path, DavLock& lock) {
    std::lock_guard<std::mutex> guard(mutex_);
    expire();
    auto it = locks_.find(token);
    if (it == locks_.end()) return false;
    if (!(it->second.root == path ||
          (it->second.infinite && isAncestorOrSelf(it->second.root, path)))) {
        return false;
    }
    lock = it->second;
    return true;
}

}  // namespace dad
