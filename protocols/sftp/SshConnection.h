// SshConnection: one accepted SSH connection, from key exchange to goodbye,
// run on its own thread by SshServer. Internal to the SFTP front-end.
//
// Threading: run() drives the whole connection on the calling thread with
// blocking libssh calls and bounded timeouts; libssh invokes the callbacks
// below from inside those calls, on the same thread, so no state here is
// shared. The only outside intervention is cut() (on stop) shutting the
// socket down, which makes every pending libssh call fail promptly.
#pragma once

#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "Authenticator.h"
#include "ConnectionThreads.h"
#include "SshServer.h"

namespace Poco {
class Logger;
}

namespace dad {

class SshConnection : public Connection {
public:
    // Takes ownership of `session` (already bound to its socket `fd` by
    // ssh_bind_accept_fd); `options` and `authenticator` must outlive it.
    SshConnection(ssh_session session, ConnectionInfo info, int fd, uint64_t id,
                  const SshServerOptions& options, Authenticator& authenticator);
    // Frees the libssh session, which closes the socket.
    ~SshConnection() override;
    SshConnection(const SshConnection&) = delete;
    SshConnection& operator=(const SshConnection&) = delete;

    // Serves the connection until the client leaves, a limit ends it, or the
    // socket is shut down. Logs connect, login and disconnect.
    void run() override;
    // From another thread while run() runs: shuts the socket down.
    void cut() override;

private:
    using Clock = std::chrono::steady_clock;

    bool keyExchange();
    bool negotiate();  // authentication and channel set-up, until SFTP or scp -O
    void serveSftp();
    void refuseLegacyScp();
    void closeChannel(int exitStatus);
    void lingerUntilClientLeaves();
    bool connected() const;
    bool writeToChannel(const char* data, size_t length);

    int authPassword(const char* user, const char* password);
    int authPublicKey(const char* user, ssh_key key, char signatureState);
    bool loginSucceeded(const std::string& user, const char* method);
    void loginFailed(const std::string& user, const char* method, const std::string& why);
    ssh_channel openChannel();
    int subsystemRequest(ssh_channel channel, const char* subsystem);
    int execRequest(ssh_channel channel, const char* command);
    int refusedRequest(const char* what);

    std::string prefix() const;

    ssh_session session_;
    int fd_;
    ssh_event event_ = nullptr;
    ssh_channel channel_ = nullptr;
    ConnectionInfo info_;
    uint64_t id_;
    const SshServerOptions& options_;
    Authenticator& authenticator_;
    Poco::Logger& logger_;

    struct ssh_server_callbacks_struct serverCallbacks_;
    struct ssh_channel_callbacks_struct channelCallbacks_;

    Clock::time_point started_;
    Clock::time_point lastActivity_;
    std::unique_ptr<Session> userSession_;
    bool authenticated_ = false;
    std::string user_;  // as logged: control characters replaced, truncated
    std::string endReason_ = "client left";
    int failedAttempts_ = 0;
    bool sftpRequested_ = false;
    bool scpRequested_ = false;
    uint64_t bytesIn_ = 0;
    uint64_t bytesOut_ = 0;
};

}  // namespace dad
