#include "Delivery.h"

#include <set>

namespace dad {

namespace {

bool looksLikeEmail(const std::string& s) {
    const size_t at = s.find('@');
    return at != std::string::npos && at > 0 && at == s.rfind('@') &&
           s.find('.', at) != std::string::npos && s.back() != '.' &&
           s.find_first_of(" \t,;<>\"") == std::string::npos;
}

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

}  // namespace

Status resolveRecipients(Catalog& catalog, const PackageRecord& draft,
                         std::vector<RecipientRecord>& recipients) {
    std::vector<RecipientRecord> named;
    if (Status s = catalog.listRecipients(draft.id, named); !s) return s;
    size_t start = 0;
    for (;;) {
        const size_t end = draft.name.find(',', start);
        const std::string part = trim(draft.name.substr(start, end - start));
        AccountRecord account;
        if (!part.empty() && (looksLikeEmail(part) || catalog.findAccount(part, account))) {
            RecipientRecord r;
            r.address = part;
            named.push_back(r);
        }
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return matchRecipients(catalog, named, recipients);
}

Status matchRecipients(Catalog& catalog, const std::vector<RecipientRecord>& named,
                       std::vector<RecipientRecord>& recipients) {
    recipients.clear();
    std::set<std::string> seen;
    for (RecipientRecord r : named) {
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

}  // namespace dad
