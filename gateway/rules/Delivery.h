// Delivery: who a draft goes to. The built-in delivery rule: the recipients
// named in the manifest (to, cc), and the draft folder's name read as a
// comma-separated list where each part that is an account or an e-mail
// address is a recipient ("/outbox/alice@example.com,bob"); other parts are
// just a name. Each address is matched to an account (by name or e-mail)
// when there is one.
//
// Parts written "@name" (folder name or manifest) are address-book groups.
// They are collected, not expanded: the delivery policy (policies/
// delivery.lua, through dad.group) expands them and sets the recipients.
// A group left unexpanded refuses the send rather than losing its members.
#pragma once

#include <string>
#include <vector>

#include "Catalog.h"
#include "Status.h"

namespace dad {

// `groups` receives the group names ("team" for "@team"), each once.
Status resolveRecipients(Catalog& catalog, const PackageRecord& draft,
                         std::vector<RecipientRecord>& recipients,
                         std::vector<std::string>& groups);

// Matches each address to an account (by name or e-mail) where there is one,
// dropping duplicates (the same account named twice). Refuses a group
// reference (unexpandedGroup).
Status matchRecipients(Catalog& catalog, const std::vector<RecipientRecord>& named,
                       std::vector<RecipientRecord>& recipients);

// The refusal of a send that still names group `name`.
Status unexpandedGroup(const std::string& name);

}  // namespace dad
