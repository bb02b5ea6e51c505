#include "NotifyJobs.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

#include <fstream>
#include <set>
#include <sstream>

#include "SmtpSender.h"

namespace dad {

namespace {

std::string formatTime(int64_t seconds) {
    return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(seconds),
                                           "%Y-%m-%d %H:%M UTC");
}

// The first line of a secret file, without its line end. Never logged.
Status readSecretFile(const std::string& key, const std::string& path, std::string& secret) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return Status::invalid(key + ": cannot read " + path);
    std::getline(file, secret);
    while (!secret.empty() && (secret.back() == '\r' || secret.back() == '\n'))
        secret.pop_back();
    return Status::ok();
}

bool isWebhookEvent(const std::string& event) {
    return event == "package_sent" || event == "downloaded" || event == "package_expired" ||
           event == "quota";
}

}  // namespace

Status NotifyJobs::create(Gateway& gateway, const Poco::Util::AbstractConfiguration& config,
                          std::unique_ptr<NotifyJobs>& out) {
    NotifyOptions options;
    options.templatesDir = config.getString("notify.templates_dir", "/etc/dadgate/templates");
    options.receipts = config.getString("notify.receipts", options.receipts);
    if (options.receipts != "each" && options.receipts != "daily" && options.receipts != "none") {
        return Status::invalid("notify.receipts must be each, daily or none");
    }
    options.digestSeconds = config.getInt64("notify.digest_seconds", options.digestSeconds);
    std::unique_ptr<MailSender> mail;
    if (!config.getString("smtp.host", "").empty()) {
        SmtpOptions smtp;
        smtp.host = config.getString("smtp.host");
        smtp.port = static_cast<uint16_t>(config.getInt("smtp.port", 25));
        smtp.tls = config.getString("smtp.tls", smtp.tls);
        smtp.user = config.getString("smtp.user", "");
        smtp.from = config.getString("smtp.from", "");
        smtp.caFile = config.getString("smtp.ca_file", "");
        smtp.verifyTls = config.getBool("smtp.tls_verify", true);
        smtp.timeoutSeconds = config.getInt("smtp.timeout_seconds", smtp.timeoutSeconds);
        const std::string passwordFile = config.getString("smtp.password_file", "");
        if (!passwordFile.empty()) {
            if (Status s = readSecretFile("smtp.password_file", passwordFile, smtp.password); !s) {
                return s;
            }
        }
        if (Status s = SmtpSender::create(std::move(smtp), mail); !s) return s;
    }
    std::unique_ptr<WebhookSender> webhook;
    const std::string url = config.getString("webhook.url", "");
    if (!url.empty()) {
        std::string secret;
        const std::string secretFile = config.getString("webhook.secret_file", "");
        if (!secretFile.empty()) {
            if (Status s = readSecretFile("webhook.secret_file", secretFile, secret); !s) return s;
        }
        webhook = std::make_unique<WebhookSender>(url, secret);
    }
    if (!mail && !webhook) return Status::ok();
    out = std::make_unique<NotifyJobs>(gateway, options, std::move(mail), std::move(webhook));
    return Status::ok();
}

std::vector<std::string> NotifyJobs::jobKinds() const {
    if (webhook_) return {"notify", "webhook"};
    return {"notify"};
}

NotifyJobs::NotifyJobs(Gateway& gateway, NotifyOptions options, std::unique_ptr<MailSender> mail,
                       std::unique_ptr<WebhookSender> webhook)
    : gateway_(gateway),
      options_(std::move(options)),
      templates_(options_.templatesDir),
      log_(gateway.catalog().db()),
      mail_(std::move(mail)),
      webhook_(std::move(webhook)) {}

