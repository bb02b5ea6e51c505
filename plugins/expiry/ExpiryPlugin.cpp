// The expiry plugin: the default expiry of a package. At package_sent, a
// package whose manifest (.dad: expires = ...) sets no expiry gets one of
// `plugins.expiry.default` (7d unless configured) after sending; a Lua
// script, asked after the plugins, may still set another. Built on the
// public plugin API only, like any out-of-tree plugin.
//
// Config (plugins.expiry.*): `default` — a whole number with an optional
// unit s, m, h, d or w (seconds without one), or `never` for no default.
#include <dadgate/plugin.h>

#include <string>

namespace {

// Seconds of "7d", "12h", "3600", ...; 0 for "never"; -1 if malformed.
long long parseDuration(const std::string& text) {
    if (text == "never") return 0;
    size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
        ++digits;
    if (digits == 0 || digits > 9 || text.size() > digits + 1) return -1;
    const long long number = std::stoll(text.substr(0, digits));
    const char unit = digits < text.size() ? text[digits] : 's';
    switch (unit) {
        case 's':
            return number;
        case 'm':
            return number * 60;
        case 'h':
            return number * 3600;
        case 'd':
            return number * 86400;
        case 'w':
            return number * 7 * 86400;
        default:
            return -1;
    }
}

class ExpiryPolicy : public dadgate::Plugin {
public:
    explicit ExpiryPolicy(long long seconds) : seconds_(seconds) {}

    dadgate::PluginDecision decide(const dadgate::PluginEvent& event) override {
        dadgate::PluginDecision d;
        if (event.hook == "package_sent" && seconds_ > 0 && event.expiresAfter < 0 &&
            event.expiresAt < 0) {
            d.actions.push_back({"set_expiry", {std::to_string(seconds_)}});
        }
        return d;
    }

private:
    long long seconds_;
};

std::unique_ptr<dadgate::Plugin> create(dadgate::PluginHost&, const dadgate::PluginConfig& config,
                                        std::string& error) {
    for (const std::string& key : config.keys()) {
        if (key != "default") {
            error = "unknown key '" + key + "'";
            return nullptr;
        }
    }
    const std::string text = config.get("default", "7d");
    const long long seconds = parseDuration(text);
    if (seconds < 0) {
        error = "default must be a duration such as 7d, 12h or 3600, or never; not '" + text + "'";
        return nullptr;
    }
    return std::make_unique<ExpiryPolicy>(seconds);
}

const dadgate::PluginInfo kInfo = {dadgate::kPluginAbiVersion, "expiry", create};

}  // namespace

extern "C" const dadgate::PluginInfo* dadgate_plugin_entry() {
    return &kInfo;
}
