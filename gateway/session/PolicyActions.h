// PolicyActions: carrying out what policy handlers asked for at a hook.
// Package settings (set_recipients, set_expiry, set_max_downloads,
// set_password) apply to a draft being sent; notify, forward and fetch become
// durable jobs; anything else, or a malformed argument, is reported and
// skipped (a policy's mistake never fails the user's transfer).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "Catalog.h"
#include "PolicyEngine.h"

namespace dad {

class Gateway;

struct PackageChanges {
    std::optional<std::vector<std::string>> recipients;  // replaces the list
    std::optional<int64_t> expiresAfter;
    std::optional<int64_t> maxDownloads;
    std::optional<std::string> password;
    std::vector<std::string> forwards;  // sites to forward the draft to once it is sent
};

// Reads the package settings out of `actions` and queues the jobs.
// `report` gets one line per skipped action.
PackageChanges applyPolicyActions(Gateway& gateway, const std::string& packagePid,
                                  const std::vector<PolicyAction>& actions,
                                  const std::function<void(const std::string&)>& report);

}  // namespace dad
