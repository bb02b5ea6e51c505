#include "Admin.h"

#include <signal.h>

#include <fstream>

#include "LuaPolicies.h"
#include "Secrets.h"
#include "Sha256.h"

namespace dad {

namespace {

// dadctl's reload: check the scripts here, then SIGHUP the running dadgate.
Status signalDaemon(const std::string& dataDir, std::string& message) {
    std::ifstream pidFile(dataDir + "/dadgate.pid");
    long pid = 0;
    if (!(pidFile >> pid) || pid <= 1) {
        message = "dadgate is not running; it will load these scripts when it starts";
        return Status::ok();
    }
    if (kill(static_cast<pid_t>(pid), SIGHUP) != 0) {
        return Status::failure("cannot signal dadgate (pid " + std::to_string(pid) + ")");
    }
    message = "dadgate (pid " + std::to_string(pid) + ") asked to reload its policy scripts";
    return Status::ok();
}

}  // namespace

const char* scopeName(Scope scope) {
    switch (scope) {
        case Scope::Read:
            return "read";
        case Scope::Write:
            return "write";
        case Scope::Admin:
            return "admin";
    }
    return "read";
}

bool parseScope(const std::string& text, Scope& scope) {
    if (text == "read")
        scope = Scope::Read;
    else if (text == "write")
        scope = Scope::Write;
    else if (text == "admin")
        scope = Scope::Admin;
    else
        return false;
    return true;
}

Caller Caller::operatorCaller() {
    Caller c;
    c.name = "dadctl";
    c.admin = true;
    c.isOperator = true;
    c.scope = Scope::Admin;
    c.connection = {"dadctl", "", 0, false};
    return c;
}

const char* errorCode(StatusCode code) {
    switch (code) {
        case StatusCode::Ok:
            return "ok";
        case StatusCode::NotFound:
            return "not_found";
        case StatusCode::Exists:
            return "exists";
        case StatusCode::PermissionDenied:
            return "forbidden";
        case StatusCode::NotADirectory:
            return "not_a_directory";
        case StatusCode::IsADirectory:
            return "is_a_directory";
        case StatusCode::NotEmpty:
            return "not_empty";
        case StatusCode::InvalidArgument:
            return "invalid";
        case StatusCode::QuotaExceeded:
            return "quota_exceeded";
        case StatusCode::Busy:
            return "busy";
        case StatusCode::Unsupported:
            return "unsupported";
        case StatusCode::IoError:
            return "io_error";
        case StatusCode::Failure:
            return "failure";
    }
    return "failure";
}

Admin::Admin(Gateway& gateway, Reloader reloader)
    : gateway_(gateway), reloader_(std::move(reloader)) {
    if (!reloader_) {
        const std::string dataDir = gateway.options().dataDir;
        reloader_ = [dataDir](std::string& message) { return signalDaemon(dataDir, message); };
    }
}

Status Admin::requireWrite(const Caller& caller) {
    if (caller.scope == Scope::Read) {
        return Status::denied("this credential may only read (scope read)");
    }
    return Status::ok();
}

Status Admin::requireAdmin(const Caller& caller) {
    if (!caller.admin) return Status::denied("only an admin may do this");
    if (caller.scope != Scope::Admin) {
        return Status::denied("this credential has no admin scope");
    }
    return Status::ok();
}

Status Admin::callerFor(const std::string& name, Scope scope, const ConnectionInfo& connection,
                        Caller& caller) {
    AccountRecord account;
    if (Status s = gateway_.catalog().findAccount(name, account); !s) return s;
    if (account.disabled) return Status::denied("account " + name + " is disabled");
    if (account.type == "guest") return Status::denied("a guest account has no API access");
    if (scope == Scope::Admin && account.type != "admin") {
        return Status::denied(name + " is not an admin");
    }
    caller = Caller();
    caller.name = account.name;
    caller.accountId = account.id;
    caller.admin = account.type == "admin";
    caller.scope = scope;
    caller.connection = connection;
    return Status::ok();
}

Status Admin::authenticateToken(const std::string& token, const ConnectionInfo& connection,
                                Caller& caller) {
    const Status unknown = Status::notFound("unknown, expired or revoked token");
    if (token.empty() || token.size() > 256) return unknown;
    const std::string hash = Sha256::hex(token);
    ApiTokenRecord record;
    if (!catalog_api::findTokenByHash(gateway_.catalog(), hash, record)) return unknown;
    // The lookup went by the hash's index; the comparison itself is constant-time.
    if (!constantTimeEquals(record.tokenHash, hash)) return unknown;
    if (record.expiresAt && *record.expiresAt <= nowSeconds()) return unknown;
    Scope scope = Scope::Read;
    if (!parseScope(record.scope, scope)) return unknown;
    if (!callerFor(record.accountName, scope, connection, caller)) return unknown;
    return Status::ok();
}

Status Admin::visibleAccount(const Caller& caller, const std::string& name,
                             AccountRecord& account) {
    Status s = gateway_.catalog().findAccount(name, account);
    if (!s) return s;
    if (caller.admin || account.id == caller.accountId) return Status::ok();
    account = AccountRecord();
    return Status::notFound("no account " + name);
}

Status Admin::packageViewers(const Caller& caller, std::vector<int64_t>& ids) {
    ids = {caller.accountId};
    if (!caller.admin || caller.isOperator) return Status::ok();
    std::vector<int64_t> subs;
    if (Status s = gateway_.catalog().listSubUsers(caller.accountId, subs); !s) return s;
    ids.insert(ids.end(), subs.begin(), subs.end());
    return Status::ok();
}

Status Admin::policyErrors(const Caller& caller,
                           std::vector<std::pair<int64_t, AuditEvent>>& events) {
    if (Status s = requireAdmin(caller); !s) return s;
    return gateway_.catalog().listAudit("policy", 50, events);
}

Status Admin::reloadPolicies(const Caller& caller, PolicyReload& result) {
    if (Status s = requireAdmin(caller); !s) return s;
    const GatewayOptions& o = gateway_.options();
    LuaPolicies candidate(o.policyDir, true, o.policyLimits, [](const std::string&) {});
    if (Status s = candidate.reload(); !s) return s;
    result.scripts = candidate.scriptNames();
    return reloader_(result.message);
}

}  // namespace dad
