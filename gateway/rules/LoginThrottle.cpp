#include "LoginThrottle.h"

#include <chrono>
#include <thread>

namespace dad {

LoginThrottle::LoginThrottle(LoginThrottleOptions options, AttemptLimiter::Clock clock)
    : options_(options), failures_(options.maxFailures, options.windowSeconds, std::move(clock)) {}

Status LoginThrottle::admit(const std::string& address) {
    if (options_.maxFailures > 0 && failures_.blocked(address)) {
        return Status::error(StatusCode::Busy,
                             "too many failed logins from " + address + ": try again within " +
                                 std::to_string(options_.windowSeconds) + " seconds");
    }
    return Status::ok();
}

void LoginThrottle::failed(const std::string& address) {
    if (options_.maxFailures > 0) failures_.recordFailure(address);
    if (options_.failedDelayMs > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(options_.failedDelayMs));
    }
}

}  // namespace dad
