// SftpClient: a client session with a remote SFTP server (libssh), for
// pushing packages to it (plugins/forward) and fetching from it.
//
// Security by default: the server's host key must have the SHA-256
// fingerprint the site names ("SHA256:<base64>", as `ssh-keygen -lf` prints
// it); anything else is refused before authenticating, and there is no
// trust on first use. ~/.ssh/config and known_hosts are not read.
// Authentication: a secret starting with "-----BEGIN" is a private key
// (OpenSSH or PEM, unencrypted), anything else a password.
//
// Errors come back as Status: PermissionDenied for what waiting cannot heal
// (host key mismatch, authentication refused, SSH_FX_PERMISSION_DENIED),
// IoError for connection trouble, Failure otherwise. Messages never hold the
// secret. Not thread-safe: one session per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "RemoteFiles.h"
#include "Status.h"

namespace dad {

struct SftpEndpoint {
    std::string host;
    uint16_t port = 22;
    std::string user;
    std::string secret;   // password, or a private key in PEM/OpenSSH form
    std::string hostKey;  // "SHA256:<base64>"; required
    int timeoutSeconds = 60;
};

class SftpClient : public RemoteFiles {
public:
    SftpClient();
    ~SftpClient() override;

    // Connects, checks the host key, authenticates, starts SFTP.
    Status connect(const SftpEndpoint& endpoint);
    // The RemoteFiles operations; upload from 0 truncates, from an offset
    // writes there without truncating.
    Status makeDirectories(const std::string& path) override;
    Status size(const std::string& path, std::optional<uint64_t>& bytes) override;
    Status upload(const std::string& path, uint64_t offset, const Reader& read,
                  const Progress& progress) override;
    Status download(const std::string& path, uint64_t offset, const Sink& sink) override;
    void close();

private:
    struct Handles;
    Status sftpError(const std::string& what) const;

    std::unique_ptr<Handles> handles_;
    std::string host_;
};

}  // namespace dad