Status NotifyJobs::runNotify(const JobRecord& job) {
    NotificationEvent event;
    if (Status s = parseNotificationPayload(job.payload, event); !s) {
        // An old ad-hoc payload or garbage: nothing to retry.
        Poco::Logger::get("dadgate.notify").warning("job #%Ld skipped: %s", job.id, s.message());
        return Status::ok();
    }
    if (webhook_ && isWebhookEvent(event.event)) {
        if (Status s = queueWebhook(job, event); !s) return s;
    }
    if (!mail_) return Status::ok();
    if (event.event == "package_sent") return packageSent(event);
    if (event.event == "package_received") return packageReceived(event);
    if (event.event == "downloaded") return downloaded(event);
    if (event.event == "digest") return digest(event);
    if (event.event == "quota") return quota(job, event);
    if (event.event == "policy") return policyMessage(job, event);
    return Status::ok();  // package_expired: webhook only
}

Status NotifyJobs::queueWebhook(const JobRecord& job, const NotificationEvent& event) {
    const std::string key = "webhook:" + std::to_string(job.id);
    bool sent = false;
    if (Status s = log_.wasSent(key, sent); !s || sent) return s;
    Poco::JSON::Object body;
    body.set("id", std::to_string(job.id));
    body.set("event", event.event);
    body.set("time", nowSeconds());
    body.set("site", gateway_.options().siteId);
    if (!event.pid.empty()) body.set("pid", event.pid);
    if (!event.account.empty()) body.set("account", event.account);
    if (!event.detail.empty()) body.set("detail", event.detail);
    std::ostringstream text;
    body.stringify(text);
    if (Status s = gateway_.catalog().enqueueJob("webhook", text.str()); !s) return s;
    return log_.recordSent(key);
}

Status NotifyJobs::runWebhook(const JobRecord& job) {
    return webhook_->post(job.payload);
}

std::string NotifyJobs::emailOf(const std::string& address) {
    AccountRecord account;
    if (gateway_.catalog().findAccountByAddress(address, account)) return account.email;
    return address.find('@') != std::string::npos ? address : "";
}

Status NotifyJobs::packageValues(const std::string& pid, PackageRecord& package,
                                 AccountRecord& sender,
                                 std::map<std::string, std::string>& values) {
    Catalog& catalog = gateway_.catalog();
    if (Status s = catalog.findPackageByPid(pid, package); !s) return s;
    if (Status s = catalog.findAccountById(package.senderId, sender); !s) return s;
    std::vector<std::pair<std::string, NodeRecord>> files;
    if (package.state == "sent") {
        if (Status s = catalog.listFilesUnder(package.rootNode, files); !s) return s;
    } else if (Status s = catalog.listFileHistory(package.id, files); !s) {
        return s;
    }
    std::string list;
    for (const auto& [path, node] : files) {
        if (path == ".dad") continue;
        list += "  " + path + " (" + std::to_string(node.size) + " bytes)\n";
    }
    std::vector<RecipientRecord> recipients;
    if (Status s = catalog.listRecipients(package.id, recipients); !s) return s;
    std::string names;
    for (const RecipientRecord& r : recipients)
        names += (names.empty() ? "" : ", ") + r.address;
    std::string expiry;
    if (package.expiresAt) {
        expiry = formatTime(*package.expiresAt);
    } else if (package.expiresAfter && package.sentAt) {
        expiry = formatTime(*package.sentAt + *package.expiresAfter);
    }
    if (package.maxDownloads) {
        expiry += (expiry.empty() ? "" : ", or ") + std::string("after ") +
                  std::to_string(*package.maxDownloads) + " download(s) of each file";
    }
    if (expiry.empty()) expiry = "not set";
    values = {{"pid", package.pid},
              {"package", package.sentName.empty() ? package.name : package.sentName},
              {"sender", sender.name},
              {"sender_email", sender.email},
              {"message", package.message.empty() ? "(none)" : package.message},
              {"files", list},
              {"recipients", names},
              {"expiry", expiry},
              {"link", gateway_.packageLink(package.token)}};
    return Status::ok();
}

