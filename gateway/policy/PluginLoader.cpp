#include "PluginLoader.h"

#include <Poco/Logger.h>
#include <Poco/Util/AbstractConfiguration.h>
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

// dadgate's services to one plugin.
class Host : public dadgate::PluginHost {
public:
    Host(std::string name, const PluginContext& context, std::shared_ptr<PluginSet::Waker> waker)
        : name_(std::move(name)),
          context_(context),
          waker_(std::move(waker)),
          logger_(Poco::Logger::get("dadgate.plugin." + name_)) {}

    void log(dadgate::LogLevel level, const std::string& message) override {
        switch (level) {
            case dadgate::LogLevel::Debug:
                logger_.debug(message);
                break;
            case dadgate::LogLevel::Information:
                logger_.information(message);
                break;
            case dadgate::LogLevel::Warning:
                logger_.warning(message);
                break;
            case dadgate::LogLevel::Error:
                logger_.error(message);
                break;
        }
    }

    long long queueJob(const std::string& kind, const std::string& payload, long long notBefore,
                       std::string& error) override {
        if (kind.empty()) {
            error = "a job needs a kind";
            return -1;
        }
        int64_t id = -1;
        const int64_t at = notBefore > 0 ? notBefore : nowSeconds();
        if (Status s = context_.catalog->enqueueJobAt(kind, payload, at, id); !s) {
            error = s.message();
            return -1;
        }
        std::lock_guard<std::mutex> lock(waker_->mutex);
        if (waker_->wake) waker_->wake();
        return id;
    }

    std::string setting(const std::string& key, const std::string& fallback) const override {
        if (key == "public.url" && !context_.publicUrl.empty()) return context_.publicUrl;
        const Poco::Util::AbstractConfiguration* config = context_.config;
        if (!config) return fallback;
        try {
            return config->getString(key, fallback);
        } catch (const Poco::Exception&) {
            return fallback;
        }
    }

    std::string siteId() const override { return context_.siteId; }

    std::string stateDirectory() override {
        const std::string dir = context_.dataDir + "/plugins/" + name_;
        return posixFileSystem().makeDirectories(dir) ? dir : "";
    }

    void* internal(const char* name) override {
        const std::string wanted = name ? name : "";
        if (wanted == "dadgate.gateway") return context_.gateway;
        if (wanted == "dadgate.config") {
            return const_cast<Poco::Util::AbstractConfiguration*>(context_.config);
        }
        return nullptr;
    }

private:
    std::string name_;
    PluginContext context_;
    std::shared_ptr<PluginSet::Waker> waker_;
    Poco::Logger& logger_;
};

// A plugin and its host; the plugin goes first (it may use the host in its
// destructor).
struct LoadedPlugin {
    std::string name;
    std::unique_ptr<Host> host;
    std::unique_ptr<dadgate::Plugin> plugin;
    ~LoadedPlugin() { plugin.reset(); }
};

