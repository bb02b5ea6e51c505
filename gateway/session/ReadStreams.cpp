#include "ReadStreams.h"

#include <algorithm>
#include <cstring>

#include "Gateway.h"
#include "Notifications.h"
#include "PackageLifecycle.h"

namespace dad {

FileReadStream::FileReadStream(Gateway& gateway, int fd, uint64_t size,
                               std::optional<DownloadRecord> download, const std::string& protocol)
    : gateway_(gateway),
      fd_(fd),
      size_(size),
      download_(std::move(download)),
      protocol_(Metrics::index(protocol)),
      inProgress_(gateway.metrics().transfers[protocol_]) {}

FileReadStream::~FileReadStream() {
    if (open_) (void)close();
}

Status FileReadStream::read(uint64_t offset, char* buffer, size_t length, size_t& got) {
    got = 0;
    if (offset >= size_) return Status::ok();
    length = static_cast<size_t>(std::min<uint64_t>(length, size_ - offset));
    if (Status s = charge(offset, length); !s) return s;
    if (Status s = gateway_.store().fileSystem().readAt(fd_, offset, buffer, length, got); !s) {
        return s;
    }
    bytes_ += got;
    gateway_.metrics().bytesSent[protocol_].add(got);
    if (download_) granted_ -= std::min<uint64_t>(granted_, got);
    return Status::ok();
}

Status FileReadStream::charge(uint64_t offset, size_t& length) {
    if (!download_ || granted_ >= length) return Status::ok();
    // Ahead of this read, at most to the end of the file (given back at close).
    const uint64_t ahead =
        std::min<uint64_t>(std::max<uint64_t>(length, kChargeStep), size_ - offset);
    uint64_t more = 0;
    Status s = gateway_.catalog().chargeDownload(download_->id, offset, ahead - granted_, more);
    granted_ += more;
    if (granted_ == 0) return s ? Status::denied("nothing more of this file may be served") : s;
    length = static_cast<size_t>(std::min<uint64_t>(length, granted_));
    return Status::ok();
}

Status FileReadStream::close() {
    if (!open_) return Status::ok();
    open_ = false;
    gateway_.store().fileSystem().close(fd_);
    gateway_.metrics().downloads[protocol_].add();
    inProgress_.release();
    if (!download_) return Status::ok();
    bool complete = false;
    Status s = gateway_.catalog().finishDownload(download_->id, bytes_, size_, complete);
    if (s && complete) {
        // A receipt for the sender (the notifier checks the whole package is done).
        PackageRecord package;
        if (gateway_.catalog().findPackage(download_->packageId, package)) {
            (void)enqueueNotification(
                gateway_.catalog(),
                {"downloaded", package.pid, "", download_->accountName, download_->path});
        }
    }
    if (s) expireIfExhausted(gateway_, download_->packageId);
    PolicyEvent event;
    event.hook = Hook::AfterDownload;
    event.user = download_->accountName;
    event.accountId = download_->accountId.value_or(0);
    event.connection = {download_->protocol, download_->remoteAddress, 0};
    event.path = download_->path;
    event.bytes = bytes_;
    (void)gateway_.policy().ask(event);
    gateway_.catalog().audit({download_->accountName, download_->remoteAddress, download_->protocol,
                              "download", download_->path,
                              std::to_string(bytes_) + (complete ? " bytes, complete" : " bytes"),
                              true});
    return s;
}

Status TextReadStream::read(uint64_t offset, char* buffer, size_t length, size_t& got) {
    got = 0;
    if (offset >= text_.size()) return Status::ok();
    got = std::min<size_t>(length, text_.size() - static_cast<size_t>(offset));
    std::memcpy(buffer, text_.data() + offset, got);
    return Status::ok();
}

}  // namespace dad
