#include "SshConnection.h"

#include <Poco/Logger.h>

#include <sys/mman.h>
#include <algorithm>
#include <climits>
#include <cstring>

#include "SftpEngine.h"

namespace dad {

namespace {

// The largest read, which is also the channel's receive window: libssh 0.10
// starts a server channel at 32000 bytes and, on its own, tops the window up
// only to 1.28 MB (WINDOWBASE); a read asking for more than is buffered plus
// the window grows the window to that count. A 2 MiB window, as OpenSSH's
// sshd uses, measured 75 MB/s for an upload over a 20 ms round trip against
// 25 MB/s with libssh's default (OpenSSH's sshd: 64 MB/s). The buffer is
// touched only as deep as data waits in libssh, and is dropped when idle.
constexpr size_t kReadChunk = 2 * 1024 * 1024;
// After this long without input the read buffer is given back, so an idle
// session costs no more than libssh's own state.
constexpr auto kReleaseBufferAfter = std::chrono::seconds(5);
// After our side closed the channel, how long the client may take to hang
// up itself (so it reports the exit status rather than our disconnect).
constexpr auto kLinger = std::chrono::seconds(5);
// ssh_channel_write() is given at most this much at once.
constexpr size_t kMaxWrite = 1 << 20;

const char kScpRefusal[] =
    "dadgate: legacy scp protocol is not supported; use scp without -O (SFTP)\n";

// Client-chosen text (user names, subsystem names, libssh errors quoting a
// client's banner) made safe for one log line.
std::string printable(const char* text, size_t limit = 64) {
    std::string out;
    if (text == nullptr) {
        return out;
    }
    for (const char* p = text; *p != '\0' && out.size() < limit; ++p) {
        unsigned char c = static_cast<unsigned char>(*p);
        out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    }
    return out;
}

int millisecondsUntil(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    return static_cast<int>(std::clamp<decltype(left)>(left, 0, INT_MAX));
}

SshConnection* self(void* userdata) {
    return static_cast<SshConnection*>(userdata);
}

// The read buffer, mapped straight from the kernel: pages cost memory only
// once written, and release() gives all of them back (malloc would keep a
// freed 2 MiB block in its arena).
class ReadBuffer {
public:
    ReadBuffer() = default;
    ~ReadBuffer() { release(); }
    ReadBuffer(const ReadBuffer&) = delete;
    ReadBuffer& operator=(const ReadBuffer&) = delete;

