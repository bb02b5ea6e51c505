// Authenticator: how a protocol front-end logs a user in and gets a Session.
// The front-end never reads accounts or asks policy itself.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ConnectionInfo.h"
#include "Session.h"
#include "Status.h"

namespace dad {

class Authenticator {
public:
    virtual ~Authenticator() = default;
    // Whether a client may connect at all (the policy's connect hook), asked
    // right after accept, before any protocol byte. Refusals carry a reason.
    virtual Status checkConnection(const ConnectionInfo& connection) {
        (void)connection;
        return Status::ok();
    }
    // Checks a password in constant time against the stored slow hash. A
    // disabled or unknown account gives PermissionDenied with the same message
    // as a wrong password. Failed logins are slowed and limited per client
    // address (LoginThrottle): Busy when the address is blocked.
    virtual Status checkPassword(const std::string& user, const std::string& password,
                                 const ConnectionInfo& connection) = 0;
    // Whether `keyType` + `keyBase64` (as in authorized_keys) is one of the
    // user's keys. The transport verifies the signature.
    virtual Status checkPublicKey(const std::string& user, const std::string& keyType,
                                  const std::string& keyBase64,
                                  const ConnectionInfo& connection) = 0;
    // Opens the session of a user already authenticated (by us or by a
    // trusted front such as OpenSSH's sshd).
    virtual Status openSession(const std::string& user, const ConnectionInfo& connection,
                               std::unique_ptr<Session>& session) = 0;
};

}  // namespace dad
