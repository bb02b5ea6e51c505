#include "AttemptLimiter.h"

#include <chrono>

namespace dad {

AttemptLimiter::AttemptLimiter(int maxFailures, int64_t windowSeconds, Clock clock)
    : maxFailures_(maxFailures), windowSeconds_(windowSeconds), clock_(std::move(clock)) {
    if (!clock_) {
        clock_ = [] {
            return static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                            std::chrono::steady_clock::now().time_since_epoch())
                                            .count());
        };
    }
}

void AttemptLimiter::prune(std::deque<int64_t>& failures, int64_t now) const {
    while (!failures.empty() && failures.front() <= now - windowSeconds_)
        failures.pop_front();
}

bool AttemptLimiter::blocked(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = failures_.find(key);
    if (it == failures_.end()) return false;
    prune(it->second, clock_());
    if (it->second.empty()) {
        failures_.erase(it);
        return false;
    }
    return static_cast<int>(it->second.size()) >= maxFailures_;
}

void AttemptLimiter::recordFailure(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    const int64_t now = clock_();
    if (failures_.size() >= kMaxKeys && !failures_.count(key)) {
        // Drop whatever is stale; if nothing is, the key whose last failure is oldest.
        for (auto it = failures_.begin(); it != failures_.end();) {
            prune(it->second, now);
            it = it->second.empty() ? failures_.erase(it) : std::next(it);
        }
        if (failures_.size() >= kMaxKeys) {
            auto oldest = failures_.begin();
            for (auto it = failures_.begin(); it != failures_.end(); ++it) {
                if (it->second.back() < oldest->second.back()) oldest = it;
            }
            failures_.erase(oldest);
        }
    }
    std::deque<int64_t>& failures = failures_[key];
    prune(failures, now);
    failures.push_back(now);
    while (static_cast<int>(failures.size()) > maxFailures_)
        failures.pop_front();
}

void AttemptLimiter::reset(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    failures_.erase(key);
}

}  // namespace dad
