// Threading model: ConnectionThreads (shared with the FTP server) runs one
// accept thread, and one thread per connection running SshConnection with
// blocking libssh calls. Why not one ssh_event loop for all sessions: the
// Session and the store below it block (fsync, catalog commits, slow password
// hashes), and a blocked callback would stall every client on the loop. A
// thread per connection keeps those waits private, and with a small stack
// (touched only as deep as the code goes) an idle session costs far less than
// 1 MiB.
//
// The accept thread owns the ssh_bind: ssh_bind_accept_fd (which copies the
// host keys into the new session) is not safe to call from several threads.
#include "SshServer.h"

#include <libssh/libssh.h>
#include <libssh/server.h>

#include <Poco/Logger.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "ConnectionThreads.h"
#include "SshConnection.h"

namespace dad {

struct SshServer::Impl {
    Impl(SshServerOptions o, Authenticator& a)
        : options(std::move(o)),
          authenticator(a),
          logger(Poco::Logger::get("dadgate.sftp")),
          threads("sftp", {options.maxConnections, options.maxConnectionsPerAddress}, logger) {}

    Status validate() const;
    Status loadHostKeys();
    std::unique_ptr<Connection> makeConnection(const AcceptedSocket& socket, std::string& refusal);

    const SshServerOptions options;
    Authenticator& authenticator;
    Poco::Logger& logger;
    ConnectionThreads threads;

    ssh_bind bind = nullptr;
    std::atomic<uint16_t> port{0};
    bool started = false;
    uint64_t nextId = 1;  // numbers connections in the log; accept thread only
};

SshServer::SshServer(SshServerOptions options, Authenticator& authenticator)
    : impl_(new Impl(std::move(options), authenticator)) {}

SshServer::~SshServer() {
    stop();
}

uint16_t SshServer::boundPort() const {
    return impl_->port.load();
}

int SshServer::connectionCount() const {
    return impl_->threads.count();
}

Status SshServer::Impl::validate() const {
    if (options.hostKeyFiles.empty()) {
        return Status::invalid("the SSH server needs at least one host key");
    }
    if (options.loginGraceSeconds <= 0 || options.idleTimeoutSeconds <= 0 ||
        options.maxConnections <= 0 || options.maxConnectionsPerAddress <= 0 ||
        options.maxAuthAttempts <= 0) {
        return Status::invalid("SSH server limits must be positive");
    }
    return Status::ok();
}

Status SshServer::Impl::loadHostKeys() {
    bind = ssh_bind_new();
    if (bind == nullptr) {
        return Status::failure("cannot create the SSH server");
    }
    for (const std::string& file : options.hostKeyFiles) {
        // libssh reads and checks the key here, so a bad file fails start().
        if (ssh_bind_options_set(bind, SSH_BIND_OPTIONS_HOSTKEY, file.c_str()) != SSH_OK) {
            return Status::invalid("cannot load SSH host key " + file + ": " + ssh_get_error(bind));
        }
    }
    return Status::ok();
}

Status SshServer::start() {
    Impl& m = *impl_;
    if (m.started) {
        return Status::invalid("the SSH server was already started");
    }
    Status status = m.validate();
    if (!status) return status;
    ssh_init();  // reference-counted; paired with ssh_finalize() in stop()
    m.started = true;
    status = m.loadHostKeys();
    int listenFd = -1;
    uint16_t bound = 0;
    if (status) status = listenTcp(m.options.address, m.options.port, listenFd, bound);
    if (status) {
        m.port = bound;
        status =
            m.threads.start({listenFd}, [&m](const AcceptedSocket& socket, std::string& refusal) {
                return m.makeConnection(socket, refusal);
            });
    }
    if (!status) {
        stop();
        return status;
    }
    m.logger.information("sftp listening on " + m.options.address + " port " +
                         std::to_string(m.port.load()));
    return Status::ok();
}

std::unique_ptr<Connection> SshServer::Impl::makeConnection(const AcceptedSocket& socket,
                                                            std::string& refusal) {
    ConnectionInfo info{"sftp", socket.address, socket.port};
    if (Status s = authenticator.checkConnection(info); !s) {
        refusal = "refused by policy: " + s.message();
        return nullptr;
    }
    // Small SFTP requests and their replies must not wait for Nagle.
    int one = 1;
    ::setsockopt(socket.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ssh_session session = ssh_new();
    if (session == nullptr) {
        refusal = "out of memory";
        return nullptr;
    }
    if (ssh_bind_accept_fd(bind, session, socket.fd) != SSH_OK) {
        logger.error(std::string("sftp accept: ") + ssh_get_error(bind));
        bool owned = ssh_get_fd(session) == socket.fd;
        ssh_free(session);
        if (!owned) ::close(socket.fd);
        return nullptr;  // the socket is closed: no refusal to send
    }
    return std::make_unique<SshConnection>(session, info, socket.fd, nextId++, options,
                                           authenticator);
}

void SshServer::stopAccepting() {
    if (impl_->started) impl_->threads.stopAccepting();
}

void SshServer::stop() {
    Impl& m = *impl_;
    if (!m.started) {
        return;
    }
    // Cutting shuts the sockets down, which makes every blocking libssh call
    // of the connection threads fail at once; each then finishes its engine
    // (keeping uploads for resume) and ends.
    const int open = m.threads.count();
    m.threads.stop();
    if (m.bind != nullptr) {
        ssh_bind_free(m.bind);
        m.bind = nullptr;
    }
    if (open > 0) {
        m.logger.information("sftp stopped; " + std::to_string(open) + " sessions closed");
    }
    ssh_finalize();
    m.started = false;
    m.port = 0;
}

}  // namespace dad
