#include "Quota.h"

namespace dad {

namespace {

int64_t left(const QuotaLimit& l) {
    if (l.limitBytes < 0) return -1;
    return l.usedBytes >= static_cast<uint64_t>(l.limitBytes)
               ? 0
               : l.limitBytes - static_cast<int64_t>(l.usedBytes);
}

Status readLimit(Catalog& catalog, const std::vector<int64_t>& ids, const std::string& scope,
                 std::optional<int64_t> bytes, std::optional<int64_t> files, QuotaLimit& limit) {
    limit.scope = scope;
    limit.limitBytes = bytes.value_or(-1);
    limit.limitFiles = files.value_or(-1);
    if (!bytes && !files) return Status::ok();  // no limit: no need to count
    return catalog.usage(ids, limit.usedBytes, limit.usedFiles);
}

}  // namespace

const QuotaLimit& QuotaState::tightestBytes() const {
    const int64_t a = left(own), b = left(parent);
    if (a < 0) return parent;
    if (b < 0) return own;
    return b < a ? parent : own;
}

int64_t QuotaState::remainingBytes() const {
    return left(tightestBytes());
}

Status QuotaState::roomForOneFile() const {
    for (const QuotaLimit* l : {&own, &parent}) {
        if (l->limitFiles >= 0 && l->usedFiles + 1 > static_cast<uint64_t>(l->limitFiles)) {
            return Status::error(StatusCode::QuotaExceeded,
                                 "file quota exceeded: " + std::to_string(l->usedFiles) + " of " +
                                     std::to_string(l->limitFiles) + " files used (" + l->scope +
                                     ")");
        }
    }
    return Status::ok();
}

Status readQuota(Catalog& catalog, const AccountRecord& account, QuotaState& state) {
    state = QuotaState();
    state.notifyAccountId = account.id;
    std::vector<int64_t> ids{account.id};
    if (account.type == "admin") {
        std::vector<int64_t> subs;
        if (Status s = catalog.listSubUsers(account.id, subs); !s) return s;
        ids.insert(ids.end(), subs.begin(), subs.end());
    }
    const std::string scope = ids.size() > 1 ? account.name + " and its sub-users" : account.name;
    if (Status s =
            readLimit(catalog, ids, scope, account.quotaBytes, account.quotaFiles, state.own);
        !s) {
        return s;
    }
    if (!account.parentId) return Status::ok();
    AccountRecord admin;
    if (Status s = catalog.findAccountById(*account.parentId, admin); !s) return s;
    std::vector<int64_t> family{admin.id};
    if (Status s = catalog.listSubUsers(admin.id, family); !s) return s;
    family.push_back(admin.id);
    return readLimit(catalog, family, admin.name + " and its sub-users", admin.quotaBytes,
                     admin.quotaFiles, state.parent);
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
