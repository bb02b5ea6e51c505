// Delivery: who a draft goes to. The built-in delivery rule: the recipients
// named in the manifest (to, cc), and the draft folder's name read as a
// comma-separated list where each part that is an account or an e-mail
// address is a recipient ("/outbox/alice@example.com,bob"). Each address is
// matched to an account (by name or e-mail) when there is one.
#pragma once

#include <string>
#include <vector>

#include "Catalog.h"
#include "Status.h"

namespace dad {

Status resolveRecipients(Catalog& catalog, const PackageRecord& draft,
                         std::vector<RecipientRecord>& recipients);

// Matches each address to an account (by name or e-mail) where there is one,
// dropping duplicates (the same account named twice).
Status matchRecipients(Catalog& catalog, const std::vector<RecipientRecord>& named,
                       std::vector<RecipientRecord>& recipients);

}  // namespace dad
