#include "PackageReport.h"

#include <algorithm>
#include <ctime>

namespace dad {

std::string packageLink(const std::string& publicUrl, const std::string& token) {
    std::string base = publicUrl;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    return base + "/p/" + token;
}

std::string PackageReport::formatTime(int64_t seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

Status PackageReport::listFiles(const PackageRecord& p,
                                std::vector<std::pair<std::string, NodeRecord>>& files) {
    if (Status s = catalog_.listFilesUnder(p.rootNode, files); !s) return s;
    if (files.empty() && (p.state == "expired" || p.state == "withdrawn")) {
        if (Status s = catalog_.listFileHistory(p.id, files); !s) return s;
    }
    // The manifest says how the package is sent; it is not one of its files.
    files.erase(std::remove_if(files.begin(), files.end(),
                               [](const auto& file) { return file.first == ".dad"; }),
                files.end());
    return Status::ok();
}

Status PackageReport::summary(const PackageRecord& p, std::string& out) {
    std::vector<std::pair<std::string, NodeRecord>> files;
    std::vector<RecipientRecord> recipients;
    if (Status s = listFiles(p, files); !s) return s;
    if (Status s = catalog_.listRecipients(p.id, recipients); !s) return s;
    std::string to;
    for (const RecipientRecord& r : recipients)
        to += (to.empty() ? "" : ",") + r.address;
    out = p.pid + "  " + p.state + "  from " + p.senderName + "  " + p.name + "  " +
          std::to_string(files.size()) + " file(s)  to " + (to.empty() ? "-" : to);
    if (p.expiresAt) out += "  expires " + formatTime(*p.expiresAt);
    return Status::ok();
}

Status PackageReport::write(const PackageRecord& p, std::string& out) {
    std::vector<std::pair<std::string, NodeRecord>> files;
    std::vector<RecipientRecord> recipients;
    std::vector<DownloadRecord> downloads;
    if (Status s = listFiles(p, files); !s) return s;
    if (Status s = catalog_.listRecipients(p.id, recipients); !s) return s;
    if (Status s = catalog_.listDownloads(p.id, downloads); !s) return s;

    out = "package: " + p.pid + "\n";
    out += "name: " + p.name + "\n";
    out += "sender: " + p.senderName + "\n";
    out += "state: " + p.state + "\n";
    out += "created: " + formatTime(p.created) + "\n";
    if (p.sentAt) out += "sent: " + formatTime(*p.sentAt) + "\n";
    if (p.withdrawnAt) {
        out += "withdrawn: " + formatTime(*p.withdrawnAt) + " by " + p.withdrawnBy +
               (p.sentAt ? "" : " (the draft was removed)") + "\n";
    }
    if (p.expiresAt) {
        out += "expires: " + formatTime(*p.expiresAt) + "\n";
    } else if (p.expiresAfter) {
        out += "expires: " + std::to_string(*p.expiresAfter) + " s after sending\n";
    } else {
        out += "expires: never\n";
    }
    out += "max downloads: " +
           (p.maxDownloads ? std::to_string(*p.maxDownloads) : std::string("unlimited")) + "\n";
    out += std::string("password: ") + (p.passwordHash.empty() ? "no" : "yes") + "\n";
    if (p.returnOf) {
        PackageRecord original;
        if (catalog_.findPackage(*p.returnOf, original)) out += "return of: " + original.pid + "\n";
    }
    out += "link: " + packageLink(publicUrl_, p.token) + "\n";
    if (!p.message.empty()) out += "message: " + p.message + "\n";
    out += "recipients:\n";
    for (const RecipientRecord& r : recipients) {
        out += "  " + r.kind + " " + r.address +
               (r.accountId ? " (account)" : " (notification pending)") +
               (r.hiddenAt ? " removed from their inbox " + formatTime(*r.hiddenAt) : "") + "\n";
    }
    out += "files:\n";
    for (const auto& [path, node] : files) {
        out +=
            "  " + path + "  " + std::to_string(node.size) + " bytes  sha256 " + node.blob + "\n";
    }
    out += "downloads:\n";
    for (const DownloadRecord& d : downloads) {
        // Start..end of the download as one field ("..-" while it runs).
        out += "  " + formatTime(d.started) + ".." + (d.finished ? formatTime(*d.finished) : "-") +
               "  " + (d.accountName.empty() ? "(link)" : d.accountName) + "  " + d.path + "  " +
               std::to_string(d.bytes) + " bytes from offset " + std::to_string(d.startOffset) +
               "  " + (d.complete ? "complete" : (d.finished ? "incomplete" : "in progress")) +
               "  " + d.protocol + " " + d.remoteAddress + "\n";
    }
    std::vector<ForwardRecord> forwards;
    if (Status s = catalog_.listForwards(p.id, forwards); !s) return s;
    if (!forwards.empty()) out += "forwards:\n";
    for (const ForwardRecord& f : forwards) {
        out += "  " + f.site + "  " + f.state + "  " + std::to_string(f.bytesDone) + " of " +
               std::to_string(f.bytesTotal) + " bytes  attempts " + std::to_string(f.attempts) +
               "  " + formatTime(f.updatedAt) + (f.error.empty() ? "" : "  error: " + f.error) +
               "\n";
        if (f.withdrawal == "queued") {
            out += "    withdrawal there: queued\n";
        } else if (f.withdrawal == "done") {
            out += "    withdrawn there too\n";
        } else if (f.withdrawal == "failed") {
            out += "    NOT withdrawn there: " + f.withdrawalError + "\n";
        }
    }
    return Status::ok();
}

}  // namespace dad