// A plugin's decide() as a PolicyHandler.
class PluginHandler : public PolicyHandler {
public:
    explicit PluginHandler(std::shared_ptr<LoadedPlugin> loaded) : loaded_(std::move(loaded)) {}
    std::string name() const override { return loaded_->name; }

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
        event.expiresAfter = e.expiresAfter;
        event.expiresAt = e.expiresAt;
        event.maxDownloads = e.maxDownloads;
        const dadgate::PluginDecision d = loaded_->plugin->decide(event);
        Decision out;
        if (d.verdict == dadgate::PluginDecision::Verdict::Deny) {
            out = Decision::deny(d.reason.empty() ? "refused by " + loaded_->name : d.reason,
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
    std::shared_ptr<LoadedPlugin> loaded_;
};

// A plugin's run() in the JobQueue's terms: a refusal (InvalidArgument) is
// dead at once, a failure is retried with back-off.
JobQueue::Handler jobHandler(std::shared_ptr<LoadedPlugin> loaded) {
    return [loaded](const JobRecord& job) {
        dadgate::PluginJob pluginJob;
        pluginJob.id = job.id;
        pluginJob.kind = job.kind;
        pluginJob.payload = job.payload;
        pluginJob.attempt = static_cast<int>(job.attempts);
        const dadgate::JobOutcome outcome = loaded->plugin->run(pluginJob);
        const std::string reason =
            outcome.reason.empty() ? loaded->name + " gave no reason" : outcome.reason;
        switch (outcome.result) {
            case dadgate::JobOutcome::Result::Done:
                return Status::ok();
            case dadgate::JobOutcome::Result::RetryLater:
                return Status::failure(reason);
            case dadgate::JobOutcome::Result::GiveUp:
                break;
        }
        return Status::invalid(reason);
    };
}

}  // namespace

PluginSet::PluginSet() : waker_(std::make_shared<Waker>()) {}

void PluginSet::setJobWaker(std::function<void()> wake) {
    std::lock_guard<std::mutex> lock(waker_->mutex);
    waker_->wake = std::move(wake);
}

namespace {

// A section plugins.<name>.* that no loaded plugin owns (a misspelt name, a
// plugin left out of plugins.dir) would go unread: refuse it, as dadgate
// refuses any unknown key.
Status checkSectionsHavePlugins(const PluginContext& context, const std::set<std::string>& names,
                                const std::string& directory) {
    if (!context.config) return Status::ok();
    Poco::Util::AbstractConfiguration::Keys sections;
    context.config->keys("plugins", sections);
    for (const std::string& section : sections) {
        if (section == "dir" || names.count(section)) continue;
        return Status::invalid("plugins." + section + ".*: no plugin named '" + section +
                               "' in plugins.dir " + (directory.empty() ? "(none)" : directory));
    }
    return Status::ok();
}

}  // namespace

Status PluginSet::load(const std::string& directory, const PluginContext& context,
                       std::vector<std::unique_ptr<PolicyHandler>>& handlers) {
    std::vector<std::string> files;
    if (directory.empty() || !posixFileSystem().exists(directory)) {
        return checkSectionsHavePlugins(context, {}, directory);
    }
    if (Status s = posixFileSystem().listDirectory(directory, files); !s) return s;
    std::sort(files.begin(), files.end());
    std::set<std::string> names;
    std::map<std::string, std::string> kindOwners;  // job kind -> plugin
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
        if (!info) return refuse("its entry returned no plugin");
        // Read before anything else: only abiVersion is laid out alike in every version.
        if (info->abiVersion != dadgate::kPluginAbiVersion) {
            return refuse("built for plugin ABI " + std::to_string(info->abiVersion) +
                          ", this dadgate has " + std::to_string(dadgate::kPluginAbiVersion) +
                          " (rebuild it against this dadgate's dadgate/plugin.h)");
        }
        if (!info->name || !info->create) return refuse("its entry returned no plugin");
        const std::string name = info->name;
        if (!names.insert(name).second) return refuse("a second plugin named '" + name + "'");
        SectionConfig config(context.section ? context.section(name) : PluginSection());
        auto loaded = std::make_shared<LoadedPlugin>();
        loaded->name = name;
        loaded->host = std::make_unique<Host>(name, context, waker_);
        std::string error;
        try {
            loaded->plugin = info->create(*loaded->host, config, error);
        } catch (const std::exception& e) {
            loaded->plugin.reset();
            error = e.what();
        }
        if (!loaded->plugin) {
            return Status::invalid("plugin " + name + " (" + path +
                                   "): invalid config: " + (error.empty() ? "refused" : error));
        }
        for (const std::string& kind : loaded->plugin->jobKinds()) {
            auto [owner, fresh] = kindOwners.emplace(kind, name);
            if (!fresh) {
                return Status::invalid("plugins " + owner->second + " and " + name +
                                       " both handle job kind '" + kind + "'");
            }
            jobKinds_.push_back({kind, name, jobHandler(loaded)});
        }
        handlers.push_back(std::make_unique<PluginHandler>(loaded));
    }
    return checkSectionsHavePlugins(context, names, directory);
}

}  // namespace dad
