// Threading model: one accept thread, and one thread per connection running
// SshConnection with blocking libssh calls. Why not one ssh_event loop for all
// sessions: the Session and the store below it block (fsync, catalog commits,
// slow password hashes), and a blocked callback would stall every client on
// the loop. A thread per connection keeps those waits private, and with a
// small stack (kConnectionStackBytes, touched only as deep as the code goes)
// an idle session costs far less than 1 MiB.
//
// The accept thread owns the ssh_bind: ssh_bind_accept_fd (which copies the
// host keys into the new session) is not safe to call from several threads.
#include "SshServer.h"

#include <libssh/libssh.h>
#include <libssh/server.h>

#include <Poco/Logger.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "SshConnection.h"

namespace dad {

namespace {

// Stack of each connection thread. libssh, OpenSSL and the engine keep their
// buffers on the heap: a whole session (key exchange, login, transfers)
// touched 16 KiB of it. Only touched pages cost memory, so the margin is
// wide: policy hooks (Lua allows 200 nested C calls) will run on this thread.
constexpr size_t kConnectionStackBytes = 512 * 1024;

std::string errnoText(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

// The numeric address and port of a peer; IPv4-mapped IPv6 shown as IPv4, so
// the per-address limit counts one client once.
void describePeer(const sockaddr_storage& addr, std::string& address, uint16_t& port) {
    char text[INET6_ADDRSTRLEN] = {0};
    if (addr.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&addr);
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        port = ntohs(v4->sin_port);
    } else if (addr.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&addr);
        if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
            inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], text, sizeof text);
        } else {
            inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
        }
        port = ntohs(v6->sin6_port);
    }
    address = text;
}

}  // namespace

struct SshServer::Impl {
    struct Running {
        pthread_t thread;
        int fd;  // -1 once the connection no longer owns a live socket
        std::string address;
    };
    struct ThreadStart {
        Impl* impl;
        uint64_t id;
        std::unique_ptr<SshConnection> connection;
    };

    Impl(SshServerOptions o, Authenticator& a)
        : options(std::move(o)), authenticator(a), logger(Poco::Logger::get("dadgate.sftp")) {}

    Status validate() const;
    Status loadHostKeys();
    Status listen();
    void acceptLoop();
    void accepted(int fd, const sockaddr_storage& peer);
    bool startConnection(int fd, const std::string& address, uint16_t port);
    void reapFinished();
    void wake();
    static void* connectionMain(void* arg);
    void connectionEnded(uint64_t id);

    const SshServerOptions options;
    Authenticator& authenticator;
    Poco::Logger& logger;

    ssh_bind bind = nullptr;
    int listenFd = -1;
    int wakeFd = -1;  // eventfd: stop() and ending connections wake the acceptor
    std::atomic<uint16_t> port{0};
    std::thread acceptor;
    std::atomic<bool> stopping{false};
    bool started = false;
    uint64_t nextId = 1;

    mutable std::mutex mutex;  // guards everything below
    std::map<uint64_t, Running> running;
    std::map<std::string, int> perAddress;
    std::vector<uint64_t> finished;  // ended, not yet joined
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
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return static_cast<int>(impl_->running.size());
}

