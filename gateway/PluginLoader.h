// PluginLoader: loads the C++ plugins of a directory (see
// plugins/include/dadgate/plugin.h for the contract): each plugin's policy
// becomes a PolicyHandler and each job kind it names a JobQueue handler.
// Loaded once, never unloaded.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "JobQueue.h"
#include "PolicyEngine.h"
#include "Status.h"

namespace dad {

class Gateway;

// A plugin's configuration section: key (without "plugins.<name>.") -> value.
using PluginSection = std::map<std::string, std::string>;

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

    // Loads every *.so of `directory` in name order, with the sections and
    // settings of gateway.options(); the policies go to `handlers`. Fails,
    // naming the plugin and the reason, on a library that cannot be opened,
    // a missing entry, a wrong ABI version, a duplicate name, a configuration
    // the plugin refuses or a job kind two plugins claim; a missing
    // directory is no plugin.
    Status load(const std::string& directory, Gateway& gateway,
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
