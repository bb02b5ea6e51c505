#include "FtpClient.h"

#include <Poco/Net/DialogSocket.h>
#include <Poco/Net/FTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <functional>
#include <vector>

#include "TlsClient.h"

namespace dad {

namespace {

constexpr size_t kChunkBytes = 256 * 1024;

// A refusal a retry cannot heal: login refused, no permission for a name.
bool permanent(int reply) {
    return reply == 530 || reply == 532 || reply == 550 || reply == 553;
}

Status fromException(const std::string& host, const Poco::Exception& e) {
    const std::string text = host + ": " + e.displayText();
    if (const auto* ftp = dynamic_cast<const Poco::Net::FTPException*>(&e)) {
        if (permanent(ftp->code())) return Status::denied(text);
        return Status::failure(text);
    }
    if (dynamic_cast<const Poco::Net::CertificateValidationException*>(&e) ||
        (dynamic_cast<const Poco::Net::SSLException*>(&e) &&
         e.displayText().find("certificate") != std::string::npos)) {
        return Status::denied(host +
                              ": the server's certificate does not verify: " + e.displayText());
    }
    if (dynamic_cast<const Poco::Net::NetException*>(&e) ||
        dynamic_cast<const Poco::IOException*>(&e) ||
        dynamic_cast<const Poco::TimeoutException*>(&e)) {
        return Status::ioError(text);
    }
    return Status::failure(text);
}

// Sends all of `data` on a (possibly TLS) socket.
void sendAll(Poco::Net::StreamSocket& socket, const char* data, size_t length) {
    while (length > 0) {
        const int sent = socket.sendBytes(data, static_cast<int>(length));
        if (sent <= 0) throw Poco::Net::NetException("the data connection closed");
        data += sent;
        length -= static_cast<size_t>(sent);
    }
}

// Poco's FTP session, with transfers of our own (uploads use APPE, and the
// final reply is read by us). With TLS, the data connections resume
// the control connection's TLS session, as ProFTPD and vsftpd require by
// default (Poco's own FTPS session does not), and PROT P is required.
class FtpSession : public Poco::Net::FTPSClientSession {
public:
    FtpSession(Poco::Net::Context::Ptr context, std::string host)
        : FTPSClientSession(context), context_(context), host_(std::move(host)) {}

    // One transfer: REST `restart` first when it is not 0 (the server must
    // keep it across EPSV/PASV), then `command` `path` on a data connection
    // that `move` uses. Closing that connection ends an uploaded file (with
    // TLS: close_notify first); then the final reply must be 2xx, unless
    // `move` failed. `what` names the transfer in a refused reply. Throws
    // what Poco throws.
    Status transfer(const std::string& command, const std::string& path, uint64_t restart,
                    const std::string& what,
                    const std::function<Status(Poco::Net::StreamSocket& data)>& move) {
        std::string response;
        if (restart > 0) {
            const int reply = sendCommand("REST", std::to_string(restart), response);
            if (reply != 350) {
                throw Poco::Net::FTPException("the server cannot resume", response, reply);
            }
        }
        Poco::Net::StreamSocket data = establishDataConnection(command, path);
        const Status result = move(data);
        data.close();
        const int reply = _pControlSocket->receiveStatusMessage(response);
        if (result && reply / 100 != 2) {
            throw Poco::Net::FTPException(what + " failed", response, reply);
        }
        return result;
    }

protected:
    Poco::Net::StreamSocket establishDataConnection(const std::string& command,
                                                    const std::string& arg) override {
        if (!isSecure()) return FTPClientSession::establishDataConnection(command, arg);
        if (!dataProtected_) {
            std::string response;
            int reply = sendCommand("PBSZ", "0", response);
            if (isPositiveCompletion(reply)) reply = sendCommand("PROT", "P", response);
            if (!isPositiveCompletion(reply)) {
                throw Poco::Net::FTPException("the server will not protect data connections",
                                              response, reply);
            }
            dataProtected_ = true;
        }
        Poco::Net::SecureStreamSocket control(*_pControlSocket);
        Poco::Net::StreamSocket plain = FTPClientSession::establishDataConnection(command, arg);
        plain.setReceiveTimeout(getTimeout());
        plain.setSendTimeout(getTimeout());
        return Poco::Net::SecureStreamSocket::attach(plain, host_, context_,
                                                     control.currentSession());
    }

private:
    Poco::Net::Context::Ptr context_;
    std::string host_;
    bool dataProtected_ = false;
};

// A logged-in session; `host` ("host:port") names the server in messages.
class FtpClient : public RemoteFiles {
public:
    FtpClient(std::unique_ptr<FtpSession> session, std::string host)
        : session_(std::move(session)), host_(std::move(host)) {}

