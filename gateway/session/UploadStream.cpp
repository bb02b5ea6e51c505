#include "UploadStream.h"

#include <mutex>

#include "Gateway.h"
#include "Manifest.h"
#include "Notifications.h"
#include "Secrets.h"

namespace dad {

UploadStream::UploadStream(Gateway& gateway, UploadTarget target, int fd, uint64_t existingBytes,
                           bool append)
    : gateway_(gateway),
      target_(std::move(target)),
      fd_(fd),
      size_(existingBytes),
      append_(append),
      writer_(gateway.store().fileSystem(), fd, existingBytes == 0),
      inProgress_(gateway.metrics().transfersOf(target_.connection.protocol)) {}

UploadStream::~UploadStream() {
    if (open_) abandon();
}

Status UploadStream::write(uint64_t offset, const char* data, size_t length) {
    if (!refusal_.isOk()) return refusal_;
    if (!open_) return Status::failure("the upload is closed");
    if (append_) offset = size_;
    const uint64_t end = offset + length;
    if (end < offset) return Status::invalid("offset out of range");
    const int64_t remaining = target_.quota.remainingBytes();
    if (end > size_ && remaining >= 0 && end > static_cast<uint64_t>(remaining)) {
        // An upload refused for its size is dropped, not kept for a resume:
        // nothing of it stays visible or counted.
        refusal_ = quotaExceeded(target_.quota.tightestBytes());
        discard();
        return refusal_;
    }
    if (Status s = writer_.write(offset, data, length); !s) return s;
    gateway_.metrics().bytesReceived[Metrics::index(target_.connection.protocol)].add(length);
    if (end > size_) size_ = end;
    return Status::ok();
}

Status UploadStream::sync() {
    if (Status s = writer_.drain(); !s) return s;
    return gateway_.store().fileSystem().sync(fd_);
}

Status UploadStream::close() {
    if (!refusal_.isOk()) return refusal_;
    if (!open_) return Status::failure("the upload is closed");
    Status s = publish();
    if (!s) {
        abandon();
        inProgress_.release();
        return s;
    }
    gateway_.metrics().uploads[Metrics::index(target_.connection.protocol)].add();
    inProgress_.release();
    return Status::ok();
}

Status UploadStream::publish() {
    FileSystem& fs = gateway_.store().fileSystem();
    BlobStore& store = gateway_.store();
    const std::string path = store.uploadPath(target_.upload.tempName);
    if (Status s = writer_.drain(); !s) return s;
    if (target_.manifestOf) {
        Status s = applyManifest(path);
        if (!s) {
            // A refused manifest is not kept as a partial upload: it would block sending.
            discard();
            return s;
        }
    }
    if (Status s = fs.sync(fd_); !s) return s;
    std::string sha;
    uint64_t size = size_;
    if (writer_.hashCovers(size_)) {
        sha = writer_.finishHash();
    } else if (Status s = store.hashFile(path, sha, size); !s) {
        return s;
    }
    {
        std::shared_lock<std::shared_mutex> lock(store.linkLock());
        if (Status s = store.adopt(path, sha); !s) return s;
        if (Status s = gateway_.catalog().completeUpload(target_.upload, sha, size, nowSeconds());
            !s) {
            return s;
        }
    }
    fs.close(fd_);
    open_ = false;
    (void)fs.remove(path);
    gateway_.releaseUpload(target_.upload.tempName);
    gateway_.catalog().audit({target_.accountName, target_.connection.remoteAddress,
                              target_.connection.protocol, "upload", target_.virtualPath,
                              std::to_string(size) + " bytes sha256 " + sha, true});
    // Quota thresholds crossed by this upload go to the notifiers: to whose
    // quota it is (the uploader, its parent admin, or who receives a return).
    for (const QuotaLimit* limit : {&target_.quota.own, &target_.quota.parent}) {
        for (const std::string& crossed :
             crossedThresholds(*limit, limit->usedBytes, limit->usedBytes + size)) {
            (void)enqueueNotification(gateway_.catalog(), {"quota", "", "", limit->owner, crossed});
        }
    }
    PolicyEvent event;
    event.hook = Hook::AfterUpload;
    event.user = target_.accountName;
    event.accountId = target_.upload.accountId;
    event.connection = target_.connection;
    event.path = target_.virtualPath;
    event.bytes = size;
    std::vector<PolicyAction> actions;
    (void)gateway_.policy().ask(event, &actions);
    // The upload is committed whatever the follow-up does.
    if (!actions.empty() && target_.afterUpload) target_.afterUpload(actions);
    return Status::ok();
}

Status UploadStream::applyManifest(const std::string& path) {
    if (size_ > ManifestParser::kMaxBytes) {
        return Status::invalid(".dad is larger than " + std::to_string(ManifestParser::kMaxBytes) +
                               " bytes");
    }
    std::string text(size_, '\0');
    size_t got = 0;
    FileSystem& fs = gateway_.store().fileSystem();
    if (Status s = fs.readAt(fd_, 0, text.data(), text.size(), got); !s) return s;
    (void)path;
    text.resize(got);
    Manifest manifest;
    if (Status s = ManifestParser::parse(text, manifest); !s) return s;
    Catalog& catalog = gateway_.catalog();
    PackageRecord package;
    if (Status s = catalog.findPackage(*target_.manifestOf, package); !s) return s;
    package.message = manifest.message;
    package.expiresAt = manifest.expiresAt;
    package.expiresAfter = manifest.expiresAfter;
    package.maxDownloads = manifest.maxDownloads;
    package.passwordHash = manifest.password ? hashPassword(*manifest.password) : "";
    package.notify = manifest.notify;
    package.forwardTo.clear();
    for (const std::string& site : manifest.forwardTo) {
        package.forwardTo += (package.forwardTo.empty() ? "" : ",") + site;
    }
    if (Status s = catalog.updatePackageSettings(package); !s) return s;
    std::vector<RecipientRecord> recipients;
    for (const auto& [list, kind] :
         {std::pair{&manifest.to, "to"}, std::pair{&manifest.cc, "cc"}}) {
        for (const std::string& address : *list) {
            RecipientRecord r;
            r.address = address;
            r.kind = kind;
            recipients.push_back(r);
        }
    }
    return catalog.setRecipients(package.id, recipients);
}

void UploadStream::discard() {
    if (!open_) return;
    open_ = false;
    (void)writer_.drain();
    FileSystem& fs = gateway_.store().fileSystem();
    fs.close(fd_);
    (void)gateway_.catalog().removeUpload(target_.upload.id);
    (void)fs.remove(gateway_.store().uploadPath(target_.upload.tempName));
    gateway_.releaseUpload(target_.upload.tempName);
    inProgress_.release();
}

void UploadStream::abandon() {
    if (!open_) return;
    open_ = false;
    (void)writer_.drain();  // what arrived stays in the partial file for a resume
    gateway_.store().fileSystem().close(fd_);
    gateway_.releaseUpload(target_.upload.tempName);
    gateway_.catalog().audit({target_.accountName, target_.connection.remoteAddress,
                              target_.connection.protocol, "upload interrupted",
                              target_.virtualPath, std::to_string(size_) + " bytes kept", false});
    inProgress_.release();
}

}  // namespace dad
