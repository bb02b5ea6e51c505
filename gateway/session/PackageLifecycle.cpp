#include "PackageLifecycle.h"

#include "Gateway.h"
#include "Notifications.h"
#include "Secrets.h"
#include "Sites.h"

namespace dad {

namespace {

void expire(Gateway& gateway, const PackageRecord& package, const std::string& why) {
    if (!gateway.catalog().endPackage(package.id, "expired")) return;
    gateway.catalog().audit({package.senderName, "", "", "expire", package.pid, why, true});
    (void)enqueueNotification(gateway.catalog(), {"package_expired", package.pid, "", "", why});
    PolicyEvent event;
    event.hook = Hook::PackageExpired;
    event.user = package.senderName;
    event.accountId = package.senderId;
    event.packagePid = package.pid;
    event.packageName = package.name;
    (void)gateway.policy().ask(event);
}

}  // namespace

bool expireIfDue(Gateway& gateway, const PackageRecord& package) {
    if (package.state != "sent") return package.state != "draft";
    if (package.expiresAt && *package.expiresAt <= nowSeconds()) {
        expire(gateway, package, "expiry time reached");
        return true;
    }
    return false;
}

void expireIfExhausted(Gateway& gateway, int64_t packageId) {
    Catalog& catalog = gateway.catalog();
    PackageRecord package;
    if (!catalog.findPackage(packageId, package) || package.state != "sent" ||
        !package.maxDownloads) {
        return;
    }
    std::vector<std::pair<std::string, NodeRecord>> files;
    if (!catalog.listFilesUnder(package.rootNode, files)) return;
    for (const auto& [path, node] : files) {
        if (path == ".dad" || node.size == 0) continue;  // an empty file holds nothing back
        uint64_t served = 0;
        if (!catalog.servedBytes(node.id, served) ||
            served < static_cast<uint64_t>(*package.maxDownloads) * node.size) {
            return;
        }
    }
    expire(gateway, package,
           "every file downloaded " + std::to_string(*package.maxDownloads) + " time(s)");
}

Status withdrawPackage(Gateway& gateway, const PackageRecord& package, const std::string& by,
                       const ConnectionInfo& connection) {
    Catalog& catalog = gateway.catalog();
    // Notifications name the package by "pid", forwards by "package".
    Status s = catalog.withdrawPackage(
        package.id, by, {"\"pid\":\"" + package.pid + "\"", "\"package\":\"" + package.pid + "\""},
        Sites::kWithdrawalJob, [&](const std::string& site) {
            return Sites::forwardPayload({package.pid, site});
        });
    catalog.audit({by, connection.remoteAddress, connection.protocol, "withdraw", package.pid,
                   s ? "withdrawn" : s.message(), s.isOk()});
    return s;
}

Status openReply(Gateway& gateway, const PackageRecord& original, const AccountRecord& replier,
                 const ConnectionInfo& connection, PackageRecord& reply) {
    Catalog& catalog = gateway.catalog();
    std::optional<PackageRecord> existing;
    if (Status s = catalog.findReply(original.id, replier.id, existing); !s) return s;
    if (existing) {
        reply = *existing;
        return Status::ok();
    }
    reply = PackageRecord();
    reply.pid = gateway.newPid();
    reply.token = randomToken(24);
    reply.senderId = replier.id;
    reply.name = "re-" + original.name;
    reply.returnOf = original.id;
    if (Status s = catalog.createPackage(reply); !s) return s;
    RecipientRecord back;
    back.address = original.senderName;
    back.accountId = original.senderId;
    if (Status s = catalog.setRecipients(reply.id, {back}); !s) return s;
    if (Status s = catalog.sendPackage(reply.id, reply.name); !s) return s;
    catalog.audit({replier.name, connection.remoteAddress, connection.protocol, "reply", "",
                   reply.pid + " returns " + original.pid, true});
    return catalog.findPackage(reply.id, reply);
}

}  // namespace dad
