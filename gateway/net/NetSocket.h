// NetSocket: one TCP connection of a front (FTP control or data, HTTP), in clear
// or under TLS (OpenSSL on the descriptor, with the SSL_CTX of a Poco
// Context). Blocking I/O bounded by timeouts; the gateway is always the TLS
// server, on data connections too.
//
// Failures come back as Status: IoError for a broken or timed-out connection,
// PermissionDenied for a failed TLS handshake. Never throws.
// One thread uses a socket; shutdown() may be called from any thread.
#pragma once

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "Status.h"

namespace dad {

class NetSocket {
public:
    // Takes ownership of `fd` (a connected stream socket).
    explicit NetSocket(int fd);
    ~NetSocket();
    NetSocket(const NetSocket&) = delete;
    NetSocket& operator=(const NetSocket&) = delete;

    // Runs the TLS server handshake within `timeoutMs`.
    Status startTls(SSL_CTX* context, int timeoutMs);
    // The same in steps, for an event loop: beginTls() once, then
    // continueTls(0) whenever the socket is ready, until it is not Busy
    // (wantsWrite() says which readiness it awaits). `releaseBuffers` frees
    // OpenSSL's record buffers while they are empty (an idle connection).
    Status beginTls(SSL_CTX* context, bool releaseBuffers = false);
    Status continueTls(int timeoutMs);
    // After a Busy read or handshake step: it awaits writability, not input.
    bool wantsWrite() const { return wantsWrite_; }
    bool isTls() const { return ssl_ != nullptr; }
    // Whether the TLS handshake resumed a cached session (RFC 4217 reuse).
    bool sessionReused() const;
    // TLS 1.3: queues a fresh session ticket, sent with the next write. Sent on
    // the control connection after each transfer, it gives clients that keep
    // a data connection's unusable session (curl, on uploads) a ticket to
    // resume the next data connection with.
    void issueSessionTicket();
    // "TLSv1.3 TLS_AES_256_GCM_SHA384", or "" in clear.
    std::string tlsDescription() const;

    // Reads up to `length` bytes, waiting at most `timeoutMs` (-1: no limit).
    // `got` is 0 at the peer's end of stream. A timeout is Busy.
    Status read(char* buffer, size_t length, size_t& got, int timeoutMs);
    // Whether the peer ended its side with a TLS close_notify.
    bool closeNotifySeen() const { return closeNotifySeen_; }
    // Writes everything, each wait bounded by `timeoutMs`.
    Status writeAll(const char* data, size_t length, int timeoutMs);
    // Whether read() would return at once (bytes buffered or the socket readable).
    bool readable();
    // Ends the connection cleanly: under TLS sends close_notify and awaits
    // the peer's (or its end of stream) within `timeoutMs`; then a TCP FIN.
    Status close(int timeoutMs);
    // Cuts the connection (from any thread): blocked reads and writes fail.
    void shutdown();
    int fd() const { return fd_; }

private:
    enum class Want { Read, Write };
    bool waitFor(Want want, int timeoutMs);
    Status sslError(const char* what, int rc, int timeoutMs, bool& retry);

    int fd_;
    SSL* ssl_ = nullptr;
    bool closeNotifySeen_ = false;
    bool wantsWrite_ = false;
    std::atomic<bool> cut_{false};
};

}  // namespace dad
