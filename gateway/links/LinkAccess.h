// LinkAccess: what a package's share link (<public.url>/p/<token>) allows,
// in one place, so the web pages only translate. Anyone holding the link is
// a visitor without an account:
//   - a draft or sent package is available (a draft shows its files as their
//     uploads complete; partial uploads and the manifest .dad never show);
//     an expired or withdrawn one is Gone;
//   - a package with a password needs it, and failures are limited per
//     token and client address (kMaxPasswordFailures per kFailureWindow);
//   - reading a file records a download with no account (protocol and
//     address of the visitor) under the package's max_downloads;
//   - returning a file goes into a reply package sent by the guest account
//     "guest-<pid>" (type guest, no password, created on first use) to the
//     original sender, with return_of = the original; it shows in the
//     sender's /inbox once a returned file's upload closed. Returns count
//     against the sender's quota (who receives them) and, together, against
//     the link's own total (maxReturnedBytes); one file at a time per link,
//     so parallel returns cannot pass either bound.
// Tokens are never logged or put in a Status message. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "AttemptLimiter.h"
#include "Authenticator.h"
#include "Catalog.h"
#include "Quota.h"
#include "Session.h"

namespace dad {

class Gateway;

enum class LinkState { Available, Gone };

enum class PasswordCheck { Right, Wrong, TooManyAttempts };

struct LinkFile {
    std::string path;  // relative to the package, '/'-separated
    NodeRecord node;   // node.size, node.blob (sha256 hex)
};

// The downloads of several files fetched together (the zip), each charged
// its whole size when it started. Unless finish(true) was called,
// destruction records them as incomplete, still charged (which of their
// bytes reached the visitor is not known).
class LinkDownloads {
public:
    // `sizes`: each download's file size, in the same order.
    LinkDownloads(Gateway& gateway, std::vector<DownloadRecord> downloads,
                  std::vector<uint64_t> sizes);
    ~LinkDownloads();
    LinkDownloads(const LinkDownloads&) = delete;
    LinkDownloads& operator=(const LinkDownloads&) = delete;
    // Records every download as finished: served whole, or cut (0 bytes, still charged).
    void finish(bool complete);

private:
    Gateway& gateway_;
    std::vector<DownloadRecord> downloads_;
    std::vector<uint64_t> sizes_;
    bool finished_ = false;
};

class LinkAccess {
public:
    static constexpr int kMaxPasswordFailures = 5;
    static constexpr int64_t kFailureWindowSeconds = 15 * 60;

    static constexpr int64_t kDefaultMaxReturnedBytes = int64_t(10) << 30;

    // `maxReturnedBytes`: what all files returned through one link may
    // store together; -1 for no bound of its own (the sender's quota still applies).
    explicit LinkAccess(Gateway& gateway, int64_t maxReturnedBytes = kDefaultMaxReturnedBytes);

    // Whether `token` has the shape of a share token (URL-safe base64, 16 to
    // 128 characters); anything else is NotFound without a lookup.
    static bool plausibleToken(const std::string& token);

    // The package of `token` and whether it is still available (an expiry
    // time just passed marks it expired). NotFound for an unknown token.
    Status open(const std::string& token, PackageRecord& package, LinkState& state);

    static bool needsPassword(const PackageRecord& package) {
        return !package.passwordHash.empty();
    }
    // Checks a password (slow hash); TooManyAttempts without checking once
    // the token+address pair failed too often. Failures are audited.
    PasswordCheck checkPassword(const PackageRecord& package, const std::string& password,
                                const ConnectionInfo& visitor);

    // The package's files sorted by path, without the manifest .dad.
    Status listFiles(const PackageRecord& package, std::vector<LinkFile>& files);
    // One of listFiles() by its exact path; NotFound otherwise.
    Status findFile(const PackageRecord& package, const std::string& path, LinkFile& file);

    // Opens a file for reading and records the download (no account). The
    // before_download policy hook and max_downloads may refuse
    // (PermissionDenied). close() on the stream records bytes/completeness.
    Status openRead(const PackageRecord& package, const LinkFile& file,
                    const ConnectionInfo& visitor, std::unique_ptr<ReadStream>& stream);

    // Records downloads of `files` fetched together (the zip). Files whose
    // limit is reached (or that policy refuses) are left out of `files`;
    // PermissionDenied when none is left.
    Status startDownloads(const PackageRecord& package, std::vector<LinkFile>& files,
                          const ConnectionInfo& visitor, std::unique_ptr<LinkDownloads>& downloads);
    // Where a file's content is on disk (read-only).
    std::string contentPath(const LinkFile& file) const;

    // Opens the upload of a file returned to the sender: `fileName` (a plain
    // name, checked) in the reply package, renamed "name (2).ext"... when
    // taken. Refused for a draft (InvalidArgument); QuotaExceeded when the
    // sender's quota or the link's total is used up (also while writing: the
    // upload is then dropped, nothing of it counted); Busy while another file
    // is being returned through the same link. `storedName` is the name
    // given. The stream's close() returning Ok is the only success; discard()
    // drops it.
    Status openReturn(const PackageRecord& package, const std::string& fileName,
                      const ConnectionInfo& visitor, std::unique_ptr<WriteStream>& stream,
                      std::string& storedName);

private:
    // Starts download `d` of a whole file of `size` bytes, all of it charged
    // (the zip); refused, and nothing kept charged, when that is more than the limit leaves.
    Status startWhole(DownloadRecord& d, uint64_t size);
    Status guestAccount(const PackageRecord& package, AccountRecord& guest);
    Status replyPackage(const PackageRecord& original, const AccountRecord& guest,
                        const ConnectionInfo& visitor, PackageRecord& reply);
    Status freeName(int64_t parentNode, int64_t accountId, const std::string& name,
                    std::string& chosen);

    Status returnQuota(const PackageRecord& package, const AccountRecord& guest, QuotaState& quota);
    void endReturn(int64_t packageId);

    Gateway& gateway_;
    const int64_t maxReturnedBytes_;
    AttemptLimiter passwordFailures_;
    std::mutex replyMutex_;        // one guest account and reply package per original
    std::set<int64_t> returning_;  // packages a file is being returned through now
};

}  // namespace dad
