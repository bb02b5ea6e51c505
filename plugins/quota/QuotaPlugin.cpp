// The quota plugin: refuses an upload that would take an account past its
// quota (bytes), with the numbers in the reason. Built as a plugin like any
// other, so the plugin API is used by dadgate itself.
//
// Config (plugins.quota.*): `default_bytes` — a quota for accounts that have
// none of their own (absent: unlimited).
#include <dadgate/plugin.h>

#include <stdexcept>

namespace {

class QuotaPolicy : public dadgate::Plugin {
public:
    explicit QuotaPolicy(long long defaultBytes) : defaultBytes_(defaultBytes) {}

    dadgate::PluginDecision decide(const dadgate::PluginEvent& event) override {
        if (event.hook != "before_upload") return {};
        const long long quota = event.quotaBytes >= 0 ? event.quotaBytes : defaultBytes_;
        if (quota < 0) return {};
        const auto limit = static_cast<unsigned long long>(quota);
        // An upload opening (bytes 0) needs room for at least one byte.
        const bool full = event.bytes == 0 && event.usedBytes >= limit && limit > 0;
        if (full || event.usedBytes + event.bytes > limit) {
            return dadgate::PluginDecision::deny(
                "quota exceeded: " + std::to_string(event.usedBytes) + " of " +
                std::to_string(quota) + " bytes used");
        }
        return {};
    }

private:
    long long defaultBytes_;
};

std::unique_ptr<dadgate::Plugin> create(dadgate::PluginHost&, const dadgate::PluginConfig& config,
                                        std::string& error) {
    long long defaultBytes = -1;
    if (config.has("default_bytes")) {
        const std::string text = config.get("default_bytes", "");
        try {
            size_t used = 0;
            defaultBytes = std::stoll(text, &used);
            if (used != text.size() || defaultBytes < 0) throw std::invalid_argument(text);
        } catch (const std::exception&) {
            error = "default_bytes must be a number of bytes, not '" + text + "'";
            return nullptr;
        }
    }
    for (const std::string& key : config.keys()) {
        if (key != "default_bytes") {
            error = "unknown key '" + key + "'";
            return nullptr;
        }
    }
    return std::make_unique<QuotaPolicy>(defaultBytes);
}

const dadgate::PluginInfo kInfo = {dadgate::kPluginAbiVersion, "quota", create};

}  // namespace

extern "C" const dadgate::PluginInfo* dadgate_plugin_entry() {
    return &kInfo;
}
