#include "PolicyActions.h"

#include "FetchRequest.h"
#include "Gateway.h"
#include "Notifications.h"
#include "Sites.h"

namespace dad {

namespace {

bool wholeNumber(const std::string& text, int64_t& out) {
    if (text.empty() || text.size() > 15) return false;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    out = std::stoll(text);
    return true;
}

}  // namespace

PackageChanges applyPolicyActions(Gateway& gateway, const std::string& packagePid,
                                  const std::vector<PolicyAction>& actions,
                                  const std::function<void(const std::string&)>& report) {
    PackageChanges changes;
    for (const PolicyAction& a : actions) {
        int64_t n = 0;
        const std::string first = a.arguments.empty() ? "" : a.arguments[0];
        if (a.name == "set_recipients") {
            changes.recipients = a.arguments;
        } else if (a.name == "set_expiry" && wholeNumber(first, n) && n > 0) {
            changes.expiresAfter = n;
        } else if (a.name == "set_max_downloads" && wholeNumber(first, n) && n > 0) {
            changes.maxDownloads = n;
        } else if (a.name == "set_password" && !first.empty()) {
            changes.password = first;
        } else if (a.name == "notify" && !first.empty()) {
            // dad.notify(to, text...): one message to `to`.
            std::string text;
            for (size_t i = 1; i < a.arguments.size(); ++i)
                text += (i > 1 ? " " : "") + a.arguments[i];
            if (Status s =
                    enqueueNotification(gateway.catalog(), {"policy", packagePid, first, "", text});
                !s) {
                report("cannot queue notify: " + s.message());
            }
        } else if (a.name == "fetch" && !first.empty()) {
            // dad.fetch(url): fetched into the package sender's /files.
            PackageRecord package;
            FetchRequest request;
            request.url = first;
            request.package = packagePid;
            Status s = packagePid.empty()
                           ? Status::invalid("dad.fetch needs a package (no user to fetch for)")
                           : gateway.catalog().findPackageByPid(packagePid, package);
            if (s) s = FetchRequestCodec::checkUrl(first);
            request.user = package.senderName;
            if (s) s = gateway.catalog().enqueueJob("fetch", FetchRequestCodec::toJson(request));
            if (!s) report("cannot queue fetch: " + s.message());
        } else if (a.name == "forward" && !first.empty()) {
            // dad.forward(site): the package, once sent, to a known site.
            PackageRecord package;
            bool queued = false;
            Status s = packagePid.empty() ? Status::invalid("dad.forward needs a package")
                                          : gateway.catalog().findPackageByPid(packagePid, package);
            SiteRecord site;
            if (s) s = gateway.catalog().findSite(first, site);
            // At package_sent the package is still a draft: the sender queues
            // its forwards once it is sent.
            if (s && package.state == "draft") {
                changes.forwards.push_back(first);
            } else if (s) {
                s = Sites::queueForward(gateway.catalog(), package, first, queued);
            }
            if (!s) report("cannot queue forward to " + first + ": " + s.message());
        } else {
            report("policy action " + a.name + "(" + first + ") skipped: not valid here");
        }
    }
    return changes;
}

}  // namespace dad
