// The address book: groups (the site's, made by admins and seen by all; and
// personal ones) and each account's own entries (a name and an address).
#include "Addresses.h"
#include "Admin.h"

namespace dad {

Status Admin::groupOwner(const Caller& caller, const std::string& owner, bool change,
                         std::optional<int64_t>& ownerId) {
    ownerId.reset();
    if (owner.empty()) return change ? requireAdmin(caller) : Status::ok();
    AccountRecord account;
    if (Status s = visibleAccount(caller, owner, account); !s) return s;
    ownerId = account.id;
    if (!change) return Status::ok();
    return account.id == caller.accountId ? requireWrite(caller) : requireAdmin(caller);
}

Status Admin::listGroups(const Caller& caller, const std::string& owner,
                         std::vector<GroupRecord>& groups) {
    std::optional<int64_t> ownerId;
    if (Status s = groupOwner(caller, owner, false, ownerId); !s) return s;
    return gateway_.catalog().listGroups(ownerId, groups);
}

Status Admin::showGroup(const Caller& caller, const std::string& name, const std::string& owner,
                        GroupRecord& group, std::vector<std::string>& expanded, Status& expansion) {
    std::optional<int64_t> ownerId;
    if (Status s = groupOwner(caller, owner, false, ownerId); !s) return s;
    if (Status s = gateway_.catalog().findGroup(name, ownerId, group); !s) return s;
    expansion = gateway_.catalog().expandGroup(name, ownerId, expanded);
    return Status::ok();
}

Status Admin::createGroup(const Caller& caller, const std::string& name, const std::string& owner,
                          const std::vector<std::string>& members) {
    std::optional<int64_t> ownerId;
    if (Status s = groupOwner(caller, owner, true, ownerId); !s) return s;
    GroupRecord group;
    group.name = name;
    group.ownerId = ownerId;
    group.members = members;
    return gateway_.catalog().createGroup(group);
}

Status Admin::removeGroup(const Caller& caller, const std::string& name, const std::string& owner) {
    std::optional<int64_t> ownerId;
    if (Status s = groupOwner(caller, owner, true, ownerId); !s) return s;
    return gateway_.catalog().removeGroup(name, ownerId);
}

Status Admin::changeGroupMembers(const Caller& caller, const std::string& name,
                                 const std::string& owner, const std::vector<std::string>& members,
                                 bool add) {
    std::optional<int64_t> ownerId;
    if (Status s = groupOwner(caller, owner, true, ownerId); !s) return s;
    return add ? gateway_.catalog().addGroupMembers(name, ownerId, members)
               : gateway_.catalog().removeGroupMembers(name, ownerId, members);
}

namespace {

Status checkEntry(const AddressEntry& entry) {
    if (entry.name.empty() || entry.name.size() > 200) {
        return Status::invalid("an entry's name is 1 to 200 characters");
    }
    if (!isEmailAddress(entry.email)) {
        return Status::invalid("'" + entry.email + "' is not an e-mail address");
    }
    return Status::ok();
}

}  // namespace

Status Admin::listAddressEntries(const Caller& caller, std::vector<AddressEntry>& entries) {
    return catalog_api::listAddressEntries(gateway_.catalog(), caller.accountId, entries);
}

Status Admin::createAddressEntry(const Caller& caller, AddressEntry& entry) {
    if (Status s = requireWrite(caller); !s) return s;
    if (caller.isOperator) return Status::invalid("the operator has no address book");
    entry.ownerId = caller.accountId;
    if (Status s = checkEntry(entry); !s) return s;
    return catalog_api::createAddressEntry(gateway_.catalog(), entry);
}

Status Admin::findAddressEntry(const Caller& caller, int64_t id, AddressEntry& entry) {
    const Status unknown = Status::notFound("no address-book entry #" + std::to_string(id));
    if (!catalog_api::findAddressEntry(gateway_.catalog(), id, entry)) return unknown;
    if (entry.ownerId != caller.accountId) {
        entry = AddressEntry();
        return unknown;
    }
    return Status::ok();
}

Status Admin::updateAddressEntry(const Caller& caller, AddressEntry& entry) {
    AddressEntry existing;
    if (Status s = findAddressEntry(caller, entry.id, existing); !s) return s;
    if (Status s = requireWrite(caller); !s) return s;
    entry.ownerId = existing.ownerId;
    if (Status s = checkEntry(entry); !s) return s;
    return catalog_api::updateAddressEntry(gateway_.catalog(), entry);
}

Status Admin::removeAddressEntry(const Caller& caller, int64_t id) {
    AddressEntry existing;
    if (Status s = findAddressEntry(caller, id, existing); !s) return s;
    if (Status s = requireWrite(caller); !s) return s;
    return catalog_api::removeAddressEntry(gateway_.catalog(), id);
}

}  // namespace dad
