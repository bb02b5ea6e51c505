// Packages: who sees which (its sender, its recipients, the admin of its
// sender, the operator), lists with filters and keyset pagination, the
// tracking of one package, and what may be done to it (withdraw, forward,
// notify again: its sender, the sender's admin, the operator).
#include <algorithm>

#include "Admin.h"
#include "Notifications.h"
#include "PackageLifecycle.h"
#include "PackageReport.h"
#include "Secrets.h"
#include "Sites.h"

namespace dad {

namespace {

// The cursor: "<id>:<sort value>" in URL-safe base64, opaque to clients.
std::string encodeCursor(const std::string& sort, const std::string& value, int64_t id) {
    static const char* kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const std::string raw = sort + ":" + std::to_string(id) + ":" + value;
    std::string out;
    int bits = 0;
    uint32_t buffer = 0;
    for (unsigned char c : raw) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(buffer >> bits) & 0x3f];
        }
    }
    if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
    return out;
}

Status decodeCursor(const std::string& cursor, const std::string& sort,
                    std::pair<std::string, int64_t>& after) {
    const Status bad = Status::invalid("the cursor is not one this list gave");
    if (cursor.size() > 2048) return bad;
    std::string raw;
    int bits = 0;
    uint32_t buffer = 0;
    for (char c : cursor) {
        int v = c >= 'A' && c <= 'Z'   ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '-'             ? 62
                : c == '_'             ? 63
                                       : -1;
        if (v < 0) return bad;
        buffer = (buffer << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            raw += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    const size_t first = raw.find(':');
    const size_t second = first == std::string::npos ? first : raw.find(':', first + 1);
    if (second == std::string::npos || raw.substr(0, first) != sort) return bad;
    try {
        size_t used = 0;
        const std::string id = raw.substr(first + 1, second - first - 1);
        after.second = std::stoll(id, &used);
        if (used != id.size()) return bad;
    } catch (const std::exception&) {
        return bad;
    }
    after.first = raw.substr(second + 1);
    return Status::ok();
}

}  // namespace

Status Admin::visiblePackage(const Caller& caller, const std::string& pid, PackageRecord& package) {
    Catalog& catalog = gateway_.catalog();
    const Status unknown = Status::notFound("no package " + pid);
    if (!catalog.findPackageByPid(pid, package)) return unknown;
    if (caller.isOperator || caller.onShell) return Status::ok();
    std::vector<int64_t> viewers;
    if (Status s = packageViewers(caller, viewers); !s) return s;
    if (std::find(viewers.begin(), viewers.end(), package.senderId) != viewers.end()) {
        return Status::ok();
    }
    // A recipient sees it while it is in its /inbox: sent, not removed there.
    if (package.state == "sent") {
        std::vector<RecipientRecord> recipients;
        if (Status s = catalog.listRecipients(package.id, recipients); !s) return s;
        for (const RecipientRecord& r : recipients) {
            if (r.accountId && !r.hiddenAt &&
                std::find(viewers.begin(), viewers.end(), *r.accountId) != viewers.end()) {
                return Status::ok();
            }
        }
    }
    package = PackageRecord();
    return unknown;
}

Status Admin::mayManagePackage(const Caller& caller, const PackageRecord& package) {
    if (Status s = requireWrite(caller); !s) return s;
    if (caller.isOperator || package.senderId == caller.accountId) return Status::ok();
    AccountRecord sender;
    if (Status s = gateway_.catalog().findAccountById(package.senderId, sender); !s) return s;
    if (caller.admin && sender.parentId == caller.accountId) return Status::ok();
    return Status::denied(package.pid + " was sent by " + sender.name + ", not by " + caller.name +
                          (caller.admin ? " or one of its sub-users" : ""));
}

Status Admin::listPackagesOf(const Caller& caller, const std::string& user,
                             std::vector<PackageRecord>& packages) {
    Catalog& catalog = gateway_.catalog();
    std::string name = user;
    if (!caller.isOperator && name.empty()) name = caller.name;
    if (name.empty()) return catalog.listPackages(std::nullopt, packages);
    AccountRecord account;
    if (Status s = visibleAccount(caller, name, account); !s) return s;
    if (Status s = catalog.listPackages(account.id, packages); !s) return s;
    // An admin's listing includes the packages of the sub-users under it.
    if (account.type != "admin") return Status::ok();
    std::vector<AccountRecord> accounts;
    if (!catalog.listAccounts(accounts)) return Status::ok();
    for (const AccountRecord& sub : accounts) {
        if (sub.parentId != account.id) continue;
        std::vector<PackageRecord> more;
        if (!catalog.listPackages(sub.id, more)) continue;
        for (const PackageRecord& p : more) {
            bool seen = false;
            for (const PackageRecord& q : packages)
                seen = seen || q.id == p.id;
            if (!seen) packages.push_back(p);
        }
    }
    return Status::ok();
}

Status Admin::listPackages(const Caller& caller, PackageQuery query, const std::string& cursor,
                           PackagePage& page) {
    if (query.limit == 0 || query.limit > 500) {
        return Status::invalid("limit is 1 to 500");
    }
    if (!query.box.empty() && query.box != "sent" && query.box != "inbox" &&
        query.box != "drafts") {
        return Status::invalid("box is sent, inbox or drafts");
    }
    if (query.sort != "created" && query.sort != "name" && query.sort != "state" &&
        query.sort != "sent") {
        return Status::invalid("sort is created, name, state or sent");
    }
    if (!query.state.empty() && query.state != "draft" && query.state != "sent" &&
        query.state != "expired" && query.state != "withdrawn") {
        return Status::invalid("state is draft, sent, expired or withdrawn");
    }
    query.everyone = caller.isOperator;
    if (!caller.isOperator) {
        if (Status s = packageViewers(caller, query.senders); !s) return s;
        ++page.catalogReads;
        query.recipients = query.senders;
    }
    if (!cursor.empty()) {
        std::pair<std::string, int64_t> after;
        if (Status s = decodeCursor(cursor, query.sort + (query.descending ? "-" : "+"), after);
            !s) {
            return s;
        }
        query.after = after;
    }
    // One row more than the page tells whether another page follows.
    const size_t wanted = query.limit;
    query.limit = wanted + 1;
    if (Status s =
            catalog_api::queryPackages(gateway_.catalog(), query, page.packages, page.catalogReads);
        !s) {
        return s;
    }
    page.nextCursor.clear();
    if (page.packages.size() > wanted) {
        page.packages.resize(wanted);
        const PackageRecord& last = page.packages.back();
        page.nextCursor = encodeCursor(query.sort + (query.descending ? "-" : "+"),
                                       catalog_api::sortValue(last, query.sort), last.id);
    }
    return Status::ok();
}

Status Admin::findPackage(const Caller& caller, const std::string& pid, PackageRecord& package) {
    return visiblePackage(caller, pid, package);
}

Status Admin::packageDetail(const Caller& caller, const std::string& pid, PackageDetail& detail) {
    Catalog& catalog = gateway_.catalog();
    if (Status s = visiblePackage(caller, pid, detail.package); !s) return s;
    PackageRecord& p = detail.package;
    const bool manager = mayManagePackage(caller, p).isOk() ||
                         (caller.scope == Scope::Read && p.senderId == caller.accountId);
    if (Status s = catalog.listRecipients(p.id, detail.recipients); !s) return s;
    if (Status s = catalog.listFilesUnder(p.rootNode, detail.files); !s) return s;
    if (detail.files.empty() && (p.state == "expired" || p.state == "withdrawn")) {
        if (Status s = catalog.listFileHistory(p.id, detail.files); !s) return s;
    }
    detail.files.erase(std::remove_if(detail.files.begin(), detail.files.end(),
                                      [](const auto& f) { return f.first == ".dad"; }),
                       detail.files.end());
    if (Status s = catalog.listDownloads(p.id, detail.downloads); !s) return s;
    if (Status s = catalog.listForwards(p.id, detail.forwards); !s) return s;
    if (!manager && !caller.isOperator) {
        // A recipient sees the package and its own downloads, not the others'.
        std::vector<DownloadRecord> own;
        for (const DownloadRecord& d : detail.downloads) {
            if (d.accountId && *d.accountId == caller.accountId) own.push_back(d);
        }
        detail.downloads.swap(own);
        detail.forwards.clear();
    } else {
        detail.link = gateway_.packageLink(p.token);
    }
    p.token.clear();
    const bool hasPassword = !p.passwordHash.empty();
    p.passwordHash = hasPassword ? "set" : "";
    return Status::ok();
}

Status Admin::packageReport(const Caller& caller, const std::string& pid, std::string& text) {
    PackageRecord package;
    if (Status s = visiblePackage(caller, pid, package); !s) return s;
    PackageReport report(gateway_.catalog(), gateway_.options().publicUrl);
    return report.write(package, text);
}

Status Admin::packageSummary(const PackageRecord& package, std::string& line) {
    PackageReport report(gateway_.catalog(), gateway_.options().publicUrl);
    return report.summary(package, line);
}

Status Admin::withdrawPackage(const Caller& caller, const std::string& pid) {
    PackageRecord package;
    if (Status s = visiblePackage(caller, pid, package); !s) return s;
    if (Status s = mayManagePackage(caller, package); !s) return s;
    return dad::withdrawPackage(gateway_, package, caller.name, caller.connection);
}

Status Admin::forwardPackage(const Caller& caller, const std::string& pid, const std::string& site,
                             bool& queued) {
    PackageRecord package;
    if (Status s = visiblePackage(caller, pid, package); !s) return s;
    if (Status s = mayManagePackage(caller, package); !s) return s;
    return Sites::queueForward(gateway_.catalog(), package, site, queued);
}

Status Admin::resendNotification(const Caller& caller, const std::string& pid, size_t& queued) {
    PackageRecord package;
    if (Status s = visiblePackage(caller, pid, package); !s) return s;
    if (Status s = mayManagePackage(caller, package); !s) return s;
    if (package.state != "sent") {
        return Status::invalid(pid + " is " + package.state + ", not sent: nobody to notify");
    }
    std::vector<RecipientRecord> recipients;
    if (Status s = gateway_.catalog().listRecipients(package.id, recipients); !s) return s;
    queued = 0;
    const std::string detail = "resend " + randomToken(6);
    for (const RecipientRecord& r : recipients) {
        if (r.hiddenAt) continue;
        if (Status s = enqueueNotification(
                gateway_.catalog(), {"package_received", package.pid, r.address, "", detail});
            !s) {
            return s;
        }
        ++queued;
    }
    gateway_.catalog().audit({caller.name, caller.connection.remoteAddress,
                              caller.connection.protocol, "notification resent", "", package.pid,
                              true});
    return Status::ok();
}

}  // namespace dad
