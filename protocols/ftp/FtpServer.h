// FtpServer: the FTP/FTPS listeners. Explicit TLS (AUTH TLS) on one port,
// implicit TLS on another; each accepted connection runs an FtpSession on its
// own thread (small stack; transfer buffers live on the heap only while a
// transfer runs). Limits: connections in total and per client address
// (refused with 421 right after accept), login grace, idle timeout and the
// failed-login delay (in FtpSessionOptions).
//
// TLS: one Poco::Net::Context (server) from the site's certificate and key:
// TLS 1.2 and 1.3 only, Mozilla "intermediate" ciphers, a server session
// cache so data connections can resume the control connection's session.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "Authenticator.h"
#include "FtpSession.h"
#include "Status.h"

namespace dad {

struct FtpServerOptions {
    std::string address = "0.0.0.0";  // numeric IPv4 or IPv6 address of both listeners
    uint16_t explicitPort = 2121;     // AUTH TLS (and plain FTP where allowed); 0: off
    uint16_t implicitPort = 2990;     // TLS from the first byte; 0: off
    bool pickFreePorts = false;       // tests: bind port 0 for the enabled listeners
    std::string certificateFile;      // PEM
    std::string keyFile;              // PEM
    int maxConnections = 500;
    int maxConnectionsPerAddress = 50;
    FtpSessionOptions session;
};

class FtpServer {
public:
    // `authenticator` must outlive the server and be thread-safe.
    FtpServer(FtpServerOptions options, Authenticator& authenticator);
    ~FtpServer();  // stops
    FtpServer(const FtpServer&) = delete;
    FtpServer& operator=(const FtpServer&) = delete;

    // Closes the listening socket(s); sessions running go on until stop().
    void stopAccepting();
    // Builds the TLS context, binds the enabled listeners, starts accepting.
    // Fails (InvalidArgument, IoError) on bad options, an unusable
    // certificate or a port that cannot be bound; nothing is left running.
    Status start();
    // Stops accepting, cuts every session (uploads kept for resume), joins
    // every thread. Idempotent.
    void stop();

    uint16_t explicitPort() const;  // bound ports; 0 when off or not started
    uint16_t implicitPort() const;
    int connectionCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dad
