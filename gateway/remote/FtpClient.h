// FtpClient: a client session with a remote FTP or FTPS server, for pushing
// packages to it (plugins/forward) and fetching from it.
//
// Security by default: with Tls::Explicit the control connection is upgraded
// with AUTH TLS before the password is sent, and a server that refuses the
// upgrade is refused (never a silent fall-back to clear text); data
// connections are protected too (PBSZ 0, PROT P). The server's certificate
// must chain to `caFile` (the system's CAs when empty) and name the host;
// TLS 1.2 or newer. Implicit TLS (port 990) is not supported.
//
// Passive mode (EPSV, else PASV); binary type. Errors come back as Status:
// PermissionDenied for what waiting cannot heal (530 login refused, a
// certificate that does not verify, a server refusing TLS), IoError for
// connection trouble (refused, reset, timed out), Failure for other replies.
// Messages carry the server's reply text, never the password.
// Not thread-safe: one session per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "RemoteFiles.h"
#include "Status.h"

namespace dad {

struct FtpEndpoint {
    enum class Tls { None, Explicit };
    std::string host;
    uint16_t port = 21;
    Tls tls = Tls::None;
    std::string caFile;  // PEM; "" = the system's CAs
    std::string user;    // "" = anonymous
    std::string password;
    int timeoutSeconds = 60;
};

class FtpClient : public RemoteFiles {
public:
    FtpClient();
    ~FtpClient() override;

    // Connects, secures (Explicit), logs in and sets binary mode.
    Status connect(const FtpEndpoint& endpoint);
    Status makeDirectories(const std::string& path) override;
    // SIZE (a server without it: nullopt, so the file is sent whole).
    Status size(const std::string& path, std::optional<uint64_t>& bytes) override;
    // STOR from 0, APPE from a partial remote file's end (resume).
    Status upload(const std::string& path, uint64_t offset, const Reader& read,
                  const Progress& progress) override;
    // REST (the server must keep it across EPSV/PASV), then RETR.
    Status download(const std::string& path, uint64_t offset, const Sink& sink) override;
    // QUIT, politely; the destructor closes without it.
    void close();

private:
    class Session;
    std::unique_ptr<Session> session_;
    std::string host_;
};

}  // namespace dad
