// WebDavContext: what every WebDAV request of one listener shares: the
// Authenticator, where dead properties live, the lock manager and a short
// cache of verified Basic credentials (so a client's many requests do not
// each pay the slow password hash). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "Authenticator.h"
#include "DeadProperties.h"
#include "LockManager.h"

namespace dad {

using DeadPropertiesFactory =
    std::function<Status(const std::string& user, std::unique_ptr<DeadProperties>& properties)>;

class CredentialCache {
public:
    static constexpr size_t kMaxEntries = 10000;
    static constexpr int kSeconds = 60;
    // Whether user+password were verified in the last kSeconds.
    bool known(const std::string& user, const std::string& password);
    void remember(const std::string& user, const std::string& password);

private:
    static std::string key(const std::string& user, const std::string& password);
    std::mutex mutex_;
    std::map<std::string, std::chrono::steady_clock::time_point> entries_;
};

struct WebDavContext {
    Authenticator& authenticator;
    DeadPropertiesFactory deadProperties;
    LockManager locks;
    CredentialCache credentials;
    bool basicOverHttp = true;  // accept Basic credentials on the plain-HTTP listener

    WebDavContext(Authenticator& a, DeadPropertiesFactory p)
        : authenticator(a), deadProperties(std::move(p)) {}
};

}  // namespace dad
