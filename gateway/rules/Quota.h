// Quota: how much an account may still store. An account's own quota (bytes,
// files) counts what it stores; an admin's quota counts the admin and all its
// sub-users together, so a sub-user is bound by both and the tighter one
// applies. Counted in logical bytes (what users stored, whatever dedup saved);
// unfinished uploads do not count. Files a stranger returned through the link
// of a package (stored by the guest account "guest-<pid>") count against the
// quota of the package's sender, who receives them; the guest itself is bound
// by its sender's limits and, through the link, by a per-link total (`link`).
#pragma once

#include <cstdint>
#include <string>

#include "Catalog.h"
#include "Status.h"

namespace dad {

struct QuotaLimit {
    std::string scope;        // whose quota: "alice", or "admin1 and its sub-users"
    std::string owner;        // the account warned as it fills up ("" for the per-link total)
    int64_t limitBytes = -1;  // -1: none
    uint64_t usedBytes = 0;
    int64_t limitFiles = -1;
    uint64_t usedFiles = 0;
};

struct QuotaState {
    QuotaLimit own;
    QuotaLimit parent;  // scope empty when there is no parent admin with a quota
    QuotaLimit link;    // returns through a package link: the link's total (set by LinkAccess)
    int64_t notifyAccountId = 0;

    // The limit with the fewest bytes left (for the policy event and streaming).
    const QuotaLimit& tightestBytes() const;
    // Bytes that may still be added; -1 for unlimited.
    int64_t remainingBytes() const;
    // Whether one more file fits; the refusal names the scope.
    Status roomForOneFile() const;
};

// QuotaExceeded naming the limit, its use and whose it is.
Status quotaExceeded(const QuotaLimit& limit);

// Reads the limits and usage of `account` (and of its parent admin); for a
// guest account, those of the account it returns files to.
Status readQuota(Catalog& catalog, const AccountRecord& account, QuotaState& state);

// The percentage thresholds crossed from `before` to `after` bytes of `limit`
// (80 and 100), as "scope 80%" texts for the notifiers.
std::vector<std::string> crossedThresholds(const QuotaLimit& limit, uint64_t before,
                                           uint64_t after);

}  // namespace dad
