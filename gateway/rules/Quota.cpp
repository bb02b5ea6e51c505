#include "Quota.h"

namespace dad {

namespace {

int64_t left(const QuotaLimit& l) {
    if (l.limitBytes < 0) return -1;
    return l.usedBytes >= static_cast<uint64_t>(l.limitBytes)
               ? 0
               : l.limitBytes - static_cast<int64_t>(l.usedBytes);
}

// `ids` and the guests that returned files to any of them.
Status withReturningGuests(Catalog& catalog, std::vector<int64_t>& ids) {
    const size_t members = ids.size();
    for (size_t i = 0; i < members; ++i) {
        std::vector<int64_t> guests;
        if (Status s = catalog.listReturningGuests(ids[i], guests); !s) return s;
        ids.insert(ids.end(), guests.begin(), guests.end());
    }
    return Status::ok();
}

Status readLimit(Catalog& catalog, std::vector<int64_t> ids, const AccountRecord& owner,
                 const std::string& scope, QuotaLimit& limit) {
    limit.scope = scope;
    limit.owner = owner.name;
    limit.limitBytes = owner.quotaBytes.value_or(-1);
    limit.limitFiles = owner.quotaFiles.value_or(-1);
    if (!owner.quotaBytes && !owner.quotaFiles) return Status::ok();  // no limit: no need to count
    if (Status s = withReturningGuests(catalog, ids); !s) return s;
    return catalog.usage(ids, limit.usedBytes, limit.usedFiles);
}

}  // namespace

const QuotaLimit& QuotaState::tightestBytes() const {
    const QuotaLimit* tightest = &own;
    for (const QuotaLimit* l : {&parent, &link}) {
        const int64_t a = left(*tightest), b = left(*l);
        if (b >= 0 && (a < 0 || b < a)) tightest = l;
    }
    return *tightest;
}

int64_t QuotaState::remainingBytes() const {
    return left(tightestBytes());
}

Status QuotaState::roomForOneFile() const {
    for (const QuotaLimit* l : {&own, &parent, &link}) {
        if (l->limitFiles >= 0 && l->usedFiles + 1 > static_cast<uint64_t>(l->limitFiles)) {
            return Status::error(StatusCode::QuotaExceeded,
                                 "file quota exceeded: " + std::to_string(l->usedFiles) + " of " +
                                     std::to_string(l->limitFiles) + " files used (" + l->scope +
                                     ")");
        }
    }
    return Status::ok();
}

Status quotaExceeded(const QuotaLimit& limit) {
    return Status::error(StatusCode::QuotaExceeded,
                         "quota exceeded: " + std::to_string(limit.usedBytes) + " of " +
                             std::to_string(limit.limitBytes) + " bytes used (" + limit.scope +
                             ")");
}

Status readQuota(Catalog& catalog, const AccountRecord& account, QuotaState& state) {
    if (account.type == "guest") {
        int64_t receiverId = 0;
        if (Status s = catalog.returnedTo(account.id, receiverId); !s) return s;
        AccountRecord receiver;
        if (receiverId != 0 && catalog.findAccountById(receiverId, receiver) &&
            receiver.type != "guest") {
            return readQuota(catalog, receiver, state);
        }
    }
    state = QuotaState();
    state.notifyAccountId = account.id;
    std::vector<int64_t> ids{account.id};
    if (account.type == "admin") {
        std::vector<int64_t> subs;
        if (Status s = catalog.listSubUsers(account.id, subs); !s) return s;
        ids.insert(ids.end(), subs.begin(), subs.end());
    }
    const std::string scope = ids.size() > 1 ? account.name + " and its sub-users" : account.name;
    if (Status s = readLimit(catalog, ids, account, scope, state.own); !s) return s;
    if (!account.parentId) return Status::ok();
    AccountRecord admin;
    if (Status s = catalog.findAccountById(*account.parentId, admin); !s) return s;
    std::vector<int64_t> family;
    if (Status s = catalog.listSubUsers(admin.id, family); !s) return s;
    family.push_back(admin.id);
    return readLimit(catalog, family, admin, admin.name + " and its sub-users", state.parent);
}

std::vector<std::string> crossedThresholds(const QuotaLimit& limit, uint64_t before,
                                           uint64_t after) {
    std::vector<std::string> crossed;
    if (limit.limitBytes <= 0) return crossed;
    const auto quota = static_cast<uint64_t>(limit.limitBytes);
    for (const uint64_t percent : {80u, 100u}) {
        const uint64_t mark = quota / 100 * percent + quota % 100 * percent / 100;
        if (before < mark && after >= mark) {
            crossed.push_back(limit.scope + " " + std::to_string(percent) + "%");
        }
    }
    return crossed;
}

}  // namespace dad
