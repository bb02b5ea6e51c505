#include "LoginThrottle.h"

#include <chrono>
#include <thread>

namespace dad {

namespace {

// One count towards `limiter`'s limit; true when it reached it (and starts over).
bool countReaches(AttemptLimiter& limiter, int limit, const std::string& key) {
    if (limit <= 0) return false;
    limiter.recordFailure(key);
    if (!limiter.blocked(key)) return false;
    limiter.reset(key);
    return true;
}

}  // namespace

LoginThrottle::LoginThrottle(LoginThrottleOptions options, AttemptLimiter::Clock clock)
    : options_(std::move(options)),
      addresses_(options_.maxFailures, options_.windowSeconds, clock),
      accounts_(options_.maxAccountFailures, options_.windowSeconds, clock) {
    (void)IpNetwork::parseList(options_.trustedNetworks, trusted_);
}

bool LoginThrottle::trusted(const std::string& address) const {
    for (const IpNetwork& network : trusted_) {
        if (network.contains(address)) return true;
    }
    return false;
}

LoginThrottle::Reached LoginThrottle::failed(const std::string& address,
                                             const std::string& account) {
    Reached reached;
    if (!trusted(address)) {
        reached.address = countReaches(addresses_, options_.maxFailures, address);
        reached.account = countReaches(accounts_, options_.maxAccountFailures, account);
    }
    if (options_.failedDelayMs > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(options_.failedDelayMs));
    }
    return reached;
}

}  // namespace dad
