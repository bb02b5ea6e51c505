// The ReadStreams a session hands out: a stored file (counting a download
// when it belongs to a received package) and a generated text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "Catalog.h"
#include "Session.h"

namespace dad {

class Gateway;

class FileReadStream : public ReadStream {
public:
    // Takes over `fd`. With `download` set, close() records bytes and completeness.
    FileReadStream(Gateway& gateway, int fd, uint64_t size, std::optional<DownloadRecord> download);
    ~FileReadStream() override;
    Status read(uint64_t offset, char* buffer, size_t length, size_t& got) override;
    uint64_t size() const override { return size_; }
    Status close() override;

private:
    Gateway& gateway_;
    int fd_;
    uint64_t size_;
    std::optional<DownloadRecord> download_;
    std::optional<uint64_t> firstOffset_;
    uint64_t contiguousEnd_ = 0;  // delivered without a gap from firstOffset_
    uint64_t bytes_ = 0;
    bool open_ = true;
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
