// ForwardTarget: one kind of site a sent package can be pushed to (DESIGN.md
// "site"; seed 000 Figure 11, the server-to-server transfer queue). A `forward`
// job names a package and a site; the forward job handler reads the package
// from the catalog into a ForwardPackage and hands it to the target for the
// site's type: `peer` (another dadgate), `ftp`/`ftps` (a plain FTP server) or
// `sftp` (a plain SFTP server).
//
// A push is resumable and idempotent: the job queue runs it again after a
// failure or a crash, so a target first asks the far side what it already
// holds (a file's size, a peer's missing hashes) and sends only the rest.
// Errors follow the job queue's rule: PermissionDenied or InvalidArgument for
// what waiting cannot heal (refused credentials, a bad URL), anything else is
// retried with back-off.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "Session.h"
#include "Status.h"

namespace dad {

struct Site {
    std::string name;
    std::string type;     // peer, ftp, ftps, sftp
    std::string url;      // peer: https://host:port  ftp(s)/sftp: scheme://host:port/folder
    std::string user;     // the account at the far side
    std::string secret;   // its password or token; never logged
    std::string caFile;   // PEM that verifies the far side's certificate ("" = the system's)
    std::string hostKey;  // sftp: the far side's host key, "SHA256:<base64>" as ssh-keygen -l shows
};

struct ForwardFile {
    std::string path;  // inside the package, '/'-separated (folders allowed)
    uint64_t size = 0;
    std::string sha256;
};

struct ForwardPackage {
    std::string pid;  // kept at both ends when the far side is a peer
    std::string sender;
    std::string message;
    std::vector<std::string> recipients;
    int64_t sentAt = 0;
    int64_t expiresAt = 0;      // 0: none
    int64_t maxDownloads = -1;  // -1: none
    std::vector<ForwardFile> files;
};

// Opens stored content by its hash; a ReadStream reads at any offset, so a
// resumed push starts where the far side stopped.
class ContentSource {
public:
    virtual ~ContentSource() = default;
    virtual Status open(const std::string& sha256, std::unique_ptr<ReadStream>& stream) = 0;
};

// Told how far a push has come, for the package's tracking.
class ForwardProgress {
public:
    virtual ~ForwardProgress() = default;
    // `bytesDone` of the package's total have reached the far side (including
    // what it already held).
    virtual void reached(uint64_t bytesDone) = 0;
};

class ForwardTarget {
public:
    virtual ~ForwardTarget() = default;
    virtual Status push(const Site& site, const ForwardPackage& package, ContentSource& content,
                        ForwardProgress& progress) = 0;
    // Withdraws, at the far side, package `pid` pushed there before it was
    // withdrawn here; Ok when the far side no longer has it. Errors as push's;
    // Unsupported where the far side has no such thing (a plain file server).
    virtual Status withdraw(const Site& site, const std::string& pid) {
        (void)pid;
        return Status::error(StatusCode::Unsupported,
                             "a site of type " + site.type + " has no way to withdraw a package");
    }
};

}  // namespace dad
