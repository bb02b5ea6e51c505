#include "ConnectionThreads.h"

#include <Poco/Logger.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
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

namespace dad {

namespace {

std::string errnoText(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

}  // namespace

void describeSocketAddress(const sockaddr_storage& address, std::string& host, uint16_t& port) {
    char text[INET6_ADDRSTRLEN] = {0};
    port = 0;
    if (address.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        port = ntohs(v4->sin_port);
    } else if (address.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
        if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
            inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], text, sizeof text);
        } else {
            inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
        }
        port = ntohs(v6->sin6_port);
    }
    host = text;
}

Status listenTcp(const std::string& address, uint16_t port, int& fd, uint16_t& bound) {
    addrinfo hints;
    std::memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (getaddrinfo(address.c_str(), service.c_str(), &hints, &found) != 0 || found == nullptr) {
        return Status::invalid("not a numeric listen address: " + address);
    }
    Status status;
    fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0) {
        status = Status::ioError(errnoText("cannot create a listen socket"));
    } else if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
               ::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
        status = Status::ioError(errnoText("cannot listen on " + address + " port " + service));
    }
    freeaddrinfo(found);
    sockaddr_storage local;
    socklen_t length = sizeof local;
    if (status && ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0) {
        status = Status::ioError(errnoText("getsockname"));
    }
    if (!status) {
        if (fd >= 0) ::close(fd);
        fd = -1;
        return status;
    }
    std::string host;
    describeSocketAddress(local, host, bound);
    return Status::ok();
}

struct ConnectionThreads::Impl {
    struct Running {
        pthread_t thread;
        Connection* connection;  // null once run() has returned
        std::string address;
    };
    struct ThreadStart {
        Impl* impl;
        uint64_t id;
        std::unique_ptr<Connection> connection;
    };

    Impl(std::string n, ConnectionLimits l, Poco::Logger& log)
        : name(std::move(n)), limits(l), logger(log) {}

    void acceptLoop();
    void accepted(AcceptedSocket socket);
    std::string checkLimits(const std::string& address);
    bool launch(std::unique_ptr<Connection> connection, const std::string& address);
    static void* connectionMain(void* arg);
    void reapFinished();
    void wake();

    const std::string name;
    const ConnectionLimits limits;
    Poco::Logger& logger;
    Make make;
    Refuse refuse;

    std::vector<int> listeners;
    int wakeFd = -1;
    std::thread acceptor;
    std::atomic<bool> stopping{false};
    bool started = false;
    uint64_t nextId = 1;

    mutable std::mutex mutex;  // guards everything below
    std::map<uint64_t, Running> running;
    std::map<std::string, int> perAddress;
    std::vector<uint64_t> finished;  // ended, not yet joined
};

ConnectionThreads::ConnectionThreads(std::string name, ConnectionLimits limits,
                                     Poco::Logger& logger)
    : impl_(new Impl(std::move(name), limits, logger)) {}

ConnectionThreads::~ConnectionThreads() {
    stop();
}

int ConnectionThreads::count() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return static_cast<int>(impl_->running.size());
}

Status ConnectionThreads::start(std::vector<int> listeners, Make make, Refuse refuse) {
    Impl& m = *impl_;
    if (m.started) return Status::invalid(m.name + ": already started");
    m.listeners = std::move(listeners);
    m.started = true;
    if (m.limits.maxConnections <= 0 || m.limits.maxConnectionsPerAddress <= 0) {
        stop();
        return Status::invalid(m.name + ": connection limits must be positive");
    }
    m.wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m.wakeFd < 0) {
        Status status = Status::ioError(errnoText("eventfd"));
        stop();
        return status;
    }
    m.make = std::move(make);
    m.refuse = std::move(refuse);
    m.stopping = false;
    m.acceptor = std::thread([&m] { m.acceptLoop(); });
    return Status::ok();
}

void ConnectionThreads::Impl::wake() {
    uint64_t one = 1;
    // A full counter already means "wake up"; nothing to handle on failure.
    [[maybe_unused]] ssize_t n = ::write(wakeFd, &one, sizeof one);
}

