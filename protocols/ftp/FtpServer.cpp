// Threading model as SshServer: one accept thread polling both listeners and
// a wake-up eventfd; one thread per connection (the Session below blocks on
// fsync and catalog commits, which must not stall other clients).
#include "FtpServer.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetSSL.h>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "FtpReplies.h"

namespace dad {

namespace {

constexpr size_t kConnectionStackBytes = 512 * 1024;

// Mozilla "intermediate" (TLS 1.2 part; TLS 1.3 suites are all allowed).
constexpr const char* kIntermediateCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

std::string errnoText(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

}  // namespace

struct FtpServer::Impl {
    struct Running {
        pthread_t thread;
        FtpSession* session;  // null once the session ended
        std::string address;
    };
    struct ThreadStart {
        Impl* impl;
        uint64_t id;
        std::unique_ptr<FtpSession> session;
    };

    Impl(FtpServerOptions o, Authenticator& a)
        : options(std::move(o)), authenticator(a), logger(Poco::Logger::get("dadgate.ftp")) {}

    Status makeContext();
    Status listenOn(uint16_t wanted, int& fd, std::atomic<uint16_t>& bound);
    void acceptLoop();
    void accepted(int fd, bool implicit);
    void reapFinished();
    void wake();
    static void* connectionMain(void* arg);

    const FtpServerOptions options;
    Authenticator& authenticator;
    Poco::Logger& logger;
    Poco::Net::Context::Ptr context;

    int explicitFd = -1;
    int implicitFd = -1;
    int wakeFd = -1;
    std::atomic<uint16_t> explicitPort{0};
    std::atomic<uint16_t> implicitPort{0};
    std::thread acceptor;
    std::atomic<bool> stopping{false};
    bool started = false;
    uint64_t nextId = 1;

    mutable std::mutex mutex;  // guards everything below
    std::map<uint64_t, Running> running;
    std::map<std::string, int> perAddress;
    std::vector<uint64_t> finished;
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
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return static_cast<int>(impl_->running.size());
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
    addrinfo hints;
    std::memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(options.pickFreePorts ? 0 : wanted);
    if (getaddrinfo(options.address.c_str(), service.c_str(), &hints, &found) != 0 ||
        found == nullptr) {
        return Status::invalid("not a numeric listen address: " + options.address);
    }
    Status status;
    fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0) {
        status = Status::ioError(errnoText("cannot create the FTP listen socket"));
    } else if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
               ::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
        status =
            Status::ioError(errnoText("cannot listen on " + options.address + " port " + service));
    }
    freeaddrinfo(found);
    if (!status) return status;
    sockaddr_storage local;
    socklen_t length = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
    std::string host;
    uint16_t port = 0;
    ftpDescribeAddress(local, host, port);
    bound = port;
    return Status::ok();
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
    m.stopping = false;
    Status status = m.makeContext();
    if (status && m.options.explicitPort != 0) {
        status = m.listenOn(m.options.explicitPort, m.explicitFd, m.explicitPort);
    }
    if (status && m.options.implicitPort != 0) {
        status = m.listenOn(m.options.implicitPort, m.implicitFd, m.implicitPort);
    }
    if (status) {
        m.wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (m.wakeFd < 0) status = Status::ioError(errnoText("eventfd"));
    }
    if (!status) {
        stop();
        return status;
    }
    m.acceptor = std::thread([&m] { m.acceptLoop(); });
    return Status::ok();
}

void FtpServer::Impl::wake() {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wakeFd, &one, sizeof one);
}

void FtpServer::Impl::acceptLoop() {
    while (!stopping) {
        pollfd fds[3] = {{wakeFd, POLLIN, 0}, {explicitFd, POLLIN, 0}, {implicitFd, POLLIN, 0}};
        if (::poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            logger.error(errnoText("ftp accept loop: poll"));
            return;
        }
        if (fds[0].revents != 0) {
            uint64_t count;
            [[maybe_unused]] ssize_t n = ::read(wakeFd, &count, sizeof count);
            reapFinished();
            continue;
        }
        for (int i = 1; i < 3; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            int fd = ::accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    logger.error(errnoText("ftp accept"));
                    pollfd wakeOnly = {wakeFd, POLLIN, 0};
                    ::poll(&wakeOnly, 1, 100);
                }
                continue;
            }
            accepted(fd, i == 2);
        }
    }
}

