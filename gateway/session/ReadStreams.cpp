#include "ReadStreams.h"

#include <algorithm>
#include <cstring>

#include "Gateway.h"
#include "Notifications.h"
#include "PackageLifecycle.h"

namespace dad {

FileReadStream::FileReadStream(Gateway& gateway, int fd, uint64_t size,
                               std::optional<DownloadRecord> download)
    : gateway_(gateway), fd_(fd), size_(size), download_(std::move(download)) {}

FileReadStream::~FileReadStream() {
    if (open_) (void)close();
}

Status FileReadStream::read(uint64_t offset, char* buffer, size_t length, size_t& got) {
    got = 0;
    if (offset >= size_) return Status::ok();
    length = static_cast<size_t>(std::min<uint64_t>(length, size_ - offset));
    if (Status s = gateway_.store().fileSystem().readAt(fd_, offset, buffer, length, got); !s) {
        return s;
    }
    if (!firstOffset_) {
        firstOffset_ = offset;
        contiguousEnd_ = offset;
    }
    if (offset <= contiguousEnd_) contiguousEnd_ = std::max(contiguousEnd_, offset + got);
    bytes_ += got;
    return Status::ok();
}

Status FileReadStream::close() {
    if (!open_) return Status::ok();
    open_ = false;
    gateway_.store().fileSystem().close(fd_);
    if (!download_) return Status::ok();
    const bool complete =
        contiguousEnd_ >= size_ && (firstOffset_.value_or(0) < size_ || size_ == 0);
    Status s = gateway_.catalog().finishDownload(download_->id, bytes_, complete);
    if (s && complete) {
        // A receipt for the sender (the notifier checks the whole package is done).
        PackageRecord package;
        if (gateway_.catalog().findPackage(download_->packageId, package)) {
            (void)enqueueNotification(
                gateway_.catalog(),
                {"downloaded", package.pid, "", download_->accountName, download_->path});
        }
        expireIfExhausted(gateway_, download_->packageId);
    }
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
