// The ReadStreams a session hands out: a stored file (counting a download
// when it belongs to a received package) and a generated text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "Catalog.h"
#include "Metrics.h"
#include "Session.h"

namespace dad {

class Gateway;

class FileReadStream : public ReadStream {
public:
    // Takes over `fd`. With `download` set (started in the catalog), every
    // byte is charged to it before it is served (read() refuses once the
    // file's limit is used up or the package ended), and close() records what
    // was served, completes the download and gives back the rest.
    // `protocol` labels its metrics.
    FileReadStream(Gateway& gateway, int fd, uint64_t size, std::optional<DownloadRecord> download,
                   const std::string& protocol);
    ~FileReadStream() override;
    Status read(uint64_t offset, char* buffer, size_t length, size_t& got) override;
    uint64_t size() const override { return size_; }
    Status close() override;

private:
    Gateway& gateway_;
    int fd_;
    uint64_t size_;
    // Charges bytes ahead, up to this much at a time (one transaction each).
    static constexpr uint64_t kChargeStep = 1 << 20;
    Status charge(uint64_t offset, size_t& length);

    std::optional<DownloadRecord> download_;
    uint64_t granted_ = 0;  // charged and not served yet
    uint64_t bytes_ = 0;    // served
    bool open_ = true;
    size_t protocol_;       // Metrics::index
    GaugeHold inProgress_;  // a transfer in progress, for metrics and a clean stop
};

class TextReadStream : public ReadStream {
public:
    explicit TextReadStream(std::string text) : text_(std::move(text)) {}
    Status read(uint64_t offset, char* buffer, size_t length, size_t& got) override;
    uint64_t size() const override { return text_.size(); }
    Status close() override { return Status::ok(); }

private:
    std::string text_;
};

}  // namespace dad
