// The forward plugin: runs `forward` jobs (a sent package pushed to a site)
// and `forward-withdrawal` jobs (that copy withdrawn there)
// with ForwardJobs and its targets for peer, ftp, ftps and sftp sites.
// Configured by the documented top-level keys forward.timeout_seconds and
// jobs.max_attempts (read through the host); its own section
// plugins.forward.* takes no key.
#include <Poco/Exception.h>
#include <Poco/Util/AbstractConfiguration.h>
#include <dadgate/plugin.h>

#include "ForwardJobs.h"
#include "InTreePlugin.h"
#include "PeerTarget.h"
#include "RemoteFilesTarget.h"
#include "Sites.h"

namespace {

class ForwardPlugin : public dadgate::Plugin {
public:
    explicit ForwardPlugin(std::unique_ptr<dad::ForwardJobs> jobs) : jobs_(std::move(jobs)) {}

    std::vector<std::string> jobKinds() const override {
        return {"forward", dad::Sites::kWithdrawalJob};
    }

    dadgate::JobOutcome run(const dadgate::PluginJob& job) override {
        const dad::JobRecord record = dad::jobRecordOf(job);
        if (record.kind == dad::Sites::kWithdrawalJob)
            return dad::outcomeOf(jobs_->withdraw(record));
        return dad::outcomeOf(jobs_->run(record));
    }

private:
    std::unique_ptr<dad::ForwardJobs> jobs_;
};

std::unique_ptr<dadgate::Plugin> create(dadgate::PluginHost& host,
                                        const dadgate::PluginConfig& config, std::string& error) {
    dad::Gateway* gateway = nullptr;
    const Poco::Util::AbstractConfiguration* settings = nullptr;
    if (!dad::openInTree(host, config, "forward.*", gateway, settings, error)) return nullptr;
    try {
        const int timeoutSeconds = settings->getInt("forward.timeout_seconds", 60);
        if (timeoutSeconds <= 0) {
            error = "forward.timeout_seconds must be positive";
            return nullptr;
        }
        auto jobs =
            std::make_unique<dad::ForwardJobs>(*gateway, settings->getInt("jobs.max_attempts", 8));
        for (const char* type : {"ftp", "ftps", "sftp"})
            jobs->addTarget(type, std::make_unique<dad::RemoteFilesTarget>(timeoutSeconds));
        jobs->addTarget("peer", std::make_unique<dad::PeerTarget>(timeoutSeconds));
        return std::make_unique<ForwardPlugin>(std::move(jobs));
    } catch (const Poco::Exception& e) {  // a malformed number
        error = e.displayText();
        return nullptr;
    }
}

const dadgate::PluginInfo kInfo = {dadgate::kPluginAbiVersion, "forward", create};

}  // namespace

extern "C" const dadgate::PluginInfo* dadgate_plugin_entry() {
    return &kInfo;
}
