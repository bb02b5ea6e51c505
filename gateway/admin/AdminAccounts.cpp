// Accounts, their keys and quotas. An admin (or the operator) administers
// every account; a user sees itself and changes its own password and keys.
#include <sstream>

#include "Addresses.h"
#include "Admin.h"
#include "Secrets.h"
#include "VirtualPath.h"

namespace dad {

Status Admin::listAccounts(const Caller& caller, std::vector<AccountRecord>& accounts) {
    if (Status s = gateway_.catalog().listAccounts(accounts); !s) return s;
    if (!caller.admin) {
        std::vector<AccountRecord> own;
        for (const AccountRecord& a : accounts) {
            if (a.id == caller.accountId) own.push_back(a);
        }
        accounts.swap(own);
    }
    for (AccountRecord& a : accounts)
        a.passwordHash.clear();
    return Status::ok();
}

Status Admin::showAccount(const Caller& caller, const std::string& name, AccountView& view) {
    Catalog& catalog = gateway_.catalog();
    if (Status s = visibleAccount(caller, name, view.account); !s) return s;
    if (Status s = readQuota(catalog, view.account, view.quota); !s) return s;
    if (Status s = catalog.usage({view.account.id}, view.storedBytes, view.storedFiles); !s) {
        return s;
    }
    std::vector<SshKeyRecord> keys;
    (void)catalog.listKeys(name, keys);
    view.keyCount = keys.size();
    view.account.passwordHash.clear();
    return Status::ok();
}

Status Admin::createAccount(const Caller& caller, const NewAccount& request,
                            AccountRecord& account) {
    if (Status s = requireAdmin(caller); !s) return s;
    account = AccountRecord();
    account.name = request.name;
    if (Status s = VirtualPath::checkName(account.name);
        !s || account.name.find_first_of("@, ") != std::string::npos) {
        return Status::invalid("invalid account name '" + account.name + "'");
    }
    if (request.type != "admin" && request.type != "user" && request.type != "guest") {
        return Status::invalid("an account's type is admin, user or guest");
    }
    account.email = request.email;
    account.type = request.type;
    if (!request.parent.empty()) {
        AccountRecord parent;
        if (!gateway_.catalog().findAccount(request.parent, parent)) {
            return Status::notFound("no account " + request.parent);
        }
        if (parent.type != "admin") return Status::invalid(parent.name + " is not an admin");
        account.parentId = parent.id;
    }
    if ((request.quotaBytes && *request.quotaBytes < 0) ||
        (request.quotaFiles && *request.quotaFiles < 0)) {
        return Status::invalid("a quota is a number of bytes or files, at least 0");
    }
    account.quotaBytes = request.quotaBytes;
    account.quotaFiles = request.quotaFiles;
    if (request.password.empty()) return Status::invalid("an account needs a password");
    account.passwordHash = hashPassword(request.password);
    Status s = gateway_.catalog().createAccount(account);
    account.passwordHash.clear();
    if (s) {
        gateway_.catalog().audit({caller.name, caller.connection.remoteAddress,
                                  caller.connection.protocol, "account created", "",
                                  account.type + " " + account.name, true});
    }
    return s;
}

Status Admin::setQuota(const Caller& caller, const std::string& name, std::optional<int64_t> bytes,
                       std::optional<int64_t> files) {
    if (Status s = requireAdmin(caller); !s) return s;
    if ((bytes && *bytes < 0) || (files && *files < 0)) {
        return Status::invalid("a quota is a number of bytes or files, at least 0");
    }
    AccountRecord account;
    if (Status s = gateway_.catalog().findAccount(name, account); !s) return s;
    return gateway_.catalog().setQuota(account.name, bytes, files);
}

Status Admin::setDisabled(const Caller& caller, const std::string& name, bool disabled) {
    if (Status s = requireAdmin(caller); !s) return s;
    if (disabled && name == caller.name) return Status::invalid("an admin cannot disable itself");
    return gateway_.catalog().setDisabled(name, disabled);
}

Status Admin::setEmail(const Caller& caller, const std::string& name, const std::string& email) {
    if (Status s = requireAdmin(caller); !s) return s;
    AccountRecord account;
    if (Status s = gateway_.catalog().findAccount(name, account); !s) return s;
    if (!email.empty() && !isEmailAddress(email)) {
        return Status::invalid("'" + email + "' is not an e-mail address");
    }
    return catalog_api::setEmail(gateway_.catalog(), account.id, email);
}

Status Admin::removeAccount(const Caller& caller, const std::string& name) {
    if (Status s = requireAdmin(caller); !s) return s;
    if (name == caller.name) return Status::invalid("an admin cannot remove itself");
    return gateway_.catalog().removeAccount(name);
}

Status Admin::setPassword(const Caller& caller, const std::string& name,
                          const std::string& password) {
    AccountRecord account;
    if (Status s = visibleAccount(caller, name, account); !s) return s;
    if (Status s = account.id == caller.accountId ? requireWrite(caller) : requireAdmin(caller);
        !s) {
        return s;
    }
    if (password.empty()) return Status::invalid("the password is empty");
    return gateway_.catalog().setPasswordHash(name, hashPassword(password));
}

Status Admin::addKey(const Caller& caller, const std::string& name, const std::string& line,
                     SshKeyRecord& key) {
    AccountRecord account;
    if (Status s = visibleAccount(caller, name, account); !s) return s;
    if (Status s = account.id == caller.accountId ? requireWrite(caller) : requireAdmin(caller);
        !s) {
        return s;
    }
    std::istringstream fields(line);
    key = SshKeyRecord();
    fields >> key.type >> key.base64;
    std::getline(fields >> std::ws, key.comment);
    if (key.type.rfind("ssh-", 0) != 0 && key.type.rfind("ecdsa-", 0) != 0 &&
        key.type.rfind("sk-", 0) != 0) {
        return Status::invalid("is not an OpenSSH public key");
    }
    if (key.base64.empty()) return Status::invalid("has no key data");
    return gateway_.catalog().addKey(name, key);
}

Status Admin::listKeys(const Caller& caller, const std::string& name,
                       std::vector<SshKeyRecord>& keys) {
    AccountRecord account;
    if (Status s = visibleAccount(caller, name, account); !s) return s;
    return gateway_.catalog().listKeys(name, keys);
}

Status Admin::checkConsistency(const Caller& caller, std::vector<std::string>& problems) {
    if (Status s = requireAdmin(caller); !s) return s;
    if (Status s = gateway_.catalog().checkReferenceCounts(problems); !s) return s;
    return gateway_.store().check(gateway_.catalog(), problems);
}

}  // namespace dad
