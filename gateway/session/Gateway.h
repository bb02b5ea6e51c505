// Gateway: the core of one dadgate: catalog, blob store and policy engine,
// and the Authenticator that opens a Session for each logged-in user.
// Everything a protocol front-end needs goes through it. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "Authenticator.h"
#include "BlobStore.h"
#include "Catalog.h"
#include "FileSystem.h"
#include "LoginThrottle.h"
#include "LuaScript.h"
#include "Metrics.h"
#include "PasswordVerifier.h"
#include "PolicyEngine.h"

namespace Poco::Util {
class AbstractConfiguration;
}

namespace dad {

class LuaPolicies;
class PluginSet;

struct GatewayOptions {
    std::string dataDir = "var";
    std::string siteId = "local";                      // first part of every PID
    std::string publicUrl = "https://localhost:8443";  // base of package links
    int64_t gcGraceSeconds = 3600;
    std::string policyDir;          // Lua policy scripts; "" for none
    bool policyDenyOnError = true;  // a failing script denies (else: no opinion)
    LuaLimits policyLimits;         // each script's memory, string and per-call budgets
    int policyMaxFailures = 5;      // failures of one script within the window that disable it
    int64_t policyFailureWindowSeconds = 60;
    bool loadPolicies = true;  // dadctl opens the gateway without plugins or scripts
    std::string pluginDir;     // C++ policy plugins (*.so); "" for none
    // A plugin's configuration section (plugins.<name>.*).
    LoginThrottleOptions login;  // failed password logins: delay and limit per address
    std::function<std::map<std::string, std::string>(const std::string&)> pluginSection =
        [](const std::string&) { return std::map<std::string, std::string>(); };
    // The whole configuration, for plugins (PluginHost::setting); may be null.
    const Poco::Util::AbstractConfiguration* config = nullptr;
};

class Gateway : public Authenticator {
public:
    // Opens (creating) the catalog and store under options.dataDir.
    static Status open(const GatewayOptions& options, std::unique_ptr<Gateway>& gateway,
                       FileSystem& fs = posixFileSystem());
    ~Gateway() override;

    // On first start (no account yet) creates the admin account "admin" with a
    // random password, returned once in `password`; otherwise leaves it empty.
    Status ensureAdmin(std::string& password);

    Status checkConnection(const ConnectionInfo& connection) override;
    Status checkPassword(const std::string& user, const std::string& password,
                         const ConnectionInfo& connection) override;
    Status checkPublicKey(const std::string& user, const std::string& keyType,
                          const std::string& keyBase64, const ConnectionInfo& connection) override;
    Status openSession(const std::string& user, const ConnectionInfo& connection,
                       std::unique_ptr<Session>& session) override;

    Catalog& catalog() { return *catalog_; }
    BlobStore& store() { return *store_; }
    PolicyEngine& policy() { return policy_; }
    // The numbers /metrics exports; changed where each event happens.
    Metrics& metrics() { return metrics_; }
    const GatewayOptions& options() const { return options_; }
    // The C++ plugins loaded at open (their job kinds are for the JobQueue).
    PluginSet& plugins() { return *plugins_; }

    // Reloads the Lua policy scripts; on failure the previous set stays.
    Status reloadPolicies();
    std::vector<std::string> policyScripts() const;
    // A policy script's failure or log line: to the log and the audit trail.
    void reportPolicy(const std::string& line);
    // Where the running dadgate says which policy scripts are in service
    // (`dadctl policy list`): a line per script, "name\tactive" or
    // "name\tdisabled\treason".
    static std::string policyStatusPath(const std::string& dataDir) {
        return dataDir + "/policy-status";
    }

    std::string packageLink(const std::string& token) const;
    std::string newPid() const;

    // Uploads open right now, by their partial file's (random, never reused)
    // name: a second writer of the same partial upload waits up to 10 s for
    // the first to let go (a client resuming right after a cut connection is
    // often quicker than the server noticing the cut), then is refused.
    // `wait` false: answer at once (removing an upload need not wait for it).
    bool claimUpload(const std::string& tempName, bool wait = true);
    void releaseUpload(const std::string& tempName);

private:
    Gateway(GatewayOptions options, FileSystem& fs);
    // Refuses password logins of an address or account for the failure
    // window: a catalog row every node and dadctl see, a log line, an audit entry.
    void banLogins(const std::string& kind, const std::string& subject, const std::string& reason,
                   const ConnectionInfo& connection);

    GatewayOptions options_;
    Metrics metrics_;  // before the catalog, which observes its commits here
    std::unique_ptr<Catalog> catalog_;
    std::unique_ptr<BlobStore> store_;
    PolicyEngine policy_;
    LuaPolicies* luaPolicies_ = nullptr;  // owned by policy_
    std::unique_ptr<PluginSet> plugins_;
    PasswordVerifier verifier_;
    LoginThrottle loginThrottle_{options_.login};
    std::mutex uploadsMutex_;
    std::set<std::string> activeUploads_;
    std::condition_variable uploadReleased_;
};

}  // namespace dad
