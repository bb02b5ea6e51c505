// Sites, jobs, fetches, login bans and the audit trail: admin operations,
// except that every caller may list the sites (to forward to one), queue a
// fetch into its own files and read its own audit entries.
#include "Admin.h"
#include "FetchRequest.h"
#include "Sites.h"

namespace dad {

Status Admin::listSites(const Caller& caller, std::vector<SiteRecord>& sites) {
    (void)caller;
    return gateway_.catalog().listSites(sites);
}

Status Admin::addSite(const Caller& caller, const SiteRecord& request, const std::string& secret,
                      const std::string& caPem) {
    if (Status s = requireAdmin(caller); !s) return s;
    SiteRecord site = request;
    if (Status s = Sites::check(site); !s) return s;
    if (!caPem.empty() && site.type == "sftp") {
        return Status::invalid("--ca is for TLS sites (peer, ftps); sftp sites have --host-key");
    }
    SiteRecord existing;
    if (gateway_.catalog().findSite(site.name, existing)) {
        return Status::exists("a site named " + site.name + " exists (site remove it first)");
    }
    if (secret.size() > Sites::kMaxSecretBytes) {
        return Status::invalid("the secret is longer than " +
                               std::to_string(Sites::kMaxSecretBytes) + " bytes");
    }
    if (secret.empty() && (site.type == "peer" || site.type == "sftp")) {
        return Status::invalid("a " + site.type + " site needs its " +
                               (site.type == "peer" ? "token" : "password or private key") +
                               " on stdin");
    }
    const std::string& dataDir = gateway_.options().dataDir;
    if (!caPem.empty()) {
        if (Status s = Sites::saveCa(dataDir, site.name, caPem, site.caFile); !s) return s;
    }
    if (Status s = Sites::saveSecret(dataDir, site.name, secret); !s) {
        Sites::forget(dataDir, site.name);
        return s;
    }
    if (Status s = gateway_.catalog().addSite(site); !s) {
        Sites::forget(dataDir, site.name);
        return s;
    }
    return Status::ok();
}

Status Admin::removeSite(const Caller& caller, const std::string& name) {
    if (Status s = requireAdmin(caller); !s) return s;
    if (Status s = gateway_.catalog().removeSite(name); !s) return s;
    Sites::forget(gateway_.options().dataDir, name);
    return Status::ok();
}

Status Admin::listJobs(const Caller& caller, const std::string& state,
                       std::vector<JobRecord>& jobs) {
    if (Status s = requireAdmin(caller); !s) return s;
    return gateway_.catalog().listJobs(state, jobs);
}

Status Admin::addJob(const Caller& caller, const std::string& kind, const std::string& payload,
                     int64_t& id) {
    if (Status s = requireAdmin(caller); !s) return s;
    // Any kind: a plugin's own kinds have no other front door.
    const bool named =
        !kind.empty() && kind.size() <= 64 &&
        kind.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
    if (!named) return Status::invalid("job kind must be lower-case letters, digits, _ or -");
    return gateway_.catalog().enqueueJobAt(kind, payload, nowSeconds(), id);
}

Status Admin::retryJob(const Caller& caller, int64_t id) {
    if (Status s = requireAdmin(caller); !s) return s;
    return gateway_.catalog().retryJob(id);
}

Status Admin::cancelJob(const Caller& caller, int64_t id) {
    if (Status s = requireAdmin(caller); !s) return s;
    return gateway_.catalog().cancelJob(id);
}

Status Admin::queueFetch(const Caller& caller, const std::string& user, const std::string& url,
                         const std::string& into, const std::string& hostKey, int64_t at,
                         int64_t& jobId) {
    FetchRequest request;
    request.user = user.empty() ? caller.name : user;
    request.url = url;
    request.into = into;
    AccountRecord account;
    if (!visibleAccount(caller, request.user, account)) {
        return Status::notFound("no account " + request.user);
    }
    if (Status s = account.id == caller.accountId ? requireWrite(caller) : requireAdmin(caller);
        !s) {
        return s;
    }
    if (account.disabled) return Status::invalid("account " + request.user + " is disabled");
    if (Status s = FetchRequestCodec::checkUrl(request.url); !s) return s;
    if (Status s = FetchRequestCodec::checkInto(request.into); !s) return s;
    // SFTP: the server's key fingerprint is required (no trust on first use).
    request.hostKey = hostKey;
    const bool sftp = request.url.rfind("sftp:", 0) == 0;
    if (sftp && request.hostKey.empty()) {
        return Status::invalid(
            "an sftp URL needs --host-key SHA256:... (ssh-keygen -lf the server's key)");
    }
    if (!sftp && !request.hostKey.empty())
        return Status::invalid("--host-key is for sftp URLs only");
    if (!request.hostKey.empty()) {
        if (Status s = FetchRequestCodec::checkHostKey(request.hostKey); !s) return s;
    }
    return gateway_.catalog().enqueueJobAt("fetch", FetchRequestCodec::toJson(request),
                                           at ? at : nowSeconds(), jobId);
}

Status Admin::listBans(const Caller& caller, std::vector<LoginBan>& bans) {
    if (Status s = requireAdmin(caller); !s) return s;
    return gateway_.catalog().listLoginBans(bans);
}

Status Admin::removeBan(const Caller& caller, const std::string& kind, const std::string& subject) {
    if (Status s = requireAdmin(caller); !s) return s;
    if (kind != "address" && kind != "account") {
        return Status::invalid("a ban is on an address or an account");
    }
    if (Status s = gateway_.catalog().removeLoginBan(kind, subject); !s) return s;
    const bool account = kind == "account";
    gateway_.catalog().audit({account ? subject : "", account ? "" : subject,
                              caller.connection.protocol, "login ban removed", "",
                              kind + " " + subject, true});
    return Status::ok();
}

Status Admin::queryAudit(const Caller& caller, AuditQuery query, std::vector<AuditEntry>& entries) {
    if (query.limit == 0 || query.limit > 1000) return Status::invalid("limit is 1 to 1000");
    if (!caller.admin || caller.scope != Scope::Admin) query.account = caller.name;
    return catalog_api::queryAudit(gateway_.catalog(), query, entries);
}

}  // namespace dad
