// BackgroundWriter: writes an upload's bytes into its partial file and hashes
// them as they arrive in order. Once an upload passes kThreadAfterBytes it
// moves the pwrite and the SHA-256 to a thread of its own with a bounded
// queue, so the connection's thread goes on receiving and decrypting (the two
// used to run one after the other on one core). Small uploads never start a
// thread.
//
// A write error surfaces on a later write() or on drain(). Used by one
// connection thread; the background thread is internal.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "FileSystem.h"
#include "Sha256.h"
#include "Status.h"

namespace dad {

class BackgroundWriter {
public:
    static constexpr uint64_t kThreadAfterBytes = 1 << 20;
    static constexpr size_t kMaxQueuedBytes = 4 << 20;

    // `hashFromStart`: the file is empty, so in-order writes can be hashed now.
    BackgroundWriter(FileSystem& fs, int fd, bool hashFromStart);
    ~BackgroundWriter();
    BackgroundWriter(const BackgroundWriter&) = delete;
    BackgroundWriter& operator=(const BackgroundWriter&) = delete;

    Status write(uint64_t offset, const char* data, size_t length);
    // Waits until every queued byte is written; the first error, if any.
    Status drain();
    // After drain(): whether [0, size) was hashed in order, and its digest.
    bool hashCovers(uint64_t size) const { return inOrder_ && hashedUpTo_ == size; }
    std::string finishHash() { return hasher_.finishHex(); }

private:
    struct Chunk {
        uint64_t offset = 0;
        std::string bytes;
    };
    Status writeNow(uint64_t offset, const char* data, size_t length);
    void run();

    FileSystem& fs_;
    int fd_;
    Sha256 hasher_;
    uint64_t hashedUpTo_ = 0;
    bool inOrder_;
    uint64_t written_ = 0;

    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Chunk> queue_;
    std::vector<std::string> spare_;  // buffers reused (large allocations are mmap calls)
    size_t queuedBytes_ = 0;
    bool busy_ = false;
    bool stopping_ = false;
    Status error_;
};

}  // namespace dad
