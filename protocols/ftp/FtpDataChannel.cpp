#include "FtpDataChannel.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "ConnectionThreads.h"

namespace dad {

namespace {

bool parseNumber(const std::string& text, unsigned long max, unsigned long& value) {
    if (text.empty() || text.size() > 5) return false;
    value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    return value <= max;
}

// The host part of a numeric address in a comparable form (16 bytes, IPv4 mapped).
bool hostBytes(const std::string& host, unsigned char out[16]) {
    in_addr v4;
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
        std::memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        std::memcpy(out + 12, &v4, 4);
        return true;
    }
    in6_addr v6;
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
        std::memcpy(out, &v6, 16);
        return true;
    }
    return false;
}

bool makeAddress(const std::string& host, uint16_t port, sockaddr_storage& out, socklen_t& len) {
    std::memset(&out, 0, sizeof out);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        len = sizeof(sockaddr_in);
        return true;
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        len = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

void setPort(sockaddr_storage& address, uint16_t port) {
    if (address.ss_family == AF_INET) {
        reinterpret_cast<sockaddr_in*>(&address)->sin_port = htons(port);
    } else {
        reinterpret_cast<sockaddr_in6*>(&address)->sin6_port = htons(port);
    }
}

socklen_t addressLength(const sockaddr_storage& address) {
    return address.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
}

std::string errnoText(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

// Big socket buffers: the data path moves 256 KiB+ chunks. No Nagle: the
// last short TLS record of a file (and the close_notify after it) would
// otherwise wait for the client's delayed ACK, 40 ms per small file.
// Accepted sockets inherit both from the passive listener.
void tuneDataSocket(int fd) {
    int size = 4 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

}  // namespace

bool ftpParsePortArgument(const std::string& argument, std::string& host, uint16_t& port) {
    unsigned long parts[6];
    size_t start = 0;
    for (int i = 0; i < 6; ++i) {
        size_t comma = argument.find(',', start);
        if ((i < 5) != (comma != std::string::npos)) return false;
        std::string field = argument.substr(start, i < 5 ? comma - start : std::string::npos);
        if (!parseNumber(field, 255, parts[i])) return false;
        start = comma + 1;
    }
    host = std::to_string(parts[0]) + "." + std::to_string(parts[1]) + "." +
           std::to_string(parts[2]) + "." + std::to_string(parts[3]);
    port = static_cast<uint16_t>(parts[4] * 256 + parts[5]);
    return true;
}

bool ftpParseEprtArgument(const std::string& argument, std::string& host, uint16_t& port) {
    if (argument.size() < 7) return false;
    const char d = argument[0];
    if (d < 33 || d > 126 || argument.back() != d) return false;
    size_t a = argument.find(d, 1), b = argument.find(d, a + 1), c = argument.find(d, b + 1);
    if (a == std::string::npos || b == std::string::npos || c != argument.size() - 1) return false;
    std::string family = argument.substr(1, a - 1);
    host = argument.substr(a + 1, b - a - 1);
    unsigned long value = 0;
    if (!parseNumber(argument.substr(b + 1, c - b - 1), 65535, value)) return false;
    port = static_cast<uint16_t>(value);
    unsigned char bytes[16];
    if (family == "1") {
        in_addr v4;
        return inet_pton(AF_INET, host.c_str(), &v4) == 1;
    }
    return family == "2" && inet_pton(AF_INET6, host.c_str(), bytes) == 1;
}

bool ftpSameHost(const std::string& a, const std::string& b) {
    unsigned char x[16], y[16];
    return hostBytes(a, x) && hostBytes(b, y) && std::memcmp(x, y, 16) == 0;
}

FtpDataChannel::FtpDataChannel(const FtpDataOptions& options, const sockaddr_storage& controlPeer,
                               const sockaddr_storage& controlLocal)
    : options_(options), controlPeer_(controlPeer), controlLocal_(controlLocal) {
    uint16_t ignored = 0;
    describeSocketAddress(controlPeer_, peerHost_, ignored);
}

FtpDataChannel::~FtpDataChannel() {
    reset();
}

void FtpDataChannel::reset() {
    if (listenFd_ >= 0) ::close(listenFd_);
    listenFd_ = -1;
    mode_ = Mode::None;
}

void FtpDataChannel::cut() {
    cut_ = true;
    if (NetSocket* socket = current_.load()) socket->shutdown();
}

Status FtpDataChannel::listenPassive(std::string& host, uint16_t& port) {
    reset();
    sockaddr_storage local = controlLocal_;
    int fd = ::socket(local.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Status::ioError(errnoText("data socket"));
    tuneDataSocket(fd);
    const uint32_t low = options_.passivePortMin, high = options_.passivePortMax;
    bool bound = false;
    if (low == 0 || high < low) {
        setPort(local, 0);
        bound = ::bind(fd, reinterpret_cast<sockaddr*>(&local), addressLength(local)) == 0;
    } else {
        // Start at a random port of the range, so concurrent sessions spread.
        static thread_local std::minstd_rand random(std::random_device{}());
        const uint32_t span = high - low + 1;
        const uint32_t first = random() % span;
        for (uint32_t i = 0; i < span && !bound; ++i) {
            setPort(local, static_cast<uint16_t>(low + (first + i) % span));
            bound = ::bind(fd, reinterpret_cast<sockaddr*>(&local), addressLength(local)) == 0;
        }
    }
    if (!bound || ::listen(fd, 4) != 0) {
        ::close(fd);
        return Status::error(StatusCode::Busy, "no passive port free");
    }
    socklen_t length = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
    describeSocketAddress(local, host, port);
    if (!options_.masqueradeAddress.empty()) host = options_.masqueradeAddress;
    listenFd_ = fd;
    mode_ = Mode::Passive;
    return Status::ok();
}

Status FtpDataChannel::setActive(const std::string& host, uint16_t port) {
    reset();
    if (!ftpSameHost(host, peerHost_)) {
        return Status::denied("data connections go only to the client's own address");
    }
    if (port < 1024) return Status::denied("data connections go only to ports from 1024 up");
    socklen_t length = 0;
    if (!makeAddress(peerHost_, port, activeTarget_, length)) {
        return Status::invalid("bad address");
    }
    mode_ = Mode::Active;
    return Status::ok();
}

Status FtpDataChannel::accept(int& fd) {
    const int timeoutMs = options_.timeoutSeconds * 1000;
    for (;;) {
        pollfd p = {listenFd_, POLLIN, 0};
        int rc = ::poll(&p, 1, timeoutMs);
        if (cut_) return Status::ioError("cut");
        if (rc == 0) return Status::ioError("the client did not open the data connection");
        if (rc < 0) {
            if (errno == EINTR) continue;
            return Status::ioError(errnoText("poll"));
        }
        sockaddr_storage peer;
        socklen_t length = sizeof peer;
        fd = ::accept4(listenFd_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::string host;
        uint16_t port = 0;
        describeSocketAddress(peer, host, port);
        if (ftpSameHost(host, peerHost_)) return Status::ok();
        ::close(fd);  // someone else raced for the port: refused, keep waiting
        fd = -1;
    }
}

Status FtpDataChannel::connect(int& fd) {
    fd = ::socket(activeTarget_.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Status::ioError(errnoText("data socket"));
    tuneDataSocket(fd);
    // From the control connection's local address, so the client sees us.
    sockaddr_storage local = controlLocal_;
    setPort(local, 0);
    if (local.ss_family == activeTarget_.ss_family) {
        (void)::bind(fd, reinterpret_cast<sockaddr*>(&local), addressLength(local));
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&activeTarget_), addressLength(activeTarget_)) !=
            0 &&
        errno != EINPROGRESS) {
        ::close(fd);
        return Status::ioError(errnoText("cannot connect to the client"));
    }
    pollfd p = {fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    if (::poll(&p, 1, options_.timeoutSeconds * 1000) != 1 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
        ::close(fd);
        return Status::ioError("cannot connect to the client");
    }
    return Status::ok();
}

Status FtpDataChannel::open(SSL_CTX* tls, std::unique_ptr<NetSocket>& socket) {
    if (mode_ == Mode::None) return Status::invalid("use PASV or PORT first");
    int fd = -1;
    Status s = mode_ == Mode::Passive ? accept(fd) : connect(fd);
    reset();
    if (!s) return s;
    socket = std::make_unique<NetSocket>(fd);
    current_ = socket.get();
    if (cut_) socket->shutdown();
    if (tls != nullptr) {
        if (Status t = socket->startTls(tls, options_.timeoutSeconds * 1000); !t) {
            current_ = nullptr;
            socket.reset();
            return t;
        }
        if (options_.requireTlsSessionReuse && !socket->sessionReused()) {
            current_ = nullptr;
            socket.reset();
            return Status::denied(
                "TLS session reuse required on the data connection (RFC 4217); "
                "the client must resume the control connection's session");
        }
    }
    return Status::ok();
}

}  // namespace dad