    Status makeDirectories(const std::string& path) override {
        return guarded([&] {
            for (const std::string& prefix : folderPrefixes(path)) {
                std::string response;
                // 550 (or 521) for a folder that exists: the STOR that follows
                // reports a folder that could not be made.
                (void)session_->sendCommand("MKD", prefix, response);
            }
            return Status::ok();
        });
    }

    Status size(const std::string& path, std::optional<uint64_t>& bytes) override {
        bytes.reset();
        return guarded([&] {
            std::string response;
            const int reply = session_->sendCommand("SIZE", path, response);
            if (reply != 213) return Status::ok();  // no such file (or no SIZE): start from 0
            const size_t digits = response.find_first_of("0123456789", 3);
            if (digits == std::string::npos) return Status::ok();
            try {
                bytes = std::stoull(response.substr(digits));
            } catch (const std::exception&) {
                bytes.reset();
            }
            return Status::ok();
        });
    }

    Status upload(const std::string& path, uint64_t offset, const Reader& read,
                  const Progress& progress) override {
        std::vector<char> buffer(kChunkBytes);
        const auto send = [&](Poco::Net::StreamSocket& data) {
            for (;;) {
                size_t got = 0;
                Status s = read(offset, buffer.data(), buffer.size(), got);
                if (!s || got == 0) return s;
                sendAll(data, buffer.data(), got);
                offset += got;
                if (progress) progress(offset);
            }
        };
        const std::string command = offset > 0 ? "APPE" : "STOR";
        return guarded(
            [&] { return session_->transfer(command, path, 0, "storing " + path, send); });
    }

    Status download(const std::string& path, uint64_t offset, const Sink& sink) override {
        std::vector<char> buffer(kChunkBytes);
        const auto receive = [&](Poco::Net::StreamSocket& data) {
            for (;;) {
                const int got = data.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
                if (got <= 0) return Status::ok();
                if (Status s = sink(buffer.data(), static_cast<size_t>(got)); !s) return s;
            }
        };
        return guarded(
            [&] { return session_->transfer("RETR", path, offset, "reading " + path, receive); });
    }

    void close() override {
        if (!session_) return;
        try {
            session_->close();
        } catch (const Poco::Exception&) {
        }
        session_.reset();
    }

private:
    // Runs `body` on the session, with what Poco throws as a Status.
    Status guarded(const std::function<Status()>& body) {
        if (!session_) return Status::failure("not connected");
        try {
            return body();
        } catch (const Poco::Exception& e) {
            return fromException(host_, e);
        }
    }

    std::unique_ptr<FtpSession> session_;
    std::string host_;
};

}  // namespace

Status openFtpClient(const RemoteEndpoint& endpoint, std::unique_ptr<RemoteFiles>& remote) {
    const uint16_t port = endpoint.port ? endpoint.port : 21;
    const std::string host = endpoint.host + ":" + std::to_string(port);
    const bool tls = endpoint.protocol == RemoteEndpoint::Protocol::Ftps;
    try {
        auto session = std::make_unique<FtpSession>(
            tls ? tlsClientContext(endpoint.caFile) : Poco::Net::Context::Ptr(), endpoint.host);
        session->enableFTPS(tls);
        session->setPassive(true);
        // No user yet: the password goes only over a secured connection.
        session->open(endpoint.host, port);
        session->setTimeout(Poco::Timespan(endpoint.timeoutSeconds, 0));
        if (tls && !session->isSecure())
            return Status::denied(host + ": the server refused AUTH TLS");
        session->login(endpoint.user.empty() ? "anonymous" : endpoint.user,
                       endpoint.user.empty() ? "dadgate@" : endpoint.secret);
        session->setFileType(Poco::Net::FTPClientSession::TYPE_BINARY);
        remote = std::make_unique<FtpClient>(std::move(session), host);
    } catch (const Poco::Exception& e) {
        return fromException(host, e);
    }
    return Status::ok();
}

}  // namespace dad
