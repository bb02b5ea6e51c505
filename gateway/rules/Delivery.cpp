#include "Delivery.h"

#include <algorithm>
#include <set>

#include "Addresses.h"
#include "Text.h"

namespace dad {

Status resolveRecipients(Catalog& catalog, const PackageRecord& draft,
                         std::vector<RecipientRecord>& recipients,
                         std::vector<std::string>& groups) {
    std::vector<RecipientRecord> listed;
    if (Status s = catalog.listRecipients(draft.id, listed); !s) return s;
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        const size_t end = draft.name.find(',', start);
        parts.push_back(trimBlanks(draft.name.substr(start, end - start)));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    groups.clear();
    const auto group = [&groups](const std::string& address) {
        std::string name;
        if (!isGroupReference(address, &name)) return false;
        if (std::find(groups.begin(), groups.end(), name) == groups.end()) groups.push_back(name);
        return true;
    };
    std::vector<RecipientRecord> named;
    for (const RecipientRecord& r : listed) {
        if (!group(r.address)) named.push_back(r);
    }
    for (const std::string& part : parts) {
        AccountRecord account;
        if (part.empty() || group(part)) continue;
        if (isEmailAddress(part) || catalog.findAccount(part, account)) {
            RecipientRecord r;
            r.address = part;
            named.push_back(r);
        }
    }
    return matchRecipients(catalog, named, recipients);
}

Status matchRecipients(Catalog& catalog, const std::vector<RecipientRecord>& named,
                       std::vector<RecipientRecord>& recipients) {
    recipients.clear();
    std::set<std::string> seen;
    for (RecipientRecord r : named) {
        std::string group;
        if (isGroupReference(r.address, &group)) return unexpandedGroup(group);
        AccountRecord account;
        r.accountId.reset();
        if (catalog.findAccountByAddress(r.address, account) && !account.disabled) {
            r.accountId = account.id;
        }
        const std::string key = r.accountId ? "#" + std::to_string(*r.accountId) : r.address;
        if (seen.insert(key).second) recipients.push_back(r);
    }
    return Status::ok();
}

Status unexpandedGroup(const std::string& name) {
    return Status::invalid("@" + name +
                           " is an address-book group and no delivery policy expanded it "
                           "(the site's policies/delivery.lua does)");
}

}  // namespace dad
