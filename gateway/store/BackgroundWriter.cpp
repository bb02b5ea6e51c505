#include "BackgroundWriter.h"

namespace dad {

BackgroundWriter::BackgroundWriter(FileSystem& fs, int fd, bool hashFromStart)
    : fs_(fs), fd_(fd), inOrder_(hashFromStart) {}

BackgroundWriter::~BackgroundWriter() {
    if (!thread_.joinable()) return;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

Status BackgroundWriter::writeNow(uint64_t offset, const char* data, size_t length) {
    if (Status s = fs_.writeAt(fd_, offset, data, length); !s) return s;
    if (inOrder_ && offset == hashedUpTo_) {
        hasher_.update(data, length);
        hashedUpTo_ += length;
    } else if (offset != hashedUpTo_) {
        inOrder_ = false;  // hashed again at close, the one case for a second pass
    }
    return Status::ok();
}

Status BackgroundWriter::write(uint64_t offset, const char* data, size_t length) {
    written_ += length;
    if (!thread_.joinable()) {
        if (written_ <= kThreadAfterBytes) return writeNow(offset, data, length);
        thread_ = std::thread([this] { run(); });
    }
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return queuedBytes_ < kMaxQueuedBytes || !error_; });
    if (!error_) return error_;
    Chunk chunk;
    chunk.offset = offset;
    if (!spare_.empty()) {
        chunk.bytes = std::move(spare_.back());
        spare_.pop_back();
    }
    chunk.bytes.assign(data, length);
    queuedBytes_ += length;
    queue_.push_back(std::move(chunk));
    changed_.notify_all();
    return Status::ok();
}

Status BackgroundWriter::drain() {
    if (!thread_.joinable()) return Status::ok();
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [this] { return (queue_.empty() && !busy_) || !error_; });
    return error_;
}

void BackgroundWriter::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        changed_.wait(lock, [this] { return !queue_.empty() || stopping_; });
        if (queue_.empty()) return;
        Chunk chunk = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        const bool failed = !error_;
        lock.unlock();
        // After a failure the rest is dropped: the upload cannot complete.
        Status s =
            failed ? Status::ok() : writeNow(chunk.offset, chunk.bytes.data(), chunk.bytes.size());
        lock.lock();
        busy_ = false;
        if (!s && error_) error_ = s;
        queuedBytes_ -= chunk.bytes.size();
        if (spare_.size() < 4) spare_.push_back(std::move(chunk.bytes));
        changed_.notify_all();
    }
}

}  // namespace dad