Status NotifyJobs::packageSent(const NotificationEvent& event) {
    PackageRecord package;
    AccountRecord sender;
    std::map<std::string, std::string> values;
    if (Status s = packageValues(event.pid, package, sender, values); !s) return s;
    if (sender.email.empty()) return Status::ok();
    return deliver("sent:" + package.pid, event.event, package.pid, sender.email, "package_sent",
                   values);
}

Status NotifyJobs::packageReceived(const NotificationEvent& event) {
    PackageRecord package;
    AccountRecord sender;
    std::map<std::string, std::string> values;
    if (Status s = packageValues(event.pid, package, sender, values); !s) return s;
    if (package.state != "sent") return Status::ok();  // withdrawn or expired meanwhile
    const std::string to = emailOf(event.to);
    if (to.empty()) return Status::ok();  // an account without an e-mail sees its inbox
    values["recipient"] = event.to;
    // A resend (the admin layer's, its detail "resend <n>") is a message of its own.
    const std::string again = event.detail.empty() ? "" : ":" + event.detail;
    return deliver("received:" + package.pid + ":" + to + again, event.event, package.pid, to,
                   "package_received", values);
}

Status NotifyJobs::downloaded(const NotificationEvent& event) {
    if (options_.receipts == "none") return Status::ok();
    Catalog& catalog = gateway_.catalog();
    PackageRecord package;
    AccountRecord sender;
    std::map<std::string, std::string> values;
    if (Status s = packageValues(event.pid, package, sender, values); !s) return s;
    if (sender.email.empty()) return Status::ok();
    // A receipt once this downloader has every file of the package.
    std::vector<DownloadRecord> downloads;
    if (Status s = catalog.listDownloads(package.id, downloads); !s) return s;
    std::set<int64_t> have;
    for (const DownloadRecord& d : downloads) {
        if (d.complete && d.accountName == event.account) have.insert(d.nodeId);
    }
    std::vector<std::pair<std::string, NodeRecord>> files;
    if (package.state == "sent") {
        if (Status s = catalog.listFilesUnder(package.rootNode, files); !s) return s;
        for (const auto& [path, node] : files) {
            if (path != ".dad" && !have.count(node.id)) return Status::ok();
        }
    }
    const std::string who = event.account.empty() ? "someone with the link" : event.account;
    const std::string key = "receipt:" + package.pid + ":" + event.account;
    bool sent = false;
    if (Status s = log_.wasSent(key, sent); !s || sent) return s;
    values["downloader"] = who;
    values["time"] = formatTime(nowSeconds());
    if (options_.receipts == "each") {
        return deliver(key, "receipt", package.pid, sender.email, "download_receipt", values);
    }
    const std::string line = "  " + formatTime(nowSeconds()) + "  " + who + " downloaded " +
                             values["package"] + " (" + package.pid + ")";
    bool first = false;
    {
        // Under the key's lock, like a mail: one digest line per downloader.
        std::unique_lock<std::mutex> lock(keysMutex_);
        keysReleased_.wait(lock, [&] { return keysInFlight_.count(key) == 0; });
        if (Status s = log_.wasSent(key, sent); !s || sent) return s;
        if (Status s = log_.addDigestLine(sender.id, line, first); !s) return s;
        if (Status s = log_.recordSent(key); !s) return s;
    }
    if (!first) return Status::ok();
    return log_.enqueueAt("notify", notificationPayload({"digest", "", "", sender.name, ""}),
                          nowSeconds() + options_.digestSeconds);
}

Status NotifyJobs::digest(const NotificationEvent& event) {
    AccountRecord sender;
    if (Status s = gateway_.catalog().findAccount(event.account, sender); !s) return s;
    std::vector<std::pair<int64_t, std::string>> lines;
    if (Status s = log_.pendingDigestLines(sender.id, lines); !s) return s;
    if (lines.empty() || sender.email.empty()) return Status::ok();
    std::string text;
    for (const auto& [id, line] : lines)
        text += line + "\n";
    const int64_t lastId = lines.back().first;
    if (Status s =
            deliver("digest:" + std::to_string(sender.id) + ":" + std::to_string(lastId), "digest",
                    "", sender.email, "receipt_digest", {{"lines", text}, {"sender", sender.name}});
        !s) {
        return s;
    }
    bool more = false;
    if (Status s = log_.markDigestSent(sender.id, lastId, more); !s) return s;
    if (!more) return Status::ok();
    return log_.enqueueAt("notify", notificationPayload({"digest", "", "", sender.name, ""}),
                          nowSeconds() + options_.digestSeconds);
}