void FtpServer::Impl::accepted(int fd, bool implicit) {
    sockaddr_storage peer, local;
    socklen_t peerLength = sizeof peer, localLength = sizeof local;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peerLength) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength) != 0) {
        ::close(fd);
        return;
    }
    ConnectionInfo info;
    info.protocol = "ftps";
    ftpDescribeAddress(peer, info.remoteAddress, info.remotePort);
    std::string refusal;
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (static_cast<int>(running.size()) >= options.maxConnections) {
            refusal = "Server full, try again later";
        } else if (perAddress[info.remoteAddress] >= options.maxConnectionsPerAddress) {
            refusal = "Too many connections from your address";
        }
        if (perAddress[info.remoteAddress] == 0 && !refusal.empty()) {
            perAddress.erase(info.remoteAddress);
        }
    }
    if (refusal.empty()) {
        if (Status s = authenticator.checkConnection(info); !s) refusal = s.message();
    }
    if (!refusal.empty()) {
        logger.warning("ftp refused " + info.remoteAddress + ": " + refusal);
        if (!implicit) {
            // A best-effort 421 in clear (an implicit client expects TLS first).
            std::string bytes = ftpReply(421, refusal);
            [[maybe_unused]] ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT);
        }
        ::close(fd);
        return;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto start = std::make_unique<ThreadStart>();
    start->impl = this;
    start->id = nextId++;
    start->session =
        std::make_unique<FtpSession>(std::make_unique<FtpSocket>(fd), info, peer, local, implicit,
                                     context->sslContext(), options.session, authenticator, logger);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, kConnectionStackBytes);
    std::lock_guard<std::mutex> lock(mutex);
    pthread_t thread;
    FtpSession* session = start->session.get();
    int rc = pthread_create(&thread, &attr, &Impl::connectionMain, start.get());
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        logger.error("ftp: cannot start a connection thread");
        return;  // `start` frees the session, which closes the socket
    }
    const uint64_t id = start->id;
    start.release();
    running[id] = Running{thread, session, info.remoteAddress};
    ++perAddress[info.remoteAddress];
}

void* FtpServer::Impl::connectionMain(void* arg) {
    std::unique_ptr<ThreadStart> start(static_cast<ThreadStart*>(arg));
    Impl* impl = start->impl;
    start->session->run();
    {
        std::lock_guard<std::mutex> lock(impl->mutex);
        impl->running[start->id].session = nullptr;  // stop() must not touch it now
    }
    start->session.reset();
    std::lock_guard<std::mutex> lock(impl->mutex);
    auto it = impl->running.find(start->id);
    auto counted = impl->perAddress.find(it->second.address);
    if (counted != impl->perAddress.end() && --counted->second <= 0) {
        impl->perAddress.erase(counted);
    }
    impl->finished.push_back(start->id);
    impl->wake();
    return nullptr;
}

void FtpServer::Impl::reapFinished() {
    std::vector<pthread_t> threads;
    {
        std::lock_guard<std::mutex> lock(mutex);
        for (uint64_t id : finished) {
            auto it = running.find(id);
            threads.push_back(it->second.thread);
            running.erase(it);
        }
        finished.clear();
    }
    for (pthread_t thread : threads)
        pthread_join(thread, nullptr);
}

void FtpServer::stop() {
    Impl& m = *impl_;
    if (!m.started) return;
    m.stopping = true;
    if (m.acceptor.joinable()) {
        m.wake();
        m.acceptor.join();
    }
    for (int* fd : {&m.explicitFd, &m.implicitFd}) {
        if (*fd >= 0) ::close(*fd);
        *fd = -1;
    }
    std::vector<pthread_t> threads;
    {
        std::lock_guard<std::mutex> lock(m.mutex);
        for (auto& entry : m.running) {
            if (entry.second.session != nullptr) entry.second.session->cut();
            threads.push_back(entry.second.thread);
        }
    }
    for (pthread_t thread : threads)
        pthread_join(thread, nullptr);
    {
        std::lock_guard<std::mutex> lock(m.mutex);
        m.running.clear();
        m.finished.clear();
        m.perAddress.clear();
    }
    if (m.wakeFd >= 0) ::close(m.wakeFd);
    m.wakeFd = -1;
    m.context = nullptr;
    m.started = false;
    m.explicitPort = 0;
    m.implicitPort = 0;
}

}  // namespace dad
