// Admin: the one admin layer. dadctl, the REST API (/api/v1/) and the web
// console call these operations and nothing else, so every rule about who
// may see or change what is written here once, never in a front.
//
// Each operation takes the Caller (who asks, with which rights) and returns
// typed results or a Status. Rights:
//   - the operator (dadctl on the server's shell) may do everything;
//   - an admin account may administer accounts, sites, jobs, policies, bans
//     and the audit, and sees its own packages and its sub-users';
//   - a user sees and changes only what is its own.
// A credential's scope narrows that further: read allows reads only, write
// the caller's own changes, admin the admin operations (only for an admin).
// Something the caller may not see is NotFound, worded as for a thing that
// does not exist, so an answer never tells whether another user's package
// (or account, group, entry, token, upload) exists.
// Thread-safe (the Gateway and Catalog are).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "CatalogApi.h"
#include "Gateway.h"
#include "Quota.h"

namespace dad {

enum class Scope { Read, Write, Admin };
const char* scopeName(Scope scope);
bool parseScope(const std::string& text, Scope& scope);

struct Caller {
    std::string name;       // the account's name ("dadctl" for the operator)
    int64_t accountId = 0;  // 0 for the operator
    bool admin = false;     // an admin account (or the operator)
    bool isOperator = false;
    // The operator acting as this account (dadctl --as): it may see every
    // package, and changes one only as the account may.
    bool onShell = false;
    Scope scope = Scope::Admin;
    ConnectionInfo connection;

    static Caller operatorCaller();
};

// The stable error code of a Status for the API ("not_found", "forbidden", ...).
const char* errorCode(StatusCode code);

struct AccountView {
    AccountRecord account;  // without its password hash
    QuotaState quota;
    uint64_t storedBytes = 0;
    uint64_t storedFiles = 0;
    size_t keyCount = 0;
};

struct NewAccount {
    std::string name, email, type = "user", parent, password;
    std::optional<int64_t> quotaBytes, quotaFiles;
};

struct PackageDetail {
    PackageRecord package;  // without password hash and token for non-senders
    std::string link;       // "" when the caller is not its sender (or admin of it)
    std::vector<RecipientRecord> recipients;
    std::vector<std::pair<std::string, NodeRecord>> files;
    std::vector<DownloadRecord> downloads;
    std::vector<ForwardRecord> forwards;
};

// A page of the package list: a filter as PackageQuery has it, the visible
// set decided by the layer.
struct PackagePage {
    std::vector<PackageRecord> packages;
    std::string nextCursor;  // "" on the last page
    int catalogReads = 0;    // queries this page took
};

struct PolicyReload {
    std::vector<std::string> scripts;  // checked and loadable
    std::string message;               // what became of the running dadgate
};

class Admin {
public:
    // How a reload reaches the dadgate that runs the scripts. dadctl: the
    // SIGHUP to the pid in the data directory (the default); the daemon
    // itself: Gateway::reloadPolicies.
    using Reloader = std::function<Status(std::string& message)>;
    explicit Admin(Gateway& gateway, Reloader reloader = nullptr);

    Gateway& gateway() { return gateway_; }

    // --- who is asking
    // A caller for an account (a login or a token of `scope`). PermissionDenied
    // for a disabled account, a guest, or an admin scope of a non-admin.
    Status callerFor(const std::string& account, Scope scope, const ConnectionInfo& connection,
                     Caller& caller);
    // The caller a bearer token stands for: NotFound (as for an unknown
    // token) when unknown, expired, or its account disabled.
    Status authenticateToken(const std::string& token, const ConnectionInfo& connection,
                             Caller& caller);

    // --- accounts, keys, quotas (AdminAccounts.cpp)
    Status listAccounts(const Caller& caller, std::vector<AccountRecord>& accounts);
    Status showAccount(const Caller& caller, const std::string& name, AccountView& view);
    Status createAccount(const Caller& caller, const NewAccount& request, AccountRecord& created);
    Status setQuota(const Caller& caller, const std::string& name, std::optional<int64_t> bytes,
                    std::optional<int64_t> files);
    Status setDisabled(const Caller& caller, const std::string& name, bool disabled);
    Status setEmail(const Caller& caller, const std::string& name, const std::string& email);
    Status removeAccount(const Caller& caller, const std::string& name);
    Status setPassword(const Caller& caller, const std::string& name, const std::string& password);
    // `line`: one line of an OpenSSH public key file.
    Status addKey(const Caller& caller, const std::string& name, const std::string& line,
                  SshKeyRecord& key);
    Status listKeys(const Caller& caller, const std::string& name, std::vector<SshKeyRecord>& keys);
    Status checkConsistency(const Caller& caller, std::vector<std::string>& problems);

