// GatewaySession: the Session of one logged-in account. Decides what may be
// done where (the permissions of the namespace), asks the policy engine at
// its hooks, and turns namespace operations into catalog and store changes.
#pragma once

#include <string>

#include "Authenticator.h"
#include "Catalog.h"
#include "Metrics.h"
#include "Namespace.h"
#include "Quota.h"
#include "Session.h"

namespace dad {

class Gateway;

class GatewaySession : public Session {
public:
    GatewaySession(Gateway& gateway, AccountRecord account, ConnectionInfo connection);

    const std::string& userName() const override { return account_.name; }
    std::string homeDirectory() const override { return "/"; }

    Status stat(const std::string& path, FileInfo& info) override;
    Status list(const std::string& path, std::vector<FileInfo>& entries) override;
    Status makeDirectory(const std::string& path) override;
    Status removeDirectory(const std::string& path) override;
    Status removeFile(const std::string& path) override;
    Status rename(const std::string& from, const std::string& to, bool replace) override;
    Status copyFile(const std::string& from, const std::string& to, bool replace) override;
    Status linkContent(const std::string& path, const std::string& sha256Hex, uint64_t size,
                       bool replace) override;  // GatewaySessionLink.cpp
    Status setModificationTime(const std::string& path, int64_t mtime) override;
    Status openRead(const std::string& path, std::unique_ptr<ReadStream>& stream) override;
    Status openWrite(const std::string& path, const WriteOptions& options,
                     std::unique_ptr<WriteStream>& stream) override;
    Status contentHash(const std::string& path, std::string& sha256Hex) override;
    Status spaceInfo(SpaceInfo& info) override;

    const AccountRecord& account() const { return account_; }
    const ConnectionInfo& connection() const { return connection_; }

private:
    static Status readOnly(const std::string& path);
    Status resolve(const std::string& path, Place& place);
    // resolve(), creating the reply package when `path` is the first thing
    // returned into /inbox/<package>/reply.
    Status resolveForCreate(const std::string& path, Place& place);
    Status createDraft(const std::string& name);
    // Whether removing what is at `place` is accepted without a change: it
    // goes with its package's folder, or went with it (see removeDirectory).
    static bool removedWithItsPackage(const Place& place);
    // Whether removing what is at `place` (a file or folder of a sent or
    // received package) removes the whole package: removePackage.
    static bool takesItsPackage(const Place& place);
    // Removing a draft, withdrawing a sent package, removing a received one
    // from this inbox.
    Status removePackage(const Place& place);
    Status sendDraft(const PackageRecord& draft, const std::string& sentName);
    // The quota (files and bytes) and the before_upload hook, for every way a
    // file arrives (upload, server-side copy, link by hash).
    Status askBeforeUpload(const std::string& path, uint64_t bytes, bool newFile,
                           QuotaState& quota);
    // The reply package for `original`, created (and sent) on first use.
    Status replyPackage(const PackageRecord& original, PackageRecord& reply);
    // Where a new file or folder at `place` goes: its parent node.
    Status writableParent(Place& place, int64_t& parentNode);
    FileInfo infoOf(const Place& place);

    Gateway& gateway_;
    AccountRecord account_;
    ConnectionInfo connection_;
    Namespace namespace_;
    GaugeHold open_;  // counts this session in the metrics while it lives
};

}  // namespace dad
