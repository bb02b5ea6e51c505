// The notify plugin: dadgate's notifiers (SMTP mail, webhooks; NotifyJobs)
// as job handlers for `notify` and `webhook` jobs. Configured by the
// documented top-level keys smtp.*, webhook.* and notify.* (read through the
// host); its own section plugins.notify.* takes no key. Without mail or a
// webhook configured it runs no job kind, and notify jobs wait.
#include <Poco/Exception.h>
#include <dadgate/plugin.h>

#include "InTreePlugin.h"
#include "NotifyJobs.h"

namespace {

class NotifyPlugin : public dadgate::Plugin {
public:
    explicit NotifyPlugin(std::unique_ptr<dad::NotifyJobs> jobs) : jobs_(std::move(jobs)) {}

    std::vector<std::string> jobKinds() const override {
        return jobs_ ? jobs_->jobKinds() : std::vector<std::string>();
    }

    dadgate::JobOutcome run(const dadgate::PluginJob& job) override {
        const dad::JobRecord record = dad::jobRecordOf(job);
        if (job.kind == "webhook") return dad::outcomeOf(jobs_->runWebhook(record));
        return dad::outcomeOf(jobs_->runNotify(record));
    }

private:
    std::unique_ptr<dad::NotifyJobs> jobs_;  // null: nothing configured
};

std::unique_ptr<dadgate::Plugin> create(dadgate::PluginHost& host,
                                        const dadgate::PluginConfig& config, std::string& error) {
    dad::Gateway* gateway = nullptr;
    const Poco::Util::AbstractConfiguration* settings = nullptr;
    if (!dad::openInTree(host, config, "smtp.*, webhook.* and notify.*", gateway, settings,
                         error)) {
        return nullptr;
    }
    std::unique_ptr<dad::NotifyJobs> jobs;
    try {
        if (dad::Status s = dad::NotifyJobs::create(*gateway, *settings, jobs); !s) {
            error = s.message();
            return nullptr;
        }
    } catch (const Poco::Exception& e) {  // a malformed number or boolean
        error = e.displayText();
        return nullptr;
    }
    return std::make_unique<NotifyPlugin>(std::move(jobs));
}

const dadgate::PluginInfo kInfo = {dadgate::kPluginAbiVersion, "notify", create};

}  // namespace

extern "C" const dadgate::PluginInfo* dadgate_plugin_entry() {
    return &kInfo;
}
