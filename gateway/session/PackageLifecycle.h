// PackageLifecycle: when a sent package expires — its time has passed, or
// every file has been downloaded completely as many times as the sender
// allowed — and what happens then (state expired, the package_expired hook,
// the audit log). One place for the rule, whoever notices first.
#pragma once

#include "Authenticator.h"
#include "Catalog.h"

namespace dad {

class Gateway;

// True when `package` is no longer available to recipients; marks it expired
// if its time has just passed.
bool expireIfDue(Gateway& gateway, const PackageRecord& package);

// After a download: expires the package once every file has served
// max_downloads times its size (Catalog's limit in bytes).
void expireIfExhausted(Gateway& gateway, int64_t packageId);

// Withdraws sent `package` at once (Catalog::withdrawPackage): its link
// answers 410, it leaves every inbox, downloads under way stop, what was
// queued for it (notifications, forwards) is cancelled, its blobs go after the
// collector's grace time, its tracking stays. `by`: the account (or
// "dadctl"). A copy already forwarded is withdrawn at its site by a job
// (Sites::kWithdrawalJob); where that cannot be done, the sender is told and
// the tracking says so.
Status withdrawPackage(Gateway& gateway, const PackageRecord& package, const std::string& by,
                       const ConnectionInfo& connection);

// The package `replier` is returning to the sender of `original` (seed 000's
// returned package): found, or created and sent on first use, named
// "re-<original name>", addressed to the original sender, with return_of set.
Status openReply(Gateway& gateway, const PackageRecord& original, const AccountRecord& replier,
                 const ConnectionInfo& connection, PackageRecord& reply);

}  // namespace dad