    // --- packages (AdminPackages.cpp)
    // dadctl's list: every package (no user) or those of `user` (sent or
    // received) followed by its sub-users' when it is an admin.
    Status listPackagesOf(const Caller& caller, const std::string& user,
                          std::vector<PackageRecord>& packages);
    // The API's list: `query`'s filters over what the caller may see; the
    // cursor continues a previous page of the same sort.
    Status listPackages(const Caller& caller, PackageQuery query, const std::string& cursor,
                        PackagePage& page);
    Status findPackage(const Caller& caller, const std::string& pid, PackageRecord& package);
    Status packageDetail(const Caller& caller, const std::string& pid, PackageDetail& detail);
    Status packageReport(const Caller& caller, const std::string& pid, std::string& text);
    Status packageSummary(const PackageRecord& package, std::string& line);
    Status withdrawPackage(const Caller& caller, const std::string& pid);
    Status forwardPackage(const Caller& caller, const std::string& pid, const std::string& site,
                          bool& queued);
    // Queues the notification of every recipient of a sent package again.
    Status resendNotification(const Caller& caller, const std::string& pid, size_t& queued);

    // --- address book (AdminAddressBook.cpp). `owner` "": the site's groups.
    Status listGroups(const Caller& caller, const std::string& owner,
                      std::vector<GroupRecord>& groups);
    Status showGroup(const Caller& caller, const std::string& name, const std::string& owner,
                     GroupRecord& group, std::vector<std::string>& expanded, Status& expansion);
    Status createGroup(const Caller& caller, const std::string& name, const std::string& owner,
                       const std::vector<std::string>& members);
    Status removeGroup(const Caller& caller, const std::string& name, const std::string& owner);
    Status changeGroupMembers(const Caller& caller, const std::string& name,
                              const std::string& owner, const std::vector<std::string>& members,
                              bool add);
    Status listAddressEntries(const Caller& caller, std::vector<AddressEntry>& entries);
    Status createAddressEntry(const Caller& caller, AddressEntry& entry);
    Status findAddressEntry(const Caller& caller, int64_t id, AddressEntry& entry);
    Status updateAddressEntry(const Caller& caller, AddressEntry& entry);
    Status removeAddressEntry(const Caller& caller, int64_t id);

    // --- sites, jobs, policies, fetches, bans, audit (AdminOperations.cpp)
    Status listSites(const Caller& caller, std::vector<SiteRecord>& sites);
    // `secret`: the password, token or private key; `caPem` "" for none.
    Status addSite(const Caller& caller, const SiteRecord& site, const std::string& secret,
                   const std::string& caPem);
    Status removeSite(const Caller& caller, const std::string& name);
    Status listJobs(const Caller& caller, const std::string& state, std::vector<JobRecord>& jobs);
    Status addJob(const Caller& caller, const std::string& kind, const std::string& payload,
                  int64_t& id);
    Status retryJob(const Caller& caller, int64_t id);
    Status cancelJob(const Caller& caller, int64_t id);
    Status policyErrors(const Caller& caller, std::vector<std::pair<int64_t, AuditEvent>>& events);
    Status reloadPolicies(const Caller& caller, PolicyReload& result);
    // `user` "" for the caller itself; `hostKey` for sftp URLs; `at` 0 for now.
    Status queueFetch(const Caller& caller, const std::string& user, const std::string& url,
                      const std::string& into, const std::string& hostKey, int64_t at,
                      int64_t& jobId);
    Status listBans(const Caller& caller, std::vector<LoginBan>& bans);
    // `kind` address or account.
    Status removeBan(const Caller& caller, const std::string& kind, const std::string& subject);
    // A non-admin sees its own entries only.
    Status queryAudit(const Caller& caller, AuditQuery query, std::vector<AuditEntry>& entries);

    // --- API tokens (AdminTokens.cpp). A token belongs to an account: the
    // caller's, or `user`'s when an admin (or the operator) makes it for
    // another. The token is returned once in `token`; only its SHA-256 is kept.
    static constexpr size_t kTokenBytes = 32;
    static constexpr const char* kTokenPrefix = "dad_";
    Status createToken(const Caller& caller, const std::string& user, const std::string& name,
                       Scope scope, std::optional<int64_t> expiresInSeconds, ApiTokenRecord& record,
                       std::string& token);
    // `user` "": every token the caller may see (an admin: all; a user: its own).
    Status listTokens(const Caller& caller, const std::string& user,
                      std::vector<ApiTokenRecord>& tokens);
    // `nameOrId`: "#12"/"12" or a name of `user`'s (the caller's when "").
    Status revokeToken(const Caller& caller, const std::string& user, const std::string& nameOrId,
                       ApiTokenRecord& revoked);

    // --- rights, for the fronts that must ask before acting (uploads)
    static Status requireWrite(const Caller& caller);
    static Status requireAdmin(const Caller& caller);

private:
    // The account `name` as the caller may see it: NotFound otherwise.
    Status visibleAccount(const Caller& caller, const std::string& name, AccountRecord& account);
    // The accounts whose packages the caller sees: itself and, for an admin,
    // its sub-users.
    Status packageViewers(const Caller& caller, std::vector<int64_t>& ids);
    // The package `pid` if the caller may see it (sender, recipient, admin of
    // the sender); NotFound ("no package PID") otherwise.
    Status visiblePackage(const Caller& caller, const std::string& pid, PackageRecord& package);
    // The caller sent it or is the admin of its sender (or the operator).
    Status mayManagePackage(const Caller& caller, const PackageRecord& package);
    // The owner id of `owner` ("" = the site) as the caller may use it.
    Status groupOwner(const Caller& caller, const std::string& owner, bool change,
                      std::optional<int64_t>& ownerId);

    Gateway& gateway_;
    Reloader reloader_;
};

}  // namespace dad
