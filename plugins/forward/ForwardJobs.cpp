#include "ForwardJobs.h"

#include <Poco/Logger.h>

#include <chrono>

#include "Notifications.h"
#include "ReadStreams.h"
#include "Sites.h"

namespace dad {

namespace {

// Stored content by hash, read straight from the blob store.
class BlobContent : public ContentSource {
public:
    explicit BlobContent(Gateway& gateway) : gateway_(gateway) {}

    Status open(const std::string& sha256, std::unique_ptr<ReadStream>& stream) override {
        FileSystem& fs = gateway_.store().fileSystem();
        int fd = -1;
        if (Status s = fs.openForRead(gateway_.store().blobPath(sha256), fd); !s) return s;
        uint64_t size = 0;
        if (Status s = fs.size(fd, size); !s) {
            fs.close(fd);
            return s;
        }
        stream = std::make_unique<FileReadStream>(gateway_, fd, size, std::nullopt, "forward");
        return Status::ok();
    }

private:
    Gateway& gateway_;
};

// Writes the bytes done into package_forward, at most once a second (each
// write is a catalog commit).
class TrackedProgress : public ForwardProgress {
public:
    TrackedProgress(Catalog& catalog, int64_t packageId, std::string site, uint64_t total)
        : catalog_(catalog), packageId_(packageId), site_(std::move(site)), total_(total) {}

    void reached(uint64_t bytesDone) override {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::seconds(1) && bytesDone < total_) return;
        last_ = now;
        (void)catalog_.updateForward(packageId_, site_, "running", bytesDone, total_, "", false);
    }

private:
    Catalog& catalog_;
    int64_t packageId_;
    std::string site_;
    uint64_t total_;
    std::chrono::steady_clock::time_point last_{};
};

bool isRefusal(const Status& s) {
    return s.code() == StatusCode::PermissionDenied || s.code() == StatusCode::InvalidArgument;
}

}  // namespace

ForwardJobs::ForwardJobs(Gateway& gateway, int maxAttempts)
    : gateway_(gateway), maxAttempts_(maxAttempts) {}

void ForwardJobs::addTarget(const std::string& type, std::unique_ptr<ForwardTarget> target) {
    std::lock_guard<std::mutex> lock(mutex_);
    targets_[type] = std::move(target);
}

Status ForwardJobs::loadSite(const std::string& siteName, Site& site) {
    SiteRecord known;
    if (Status s = gateway_.catalog().findSite(siteName, known); !s) {
        return Status::invalid("site " + siteName + " was removed");
    }
    site.name = known.name;
    site.type = known.type;
    site.url = known.url;
    site.user = known.user;
    site.hostKey = known.hostKey;
    const std::string& dataDir = gateway_.options().dataDir;
    if (!known.caFile.empty()) site.caFile = dataDir + "/" + known.caFile;
    return Sites::loadSecret(dataDir, site.name, site.secret);
}

std::shared_ptr<ForwardTarget> ForwardJobs::targetFor(const std::string& type) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = targets_.find(type);
    return found == targets_.end() ? nullptr : found->second;
}

Status ForwardJobs::load(const std::string& pid, const std::string& siteName, PackageRecord& record,
                         ForwardPackage& package, Site& site) {
    Catalog& catalog = gateway_.catalog();
    if (Status s = catalog.findPackageByPid(pid, record); !s) {
        return Status::invalid("no package " + pid);
    }
    if (record.state != "sent") {
        return Status::invalid("package " + pid + " is " + record.state +
                               "; only sent packages are forwarded");
    }
    if (Status s = loadSite(siteName, site); !s) return s;

    package.pid = record.pid;
    package.sender = record.senderName;
    package.message = record.message;
    package.sentAt = record.sentAt.value_or(0);
    if (record.expiresAt) {
        package.expiresAt = *record.expiresAt;
    } else if (record.expiresAfter) {
        package.expiresAt = package.sentAt + *record.expiresAfter;
    }
    package.maxDownloads = record.maxDownloads.value_or(-1);
    std::vector<RecipientRecord> recipients;
    if (Status s = catalog.listRecipients(record.id, recipients); !s) return s;
    for (const RecipientRecord& r : recipients)
        package.recipients.push_back(r.address);
    std::vector<std::pair<std::string, NodeRecord>> files;
    if (Status s = catalog.listFilesUnder(record.rootNode, files); !s) return s;
    for (const auto& [path, node] : files) {
        if (path == ".dad") continue;  // the sender's manifest may hold the package password
        package.files.push_back({path, node.size, node.blob});
    }
    return Status::ok();
}

