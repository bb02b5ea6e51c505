#include "HttpReactor.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace dad {

namespace {

constexpr uint64_t kWakeId = 0;
constexpr uint64_t kListenerId = 1;
constexpr int kAcceptsPerWake = 64;
constexpr int kAcceptPauseMs = 100;  // out of descriptors: retry after this
constexpr size_t kScratchBytes = HttpSocketInput::kBufferSize;

std::string errnoText(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

// A best-effort 503 in clear, never blocking the loop.
void sendBusy(int fd, const std::string& reason) {
    const std::string body = reason + "\n";
    const std::string reply =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; "
        "charset=utf-8\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    [[maybe_unused]] ssize_t n =
        ::send(fd, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

HttpReactor::HttpReactor(std::string name, HttpConnectionShared& shared, Poco::Logger& logger)
    : name_(std::move(name)),
      shared_(shared),
      logger_(logger),
      workers_(shared.options.maxWorkers, [this](HttpConnection* connection, HttpStep step) {
          {
              std::lock_guard<std::mutex> lock(returnedMutex_);
              returned_.emplace_back(connection, step);
          }
          wake();
      }) {}

HttpReactor::~HttpReactor() {
    stop();
}

Status HttpReactor::start(int listener) {
    if (started_) return Status::invalid(name_ + ": already started");
    listener_ = listener;
    started_ = true;
    const int flags = ::fcntl(listener_, F_GETFL, 0);
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    wakeFd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    epoll_event wakeEvent{};
    wakeEvent.events = EPOLLIN;
    wakeEvent.data.u64 = kWakeId;
    if (flags < 0 || ::fcntl(listener_, F_SETFL, flags | O_NONBLOCK) != 0 || epoll_ < 0 ||
        wakeFd_ < 0 || ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wakeFd_, &wakeEvent) != 0) {
        Status status = Status::ioError(errnoText(name_ + ": cannot set up the event loop"));
        stop();
        return status;
    }
    if (Status s = workers_.start(); !s) {
        stop();
        return s;
    }
    scratch_.resize(kScratchBytes);
    setListening(true);
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
    return Status::ok();
}

void HttpReactor::stop() {
    if (!started_) return;
    stopping_ = true;
    if (thread_.joinable()) {
        wake();
        thread_.join();
    }
    // The loop has ended: its state is ours now.
    for (auto& entry : held_)
        if (entry.second.working) entry.second.connection->cut();
    workers_.stop();
    {
        std::lock_guard<std::mutex> lock(returnedMutex_);
        returned_.clear();
    }
    held_.clear();
    ids_.clear();
    perAddress_.clear();
    deadlines_.clear();
    for (int* fd : {&listener_, &epoll_, &wakeFd_}) {
        if (*fd >= 0) ::close(*fd);
        *fd = -1;
    }
    listening_ = false;
    started_ = false;
}

void HttpReactor::stopAccepting() {
    if (!started_) return;
    acceptStopped_ = true;
    wake();
}

void HttpReactor::closeListenerWhenStopped() {
    if (!acceptStopped_ || listener_ < 0) return;
    setListening(false);
    ::close(listener_);
    listener_ = -1;
}

void HttpReactor::wake() {
    uint64_t one = 1;
    // A full counter already means "wake up"; nothing to handle on failure.
    [[maybe_unused]] ssize_t n = ::write(wakeFd_, &one, sizeof one);
}

void HttpReactor::setListening(bool on) {
    if (on == listening_) return;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kListenerId;
    ::epoll_ctl(epoll_, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, listener_, &event);
    listening_ = on;
}

void HttpReactor::loop() {
    std::vector<epoll_event> events(256);
    while (!stopping_) {
        const int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                                   waitMs(httpNowMs()));
        if (n < 0) {
            if (errno == EINTR) continue;
            logger_.error(errnoText(name_ + " event loop: epoll_wait"));
            return;
        }
        for (int i = 0; i < n; ++i) {
            const uint64_t id = events[i].data.u64;
            if (id == kWakeId) {
                uint64_t count;
                [[maybe_unused]] ssize_t r = ::read(wakeFd_, &count, sizeof count);
                takeBack();
                closeListenerWhenStopped();
            } else if (id == kListenerId) {
                acceptSome();
            } else {
                auto it = held_.find(id);
                if (it == held_.end() || it->second.working) continue;
                apply(id, it->second,
                      it->second.connection->advance(scratch_.data(), scratch_.size()));
            }
        }
        const int64_t now = httpNowMs();
        expireDue(now);
        if (!listening_ && mayListen() && now >= acceptPausedUntil_) setListening(true);
    }
}

int HttpReactor::waitMs(int64_t now) const {
    int64_t until = -1;
    if (!deadlines_.empty()) until = deadlines_.begin()->first;
    if (!listening_ && mayListen() && (until < 0 || acceptPausedUntil_ < until)) {
        until = acceptPausedUntil_;
    }
    if (until < 0) return -1;
    return static_cast<int>(std::clamp<int64_t>(until - now, 0, 60 * 1000));
}

std::string HttpReactor::checkLimits(const std::string& address) const {
    const HttpServerOptions& o = shared_.options;
    if (static_cast<int>(held_.size()) >= o.maxConnections) {
        return "server full (" + std::to_string(o.maxConnections) + " connections)";
    }
    auto counted = perAddress_.find(address);
    if (counted != perAddress_.end() && counted->second >= o.maxConnectionsPerAddress) {
        return "too many connections from this address (" +
               std::to_string(o.maxConnectionsPerAddress) + ")";
    }
    return "";
}

void HttpReactor::acceptSome() {
    for (int i = 0; i < kAcceptsPerWake; ++i) {
        AcceptedSocket socket;
        socklen_t length = sizeof socket.peer;
        socket.fd = ::accept4(listener_, reinterpret_cast<sockaddr*>(&socket.peer), &length,
                              SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (socket.fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                // Out of descriptors: the listener stays readable, so stop
                // watching it for a moment instead of spinning.
                logger_.error(errnoText(name_ + " accept"));
                setListening(false);
                acceptPausedUntil_ = httpNowMs() + kAcceptPauseMs;
            }
            return;  // EAGAIN: nothing more waiting
        }
        socket.listener = 0;
        describeSocketAddress(socket.peer, socket.address, socket.port);
        const std::string refusal = checkLimits(socket.address);
        if (!refusal.empty()) {
            logger_.warning(name_ + " refused " + socket.address + ":" +
                            std::to_string(socket.port) + ": " + refusal);
            // A TLS client cannot read a reply before its handshake.
            if (shared_.tls == nullptr) sendBusy(socket.fd, refusal);
            ::close(socket.fd);
            continue;
        }
        const uint64_t id = nextId_++;
        Held& held = held_[id];
        held.connection = std::make_unique<HttpConnection>(socket, shared_);
        held.address = socket.address;
        ids_[held.connection.get()] = id;
        ++perAddress_[socket.address];
        apply(id, held, HttpStep::awaitRead);
    }
}

void HttpReactor::watch(uint64_t id, Held& held, uint32_t events) {
    if (events == held.events) return;
    epoll_event event{};
    event.events = events;
    event.data.u64 = id;
    const int fd = held.connection->fd();
    const int op = held.events == 0 ? EPOLL_CTL_ADD : events == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
    ::epoll_ctl(epoll_, op, fd, &event);
    held.events = events;
}

void HttpReactor::apply(uint64_t id, Held& held, HttpStep step) {
    deadlines_.erase({held.deadline, id});
    switch (step) {
        case HttpStep::awaitRead:
        case HttpStep::awaitWrite:
            watch(id, held, step == HttpStep::awaitRead ? EPOLLIN : EPOLLOUT);
            held.deadline = held.connection->deadline();
            deadlines_.insert({held.deadline, id});
            return;
        case HttpStep::serve:
            watch(id, held, 0);
            held.working = true;
            workers_.post(held.connection.get());
            return;
        case HttpStep::close:
            remove(id, held);
            return;
    }
}

void HttpReactor::remove(uint64_t id, Held& held) {
    deadlines_.erase({held.deadline, id});
    watch(id, held, 0);
    auto counted = perAddress_.find(held.address);
    if (counted != perAddress_.end() && --counted->second <= 0) perAddress_.erase(counted);
    ids_.erase(held.connection.get());
    held_.erase(id);  // closes the socket
}

void HttpReactor::takeBack() {
    std::vector<std::pair<HttpConnection*, HttpStep>> returned;
    {
        std::lock_guard<std::mutex> lock(returnedMutex_);
        returned.swap(returned_);
    }
    for (const auto& [connection, step] : returned) {
        auto found = ids_.find(connection);
        if (found == ids_.end()) continue;
        const uint64_t id = found->second;
        Held& held = held_.at(id);
        held.working = false;
        if (step == HttpStep::close) {
            remove(id, held);
            continue;
        }
        // Bytes may wait in the input or in OpenSSL, which epoll does not see.
        apply(id, held, held.connection->advance(scratch_.data(), scratch_.size()));
    }
}

void HttpReactor::expireDue(int64_t now) {
    std::vector<uint64_t> due;
    for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now; ++it)
        due.push_back(it->second);
    for (uint64_t id : due) {
        auto it = held_.find(id);
        if (it == held_.end() || it->second.working) continue;
        apply(id, it->second, it->second.connection->expire());
    }
}

}  // namespace dad
