// Listeners, accept loop, connection threads and limits: ConnectionThreads,
// shared with the SFTP server. Listener 0 is explicit TLS, 1 implicit.
#include "FtpServer.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetSSL.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "ConnectionThreads.h"
#include "FtpReplies.h"

namespace dad {

namespace {

// Mozilla "intermediate" (TLS 1.2 part; TLS 1.3 suites are all allowed).
constexpr const char* kIntermediateCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

}  // namespace

struct FtpServer::Impl {
    Impl(FtpServerOptions o, Authenticator& a)
        : options(std::move(o)),
          authenticator(a),
          logger(Poco::Logger::get("dadgate.ftp")),
          threads("ftp", {options.maxConnections, options.maxConnectionsPerAddress}, logger) {}

    Status makeContext();
    Status listenOn(uint16_t wanted, int& fd, std::atomic<uint16_t>& bound);
    std::unique_ptr<Connection> makeSession(const AcceptedSocket& socket, std::string& refusal);
    void refuse(const AcceptedSocket& socket, const std::string& reason);

    const FtpServerOptions options;
    Authenticator& authenticator;
    Poco::Logger& logger;
    Poco::Net::Context::Ptr context;
    ConnectionThreads threads;

    std::atomic<uint16_t> explicitPort{0};
    std::atomic<uint16_t> implicitPort{0};
    bool started = false;
};

FtpServer::FtpServer(FtpServerOptions options, Authenticator& authenticator)
    : impl_(new Impl(std::move(options), authenticator)) {}

FtpServer::~FtpServer() {
    stop();
}

uint16_t FtpServer::explicitPort() const {
    return impl_->explicitPort.load();
}

uint16_t FtpServer::implicitPort() const {
    return impl_->implicitPort.load();
}

int FtpServer::connectionCount() const {
    return impl_->threads.count();
}

Status FtpServer::Impl::makeContext() {
    try {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Params params;
        params.privateKeyFile = options.keyFile;
        params.certificateFile = options.certificateFile;
        params.verificationMode = Poco::Net::Context::VERIFY_NONE;
        params.loadDefaultCAs = false;
        params.cipherList = kIntermediateCiphers;
        context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        // Data connections resume the control connection's session.
        context->enableSessionCache(true, "dadgate-ftps");
        context->setSessionCacheSize(options.maxConnections * 4 + 64);
        context->setSessionTimeout(24 * 3600);
        SSL_CTX_set_options(context->sslContext(), SSL_OP_NO_RENEGOTIATION);
    } catch (const Poco::Exception& e) {
        return Status::invalid("FTPS certificate or key unusable: " + e.displayText());
    }
    return Status::ok();
}

Status FtpServer::Impl::listenOn(uint16_t wanted, int& fd, std::atomic<uint16_t>& bound) {
    uint16_t port = 0;
    Status status = listenTcp(options.address, options.pickFreePorts ? 0 : wanted, fd, port);
    bound = port;
    return status;
}

Status FtpServer::start() {
    Impl& m = *impl_;
    if (m.started) return Status::invalid("the FTP server was already started");
    if (m.options.maxConnections <= 0 || m.options.maxConnectionsPerAddress <= 0 ||
        m.options.session.loginGraceSeconds <= 0 || m.options.session.idleTimeoutSeconds <= 0 ||
        m.options.session.maxLoginAttempts <= 0 || m.options.session.data.timeoutSeconds <= 0 ||
        m.options.session.transferBufferBytes < 4096) {
        return Status::invalid("FTP server limits must be positive");
    }
    m.started = true;
    int explicitFd = -1, implicitFd = -1;
    Status status = m.makeContext();
    if (status && m.options.explicitPort != 0) {
        status = m.listenOn(m.options.explicitPort, explicitFd, m.explicitPort);
    }
    if (status && m.options.implicitPort != 0) {
        status = m.listenOn(m.options.implicitPort, implicitFd, m.implicitPort);
    }
    // Listener 0 is explicit TLS, 1 implicit; a disabled one is never readable.
    if (status) {
        status = m.threads.start(
            {explicitFd, implicitFd},
            [&m](const AcceptedSocket& socket, std::string& refusal) {
                return m.makeSession(socket, refusal);
            },
            [&m](const AcceptedSocket& socket, const std::string& reason) {
                m.refuse(socket, reason);
            });
    } else {
        for (int fd : {explicitFd, implicitFd})
            if (fd >= 0) ::close(fd);
    }
    if (!status) {
        stop();
        return status;
    }
    return Status::ok();
}

std::unique_ptr<Connection> FtpServer::Impl::makeSession(const AcceptedSocket& socket,
                                                         std::string& refusal) {
    ConnectionInfo info{"ftps", socket.address, socket.port};
    if (Status s = authenticator.checkConnection(info); !s) {
        refusal = s.message();
        return nullptr;
    }
    sockaddr_storage local;
    socklen_t localLength = sizeof local;
    if (::getsockname(socket.fd, reinterpret_cast<sockaddr*>(&local), &localLength) != 0) {
        refusal = "cannot read the connection's local address";
        return nullptr;
    }
    int one = 1;
    ::setsockopt(socket.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const bool implicit = socket.listener == 1;
    return std::make_unique<FtpSession>(std::make_unique<NetSocket>(socket.fd), info, socket.peer,
                                        local, implicit, context->sslContext(), options.session,
                                        authenticator, logger);
}

void FtpServer::Impl::refuse(const AcceptedSocket& socket, const std::string& reason) {
    if (socket.listener == 1) return;  // an implicit-TLS client expects TLS first
    // A best-effort 421 in clear, never blocking the accept thread.
    std::string bytes = ftpReply(421, reason);
    [[maybe_unused]] ssize_t n = ::send(socket.fd, bytes.data(), bytes.size(), MSG_DONTWAIT);
}

void FtpServer::stopAccepting() {
    if (impl_->started) impl_->threads.stopAccepting();
}

void FtpServer::stop() {
    Impl& m = *impl_;
    if (!m.started) return;
    m.threads.stop();
    m.context = nullptr;
    m.started = false;
    m.explicitPort = 0;
    m.implicitPort = 0;
}

}  // namespace dad
