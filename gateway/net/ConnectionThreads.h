// ConnectionThreads: the listening sockets, the accept loop and the
// connection threads that the SFTP and FTP servers share, and the connection
// limits (in total and per client address), decided here once for every
// protocol.
//
// One accept thread polls the listeners and a wake-up eventfd. Each admitted
// connection runs on its own thread with a small stack: a session blocks on
// fsync and catalog commits, which must not stall other clients. Ended
// threads are joined by the accept thread, which they wake.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "Status.h"

namespace Poco {
class Logger;
}

namespace dad {

// The numeric address and port of a socket address; an IPv4-mapped IPv6
// address is shown as IPv4, so the per-address limit counts one client once.
void describeSocketAddress(const sockaddr_storage& address, std::string& host, uint16_t& port);

// Binds and listens on a numeric address; `port` 0 picks a free one. `bound`
// is the port actually bound. On failure nothing is left open.
Status listenTcp(const std::string& address, uint16_t port, int& fd, uint16_t& bound);

class Connection {
public:
    virtual ~Connection() = default;
    // The whole connection, on its own thread.
    virtual void run() = 0;
    // From another thread while run() runs: make every blocking call fail so
    // run() ends soon (uploads are kept for resume).
    virtual void cut() = 0;
};

struct AcceptedSocket {
    int fd;
    size_t listener;  // index into the listeners given to start()
    sockaddr_storage peer;
    std::string address;  // as describeSocketAddress shows the peer
    uint16_t port;
};

struct ConnectionLimits {
    int maxConnections = 500;
    int maxConnectionsPerAddress = 50;
    size_t stackBytes = 512 * 1024;
};

class ConnectionThreads {
public:
    // Makes the connection for a socket the limits admitted. On failure it
    // returns null: with `refusal` set the socket is still the caller's (it is
    // refused and closed), with `refusal` empty it has been closed already.
    using Make = std::function<std::unique_ptr<Connection>(const AcceptedSocket& socket,
                                                           std::string& refusal)>;
    // Tells a refused client why, where the protocol can before its handshake
    // (FTP's 421 in clear). Called on the accept thread; must not block.
    using Refuse = std::function<void(const AcceptedSocket& socket, const std::string& reason)>;

    // `name` prefixes log lines ("sftp", "ftp").
    ConnectionThreads(std::string name, ConnectionLimits limits, Poco::Logger& logger);
    ~ConnectionThreads();  // stops
    ConnectionThreads(const ConnectionThreads&) = delete;
    ConnectionThreads& operator=(const ConnectionThreads&) = delete;

    // Takes the listening sockets (closed by stop()) and starts accepting.
    Status start(std::vector<int> listeners, Make make, Refuse refuse = nullptr);
    // Stops accepting and closes the listeners; running connections go on
    // (a clean stop lets them finish before stop()). Idempotent.
    void stopAccepting();
    // Stops accepting, closes the listeners, cuts every connection and joins
    // every thread. Idempotent.
    void stop();

    int count() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dad
