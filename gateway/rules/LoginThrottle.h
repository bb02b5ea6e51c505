// LoginThrottle: the one rule for failed password logins, whatever the
// protocol (SFTP, FTPS, WebDAV's Basic auth): each refused login costs its
// caller `failedDelayMs` before the answer, and failures are counted per
// client address and per account (from any address) in a sliding window.
// When an address reaches `maxFailures`, or an account `maxAccountFailures`,
// failed() says so, and the gateway bans it for `windowSeconds` (the ban is
// in the catalog, so dadctl lists and lifts it). Addresses in
// `trustedNetworks` are never counted nor banned. A success does not clear
// a count (a guesser with an account of its own could otherwise reset it).
// Memory is bounded (AttemptLimiter). Thread-safe; the delay holds no lock.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "AttemptLimiter.h"
#include "IpNetwork.h"

namespace dad {

struct LoginThrottleOptions {
    int failedDelayMs = 1000;     // login.failed_delay_ms
    int maxFailures = 10;         // login.max_failures (per address; 0: no limit)
    int maxAccountFailures = 50;  // login.max_account_failures (0: no limit)
    int64_t windowSeconds = 600;  // login.failure_window_seconds
    std::string trustedNetworks;  // login.trusted_networks (IpNetwork::parseList)
};

class LoginThrottle {
public:
    explicit LoginThrottle(LoginThrottleOptions options = LoginThrottleOptions(),
                           AttemptLimiter::Clock clock = nullptr);

    bool trusted(const std::string& address) const;

    // What a refused login's failure made due for a ban.
    struct Reached {
        bool address = false;
        bool account = false;
    };
    // Records a refused login for `account` from `address` (nothing from a
    // trusted address), then waits failedDelayMs. A limit reached starts its
    // count again, so a lifted ban is a fresh start.
    Reached failed(const std::string& address, const std::string& account);

    const LoginThrottleOptions& options() const { return options_; }

private:
    LoginThrottleOptions options_;
    std::vector<IpNetwork> trusted_;  // REQUIRES: a list that parses (Gateway::open checks)
    AttemptLimiter addresses_;
    AttemptLimiter accounts_;
};

}  // namespace dad