Status ForwardJobs::run(const JobRecord& job) {
    Poco::Logger& log = Poco::Logger::get("dadgate.forward");
    ForwardRequest request;
    if (Status s = Sites::parseForwardPayload(job.payload, request); !s) return s;
    Catalog& catalog = gateway_.catalog();
    PackageRecord record;
    ForwardPackage package;
    Site site;
    Status s = load(request.package, request.site, record, package, site);
    std::shared_ptr<ForwardTarget> target;
    if (s) target = targetFor(site.type);
    if (s && !target) {
        s = Status::invalid("this dadgate has no forwarder for sites of type " + site.type);
    }
    uint64_t total = 0;
    for (const ForwardFile& f : package.files)
        total += f.size;
    if (s) {
        (void)catalog.updateForward(record.id, request.site, "running", 0, total, "", true);
        BlobContent content(gateway_);
        TrackedProgress progress(catalog, record.id, request.site, total);
        s = target->push(site, package, content, progress);
    }
    if (record.id == 0) return s;  // no package to track
    if (s) {
        (void)catalog.updateForward(record.id, request.site, "done", total, total, "", false);
        catalog.audit({record.senderName, "", "", "forward", request.site, record.pid, true});
        log.information("package %s forwarded to %s", record.pid, request.site);
        withdrawIfWithdrawn(record, request.site);
        return s;
    }
    // Retried later unless refused or out of attempts: tracking says which.
    const bool final = isRefusal(s) || job.attempts >= maxAttempts_;
    std::vector<ForwardRecord> forwards;
    uint64_t done = 0;
    if (catalog.listForwards(record.id, forwards)) {
        for (const ForwardRecord& f : forwards)
            if (f.site == request.site) done = f.bytesDone;
    }
    (void)catalog.updateForward(record.id, request.site, final ? "failed" : "queued", done, total,
                                final ? s.message() : s.message() + " (will retry)", false);
    if (final) {
        catalog.audit({record.senderName, "", "", "forward", request.site,
                       record.pid + ": " + s.message(), false});
    }
    log.warning("forward of %s to %s: %s", record.pid, request.site, s.message());
    return s;
}

void ForwardJobs::withdrawIfWithdrawn(const PackageRecord& record, const std::string& site) {
    Catalog& catalog = gateway_.catalog();
    PackageRecord now;
    if (!catalog.findPackageByPid(record.pid, now) || now.state != "withdrawn") return;
    if (catalog.updateWithdrawal(record.id, site, "queued", "")) {
        (void)catalog.enqueueJob(Sites::kWithdrawalJob, Sites::forwardPayload({record.pid, site}));
    }
}

Status ForwardJobs::withdraw(const JobRecord& job) {
    ForwardRequest request;
    if (Status s = Sites::parseForwardPayload(job.payload, request); !s) return s;
    Catalog& catalog = gateway_.catalog();
    PackageRecord record;
    if (Status s = catalog.findPackageByPid(request.package, record); !s) {
        return Status::invalid("no package " + request.package);
    }
    Site site;
    Status s = loadSite(request.site, site);
    std::shared_ptr<ForwardTarget> target;
    if (s) target = targetFor(site.type);
    if (s && !target) {
        s = Status::invalid("this dadgate has no forwarder for sites of type " + site.type);
    }
    if (s) s = target->withdraw(site, record.pid);
    if (s) {
        (void)catalog.updateWithdrawal(record.id, request.site, "done", "");
        catalog.audit(
            {record.senderName, "", "", "withdraw at site", request.site, record.pid, true});
        return s;
    }
    const bool final =
        isRefusal(s) || s.code() == StatusCode::Unsupported || job.attempts >= maxAttempts_;
    Poco::Logger::get("dadgate.forward")
        .warning("withdrawal of %s at %s: %s", record.pid, request.site, s.message());
    if (!final) {
        (void)catalog.updateWithdrawal(record.id, request.site, "queued",
                                       s.message() + " (will retry)");
        return s;
    }
    (void)catalog.updateWithdrawal(record.id, request.site, "failed", s.message());
    catalog.audit({record.senderName, "", "", "withdraw at site", request.site,
                   record.pid + ": " + s.message(), false});
    (void)enqueueNotification(
        catalog, {"policy", record.pid, record.senderName, "",
                  "Package " + record.pid + " was withdrawn here, but its copy forwarded to " +
                      request.site + " could not be withdrawn there (" + s.message() +
                      "): it may still be served there."});
    // Given up: the queue does not retry what the tracking now records.
    return Status::invalid(s.message());
}

}  // namespace dad
