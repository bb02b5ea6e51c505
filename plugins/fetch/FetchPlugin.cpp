// The fetch plugin: runs `fetch` jobs (fetching a URL on a user's behalf,
// seed 003) with dadgate's FetchJob (gateway/fetch). Configured by the
// documented top-level keys fetch.* (read through the host); its own section
// plugins.fetch.* takes no key.
#include <Poco/Exception.h>
#include <Poco/StringTokenizer.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <dadgate/plugin.h>

#include "FetchJob.h"
#include "InTreePlugin.h"

namespace {

class FetchPlugin : public dadgate::Plugin {
public:
    FetchPlugin(dad::Gateway& gateway, const dad::FetchLimits& limits) : job_(gateway, limits) {}

    std::vector<std::string> jobKinds() const override { return {"fetch"}; }

    dadgate::JobOutcome run(const dadgate::PluginJob& job) override {
        return dad::outcomeOf(job_.run(dad::jobRecordOf(job)));
    }

private:
    dad::FetchJob job_;
};

dad::FetchLimits limitsFrom(const Poco::Util::AbstractConfiguration& config) {
    dad::FetchLimits limits;
    limits.allowPrivate = config.getBool("fetch.allow_private", limits.allowPrivate);
    limits.maxBytes = static_cast<uint64_t>(
        config.getInt64("fetch.max_bytes", static_cast<Poco::Int64>(limits.maxBytes)));
    limits.timeoutSeconds = config.getInt("fetch.timeout_seconds", limits.timeoutSeconds);
    limits.maxRedirects = config.getInt("fetch.max_redirects", limits.maxRedirects);
    limits.caFile = config.getString("fetch.ca_file", limits.caFile);
    Poco::StringTokenizer allowed(
        config.getString("fetch.allow_addresses", ""), ",",
        Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    limits.allowAddresses.assign(allowed.begin(), allowed.end());
    return limits;
}

std::unique_ptr<dadgate::Plugin> create(dadgate::PluginHost& host,
                                        const dadgate::PluginConfig& config, std::string& error) {
    dad::Gateway* gateway = nullptr;
    const Poco::Util::AbstractConfiguration* settings = nullptr;
    if (!dad::openInTree(host, config, "fetch.*", gateway, settings, error)) return nullptr;
    try {
        return std::make_unique<FetchPlugin>(*gateway, limitsFrom(*settings));
    } catch (const Poco::Exception& e) {
        error = "fetch.*: " + e.displayText();
        return nullptr;
    }
}

const dadgate::PluginInfo kInfo = {dadgate::kPluginAbiVersion, "fetch", create};

}  // namespace

extern "C" const dadgate::PluginInfo* dadgate_plugin_entry() {
    return &kInfo;
}
