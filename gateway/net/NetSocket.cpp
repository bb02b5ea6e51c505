#include "NetSocket.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace dad {

NetSocket::NetSocket(int fd) : fd_(fd) {
    // Non-blocking: every wait goes through poll with a timeout.
    int flags = ::fcntl(fd_, F_GETFL, 0);
    if (flags >= 0) ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
}

NetSocket::~NetSocket() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
}

bool NetSocket::waitFor(Want want, int timeoutMs) {
    pollfd p = {fd_, static_cast<short>(want == Want::Read ? POLLIN : POLLOUT), 0};
    for (;;) {
        if (cut_) return false;
        int rc = ::poll(&p, 1, timeoutMs);
        if (rc > 0) return true;
        if (rc == 0) return false;
        if (errno != EINTR) return false;
    }
}

Status NetSocket::sslError(const char* what, int rc, int timeoutMs, bool& retry) {
    retry = false;
    int error = SSL_get_error(ssl_, rc);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        wantsWrite_ = error == SSL_ERROR_WANT_WRITE;
        if (waitFor(error == SSL_ERROR_WANT_READ ? Want::Read : Want::Write, timeoutMs)) {
            retry = true;
            return Status::ok();
        }
        return Status::error(StatusCode::Busy, std::string(what) + ": timed out");
    }
    unsigned long code = ERR_get_error();
    ERR_clear_error();
    char text[256] = "connection closed";
    if (code != 0) ERR_error_string_n(code, text, sizeof text);
    return Status::ioError(std::string(what) + ": " + text);
}

Status NetSocket::startTls(SSL_CTX* context, int timeoutMs) {
    if (Status s = beginTls(context); !s) return s;
    Status s = continueTls(timeoutMs);
    return s.code() == StatusCode::Busy ? Status::denied(s.message()) : s;
}

Status NetSocket::beginTls(SSL_CTX* context, bool releaseBuffers) {
    if (ssl_ != nullptr) return Status::invalid("TLS is already on");
    ssl_ = SSL_new(context);
    if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1) {
        return Status::failure("cannot start TLS");
    }
    if (releaseBuffers) SSL_set_mode(ssl_, SSL_MODE_RELEASE_BUFFERS);
    SSL_set_accept_state(ssl_);
    return Status::ok();
}

Status NetSocket::continueTls(int timeoutMs) {
    if (ssl_ == nullptr) return Status::invalid("TLS was not begun");
    for (;;) {
        ERR_clear_error();
        int rc = SSL_do_handshake(ssl_);
        if (rc == 1) return Status::ok();
        bool retry = false;
        Status s = sslError("TLS handshake", rc, timeoutMs, retry);
        if (retry) continue;
        if (s.code() == StatusCode::Busy) return s;
        return Status::denied(s.message());
    }
}

void NetSocket::issueSessionTicket() {
    if (ssl_ != nullptr && SSL_version(ssl_) >= TLS1_3_VERSION) (void)SSL_new_session_ticket(ssl_);
}

bool NetSocket::sessionReused() const {
    return ssl_ != nullptr && SSL_session_reused(ssl_) == 1;
}

std::string NetSocket::tlsDescription() const {
    if (ssl_ == nullptr) return std::string();
    return std::string(SSL_get_version(ssl_)) + " " + SSL_get_cipher_name(ssl_);
}

bool NetSocket::readable() {
    if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return true;
    pollfd p = {fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

Status NetSocket::read(char* buffer, size_t length, size_t& got, int timeoutMs) {
    got = 0;
    if (ssl_ == nullptr) {
        for (;;) {
            wantsWrite_ = false;
            if (!waitFor(Want::Read, timeoutMs)) {
                return cut_ ? Status::ioError("connection cut")
                            : Status::error(StatusCode::Busy, "read timed out");
            }
            ssize_t n = ::recv(fd_, buffer, length, 0);
            if (n >= 0) {
                got = static_cast<size_t>(n);
                return Status::ok();
            }
            if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
                return Status::ioError(std::string("read: ") + std::strerror(errno));
            }
        }
    }
    for (;;) {
        if (cut_) return Status::ioError("connection cut");
        ERR_clear_error();
        errno = 0;
        int rc = SSL_read(ssl_, buffer, static_cast<int>(std::min<size_t>(length, 1 << 30)));
        if (rc > 0) {
            got = static_cast<size_t>(rc);
            return Status::ok();
        }
        const int error = SSL_get_error(ssl_, rc);
        if (error == SSL_ERROR_ZERO_RETURN) {
            closeNotifySeen_ = true;
            return Status::ok();
        }
        if ((error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && errno == 0) ||
            (error == SSL_ERROR_SSL &&
             ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
            // A TCP FIN without close_notify: the end of the data, but not a
            // proven one (closeNotifySeen() stays false).
            ERR_clear_error();
            return Status::ok();
        }
        bool retry = false;
        Status s = sslError("TLS read", rc, timeoutMs, retry);
        if (!retry) return s;
    }
}

Status NetSocket::writeAll(const char* data, size_t length, int timeoutMs) {
    size_t done = 0;
    while (done < length) {
        if (cut_) return Status::ioError("connection cut");
        const size_t chunk = std::min<size_t>(length - done, 1 << 30);
        if (ssl_ == nullptr) {
            ssize_t n = ::send(fd_, data + done, chunk, MSG_NOSIGNAL);
            if (n > 0) {
                done += static_cast<size_t>(n);
            } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                if (!waitFor(Want::Write, timeoutMs)) return Status::ioError("write timed out");
            } else if (n < 0 && errno != EINTR) {
                return Status::ioError(std::string("write: ") + std::strerror(errno));
            }
            continue;
        }
        ERR_clear_error();
        int rc = SSL_write(ssl_, data + done, static_cast<int>(chunk));
        if (rc > 0) {
            done += static_cast<size_t>(rc);
            continue;
        }
        bool retry = false;
        Status s = sslError("TLS write", rc, timeoutMs, retry);
        if (!retry) return s.isOk() ? Status::ioError("TLS write failed") : s;
    }
    return Status::ok();
}

Status NetSocket::close(int timeoutMs) {
    Status result;
    if (ssl_ != nullptr && !cut_) {
        // close_notify out, then wait for the peer's (or its FIN): the peer
        // then knows the data ended here and was not cut by an attacker.
        for (int round = 0; round < 64; ++round) {
            ERR_clear_error();
            int rc = SSL_shutdown(ssl_);
            if (rc == 1) break;
            if (rc == 0) continue;  // ours sent; call again to await theirs
            int error = SSL_get_error(ssl_, rc);
            if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
                if (!waitFor(error == SSL_ERROR_WANT_READ ? Want::Read : Want::Write, timeoutMs)) {
                    result = Status::ioError("no close_notify from the peer");
                    break;
                }
                continue;
            }
            // Data still arriving or a plain FIN: the peer is gone either way.
            char sink[4096];
            int n = SSL_read(ssl_, sink, sizeof sink);
            if (n <= 0) break;
        }
        ERR_clear_error();
    }
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
    return result;
}

void NetSocket::shutdown() {
    cut_ = true;
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
}

}  // namespace dad
