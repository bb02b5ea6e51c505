// LoginThrottle: the one rule for failed password logins, whatever the
// protocol (SFTP, FTPS, WebDAV's Basic auth): each refused login costs its
// caller `failedDelayMs` before the answer, and a client address with
// `maxFailures` refusals within `windowSeconds` is refused at once, without a
// password check, until its oldest failure leaves the window. A success does
// not clear the count (a guesser with an account of its own could otherwise
// reset it). Memory is bounded (AttemptLimiter). Thread-safe; the delay holds
// no lock.
#pragma once

#include <cstdint>
#include <string>

#include "AttemptLimiter.h"
#include "Status.h"

namespace dad {

struct LoginThrottleOptions {
    int failedDelayMs = 1000;     // login.failed_delay_ms
    int maxFailures = 10;         // login.max_failures
    int64_t windowSeconds = 600;  // login.failure_window_seconds
};

class LoginThrottle {
public:
    explicit LoginThrottle(LoginThrottleOptions options = LoginThrottleOptions(),
                           AttemptLimiter::Clock clock = nullptr);

    // Ok, or Busy ("too many failed logins") when `address` is blocked.
    Status admit(const std::string& address);
    // Records a refused login from `address`, then waits failedDelayMs.
    void failed(const std::string& address);

    const LoginThrottleOptions& options() const { return options_; }

private:
    LoginThrottleOptions options_;
    AttemptLimiter failures_;
};

}  // namespace dad
