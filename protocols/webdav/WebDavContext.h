// WebDavContext: what every WebDAV request of one listener shares: the
// Authenticator, where dead properties live and the lock manager. Basic
// credentials are checked by the Authenticator on every request; its password
// verifier remembers them, so a client's many requests pay the slow hash once.
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "Authenticator.h"
#include "DeadProperties.h"
#include "LockManager.h"

namespace dad {

using DeadPropertiesFactory =
    std::function<Status(const std::string& user, std::unique_ptr<DeadProperties>& properties)>;

struct WebDavContext {
    Authenticator& authenticator;
    DeadPropertiesFactory deadProperties;
    LockManager locks;
    bool basicOverHttp = true;  // accept Basic credentials on the plain-HTTP listener

    WebDavContext(Authenticator& a, DeadPropertiesFactory p)
        : authenticator(a), deadProperties(std::move(p)) {}
};

}  // namespace dad
