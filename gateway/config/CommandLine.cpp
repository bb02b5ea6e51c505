#include "CommandLine.h"

#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <Poco/Util/MapConfiguration.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <unistd.h>

#include <algorithm>

#include "ConfigKeys.h"

namespace dad {

Status CommandLine::parse(int argc, char** argv, CommandLine& out) {
    out = CommandLine();
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        std::string value;
        bool inlineValue = false;
        const size_t eq = arg.find('=');
        if (arg.rfind("--config=", 0) == 0 || arg.rfind("--define=", 0) == 0) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            inlineValue = true;
        }
        if (arg == "--config" || arg == "--define" || arg == "-D") {
            if (!inlineValue) {
                if (i + 1 >= argc) return Status::invalid(arg + " needs a value");
                value = argv[++i];
            }
            if (arg == "--config") {
                out.configFile = value;
                continue;
            }
            const size_t sep = value.find('=');
            if (sep == std::string::npos || sep == 0) {
                return Status::invalid("--define needs key=value, not '" + value + "'");
            }
            out.defines.emplace_back(value.substr(0, sep), value.substr(sep + 1));
            continue;
        }
        out.words.push_back(arg);
    }
    return Status::ok();
}

Status CommandLine::loadConfig(Poco::AutoPtr<Poco::Util::LayeredConfiguration>& config) const {
    config = new Poco::Util::LayeredConfiguration();
    Poco::AutoPtr<Poco::Util::MapConfiguration> overrides = new Poco::Util::MapConfiguration();
    for (const auto& [key, value] : this->defines)
        overrides->setString(key, value);
    config->add(overrides, 0);
    if (!configFile.empty()) {
        try {
            Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file =
                new Poco::Util::PropertyFileConfiguration(configFile);
            // A relative path in the file is relative to the file, wherever
            // dadgate is started from (a --define's stays the shell's).
            const std::string directory = Poco::Path(configFile).makeAbsolute().parent().toString();
            for (const ConfigKey& key : knownConfigKeys()) {
                if (key.path && file->hasProperty(key.name)) {
                    file->setString(key.name, resolvePath(directory, file->getString(key.name)));
                }
            }
            config->add(file, 10);
        } catch (const Poco::Exception& e) {
            return Status::invalid("cannot read config " + configFile + ": " + e.displayText());
        }
    }
    if (Status s = checkConfigKeys(*config); !s) return s;
    // The built-in plugins beside the binary when nothing names others.
    Poco::AutoPtr<Poco::Util::MapConfiguration> defaults = new Poco::Util::MapConfiguration();
    defaults->setString("plugins.dir", builtInPluginDirectory(executableDirectory()));
    config->add(defaults, 20);
    return Status::ok();
}

std::string defaultPublicUrl(const Poco::Util::AbstractConfiguration& config) {
    const int httpsPort = config.getInt("https.port", 8443);
    const int httpPort = config.getInt("http.port", 0);
    const bool https = httpsPort != 0 || httpPort == 0;
    const std::string address = config.getString("https.address", "0.0.0.0");
    std::string host = "localhost";
    // A listener bound to loopback is reached at localhost only.
    const bool loopback =
        address.rfind("127.", 0) == 0 || address == "::1" || address == "localhost";
    if (!loopback) {
        char name[256] = {};
        if (gethostname(name, sizeof(name) - 1) == 0 && name[0] != '\0') host = name;
    }
    const int port = https ? (httpsPort != 0 ? httpsPort : 8443) : httpPort;
    return std::string(https ? "https" : "http") + "://" + host + ":" + std::to_string(port);
}

GatewayOptions gatewayOptions(const Poco::Util::AbstractConfiguration& config) {
    GatewayOptions o;
    o.dataDir = config.getString("data.dir", o.dataDir);
    o.siteId = config.getString("site.id", o.siteId);
    o.publicUrl = config.getString("public.url", "");
    if (o.publicUrl.empty()) o.publicUrl = defaultPublicUrl(config);
    o.gcGraceSeconds = config.getInt64("blobs.gc_grace_seconds", o.gcGraceSeconds);
    o.policyDir = config.getString("policy.dir", "");
    o.policyDenyOnError = config.getString("policy.on_error", "deny") != "allow";
    o.policyLimits.callBudgetMs =
        config.getUInt64("policy.call_budget_ms", o.policyLimits.callBudgetMs);
    o.policyLimits.instructions =
        config.getUInt64("policy.instructions", o.policyLimits.instructions);
    o.policyLimits.memoryBytes =
        config.getUInt64("policy.memory_bytes", o.policyLimits.memoryBytes);
    o.policyMaxFailures = config.getInt("policy.max_failures", o.policyMaxFailures);
    o.policyFailureWindowSeconds =
        config.getInt64("policy.failure_window_seconds", o.policyFailureWindowSeconds);
    o.policyLimits.maxStringBytes =
        config.getUInt64("policy.max_string_bytes", o.policyLimits.maxStringBytes);
    o.pluginDir = config.getString("plugins.dir", "");
    o.login.failedDelayMs = config.getInt("login.failed_delay_ms", o.login.failedDelayMs);
    o.login.maxFailures = config.getInt("login.max_failures", o.login.maxFailures);
    o.login.windowSeconds = config.getInt64("login.failure_window_seconds", o.login.windowSeconds);
    o.login.maxAccountFailures =
        config.getInt("login.max_account_failures", o.login.maxAccountFailures);
    o.login.trustedNetworks = config.getString("login.trusted_networks", "");
    o.config = &config;
    o.pluginSection = [&config](const std::string& name) {
        std::map<std::string, std::string> section;
        const std::string prefix = "plugins." + name;
        Poco::Util::AbstractConfiguration::Keys keys;
        config.keys(prefix, keys);
        for (const std::string& key : keys) {
            section[key] = config.getString(prefix + "." + key);
        }
        return section;
    };
    return o;
}

Status parseFlags(const std::vector<std::string>& words, size_t from,
                  const std::vector<std::string>& valued, const std::vector<std::string>& booleans,
                  std::map<std::string, std::string>& flags, std::vector<std::string>& positional) {
    for (size_t i = from; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.rfind("--", 0) != 0) {
            positional.push_back(w);
            continue;
        }
        const std::string name = w.substr(2);
        if (std::find(booleans.begin(), booleans.end(), name) != booleans.end()) {
            flags[name] = "1";
        } else if (std::find(valued.begin(), valued.end(), name) != valued.end()) {
            if (i + 1 >= words.size()) return Status::invalid(w + " needs a value");
            flags[name] = words[++i];
        } else {
            return Status::invalid("unknown option " + w);
        }
    }
    return Status::ok();
}

}  // namespace dad
