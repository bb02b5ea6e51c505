// AttemptLimiter: counts failures per key (for the package pages: token and
// client address) in a sliding window, so a password cannot be guessed at
// speed. Memory is bounded: at most kMaxKeys keys, the stalest dropped first.
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace dad {

class AttemptLimiter {
public:
    static constexpr size_t kMaxKeys = 10000;
    using Clock = std::function<int64_t()>;  // seconds

    // `clock` defaults to the steady clock (tests pass their own).
    AttemptLimiter(int maxFailures, int64_t windowSeconds, Clock clock = nullptr);

    // Whether `key` reached maxFailures within the last windowSeconds.
    bool blocked(const std::string& key);
    void recordFailure(const std::string& key);
    // A success forgets the key's failures.
    void reset(const std::string& key);

private:
    void prune(std::deque<int64_t>& failures, int64_t now) const;

    const int maxFailures_;
    const int64_t windowSeconds_;
    Clock clock_;
    std::mutex mutex_;
    std::map<std::string, std::deque<int64_t>> failures_;
};

}  // namespace dad