Status SshServer::Impl::validate() const {
    if (options.hostKeyFiles.empty()) {
        return Status::invalid("the SSH server needs at least one host key");
    }
    if (options.loginGraceSeconds <= 0 || options.idleTimeoutSeconds <= 0 ||
        options.maxConnections <= 0 || options.maxConnectionsPerAddress <= 0 ||
        options.maxAuthAttempts <= 0 || options.failedLoginDelayMs < 0) {
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

Status SshServer::Impl::listen() {
    addrinfo hints;
    std::memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    std::string service = std::to_string(options.port);
    if (getaddrinfo(options.address.c_str(), service.c_str(), &hints, &found) != 0 ||
        found == nullptr) {
        return Status::invalid("not a numeric listen address: " + options.address);
    }
    Status status;
    listenFd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (listenFd < 0) {
        status = Status::ioError(errnoText("cannot create the SSH listen socket"));
    } else if (::setsockopt(listenFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
               ::bind(listenFd, found->ai_addr, found->ai_addrlen) != 0 ||
               ::listen(listenFd, SOMAXCONN) != 0) {
        status = Status::ioError(
            errnoText(("cannot listen on " + options.address + " port " + service).c_str()));
    }
    freeaddrinfo(found);
    if (!status) {
        return status;
    }
    sockaddr_storage local;
    socklen_t length = sizeof local;
    if (::getsockname(listenFd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
        return Status::ioError(errnoText("getsockname"));
    }
    std::string address;
    uint16_t bound = 0;
    describePeer(local, address, bound);
    port = bound;
    wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wakeFd < 0) {
        return Status::ioError(errnoText("eventfd"));
    }
    return Status::ok();
}

Status SshServer::start() {
    Impl& m = *impl_;
    if (m.started) {
        return Status::invalid("the SSH server was already started");
    }
    Status status = m.validate();
    if (status) {
        ssh_init();  // reference-counted; paired with ssh_finalize() in stop()
        m.started = true;
        m.stopping = false;
        status = m.loadHostKeys();
    }
    if (status) {
        status = m.listen();
    }
    if (!status) {
        stop();
        return status;
    }
    m.acceptor = std::thread([&m] { m.acceptLoop(); });
    m.logger.information("sftp listening on " + m.options.address + " port " +
                         std::to_string(m.port.load()));
    return Status::ok();
}

void SshServer::Impl::wake() {
    uint64_t one = 1;
    // A full counter already means "wake up"; nothing to handle on failure.
    [[maybe_unused]] ssize_t n = ::write(wakeFd, &one, sizeof one);
}

void SshServer::Impl::acceptLoop() {
    while (!stopping) {
        pollfd fds[2] = {{listenFd, POLLIN, 0}, {wakeFd, POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            logger.error(errnoText("sftp accept loop: poll"));
            return;
        }
        if (fds[1].revents != 0) {
            uint64_t count;
            [[maybe_unused]] ssize_t n = ::read(wakeFd, &count, sizeof count);
            reapFinished();
            continue;
        }
        if (fds[0].revents == 0) {
            continue;
        }
        sockaddr_storage peer;
        socklen_t length = sizeof peer;
        int fd = ::accept4(listenFd, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                // Out of descriptors: the listen socket stays readable, so back
                // off instead of spinning; ending connections free some.
                logger.error(errnoText("sftp accept"));
                pollfd wakeOnly = {wakeFd, POLLIN, 0};
                ::poll(&wakeOnly, 1, 100);
            }
            continue;
        }
        accepted(fd, peer);
    }
}

void SshServer::Impl::accepted(int fd, const sockaddr_storage& peer) {
    std::string address;
    uint16_t peerPort = 0;
    describePeer(peer, address, peerPort);
    std::string refusal;
    {
        std::lock_guard<std::mutex> lock(mutex);
        if (static_cast<int>(running.size()) >= options.maxConnections) {
            refusal = "server full (" + std::to_string(options.maxConnections) + " connections)";
        } else if (perAddress[address] >= options.maxConnectionsPerAddress) {
            refusal = "too many connections from this address (" +
                      std::to_string(options.maxConnectionsPerAddress) + ")";
        }
        if (perAddress[address] == 0 && !refusal.empty()) {
            perAddress.erase(address);
        }
    }
    if (refusal.empty()) {
        if (Status s = authenticator.checkConnection({"sftp", address, peerPort}); !s) {
            refusal = "refused by policy: " + s.message();
        }
    }
    if (!refusal.empty()) {
        logger.warning("sftp refused " + address + ":" + std::to_string(peerPort) + ": " + refusal);
        ::close(fd);
        return;
    }
    // Small SFTP requests and their replies must not wait for Nagle.
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!startConnection(fd, address, peerPort)) {
        logger.error("sftp could not start a connection for " + address);
    }
}

bool SshServer::Impl::startConnection(int fd, const std::string& address, uint16_t peerPort) {
    ssh_session session = ssh_new();
    if (session == nullptr) {
        ::close(fd);
        return false;
    }
    if (ssh_bind_accept_fd(bind, session, fd) != SSH_OK) {
        logger.error(std::string("sftp accept: ") + ssh_get_error(bind));
        bool owned = ssh_get_fd(session) == fd;
        ssh_free(session);
        if (!owned) {
            ::close(fd);
        }
        return false;
    }
    uint64_t id = nextId++;
    auto start = std::make_unique<ThreadStart>();
    start->impl = this;
    start->id = id;
    start->connection = std::make_unique<SshConnection>(
        session, ConnectionInfo{"sftp", address, peerPort}, id, options, authenticator);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, kConnectionStackBytes);
    std::lock_guard<std::mutex> lock(mutex);  // the thread's first act needs our entry
    pthread_t thread;
    int rc = pthread_create(&thread, &attr, &Impl::connectionMain, start.get());
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        return false;  // `start` frees the connection, which closes the socket
    }
    start.release();
    running[id] = Running{thread, fd, address};
    ++perAddress[address];
    return true;
}