void ConnectionThreads::Impl::acceptLoop() {
    std::vector<pollfd> fds;
    fds.push_back({wakeFd, POLLIN, 0});
    for (int fd : listeners)
        fds.push_back({fd, POLLIN, 0});
    while (!stopping) {
        for (pollfd& p : fds)
            p.revents = 0;
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            logger.error(errnoText(name + " accept loop: poll"));
            return;
        }
        if (fds[0].revents != 0) {
            uint64_t count;
            [[maybe_unused]] ssize_t n = ::read(wakeFd, &count, sizeof count);
            reapFinished();
            continue;
        }
        for (size_t i = 1; i < fds.size(); ++i) {
            if (fds[i].revents == 0) continue;
            AcceptedSocket socket;
            socklen_t length = sizeof socket.peer;
            socket.fd = ::accept4(fds[i].fd, reinterpret_cast<sockaddr*>(&socket.peer), &length,
                                  SOCK_CLOEXEC);
            if (socket.fd < 0) {
                if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                    // Out of descriptors: the listener stays readable, so back
                    // off instead of spinning; ending connections free some.
                    logger.error(errnoText(name + " accept"));
                    pollfd wakeOnly = {wakeFd, POLLIN, 0};
                    ::poll(&wakeOnly, 1, 100);
                }
                continue;
            }
            socket.listener = i - 1;
            describeSocketAddress(socket.peer, socket.address, socket.port);
            accepted(std::move(socket));
        }
    }
}

std::string ConnectionThreads::Impl::checkLimits(const std::string& address) {
    std::lock_guard<std::mutex> lock(mutex);
    if (static_cast<int>(running.size()) >= limits.maxConnections) {
        return "server full (" + std::to_string(limits.maxConnections) + " connections)";
    }
    auto counted = perAddress.find(address);
    if (counted != perAddress.end() && counted->second >= limits.maxConnectionsPerAddress) {
        return "too many connections from this address (" +
               std::to_string(limits.maxConnectionsPerAddress) + ")";
    }
    return "";
}

void ConnectionThreads::Impl::accepted(AcceptedSocket socket) {
    std::string refusal = checkLimits(socket.address);
    std::unique_ptr<Connection> connection;
    if (refusal.empty()) {
        connection = make(socket, refusal);
        if (!connection && refusal.empty()) return;  // make() closed the socket
    }
    if (!connection) {
        logger.warning(name + " refused " + socket.address + ":" + std::to_string(socket.port) +
                       ": " + refusal);
        if (refuse) refuse(socket, refusal);
        ::close(socket.fd);
        return;
    }
    if (!launch(std::move(connection), socket.address)) {
        logger.error(name + ": cannot start a connection thread for " + socket.address);
    }
}

bool ConnectionThreads::Impl::launch(std::unique_ptr<Connection> connection,
                                     const std::string& address) {
    auto start = std::make_unique<ThreadStart>();
    start->impl = this;
    start->id = nextId++;
    start->connection = std::move(connection);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, limits.stackBytes);
    std::lock_guard<std::mutex> lock(mutex);  // the thread's first act needs our entry
    pthread_t thread;
    Connection* raw = start->connection.get();
    int rc = pthread_create(&thread, &attr, &Impl::connectionMain, start.get());
    pthread_attr_destroy(&attr);
    if (rc != 0) return false;  // `start` frees the connection, which closes its socket
    const uint64_t id = start->id;
    start.release();
    running[id] = Running{thread, raw, address};
    ++perAddress[address];
    return true;
}

void* ConnectionThreads::Impl::connectionMain(void* arg) {
    std::unique_ptr<ThreadStart> start(static_cast<ThreadStart*>(arg));
    Impl* impl = start->impl;
    start->connection->run();
    {
        // From here on stop() must not cut it: its socket is closed below and
        // the descriptor's number may be reused at once.
        std::lock_guard<std::mutex> lock(impl->mutex);
        impl->running[start->id].connection = nullptr;
    }
    start->connection.reset();
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

void ConnectionThreads::Impl::reapFinished() {
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
        pthread_join(thread, nullptr);  // it is past its last lock: prompt
}

void ConnectionThreads::stopAccepting() {
    Impl& m = *impl_;
    if (!m.started) return;
    m.stopping = true;
    if (m.acceptor.joinable()) {
        m.wake();
        m.acceptor.join();
    }
    for (int fd : m.listeners)
        if (fd >= 0) ::close(fd);
    m.listeners.clear();
    // Ended connections are joined by stop() from here on.
}

void ConnectionThreads::stop() {
    Impl& m = *impl_;
    if (!m.started) return;
    stopAccepting();
    std::vector<pthread_t> threads;
    {
        std::lock_guard<std::mutex> lock(m.mutex);
        for (auto& entry : m.running) {
            if (entry.second.connection != nullptr) entry.second.connection->cut();
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
    m.started = false;
}

}  // namespace dad
