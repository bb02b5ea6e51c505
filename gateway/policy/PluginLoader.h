// PluginLoader: loads the C++ plugins of a directory (see
// include/dadgate/plugin.h for the contract): each plugin's policy
// becomes a PolicyHandler and each job kind it names a JobQueue handler.
// Loaded once, never unloaded.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "Catalog.h"
#include "JobQueue.h"
#include "PolicyEngine.h"
#include "Status.h"

namespace Poco::Util {
class AbstractConfiguration;
}

namespace dad {

// A plugin's configuration section: key (without "plugins.<name>.") -> value.
using PluginSection = std::map<std::string, std::string>;

// What the loaded plugins are given (through their PluginHost).
struct PluginContext {
    Catalog* catalog = nullptr;  // where the jobs they queue go
    std::string siteId;
    std::string dataDir;  // their state directories: <dataDir>/plugins/<name>
    std::function<PluginSection(const std::string& name)> section;
    // The whole configuration (PluginHost::setting); may be null.
    const Poco::Util::AbstractConfiguration* config = nullptr;
    // What PluginHost::setting("public.url") answers: the base of links in
    // force, also when public.url is not set (made from https.port).
    std::string publicUrl;
    // PluginHost::internal("dadgate.gateway"), for the in-tree plugins: the
    // dad::Gateway that loads them (the policy layer does not know its type).
    void* gateway = nullptr;
};

// A job kind a plugin runs, ready for JobQueue::registerHandler.
struct PluginJobKind {
    std::string kind;
    std::string plugin;
    JobQueue::Handler run;
};

// The plugins one Gateway loaded.
class PluginSet {
public:
    PluginSet();

    // Loads every *.so of `directory` in name order, giving each the
    // services of `context`; the policies go to `handlers`. Fails,
    // naming the plugin and the reason, on a library that cannot be opened,
    // a missing entry, a wrong ABI version, a duplicate name, a configuration
    // the plugin refuses, a job kind two plugins claim, or a section
    // plugins.<name>.* of context.config that no loaded plugin owns; a
    // missing directory is no plugin.
    // REQUIRES: context.catalog, which outlives the plugins.
    Status load(const std::string& directory, const PluginContext& context,
                std::vector<std::unique_ptr<PolicyHandler>>& handlers);

    const std::vector<PluginJobKind>& jobKinds() const { return jobKinds_; }

    // Called after a plugin queued a job (JobQueue::wake); null: nobody.
    void setJobWaker(std::function<void()> wake);

    struct Waker {
        std::mutex mutex;
        std::function<void()> wake;
    };

private:
    std::shared_ptr<Waker> waker_;
    std::vector<PluginJobKind> jobKinds_;
};

}  // namespace dad
