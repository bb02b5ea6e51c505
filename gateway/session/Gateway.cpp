#include "Gateway.h"

#include <algorithm>

#include <Poco/Logger.h>

#include "AtomicFile.h"
#include "GatewaySession.h"
#include "LuaPolicies.h"
#include "PackageReport.h"
#include "PluginLoader.h"
#include "Secrets.h"

namespace dad {

namespace {

const char* const kLoginFailed = "authentication failed";

Poco::Logger& logger() {
    return Poco::Logger::get("dadgate.auth");
}

}  // namespace

Gateway::Gateway(GatewayOptions options, FileSystem& fs)
    : options_(std::move(options)),
      store_(std::make_unique<BlobStore>(fs, options_.dataDir)),
      plugins_(std::make_unique<PluginSet>()) {}

Gateway::~Gateway() = default;

Status Gateway::open(const GatewayOptions& options, std::unique_ptr<Gateway>& gateway,
                     FileSystem& fs) {
    std::vector<IpNetwork> trusted;
    if (Status s = IpNetwork::parseList(options.login.trustedNetworks, trusted); !s) {
        return Status::invalid("login.trusted_networks: " + s.message());
    }
    std::unique_ptr<Gateway> g(new Gateway(options, fs));
    if (Status s = fs.makeDirectories(options.dataDir); !s) return s;
    if (Status s = g->store_->init(); !s) return s;
    if (Status s = Catalog::openSqlite(options.dataDir + "/catalog.db", g->catalog_); !s) {
        return s;
    }
    g->catalog_->db().setCommitHistogram(&g->metrics_.catalogCommitSeconds);
    if (options.loadPolicies) {
        std::vector<std::unique_ptr<PolicyHandler>> plugins;
        PluginContext context;
        context.catalog = g->catalog_.get();
        context.siteId = options.siteId;
        context.dataDir = options.dataDir;
        context.section = options.pluginSection;
        context.config = options.config;
        context.publicUrl = options.publicUrl;
        context.gateway = g.get();
        if (Status s = g->plugins_->load(options.pluginDir, context, plugins); !s) {
            return s;
        }
        for (auto& plugin : plugins)
            g->policy_.add(std::move(plugin));
    }
    if (options.loadPolicies && !options.policyDir.empty()) {
        Gateway* raw = g.get();
        auto lua = std::make_unique<LuaPolicies>(
            options.policyDir, options.policyDenyOnError, options.policyLimits,
            [raw](const std::string& line) { raw->reportPolicy(line); });
        lua->setGroupLookup(LuaPolicies::catalogGroups(*raw->catalog_));
        lua->setFailureLimit(options.policyMaxFailures, options.policyFailureWindowSeconds);
        lua->setErrorCounter(&raw->metrics_.policyErrors);
        lua->setStateListener([dataDir = options.dataDir](const auto& states) {
            std::string text;
            for (const LuaPolicies::ScriptState& state : states) {
                text += state.name + (state.disabled ? "\tdisabled\t" + state.reason : "\tactive") +
                        "\n";
            }
            if (Status s = writeFileAtomically(policyStatusPath(dataDir), text, 0644); !s) {
                Poco::Logger::get("dadgate.policy").warning(s.message());
            }
        });
        if (Status s = lua->reload(); !s) return s;
        g->luaPolicies_ = lua.get();
        g->policy_.add(std::move(lua));
    }
    gateway = std::move(g);
    return Status::ok();
}

Status Gateway::ensureAdmin(std::string& password) {
    password.clear();
    int64_t count = 0;
    if (Status s = catalog_->countAccounts(count); !s || count > 0) return s;
    const std::string generated = randomToken(18);
    AccountRecord admin;
    admin.name = "admin";
    admin.type = "admin";
    admin.passwordHash = hashPassword(generated);
    if (Status s = catalog_->createAccount(admin); !s) return s;
    password = generated;
    return Status::ok();
}

Status Gateway::checkConnection(const ConnectionInfo& connection) {
    PolicyEvent event;
    event.hook = Hook::Connect;
    event.connection = connection;
    Status s = policy_.ask(event);
    if (!s) {
        catalog_->audit(
            {"", connection.remoteAddress, connection.protocol, "connect", "", s.message(), false});
    }
    return s;
}

Status Gateway::checkPassword(const std::string& user, const std::string& password,
                              const ConnectionInfo& connection) {
    const std::string& address = connection.remoteAddress;
    const bool trusted = loginThrottle_.trusted(address);
    if (LoginBan ban; !trusted && catalog_->findLoginBan(address, user, ban)) {
        catalog_->audit({user, address, connection.protocol, "login", "",
                         "refused: banned (" + ban.reason + ")", false});
        metrics_.failedLogins[Metrics::index(connection.protocol)].add();
        const int64_t left = std::max<int64_t>(1, ban.until - nowSeconds());
        return Status::error(StatusCode::Busy,
                             std::string("too many failed logins ") +
                                 (ban.kind == "address" ? "from " + address : "for this account") +
                                 ": try again within " + std::to_string(left) + " seconds");
    }
    AccountRecord account;
    Status found = catalog_->findAccount(user, account);
    // Verify even for an unknown user, so timing does not tell which names exist.
    static const std::string kDummy = hashPassword("not a password");
    bool remembered = false;
    const bool match = verifier_.verify(user, password, found ? account.passwordHash : kDummy,
                                        address, &remembered);
    Status result = Status::denied(kLoginFailed);
    if (found && match && !account.disabled) {
        PolicyEvent event;
        event.hook = Hook::Login;
        event.user = user;
        event.accountId = account.id;
        event.connection = connection;
        result = policy_.ask(event);
    }
    // An HTTP client sends its credentials with every request: one audit
    // line per login the verifier had to check (once per address and
    // remembered window), not one per request.
    if (!(result && remembered && connection.perRequest)) {
        catalog_->audit({user, address, connection.protocol, "login", "",
                         result ? "password" : "password refused", result.isOk()});
    }
    if (!result) {
        metrics_.failedLogins[Metrics::index(connection.protocol)].add();
        logger().information("login refused for %s from %s (%s)", user, address,
                             connection.protocol);
        // The same delay whatever refused it.
        const LoginThrottle::Reached reached = loginThrottle_.failed(address, user);
        const LoginThrottleOptions& o = loginThrottle_.options();
        const std::string window = " within " + std::to_string(o.windowSeconds) + " s";
        if (reached.address) {
            banLogins(
                "address", address,
                std::to_string(o.maxFailures) + " failed password logins from " + address + window,
                connection);
        }
        if (reached.account) {
            banLogins("account", user,
                      std::to_string(o.maxAccountFailures) + " failed password logins for " + user +
                          window + ", from any address",
                      connection);
        }
    }
    return result ? result : Status::denied(kLoginFailed);
}

void Gateway::banLogins(const std::string& kind, const std::string& subject,
                        const std::string& reason, const ConnectionInfo& connection) {
    LoginBan ban;
    ban.kind = kind;
    ban.subject = subject;
    ban.until = nowSeconds() + loginThrottle_.options().windowSeconds;
    ban.reason = reason;
    if (Status s = catalog_->addLoginBan(ban); !s) {
        logger().error("cannot record the login ban of %s %s: %s", kind, subject, s.message());
        return;
    }
    logger().warning("login ban on %s %s: %s", kind, subject, reason);
    catalog_->audit({kind == "account" ? subject : "", connection.remoteAddress,
                     connection.protocol, "login ban", "", kind + " " + subject + ": " + reason,
                     false});
}

Status Gateway::checkPublicKey(const std::string& user, const std::string& keyType,
                               const std::string& keyBase64, const ConnectionInfo& connection) {
    AccountRecord account;
    std::vector<SshKeyRecord> keys;
    if (!catalog_->findAccount(user, account) || account.disabled ||
        !catalog_->listKeys(user, keys)) {
        return Status::denied(kLoginFailed);
    }
    for (const SshKeyRecord& key : keys) {
        if (key.type == keyType && constantTimeEquals(key.base64, keyBase64)) {
            PolicyEvent event;
            event.hook = Hook::Login;
            event.user = user;
            event.accountId = account.id;
            event.connection = connection;
            return policy_.ask(event);
        }
    }
    return Status::denied(kLoginFailed);
}

Status Gateway::openSession(const std::string& user, const ConnectionInfo& connection,
                            std::unique_ptr<Session>& session) {
    AccountRecord account;
    if (!catalog_->findAccount(user, account) || account.disabled) {
        return Status::denied(kLoginFailed);
    }
    session = std::make_unique<GatewaySession>(*this, account, connection);
    return Status::ok();
}

Status Gateway::reloadPolicies() {
    if (!luaPolicies_) return Status::ok();
    return luaPolicies_->reload();
}

std::vector<std::string> Gateway::policyScripts() const {
    return luaPolicies_ ? luaPolicies_->scriptNames() : std::vector<std::string>();
}

void Gateway::reportPolicy(const std::string& line) {
    Poco::Logger::get("dadgate.policy").warning(line);
    catalog_->audit({"", "", "", "policy", "", line, false});
}

std::string Gateway::packageLink(const std::string& token) const {
    return dad::packageLink(options_.publicUrl, token);
}

std::string Gateway::newPid() const {
    return options_.siteId + "-" + randomToken(9);
}

bool Gateway::claimUpload(const std::string& tempName, bool wait) {
    std::unique_lock<std::mutex> lock(uploadsMutex_);
    if (!wait) return activeUploads_.insert(tempName).second;
    // A client that resumes right after its connection was cut may be quicker
    // than the server noticing the cut: give the old session a moment to let go.
    uploadReleased_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return activeUploads_.count(tempName) == 0; });
    return activeUploads_.insert(tempName).second;
}

void Gateway::releaseUpload(const std::string& tempName) {
    {
        std::lock_guard<std::mutex> lock(uploadsMutex_);
        activeUploads_.erase(tempName);
    }
    uploadReleased_.notify_all();
}

}  // namespace dad