void* SshServer::Impl::connectionMain(void* arg) {
    std::unique_ptr<ThreadStart> start(static_cast<ThreadStart*>(arg));
    Impl* impl = start->impl;
    start->connection->run();
    {
        // From here on stop() must not shut down this descriptor: it is
        // closed below and its number may be reused at once.
        std::lock_guard<std::mutex> lock(impl->mutex);
        impl->running[start->id].fd = -1;
    }
    start->connection.reset();
    impl->connectionEnded(start->id);
    return nullptr;
}

void SshServer::Impl::connectionEnded(uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = running.find(id);
    auto counted = perAddress.find(it->second.address);
    if (counted != perAddress.end() && --counted->second <= 0) {
        perAddress.erase(counted);
    }
    finished.push_back(id);
    wake();
}

void SshServer::Impl::reapFinished() {
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
    for (pthread_t thread : threads) {
        pthread_join(thread, nullptr);  // it is past connectionEnded(): prompt
    }
}

void SshServer::stop() {
    Impl& m = *impl_;
    if (!m.started) {
        return;
    }
    m.stopping = true;
    if (m.acceptor.joinable()) {
        m.wake();
        m.acceptor.join();
    }
    if (m.listenFd >= 0) {
        ::close(m.listenFd);
        m.listenFd = -1;
    }
    // Shutting the sockets down makes every blocking libssh call of the
    // connection threads fail at once; each then finishes its engine (keeping
    // uploads for resume) and ends.
    std::vector<pthread_t> threads;
    {
        std::lock_guard<std::mutex> lock(m.mutex);
        for (auto& entry : m.running) {
            if (entry.second.fd >= 0) {
                ::shutdown(entry.second.fd, SHUT_RDWR);
            }
            threads.push_back(entry.second.thread);
        }
    }
    for (pthread_t thread : threads) {
        pthread_join(thread, nullptr);
    }
    {
        std::lock_guard<std::mutex> lock(m.mutex);
        m.running.clear();
        m.finished.clear();
        m.perAddress.clear();
    }
    if (m.wakeFd >= 0) {
        ::close(m.wakeFd);
        m.wakeFd = -1;
    }
    if (m.bind != nullptr) {
        ssh_bind_free(m.bind);
        m.bind = nullptr;
    }
    if (!threads.empty()) {
        m.logger.information("sftp stopped; " + std::to_string(threads.size()) +
                             " sessions closed");
    }
    ssh_finalize();
    m.started = false;
    m.port = 0;
}

}  // namespace dad
