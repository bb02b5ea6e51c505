// The dadgate plugin API: everything a C++ policy plugin sees.
//
// A plugin is a shared library exporting one function,
//
//     extern "C" const dadgate::PluginInfo* dadgate_plugin_entry();
//
// returning the ABI version it was built for (kPluginAbiVersion), its name,
// and a factory. dadgate loads every *.so of `plugins.dir` once at start
// (never unloads), checks the version and that no two plugins share a name,
// and calls create() with the plugin's own configuration section
// (`plugins.<name>.*`, keys given without the prefix). A wrong version, a
// missing entry, a duplicate name or create() returning nothing stops the
// start with a message naming the plugin and the reason.
//
// Policies are asked at the gateway's hooks after the built-in rules and
// before the Lua scripts; the first deny wins. decide() is called from many
// connection threads at once: it must be thread-safe, and quick (it runs
// while a client waits).
//
// Plugins use C++ types across the boundary: build them with the same
// compiler and standard library as dadgate (Debian 12's g++).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dadgate {

constexpr int kPluginAbiVersion = 1;

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
};

struct PluginDecision {
    enum class Verdict { NoOpinion, Allow, Deny };
    Verdict verdict = Verdict::NoOpinion;
    std::string reason;  // shown to the user on Deny
    // Things to do after the hook, as for Lua (set_expiry, notify, ...).
    std::vector<std::pair<std::string, std::vector<std::string>>> actions;

    static PluginDecision deny(std::string why) {
        PluginDecision d;
        d.verdict = Verdict::Deny;
        d.reason = std::move(why);
        return d;
    }
};

// The plugin's configuration section.
class PluginConfig {
public:
    virtual ~PluginConfig() = default;
    virtual bool has(const std::string& key) const = 0;
    virtual std::string get(const std::string& key, const std::string& fallback) const = 0;
    virtual std::vector<std::string> keys() const = 0;
};

class Policy {
public:
    virtual ~Policy() = default;
    virtual PluginDecision decide(const PluginEvent& event) = 0;
};

struct PluginInfo {
    int abiVersion;
    const char* name;
    // Validates `config` and makes the policy; on a bad config returns null
    // and says why in `error`.
    std::unique_ptr<Policy> (*create)(const PluginConfig& config, std::string& error);
};

}  // namespace dadgate

extern "C" const dadgate::PluginInfo* dadgate_plugin_entry();
