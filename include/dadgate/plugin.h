// The dadgate plugin API (ABI version 2): everything a C++ plugin sees.
//
// A plugin is a shared library exporting one function,
//
//     extern "C" const dadgate::PluginInfo* dadgate_plugin_entry();
//
// returning the ABI version it was built for (kPluginAbiVersion), its name,
// and a factory. dadgate loads every *.so of `plugins.dir` once at start
// (never unloads), checks the version and that no two plugins share a name,
// and calls create() with a PluginHost (services of dadgate) and the
// plugin's own configuration section (`plugins.<name>.*`, keys given
// without the prefix). A wrong version, a missing entry, a duplicate name,
// create() returning nothing, or two plugins naming the same job kind stops
// the start with a message naming the plugin(s) and the reason.
//
// A plugin does one or both of:
// - decide(): asked at the gateway's hooks after the built-in rules and
//   before the Lua scripts; the first deny wins. Called from many connection
//   threads at once: it must be thread-safe, and quick (a client waits).
// - run(): durable jobs of the kinds jobKinds() names (asked once, after
//   create()). Jobs live in dadgate's catalog and survive a crash, so run()
//   may see a job again that it already did (after a kill): make it
//   idempotent, keyed on the job id. Called from the job workers, several
//   at once: thread-safe. Jobs of a kind no plugin handles wait in the queue.
//
// Plugins use C++ types across the boundary: build them with the same
// compiler and standard library as dadgate (Debian 12's g++).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dadgate {

constexpr int kPluginAbiVersion = 2;

// One hook call. `hook` is one of: connect, login, before_upload,
// after_upload, package_sent, before_download, after_download,
// package_expired, fetch_requested, notification_out.
struct PluginEvent {
    std::string hook;
    std::string user;
    std::string protocol;  // sftp, ftps, webdav, https
    std::string address;   // the client's address
    std::string path;      // the virtual path concerned
    unsigned long long bytes = 0;
    unsigned long long usedBytes = 0;
    long long quotaBytes = -1;  // -1: the account has no quota
    std::string packagePid;     // package hooks
    std::string packageName;
    std::vector<std::string> recipients;
    // Package hooks: what the package is set to when the hook runs (its
    // manifest's values at package_sent); -1: not set.
    long long expiresAfter = -1;  // seconds after sending
    long long expiresAt = -1;     // seconds since the epoch
    long long maxDownloads = -1;
};

struct PluginDecision {
    enum class Verdict { NoOpinion, Allow, Deny };
    Verdict verdict = Verdict::NoOpinion;
    std::string reason;  // shown to the user on Deny
    // Things to do after the hook, as for Lua: {"set_expiry", {"604800"}},
    // {"notify", {to, text}}, ... (see the admin guide's Lua API).
    std::vector<std::pair<std::string, std::vector<std::string>>> actions;

    static PluginDecision deny(std::string why) {
        PluginDecision d;
        d.verdict = Verdict::Deny;
        d.reason = std::move(why);
        return d;
    }
};

// One durable job to run.
struct PluginJob {
    long long id = 0;     // unique, never reused: the key for idempotence
    std::string kind;     // one of the plugin's jobKinds()
    std::string payload;  // as queued (dadgate's own kinds carry JSON)
    int attempt = 1;      // 1 on the first run
};

// What became of a job run.
struct JobOutcome {
    enum class Result {
        Done,        // finished; never run again
        RetryLater,  // failed for now: run again after a back-off growing
                     // from jobs.first_retry_seconds, dead after jobs.max_attempts
        GiveUp,      // cannot succeed by waiting: dead at once
    };
    Result result = Result::Done;
    std::string reason;  // shown by `dadctl job list` and logged

    static JobOutcome done() { return {}; }
    static JobOutcome retryLater(std::string why) { return {Result::RetryLater, std::move(why)}; }
    static JobOutcome giveUp(std::string why) { return {Result::GiveUp, std::move(why)}; }
};

// The plugin's configuration section.
class PluginConfig {
public:
    virtual ~PluginConfig() = default;
    virtual bool has(const std::string& key) const = 0;
    virtual std::string get(const std::string& key, const std::string& fallback) const = 0;
    virtual std::vector<std::string> keys() const = 0;
};

enum class LogLevel { Debug, Information, Warning, Error };

// dadgate's services to one plugin, valid for the life of the process (keep
// the reference create() gets). Thread-safe.
class PluginHost {
public:
    virtual ~PluginHost() = default;
    // A line in dadgate's log, from "dadgate.plugin.<name>". Never log secrets.
    virtual void log(LogLevel level, const std::string& message) = 0;
    // Queues a durable job of any kind (its own or another plugin's), run no
    // earlier than `notBefore` (seconds since the epoch; 0: now). Returns
    // the job's id, or -1 with the reason in `error`.
    virtual long long queueJob(const std::string& kind, const std::string& payload,
                               long long notBefore, std::string& error) = 0;
    // A setting of dadgate's configuration outside the plugin's section
    // (e.g. "public.url": the base of links in force, also when it is made
    // from https.port), or `fallback` when it is not set.
    virtual std::string setting(const std::string& key, const std::string& fallback) const = 0;
    // This site's id (site.id), the first part of every package id.
    virtual std::string siteId() const = 0;
    // A directory of the plugin's own under dadgate's data directory
    // (<data.dir>/plugins/<name>), created on first call; "" if it cannot be.
    virtual std::string stateDirectory() = 0;
    // For the plugins built with dadgate only: an internal object by name
    // ("dadgate.gateway": the dad::Gateway*, "dadgate.config": the
    // Poco::Util::AbstractConfiguration*), null for an unknown name. These
    // are not part of the API and change without notice: an out-of-tree
    // plugin must not use them.
    virtual void* internal(const char* name) = 0;
};

// What create() makes. Override decide(), or jobKinds() and run(), or all.
class Plugin {
public:
    virtual ~Plugin() = default;
    virtual PluginDecision decide(const PluginEvent& event) {
        (void)event;
        return {};
    }
    // The job kinds this plugin runs; asked once, after create().
    virtual std::vector<std::string> jobKinds() const { return {}; }
    virtual JobOutcome run(const PluginJob& job) {
        return JobOutcome::giveUp("no handler for job kind " + job.kind);
    }
};

// The entry's answer. `abiVersion` stays the first member in every version,
// so that any dadgate can read it and refuse another version cleanly.
struct PluginInfo {
    int abiVersion;
    const char* name;
    // Validates `config` and makes the plugin; on a bad config returns null
    // and says why in `error`.
    std::unique_ptr<Plugin> (*create)(PluginHost& host, const PluginConfig& config,
                                      std::string& error);
};

}  // namespace dadgate

extern "C" const dadgate::PluginInfo* dadgate_plugin_entry();
