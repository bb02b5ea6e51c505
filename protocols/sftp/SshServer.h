// SshServer: the SSH transport in front of the SFTP engine, on libssh's server
// API. It listens, authenticates users through the Authenticator (password and
// public key only), accepts one "session" channel with the "sftp" subsystem and
// pumps its bytes through an SftpEngine on the user's Session. Everything else
// (shell, exec, pty, forwarding, agent, X11) is refused; a legacy `scp -O`
// gets a one-line explanation on stderr.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "Authenticator.h"
#include "SftpEngine.h"
#include "Status.h"

namespace dad {

struct SshServerOptions {
    std::string address = "0.0.0.0";        // numeric IPv4 or IPv6 address to listen on
    uint16_t port = 2222;                   // 0 picks a free port (see boundPort())
    std::vector<std::string> hostKeyFiles;  // private key files (OpenSSH or PEM format)
    int loginGraceSeconds = 60;             // authentication must finish within this
    int idleTimeoutSeconds = 900;           // no traffic for this long closes the session
    int maxConnections = 500;               // total; more are refused right after accept
    int maxConnectionsPerAddress = 50;
    // Failed attempts (password or key) before disconnecting. The delay after
    // a wrong password is the Authenticator's (login.failed_delay_ms).
    int maxAuthAttempts = 6;
    SftpLimits sftpLimits;
};

class SshServer {
public:
    // `authenticator` must outlive the server; it is called from connection
    // threads concurrently and must be thread-safe.
    SshServer(SshServerOptions options, Authenticator& authenticator);
    // Stops the server if it is running.
    ~SshServer();
    SshServer(const SshServer&) = delete;
    SshServer& operator=(const SshServer&) = delete;

    // Loads the host keys, binds and listens, starts the accept thread and
    // returns. Fails (InvalidArgument, IoError) on bad options, an unreadable
    // host key or a port that cannot be bound; nothing is left running then.
    // REQUIRES: not started before.
    Status start();

    // Closes the listening socket(s); sessions running go on until stop().
    void stopAccepting();
    // Stops accepting, cuts every session (open uploads are kept for resume
    // through SftpEngine::finish) and joins all threads. Idempotent.
    // Not to be called from a connection thread (an Authenticator callback).
    void stop();

    // The port actually bound; 0 before start().
    uint16_t boundPort() const;

    // Sessions currently open (accepted and not yet ended). Thread-safe.
    int connectionCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dad