    // nullptr when the kernel refuses the mapping.
    char* get() {
        if (data_ == nullptr) {
            void* p = ::mmap(nullptr, kReadChunk, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            data_ = p == MAP_FAILED ? nullptr : static_cast<char*>(p);
        }
        return data_;
    }
    bool held() const { return data_ != nullptr; }
    void release() {
        if (data_ != nullptr) {
            ::munmap(data_, kReadChunk);
            data_ = nullptr;
        }
    }

private:
    char* data_ = nullptr;
};

}  // namespace

SshConnection::SshConnection(ssh_session session, ConnectionInfo info, int fd, uint64_t id,
                             const SshServerOptions& options, Authenticator& authenticator)
    : session_(session),
      fd_(fd),
      info_(std::move(info)),
      id_(id),
      options_(options),
      authenticator_(authenticator),
      logger_(Poco::Logger::get("dadgate.sftp")),
      started_(Clock::now()),
      lastActivity_(started_) {
    std::memset(&serverCallbacks_, 0, sizeof serverCallbacks_);
    serverCallbacks_.userdata = this;
    serverCallbacks_.auth_password_function = [](ssh_session, const char* user,
                                                 const char* password, void* userdata) {
        return self(userdata)->authPassword(user, password);
    };
    serverCallbacks_.auth_pubkey_function = [](ssh_session, const char* user, ssh_key key,
                                               char signatureState, void* userdata) {
        return self(userdata)->authPublicKey(user, key, signatureState);
    };
    serverCallbacks_.channel_open_request_session_function = [](ssh_session, void* userdata) {
        return self(userdata)->openChannel();
    };
    ssh_callbacks_init(&serverCallbacks_);

    std::memset(&channelCallbacks_, 0, sizeof channelCallbacks_);
    channelCallbacks_.userdata = this;
    channelCallbacks_.channel_subsystem_request_function =
        [](ssh_session, ssh_channel channel, const char* subsystem, void* userdata) {
            return self(userdata)->subsystemRequest(channel, subsystem);
        };
    channelCallbacks_.channel_exec_request_function = [](ssh_session, ssh_channel channel,
                                                         const char* command, void* userdata) {
        return self(userdata)->execRequest(channel, command);
    };
    // The rest are refused by libssh's default reply as well; these callbacks
    // are only here to say so in the log.
    channelCallbacks_.channel_shell_request_function = [](ssh_session, ssh_channel,
                                                          void* userdata) {
        return self(userdata)->refusedRequest("shell");
    };
    channelCallbacks_.channel_pty_request_function = [](ssh_session, ssh_channel, const char*, int,
                                                        int, int, int, void* userdata) {
        return self(userdata)->refusedRequest("pty-req");
    };
    ssh_callbacks_init(&channelCallbacks_);
}

void SshConnection::cut() {
    ::shutdown(fd_, SHUT_RDWR);
}

SshConnection::~SshConnection() {
    if (event_ != nullptr) {
        ssh_event_remove_session(event_, session_);
        ssh_event_free(event_);
    }
    ssh_free(session_);  // frees the channel too, and closes the socket
}

std::string SshConnection::prefix() const {
    return "sftp #" + std::to_string(id_) + " " + info_.remoteAddress + ":" +
           std::to_string(info_.remotePort) + " ";
}

bool SshConnection::connected() const {
    return ssh_is_connected(session_) &&
           (ssh_get_status(session_) & (SSH_CLOSED | SSH_CLOSED_ERROR)) == 0;
}

void SshConnection::run() {
    logger_.information(prefix() + "connect");
    if (keyExchange() && negotiate()) {
        if (sftpRequested_) {
            serveSftp();
        } else {
            refuseLegacyScp();
        }
    }
    // A polite goodbye where the socket still works; harmless where it does not.
    ssh_disconnect(session_);
    auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_).count();
    logger_.information(prefix() + "disconnect" + (authenticated_ ? " user=" + user_ : "") +
                        " after " + std::to_string(seconds) + "s, " + std::to_string(bytesIn_) +
                        " bytes in, " + std::to_string(bytesOut_) + " bytes out: " + endReason_);
}

bool SshConnection::keyExchange() {
    // The blocking key exchange waits at most the session timeout: the login
    // grace time covers it as it covers authentication.
    long grace = options_.loginGraceSeconds;
    ssh_options_set(session_, SSH_OPTIONS_TIMEOUT, &grace);
    ssh_set_auth_methods(session_, SSH_AUTH_METHOD_PASSWORD | SSH_AUTH_METHOD_PUBLICKEY);
    ssh_set_server_callbacks(session_, &serverCallbacks_);
    if (ssh_handle_key_exchange(session_) != SSH_OK) {
        endReason_ = "key exchange failed: " + printable(ssh_get_error(session_), 200);
        return false;
    }
    event_ = ssh_event_new();
    if (event_ == nullptr || ssh_event_add_session(event_, session_) != SSH_OK) {
        endReason_ = "out of memory";
        return false;
    }
    return true;
}

bool SshConnection::negotiate() {
    const Clock::time_point graceDeadline =
        started_ + std::chrono::seconds(options_.loginGraceSeconds);
    for (;;) {
        if (sftpRequested_ || scpRequested_) {
            return true;
        }
        if (failedAttempts_ >= options_.maxAuthAttempts) {
            endReason_ = "too many failed login attempts";
            logger_.warning(prefix() + "disconnecting: too many failed login attempts");
            return false;
        }
        bool loggedIn = authenticated_;
        Clock::time_point deadline =
            loggedIn ? lastActivity_ + std::chrono::seconds(options_.idleTimeoutSeconds)
                     : graceDeadline;
        int waitMs = millisecondsUntil(deadline);
        if (waitMs == 0) {
            endReason_ = loggedIn ? "idle timeout before starting SFTP" : "login grace time over";
            if (!loggedIn) {
                logger_.warning(prefix() + "disconnecting: not logged in within " +
                                std::to_string(options_.loginGraceSeconds) + "s");
            }
            return false;
        }
        // A closed socket leaves libssh's poll context empty: check before
        // polling, or poll() would just sleep until the deadline.
        if (!connected() || ssh_event_dopoll(event_, waitMs) == SSH_ERROR || !connected()) {
            endReason_ = "client left before starting SFTP";
            return false;
        }
        if (channel_ != nullptr && ssh_channel_is_closed(channel_)) {
            endReason_ = "channel closed before starting SFTP";
            return false;
        }
    }
}

int SshConnection::authPassword(const char* user, const char* password) {
    std::string name = user != nullptr ? user : "";
    if (authenticated_) {
        return SSH_AUTH_DENIED;  // already logged in
    }
    Status status = authenticator_.checkPassword(name, password != nullptr ? password : "", info_);
    if (!status) {
        loginFailed(name, "password", status.message());
        return SSH_AUTH_DENIED;
    }
    return loginSucceeded(name, "password") ? SSH_AUTH_SUCCESS : SSH_AUTH_DENIED;
}

int SshConnection::authPublicKey(const char* user, ssh_key key, char signatureState) {
    std::string name = user != nullptr ? user : "";
    if (authenticated_) {
        return SSH_AUTH_DENIED;
    }
    if (signatureState == SSH_PUBLICKEY_STATE_WRONG) {
        loginFailed(name, "publickey", "bad signature");
        return SSH_AUTH_DENIED;
    }
    if (signatureState != SSH_PUBLICKEY_STATE_NONE && signatureState != SSH_PUBLICKEY_STATE_VALID) {
        loginFailed(name, "publickey", "signature not verified");
        return SSH_AUTH_DENIED;
    }
    char* base64 = nullptr;
    if (ssh_pki_export_pubkey_base64(key, &base64) != SSH_OK || base64 == nullptr) {
        loginFailed(name, "publickey", "unreadable key");
        return SSH_AUTH_DENIED;
    }
    std::string keyBase64(base64);
    ssh_string_free_char(base64);
    const char* keyType = ssh_key_type_to_char(ssh_key_type(key));
    Status status =
        authenticator_.checkPublicKey(name, keyType != nullptr ? keyType : "", keyBase64, info_);
    if (!status) {
        // An unknown key is what clients offering several keys try first: no
        // delay, but it counts as an attempt, as in OpenSSH.
        loginFailed(name, "publickey", status.message());
        return SSH_AUTH_DENIED;
    }
    if (signatureState == SSH_PUBLICKEY_STATE_NONE) {
        // The probe: libssh answers SSH_AUTH_SUCCESS with PK_OK ("this key
        // would do, now sign"), not with a login.
        return SSH_AUTH_SUCCESS;
    }
    return loginSucceeded(name, "publickey") ? SSH_AUTH_SUCCESS : SSH_AUTH_DENIED;
}

bool SshConnection::loginSucceeded(const std::string& user, const char* method) {
    Status status = authenticator_.openSession(user, info_, userSession_);
    if (!status || !userSession_) {
        userSession_.reset();
        loginFailed(user, method, "session refused: " + status.message());
        return false;
    }
    authenticated_ = true;
    user_ = printable(user.c_str());
    lastActivity_ = Clock::now();
    logger_.information(prefix() + "login ok user=" + user_ + " method=" + method);
    return true;
}

void SshConnection::loginFailed(const std::string& user, const char* method,
                                const std::string& why) {
    // A refused password was already slowed and counted by the Authenticator
    // (LoginThrottle), the one rule for every protocol.
    ++failedAttempts_;
    logger_.warning(prefix() + "login failed user=" + printable(user.c_str()) +
                    " method=" + method + ": " + why);
}

ssh_channel SshConnection::openChannel() {
    if (!authenticated_ || channel_ != nullptr) {
        logger_.information(prefix() + "refused a second session channel");
        return nullptr;  // one session channel per connection
    }
    channel_ = ssh_channel_new(session_);
    if (channel_ == nullptr) {
        return nullptr;
    }
    ssh_set_channel_callbacks(channel_, &channelCallbacks_);
    lastActivity_ = Clock::now();
    return channel_;
}

int SshConnection::subsystemRequest(ssh_channel channel, const char* subsystem) {
    if (channel != channel_ || sftpRequested_ || scpRequested_ || subsystem == nullptr ||
        std::strcmp(subsystem, "sftp") != 0) {
        logger_.information(prefix() + "refused subsystem " + printable(subsystem));
        return -1;
    }
    sftpRequested_ = true;
    return 0;
}

int SshConnection::execRequest(ssh_channel channel, const char* command) {
    // Accepted only to tell a legacy `scp -O` user why it cannot work: the
    // message is written once the success reply has gone out.
    if (channel == channel_ && !sftpRequested_ && !scpRequested_ && command != nullptr &&
        std::strncmp(command, "scp ", 4) == 0) {
        scpRequested_ = true;
        return 0;
    }
    return refusedRequest("exec");
}

int SshConnection::refusedRequest(const char* what) {
    logger_.information(prefix() + "refused " + what + " request");
    return -1;
}

void SshConnection::refuseLegacyScp() {
    logger_.information(prefix() + "refused legacy scp (-O) for user=" + user_);
    ssh_channel_write_stderr(channel_, kScpRefusal, sizeof kScpRefusal - 1);
    closeChannel(1);
    endReason_ = "legacy scp refused";
}

void SshConnection::closeChannel(int exitStatus) {
    if (channel_ == nullptr || !ssh_channel_is_open(channel_)) {
        return;
    }
    ssh_channel_request_send_exit_status(channel_, exitStatus);
    ssh_channel_send_eof(channel_);
    ssh_channel_close(channel_);
    lingerUntilClientLeaves();
}

void SshConnection::lingerUntilClientLeaves() {
    const Clock::time_point deadline = Clock::now() + kLinger;
    while (connected()) {
        int waitMs = millisecondsUntil(deadline);
        if (waitMs == 0 || ssh_event_dopoll(event_, waitMs) == SSH_ERROR) {
            return;
        }
    }
}

bool SshConnection::writeToChannel(const char* data, size_t length) {
    // ssh_channel_write blocks until the client's window takes it all; the
    // session timeout (the idle timeout) bounds a wait for a window that does
    // not open, and a shorter count than asked then means the client stalled.
    while (length > 0) {
        uint32_t chunk = static_cast<uint32_t>(std::min(length, kMaxWrite));
        int written = ssh_channel_write(channel_, data, chunk);
        if (written <= 0) {
            return false;
        }
        data += written;
        length -= static_cast<size_t>(written);
        bytesOut_ += static_cast<uint64_t>(written);
    }
    lastActivity_ = Clock::now();
    return true;
}

void SshConnection::serveSftp() {
    long idle = options_.idleTimeoutSeconds;
    ssh_options_set(session_, SSH_OPTIONS_TIMEOUT, &idle);
    SftpEngine engine(
        *userSession_,
        [this](const char* data, size_t length) { return writeToChannel(data, length); },
        options_.sftpLimits);
    // Mapped on first input and dropped after a quiet spell: see kReleaseBufferAfter.
    ReadBuffer buffer;
    bool clean = false;
    for (;;) {
        Clock::time_point idleDeadline = lastActivity_ + std::chrono::seconds(idle);
        Clock::time_point wake = buffer.held()
                                     ? std::min(idleDeadline, Clock::now() + kReleaseBufferAfter)
                                     : idleDeadline;
        // Wait without a buffer; libssh keeps what arrives in the channel.
        int available = ssh_channel_poll_timeout(channel_, millisecondsUntil(wake), 0);
        if (available == SSH_EOF) {
            clean = true;
            endReason_ = "client ended the session";
            break;
        }
        if (available == SSH_ERROR || !connected()) {
            endReason_ = "connection lost";
            break;
        }
        if (available == 0) {
            if (ssh_channel_is_closed(channel_)) {
                endReason_ = "channel closed";
                break;
            }
            if (Clock::now() >= idleDeadline) {
                endReason_ = "idle timeout";
                logger_.information(prefix() + "closing idle session of user=" + user_);
                break;
            }
            buffer.release();
            continue;
        }
        char* data = buffer.get();
        if (data == nullptr) {
            endReason_ = "out of memory";
            break;
        }
        // Asking for kReadChunk grows the window back to kReadChunk at every
        // read: one small WINDOW_ADJUST per data packet. Growing only after
        // half the window was used (OpenSSH's way) measured 41 MB/s instead
        // of 77 MB/s over a 20 ms round trip, the client stalling meanwhile.
        int n = ssh_channel_read(channel_, data, kReadChunk, 0);
        if (n < 0) {
            endReason_ = "connection lost";
            break;
        }
        if (n == 0) {
            continue;
        }
        bytesIn_ += static_cast<uint64_t>(n);
        lastActivity_ = Clock::now();
        if (!engine.feed(data, static_cast<size_t>(n))) {
            endReason_ = connected() ? "SFTP protocol error" : "connection lost";
            break;
        }
    }
    // Before anything else: an interrupted upload is kept for resume.
    engine.finish();
    closeChannel(clean ? 0 : 1);
}

}  // namespace dad