Status NotifyJobs::quota(const JobRecord& job, const NotificationEvent& event) {
    const std::string to = emailOf(event.account);
    if (to.empty()) return Status::ok();
    // The detail is "<scope> <percent>" ("alice 80%", "boss and its sub-users 100%").
    const size_t space = event.detail.rfind(' ');
    const std::string scope =
        space == std::string::npos ? event.account : event.detail.substr(0, space);
    const std::string percent = event.detail.substr(space == std::string::npos ? 0 : space + 1);
    return deliver("job:" + std::to_string(job.id), event.event, "", to, "quota_warning",
                   {{"account", event.account},
                    {"threshold", event.detail},
                    {"scope", scope},
                    {"percent", percent}});
}

Status NotifyJobs::policyMessage(const JobRecord& job, const NotificationEvent& event) {
    const std::string to = emailOf(event.to);
    if (to.empty()) return Status::ok();
    std::map<std::string, std::string> values;
    PackageRecord package;
    AccountRecord sender;
    if (!event.pid.empty()) (void)packageValues(event.pid, package, sender, values);
    values["text"] = event.detail;
    values["subject"] = event.pid.empty() ? "A message from dadgate" : "About package " + event.pid;
    return deliver("job:" + std::to_string(job.id), event.event, event.pid, to, "policy_message",
                   values);
}

Status NotifyJobs::deliver(const std::string& key, const std::string& event, const std::string& pid,
                           const std::string& to, const std::string& name,
                           const std::map<std::string, std::string>& values) {
    {
        std::unique_lock<std::mutex> lock(keysMutex_);
        keysReleased_.wait(lock, [&] { return keysInFlight_.count(key) == 0; });
        keysInFlight_.insert(key);
    }
    Status s = deliverOnce(key, event, pid, to, name, values);
    {
        std::lock_guard<std::mutex> lock(keysMutex_);
        keysInFlight_.erase(key);
    }
    keysReleased_.notify_all();
    return s;
}

Status NotifyJobs::deliverOnce(const std::string& key, const std::string& event,
                               const std::string& pid, const std::string& to,
                               const std::string& name,
                               const std::map<std::string, std::string>& values) {
    bool sent = false;
    if (Status s = log_.wasSent(key, sent); !s || sent) return s;
    MailMessage message;
    message.to = to;
    if (Status s = templates_.render(name, values, message.subject, message.body); !s) return s;
    PolicyEvent ask;
    ask.hook = Hook::NotificationOut;
    ask.packagePid = pid;
    ask.notification = PolicyEvent::Notification{event, to, message.subject, message.body};
    std::vector<PolicyAction> actions;
    Catalog& catalog = gateway_.catalog();
    if (Status s = gateway_.policy().ask(ask, &actions); !s) {
        catalog.audit({"", "", "", "notify", to, event + " cancelled: " + s.message(), false});
        return log_.recordSent(key);
    }
    for (const PolicyAction& a : actions) {
        if (a.name != "set_message") continue;
        if (!a.arguments.empty()) message.subject = a.arguments[0];
        if (a.arguments.size() > 1) message.body = a.arguments[1];
    }
    for (char& c : message.subject) {
        if (c == '\r' || c == '\n') c = ' ';
    }
    if (Status s = mail_->send(message); !s) return s;
    catalog.audit({"", "", "", "notify", to, event + (pid.empty() ? "" : " " + pid), true});
    return log_.recordSent(key);
}

}  // namespace dad
