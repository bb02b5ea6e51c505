// API tokens: 256 random bits from the CSPRNG, shown once, kept as their
// SHA-256. A token belongs to an account and never grants more than it has:
// an admin scope only for an admin account.
#include "Admin.h"
#include "Secrets.h"
#include "Sha256.h"

namespace dad {

namespace {

Status checkTokenName(const std::string& name) {
    if (name.empty() || name.size() > 64 ||
        name.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
            std::string::npos ||
        name.find_first_not_of("0123456789") == std::string::npos) {
        return Status::invalid(
            "a token's name is 1 to 64 of A-Z a-z 0-9 . _ - and not only digits");
    }
    return Status::ok();
}

}  // namespace

Status Admin::createToken(const Caller& caller, const std::string& user, const std::string& name,
                          Scope scope, std::optional<int64_t> expiresInSeconds,
                          ApiTokenRecord& record, std::string& token) {
    if (Status s = checkTokenName(name); !s) return s;
    const std::string owner = user.empty() ? caller.name : user;
    AccountRecord account;
    if (Status s = visibleAccount(caller, owner, account); !s) return s;
    if (Status s = account.id == caller.accountId ? requireWrite(caller) : requireAdmin(caller);
        !s) {
        return s;
    }
    if (account.type == "guest") return Status::invalid("a guest account has no API access");
    if (scope == Scope::Admin && account.type != "admin") {
        return Status::invalid(account.name + " is not an admin: no admin scope");
    }
    // A credential never makes one that allows more than itself.
    if (static_cast<int>(scope) > static_cast<int>(caller.scope)) {
        return Status::denied("a token cannot have a wider scope than the credential making it");
    }
    if (expiresInSeconds && *expiresInSeconds <= 0) {
        return Status::invalid("a token's lifetime is positive");
    }
    token = kTokenPrefix + randomToken(kTokenBytes);
    record = ApiTokenRecord();
    record.accountId = account.id;
    record.accountName = account.name;
    record.name = name;
    record.scope = scopeName(scope);
    record.tokenHash = Sha256::hex(token);
    if (expiresInSeconds) record.expiresAt = nowSeconds() + *expiresInSeconds;
    Status s = catalog_api::createToken(gateway_.catalog(), record);
    record.tokenHash.clear();
    if (!s) {
        token.clear();
        return s;
    }
    gateway_.catalog().audit({caller.name, caller.connection.remoteAddress,
                              caller.connection.protocol, "token created", "",
                              account.name + " " + name + " (" + record.scope + ")", true});
    return Status::ok();
}

Status Admin::listTokens(const Caller& caller, const std::string& user,
                         std::vector<ApiTokenRecord>& tokens) {
    std::optional<int64_t> accountId;
    if (!user.empty()) {
        AccountRecord account;
        if (Status s = visibleAccount(caller, user, account); !s) return s;
        accountId = account.id;
    } else if (!caller.admin) {
        accountId = caller.accountId;
    }
    return catalog_api::listTokens(gateway_.catalog(), accountId, tokens);
}

Status Admin::revokeToken(const Caller& caller, const std::string& user,
                          const std::string& nameOrId, ApiTokenRecord& revoked) {
    std::string digits = nameOrId;
    if (!digits.empty() && digits[0] == '#') digits.erase(0, 1);
    const bool byId = !digits.empty() && digits.size() < 19 &&
                      digits.find_first_not_of("0123456789") == std::string::npos;
    const Status unknown = Status::notFound("no token " + nameOrId);
    if (byId) {
        if (!catalog_api::findToken(gateway_.catalog(), std::stoll(digits), revoked))
            return unknown;
        AccountRecord account;
        if (!visibleAccount(caller, revoked.accountName, account)) return unknown;
    } else {
        const std::string owner = user.empty() ? caller.name : user;
        AccountRecord account;
        if (!visibleAccount(caller, owner, account)) return unknown;
        std::vector<ApiTokenRecord> tokens;
        if (Status s = catalog_api::listTokens(gateway_.catalog(), account.id, tokens); !s)
            return s;
        bool found = false;
        for (const ApiTokenRecord& t : tokens) {
            if (t.name == nameOrId) {
                revoked = t;
                found = true;
            }
        }
        if (!found) return unknown;
    }
    if (Status s =
            revoked.accountId == caller.accountId ? requireWrite(caller) : requireAdmin(caller);
        !s) {
        return s;
    }
    if (Status s = catalog_api::removeToken(gateway_.catalog(), revoked.id); !s) return s;
    gateway_.catalog().audit({caller.name, caller.connection.remoteAddress,
                              caller.connection.protocol, "token revoked", "",
                              revoked.accountName + " " + revoked.name, true});
    return Status::ok();
}

}  // namespace dad
