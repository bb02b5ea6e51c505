// UploadStream: one upload in progress. Bytes go to a partial file under
// <data>/uploads while SHA-256 is computed as they arrive; close() publishes
// (fsync, blob adopted, catalog committed) and only then returns Ok.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "Authenticator.h"
#include "BackgroundWriter.h"
#include "Catalog.h"
#include "Metrics.h"
#include "PolicyEngine.h"
#include "Quota.h"
#include "Session.h"

namespace dad {

class Gateway;

struct UploadTarget {
    UploadRecord upload;      // the catalog's row for this partial upload
    std::string virtualPath;  // for the audit log and policy
    std::string accountName;
    ConnectionInfo connection;
    QuotaState quota;                   // limits and usage when the upload opened
    std::optional<int64_t> manifestOf;  // package id when this is a draft's .dad
    // What the after_upload hook's handlers asked for (for example "send").
    std::function<void(const std::vector<PolicyAction>&)> afterUpload;
};

class UploadStream : public WriteStream {
public:
    // Takes over `fd` (the partial file, `existingBytes` long already) and the
    // claim on the upload. `append`: every write goes to the end.
    UploadStream(Gateway& gateway, UploadTarget target, int fd, uint64_t existingBytes,
                 bool append);
    ~UploadStream() override;

    Status write(uint64_t offset, const char* data, size_t length) override;
    uint64_t size() const override { return size_; }
    Status sync() override;
    Status close() override;
    void abandon() override;
    void discard() override;

private:
    Status publish();
    Status applyManifest(const std::string& path);
    void release();

    Gateway& gateway_;
    UploadTarget target_;
    int fd_;
    uint64_t size_;
    bool append_;
    BackgroundWriter writer_;
    bool open_ = true;
    Status refusal_;        // set when a write passed the quota: the upload was dropped
    GaugeHold inProgress_;  // a transfer in progress, for metrics and a clean stop
};

}  // namespace dad
