#include "PluginLoader.h"

#include <dadgate/plugin.h>
#include <dlfcn.h>

#include <algorithm>
#include <set>

#include "FileSystem.h"

namespace dad {

namespace {

class SectionConfig : public dadgate::PluginConfig {
public:
    explicit SectionConfig(PluginSection section) : section_(std::move(section)) {}
    bool has(const std::string& key) const override { return section_.count(key) > 0; }
    std::string get(const std::string& key, const std::string& fallback) const override {
        auto found = section_.find(key);
        return found == section_.end() ? fallback : found->second;
    }
    std::vector<std::string> keys() const override {
        std::vector<std::string> out;
        for (const auto& [key, value] : section_)
            out.push_back(key);
        return out;
    }

private:
    PluginSection section_;
};

// A plugin's policy as a PolicyHandler.
class PluginHandler : public PolicyHandler {
public:
    PluginHandler(std::string name, std::unique_ptr<dadgate::Policy> policy)
        : name_(std::move(name)), policy_(std::move(policy)) {}
    std::string name() const override { return name_; }

    Decision decide(const PolicyEvent& e) override {
        dadgate::PluginEvent event;
        event.hook = hookName(e.hook);
        event.user = e.user;
        event.protocol = e.connection.protocol;
        event.address = e.connection.remoteAddress;
        event.path = e.path;
        event.bytes = e.bytes;
        event.usedBytes = e.usedBytes;
        event.quotaBytes = e.quotaBytes;
        event.packagePid = e.packagePid;
        event.packageName = e.packageName;
        event.recipients = e.recipients;
        const dadgate::PluginDecision d = policy_->decide(event);
        Decision out;
        if (d.verdict == dadgate::PluginDecision::Verdict::Deny) {
            out = Decision::deny(d.reason.empty() ? "refused by " + name_ : d.reason,
                                 d.reason.rfind("quota", 0) == 0 ? StatusCode::QuotaExceeded
                                                                 : StatusCode::PermissionDenied);
        } else if (d.verdict == dadgate::PluginDecision::Verdict::Allow) {
            out = Decision::allow();
        }
        for (const auto& [action, arguments] : d.actions)
            out.actions.push_back({action, arguments});
        return out;
    }

private:
    std::string name_;
    std::unique_ptr<dadgate::Policy> policy_;
};

}  // namespace

Status loadPlugins(const std::string& directory,
                   const std::function<PluginSection(const std::string& name)>& sectionFor,
                   std::vector<std::unique_ptr<PolicyHandler>>& handlers) {
    std::vector<std::string> files;
    if (directory.empty() || !posixFileSystem().exists(directory)) return Status::ok();
    if (Status s = posixFileSystem().listDirectory(directory, files); !s) return s;
    std::sort(files.begin(), files.end());
    std::set<std::string> names;
    for (const std::string& file : files) {
        if (file.size() < 4 || file.compare(file.size() - 3, 3, ".so") != 0) continue;
        const std::string path = directory + "/" + file;
        const auto refuse = [&](const std::string& why) {
            return Status::invalid("plugin " + path + ": " + why);
        };
        // Never closed: a plugin stays loaded for the life of the process.
        void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!library) return refuse(std::string("cannot load: ") + dlerror());
        using Entry = const dadgate::PluginInfo* (*)();
        auto entry = reinterpret_cast<Entry>(dlsym(library, "dadgate_plugin_entry"));
        if (!entry) return refuse("no dadgate_plugin_entry function");
        const dadgate::PluginInfo* info = entry();
        if (!info || !info->name || !info->create) return refuse("its entry returned no plugin");
        if (info->abiVersion != dadgate::kPluginAbiVersion) {
            return refuse("built for plugin ABI " + std::to_string(info->abiVersion) +
                          ", this dadgate has " + std::to_string(dadgate::kPluginAbiVersion));
        }
        const std::string name = info->name;
        if (!names.insert(name).second) return refuse("a second plugin named '" + name + "'");
        SectionConfig config(sectionFor(name));
        std::string error;
        std::unique_ptr<dadgate::Policy> policy = info->create(config, error);
        if (!policy) {
            return Status::invalid("plugin " + name + " (" + path +
                                   "): invalid config: " + (error.empty() ? "refused" : error));
        }
        handlers.push_back(std::make_unique<PluginHandler>(name, std::move(policy)));
    }
    return Status::ok();
}

}  // namespace dad
