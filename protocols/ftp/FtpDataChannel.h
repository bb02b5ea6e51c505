// FtpDataChannel: the data connection of one FTP control connection.
//
// Passive (PASV/EPSV): listens on the control connection's local address, on
// a port of the configured range; the first connection from the control
// peer's address is taken, one from any other address is closed (no data
// theft). Active (PORT/EPRT): only to the control peer's own address and to a
// port >= 1024 (no FTP bounce); the parsing is pure and unit-testable.
// With TLS, the gateway is the TLS server and, by default, requires the data
// connection to resume the control connection's TLS session (RFC 4217 10.2).
// Not thread-safe (one control connection's thread), except cut().
#pragma once

#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "NetSocket.h"
#include "Status.h"

namespace dad {

struct FtpDataOptions {
    uint16_t passivePortMin = 0;  // 0/0: any free port
    uint16_t passivePortMax = 0;
    std::string masqueradeAddress;  // IPv4 told in PASV replies; "" = the local address
    bool requireTlsSessionReuse = true;
    int timeoutSeconds = 60;  // to connect, accept, and for each read or write
};

// "h1,h2,h3,h4,p1,p2" (PORT) -> "1.2.3.4", port. False when malformed.
bool ftpParsePortArgument(const std::string& argument, std::string& host, uint16_t& port);
// "|1|1.2.3.4|5000|" or "|2|::1|5000|" (EPRT, any delimiter 33..126) -> host, port.
bool ftpParseEprtArgument(const std::string& argument, std::string& host, uint16_t& port);
// Whether two numeric addresses are the same host (IPv4-mapped IPv6 equals IPv4).
bool ftpSameHost(const std::string& a, const std::string& b);

class FtpDataChannel {
public:
    // `controlPeer` and `controlLocal` are the control connection's addresses.
    FtpDataChannel(const FtpDataOptions& options, const sockaddr_storage& controlPeer,
                   const sockaddr_storage& controlLocal);
    ~FtpDataChannel();
    FtpDataChannel(const FtpDataChannel&) = delete;
    FtpDataChannel& operator=(const FtpDataChannel&) = delete;

    // Opens a passive listener (closing any earlier set-up); `port` is its
    // port and `host` the address to tell the client (masquerade or local).
    Status listenPassive(std::string& host, uint16_t& port);
    // Sets up active mode to `host`:`port`. PermissionDenied for a third
    // party's address or a port below 1024.
    Status setActive(const std::string& host, uint16_t port);
    // Whether PASV/EPSV/PORT/EPRT set up the next transfer.
    bool ready() const { return mode_ != Mode::None; }
    // Connects or accepts, then (when `tls`) runs the TLS handshake and the
    // reuse check. The set-up is used up either way (one transfer per set-up).
    Status open(SSL_CTX* tls, std::unique_ptr<NetSocket>& socket);
    // Closes the listener and forgets the set-up.
    void reset();
    // Cuts the connection being opened or used (from any thread).
    void cut();
    // The socket of the transfer in progress (set by the session), for cut().
    void track(NetSocket* socket) { current_ = socket; }

private:
    enum class Mode { None, Passive, Active };
    Status accept(int& fd);
    Status connect(int& fd);

    FtpDataOptions options_;
    sockaddr_storage controlPeer_;
    sockaddr_storage controlLocal_;
    std::string peerHost_;
    Mode mode_ = Mode::None;
    int listenFd_ = -1;
    sockaddr_storage activeTarget_{};
    std::atomic<NetSocket*> current_{nullptr};
    std::atomic<bool> cut_{false};
};

}  // namespace dad
