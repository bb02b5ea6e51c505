// NotifyJobs: the job handlers that turn `notify` jobs (gateway/
// Notifications.h) into mails and webhook calls. The notify plugin
// (NotifyPlugin.cpp, notify.so in plugins.dir) runs them for the daemon;
// without it notify jobs wait in the queue.
//
// Per job: the policy is asked at notification_out before each mail (a deny
// cancels it, set_message(subject, body) changes it); every mail has a key
// recorded in the catalog once sent (NotificationLog), so a retried job does
// not send it again. Receipts go out each time a recipient has downloaded
// every file of a package (notify.receipts = each), gathered into a digest
// per sender (daily), or not at all (none). Webhook events are queued as
// `webhook` jobs, one POST each, retried by the queue on non-2xx.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <Poco/Util/AbstractConfiguration.h>

#include "Gateway.h"
#include "MailSender.h"
#include "MailTemplates.h"
#include "NotificationLog.h"
#include "Notifications.h"
#include "WebhookSender.h"

namespace dad {

struct NotifyOptions {
    std::string templatesDir;
    std::string receipts = "each";  // each, daily, none
    int64_t digestSeconds = 86400;
};

class NotifyJobs {
public:
    // Reads smtp.*, webhook.*, notify.*; `out` stays null when neither mail
    // nor a webhook is configured (the jobs wait). Invalid config: a Status
    // naming the key (never a secret).
    static Status create(Gateway& gateway, const Poco::Util::AbstractConfiguration& config,
                         std::unique_ptr<NotifyJobs>& out);
    // `notify`, and `webhook` when a webhook is configured.
    std::vector<std::string> jobKinds() const;

    NotifyJobs(Gateway& gateway, NotifyOptions options, std::unique_ptr<MailSender> mail,
               std::unique_ptr<WebhookSender> webhook);

    Status runNotify(const JobRecord& job);
    Status runWebhook(const JobRecord& job);

private:
    Status queueWebhook(const JobRecord& job, const NotificationEvent& event);
    Status packageSent(const NotificationEvent& event);
    Status packageReceived(const NotificationEvent& event);
    Status downloaded(const NotificationEvent& event);
    Status digest(const NotificationEvent& event);
    Status quota(const JobRecord& job, const NotificationEvent& event);
    Status policyMessage(const JobRecord& job, const NotificationEvent& event);
    // Sends template `name` to `to` once under `key`, after asking the policy.
    Status deliver(const std::string& key, const std::string& event, const std::string& pid,
                   const std::string& to, const std::string& name,
                   const std::map<std::string, std::string>& values);
    Status deliverOnce(const std::string& key, const std::string& event, const std::string& pid,
                       const std::string& to, const std::string& name,
                       const std::map<std::string, std::string>& values);
    // The e-mail of an address (itself when it has an @ and no account) or "".
    std::string emailOf(const std::string& address);
    Status packageValues(const std::string& pid, PackageRecord& package, AccountRecord& sender,
                         std::map<std::string, std::string>& values);

    Gateway& gateway_;
    NotifyOptions options_;
    MailTemplates templates_;
    NotificationLog log_;
    std::unique_ptr<MailSender> mail_;
    std::unique_ptr<WebhookSender> webhook_;
    // Keys being delivered right now: two workers never send the same one.
    std::mutex keysMutex_;
    std::condition_variable keysReleased_;
    std::set<std::string> keysInFlight_;
};

}  // namespace dad
