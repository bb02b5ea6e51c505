#include "ConfigKeys.h"

#include <Poco/File.h>
#include <Poco/Path.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <functional>

namespace dad {

const std::vector<ConfigKey>& knownConfigKeys() {
    static const std::vector<ConfigKey> keys = {
        // The gateway: data, site, links, logs, logins.
        {"data.dir", true},
        {"site.id", false},
        {"public.url", false},
        {"log.level", false},
        {"login.failed_delay_ms", false},
        {"login.max_failures", false},
        {"login.failure_window_seconds", false},
        {"login.max_account_failures", false},
        {"login.trusted_networks", false},
        {"blobs.gc_grace_seconds", false},
        {"housekeeping.interval_seconds", false},
        {"shutdown.grace_seconds", false},
        {"tls.certificate", true},
        {"tls.key", true},
        {"tls.common_name", false},
        // SFTP.
        {"sftp.address", false},
        {"sftp.port", false},
        {"sftp.login_grace_seconds", false},
        {"sftp.idle_timeout_seconds", false},
        {"sftp.max_connections", false},
        {"sftp.max_connections_per_address", false},
        {"sftp.max_auth_attempts", false},
        // FTPS.
        {"ftp.address", false},
        {"ftp.port", false},
        {"ftps.port", false},
        {"ftp.allow_plain", false},
        {"ftp.require_prot_p", false},
        {"ftp.require_tls_session_reuse", false},
        {"ftp.passive_port_min", false},
        {"ftp.passive_port_max", false},
        {"ftp.masquerade_address", false},
        {"ftp.login_grace_seconds", false},
        {"ftp.idle_timeout_seconds", false},
        {"ftp.data_timeout_seconds", false},
        {"ftp.max_login_attempts", false},
        {"ftp.max_connections", false},
        {"ftp.max_connections_per_address", false},
        {"ftp.transfer_buffer_bytes", false},
        // HTTPS (WebDAV, package pages, peer API) and plain HTTP.
        {"https.address", false},
        {"https.port", false},
        {"http.port", false},
        {"http.allow_basic_auth", false},
        {"https.max_threads", false},
        {"https.max_connections", false},
        {"https.max_connections_per_address", false},
        {"https.timeout_seconds", false},
        {"https.keep_alive_seconds", false},
        {"https.max_requests_per_connection", false},
        {"https.header_timeout_seconds", false},
        {"https.max_request_line", false},
        {"https.max_field_line", false},
        {"https.max_fields", false},
        {"https.max_header_bytes", false},
        {"https.max_chunk_line", false},
        {"https.max_trailer_bytes", false},
        {"pages.max_return_bytes", false},
        {"pages.max_return_total_bytes", false},
        {"pages.max_zips", false},
        {"peer.accounts", false},
        {"api.session_seconds", false},
        // Policies and plugins.
        {"policy.dir", true},
        {"policy.on_error", false},
        {"policy.call_budget_ms", false},
        {"policy.instructions", false},
        {"policy.memory_bytes", false},
        {"policy.max_string_bytes", false},
        {"policy.max_failures", false},
        {"policy.failure_window_seconds", false},
        {"plugins.dir", true},
        // The job queue.
        {"jobs.workers", false},
        {"jobs.max_attempts", false},
        {"jobs.first_retry_seconds", false},
        {"jobs.max_retry_seconds", false},
        {"jobs.idle_poll_seconds", false},
        // Read by the notify plugin.
        {"smtp.host", false},
        {"smtp.port", false},
        {"smtp.tls", false},
        {"smtp.tls_verify", false},
        {"smtp.user", false},
        {"smtp.password_file", true},
        {"smtp.from", false},
        {"smtp.ca_file", true},
        {"smtp.timeout_seconds", false},
        {"webhook.url", false},
        {"webhook.secret_file", true},
        {"notify.templates_dir", true},
        {"notify.receipts", false},
        {"notify.digest_seconds", false},
        // Read by the fetch plugin.
        {"fetch.allow_private", false},
        {"fetch.allow_addresses", false},
        {"fetch.max_bytes", false},
        {"fetch.timeout_seconds", false},
        {"fetch.max_redirects", false},
        {"fetch.ca_file", true},
        // Read by the forward plugin.
        {"forward.timeout_seconds", false},
    };
    return keys;
}

bool isPluginSectionKey(const std::string& key) {
    static const std::string prefix = "plugins.";
    if (key.rfind(prefix, 0) != 0) return false;
    const size_t dot = key.find('.', prefix.size());
    return dot != std::string::npos && dot > prefix.size() && dot + 1 < key.size();
}

size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string nearestConfigKey(const std::string& key) {
    std::string best;
    size_t bestDistance = SIZE_MAX;
    for (const ConfigKey& known : knownConfigKeys()) {
        const size_t d = editDistance(key, known.name);
        if (d < bestDistance) {
            bestDistance = d;
            best = known.name;
        }
    }
    return best;
}

std::vector<std::string> allConfigKeys(const Poco::Util::AbstractConfiguration& config) {
    std::vector<std::string> out;
    const std::function<void(const std::string&)> walk = [&](const std::string& prefix) {
        Poco::Util::AbstractConfiguration::Keys keys;
        config.keys(prefix, keys);
        for (const std::string& key : keys) {
            const std::string full = prefix.empty() ? key : prefix + "." + key;
            if (config.hasProperty(full)) out.push_back(full);
            walk(full);
        }
    };
    walk("");
    return out;
}

Status checkConfigKeys(const Poco::Util::AbstractConfiguration& config) {
    const std::vector<ConfigKey>& known = knownConfigKeys();
    for (const std::string& key : allConfigKeys(config)) {
        if (isPluginSectionKey(key)) continue;
        const bool isKnown = std::any_of(known.begin(), known.end(),
                                         [&key](const ConfigKey& k) { return key == k.name; });
        if (!isKnown) {
            return Status::invalid("unknown configuration key '" + key + "' (did you mean '" +
                                   nearestConfigKey(key) + "'?)");
        }
    }
    return Status::ok();
}

std::string resolvePath(const std::string& directory, const std::string& value) {
    if (value.empty() || value[0] == '/' || directory.empty()) return value;
    return Poco::Path(Poco::Path::forDirectory(directory), Poco::Path(value)).toString();
}

std::string executableDirectory() {
    char buffer[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
    if (n <= 0) return "";
    return Poco::Path(std::string(buffer, static_cast<size_t>(n))).parent().toString();
}

std::string builtInPluginDirectory(const std::string& binaryDir) {
    if (binaryDir.empty()) return "";
    const std::string beside = resolvePath(binaryDir, "lib/dadgate/plugins");
    if (Poco::File(beside).exists()) return beside;
    return resolvePath(binaryDir, "../lib/dadgate/plugins");
}

}  // namespace dad
