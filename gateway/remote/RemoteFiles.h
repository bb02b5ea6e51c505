// RemoteFiles: a client session with another file server (FTP, FTPS, SFTP),
// for pushing packages to it (plugins/forward) and fetching from it
// (gateway/fetch), so what is built on it (the resume logic) is written once
// for every protocol. openRemoteFiles opens one; FtpClient.h and SftpClient.h
// say what is each protocol's own.
//
// Security by default: the server is verified (FTPS: its certificate, SFTP:
// its host key) before the secret is sent, and refused when it does not
// verify; there is no trust on first use.
//
// Paths are '/'-separated: absolute ("/a/b") or relative to the login
// directory ("a/b").
//
// Errors come back as Status: PermissionDenied for what waiting cannot heal
// (a server that does not verify, a refused login, a refused name),
// InvalidArgument for an endpoint that cannot be used as given, IoError for
// connection trouble (refused, reset, timed out, lost), Failure for other
// answers. Messages name the server (host:port) and carry its answer, never
// the secret. Not thread-safe: one session per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

// The server a session goes to and who it logs in as.
struct RemoteEndpoint {
    enum class Protocol { Ftp, Ftps, Sftp };  // Ftps: explicit TLS (AUTH TLS)
    Protocol protocol = Protocol::Ftp;
    std::string host;
    uint16_t port = 0;    // 0: the protocol's own (FTP and FTPS 21, SFTP 22)
    std::string user;     // FTP(S): "" = anonymous
    std::string secret;   // the password; for SFTP also a private key (PEM/OpenSSH)
    std::string caFile;   // FTPS: PEM the certificate must chain to; "" = the system's CAs
    std::string hostKey;  // SFTP: the host key's fingerprint, "SHA256:<base64>"; required
    int timeoutSeconds = 60;
};

class RemoteFiles {
public:
    // Reads up to `length` bytes at `offset` of the content to upload; `got`
    // 0 at its end.
    using Reader = std::function<Status(uint64_t offset, char* buffer, size_t length, size_t& got)>;
    // Told the offset reached after each chunk.
    using Progress = std::function<void(uint64_t offset)>;
    // Takes each downloaded chunk; an error stops the download with it.
    using Sink = std::function<Status(const char* data, size_t length)>;

    // Ends the session, as close() does.
    virtual ~RemoteFiles() = default;
    // Creates each missing folder of `path`, like mkdir -p.
    virtual Status makeDirectories(const std::string& path) = 0;
    // The size of a remote file; nullopt when there is no such file, or the
    // server cannot tell (so the file is sent whole).
    virtual Status size(const std::string& path, std::optional<uint64_t>& bytes) = 0;
    // Writes the content from `offset` on until `read` gives 0 bytes: from 0
    // the file is replaced; from the remote file's size on, what it holds is
    // kept (resume).
    virtual Status upload(const std::string& path, uint64_t offset, const Reader& read,
                          const Progress& progress) = 0;
    // Reads a remote file from `offset` on into `sink`.
    virtual Status download(const std::string& path, uint64_t offset, const Sink& sink) = 0;
    // Ends the session (with the protocol's goodbye where it has one); every
    // operation after it fails.
    virtual void close() = 0;

protected:
    // "a/b/c" -> "a", "a/b", "a/b/c"; "/a/b" -> "/a", "/a/b".
    static std::vector<std::string> folderPrefixes(const std::string& path);
};

// Connects to the server `endpoint` names, verifies it, logs in and starts
// the protocol. On success `remote` is the session; on failure it is empty.
Status openRemoteFiles(const RemoteEndpoint& endpoint, std::unique_ptr<RemoteFiles>& remote);

}  // namespace dad
