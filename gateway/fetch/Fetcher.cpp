#include "Fetcher.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/FTPClientSession.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include <chrono>
#include <memory>
#include <vector>

#include "FetchAddress.h"
#include "FetchRequest.h"
#include "RemoteFiles.h"
#include "TlsClient.h"

namespace dad {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kChunkBytes = 64 * 1024;

// The FTP client of a fetch: passive only, and the data connection goes to
// the control connection's peer (a PASV reply naming another host is how a
// server would aim the gateway at an internal address). With secure(), FTPS
// (explicit, RFC 4217): AUTH TLS on the control connection, PBSZ 0 and PROT P,
// each data connection in TLS resuming the control connection's session; the
// certificate is checked against `tlsHost` (the URL's host), not the address.
class GuardedFtpSession : public Poco::Net::FTPClientSession {
public:
    explicit GuardedFtpSession(const Poco::Net::SocketAddress& server,
                               const Poco::Timespan& timeout)
        : server_(server), timeout_(timeout) {}

    void secure(const std::string& tlsHost, Poco::Net::Context::Ptr context) {
        std::string response;
        int status = sendCommand("AUTH", "TLS", response);
        if (status != 234) throw Poco::Net::FTPException("AUTH TLS refused", response, status);
        Poco::Net::SecureStreamSocket control =
            Poco::Net::SecureStreamSocket::attach(*_pControlSocket, tlsHost, context);
        *_pControlSocket = control;
        tlsHost_ = tlsHost;
        context_ = context;
        for (const char* command : {"PBSZ 0", "PROT P"}) {
            status = sendCommand(command, response);
            if (!isPositiveCompletion(status)) {
                throw Poco::Net::FTPException(std::string(command) + " refused", response, status);
            }
        }
    }

protected:
    Poco::Net::StreamSocket establishDataConnection(const std::string& command,
                                                    const std::string& arg) override {
        Poco::Net::SocketAddress announced;
        if (!sendEPSV(announced)) sendPASV(announced);
        Poco::Net::StreamSocket data;
        data.connect(Poco::Net::SocketAddress(server_.host(), announced.port()), timeout_);
        data.setReceiveTimeout(timeout_);
        data.setSendTimeout(timeout_);
        std::string response;
        const int status = sendCommand(command, arg, response);
        if (!isPositivePreliminary(status)) {
            throw Poco::Net::FTPException(command + " command failed", response, status);
        }
        if (!context_) return data;
        Poco::Net::SecureStreamSocket control(*_pControlSocket);
        return Poco::Net::SecureStreamSocket::attach(data, tlsHost_, context_,
                                                     control.currentSession());
    }

private:
    Poco::Net::SocketAddress server_;
    Poco::Timespan timeout_;
    std::string tlsHost_;
    Poco::Net::Context::Ptr context_;  // set once secure()
};

// Reads `in` into `sink`, bounded by the limits and the deadline.
Status pump(std::istream& in, const FetchLimits& limits, Clock::time_point deadline,
            const FetchSink& sink, uint64_t& total) {
    std::vector<char> buffer(kChunkBytes);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto got = static_cast<size_t>(in.gcount());
        if (got == 0) break;
        total += got;
        if (total > limits.maxBytes) {
            return Status::invalid("the content is larger than fetch.max_bytes (" +
                                   std::to_string(limits.maxBytes) + " bytes)");
        }
        if (Status s = sink(buffer.data(), got); !s) return s;
        if (Clock::now() > deadline) {
            return Status::failure("the fetch took longer than fetch.timeout_seconds (" +
                                   std::to_string(limits.timeoutSeconds) + ")");
        }
    }
    if (in.bad()) return Status::failure("the connection failed while reading");
    return Status::ok();
}

Status httpStatusError(int status, const std::string& reason) {
    const std::string text = "the server answered " + std::to_string(status) + " " + reason;
    if (status == 404 || status == 410) return Status::notFound(text);
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
        return Status::invalid(text);
    }
    return Status::failure(text);
}

}  // namespace

Status Fetcher::fetch(const std::string& url, const std::string& user, const std::string& password,
                      const FetchSink& sink, const std::string& hostKey) {
    if (Status s = FetchRequestCodec::checkUrl(url); !s) return s;
    const std::string scheme = Poco::URI(url).getScheme();
    try {
        if (scheme == "http" || scheme == "https") return fetchHttp(url, user, password, sink);
        if (scheme == "ftp" || scheme == "ftps") return fetchFtp(url, user, password, sink);
        if (scheme == "sftp") return fetchSftp(url, user, password, hostKey, sink);
    } catch (const Poco::TimeoutException& e) {
        return Status::failure("the fetch timed out: " + e.displayText());
    } catch (const Poco::Exception& e) {
        return Status::failure("the fetch failed: " + e.displayText());
    } catch (const std::exception& e) {
        return Status::failure(std::string("the fetch failed: ") + e.what());
    }
    return Status::error(StatusCode::Unsupported, "no fetcher for " + scheme + ":// URLs");
}

Status Fetcher::fetchHttp(const std::string& url, const std::string& user,
                          const std::string& password, const FetchSink& sink) {
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(limits_.timeoutSeconds);
    const Poco::Timespan timeout(limits_.timeoutSeconds, 0);
    Poco::URI uri(url);
    for (int hop = 0;; ++hop) {
        const std::string scheme = uri.getScheme();
        if (scheme != "http" && scheme != "https") {
            return Status::denied("refused a redirect to a " + scheme + ":// URL");
        }
        Poco::Net::IPAddress address;
        if (Status s = FetchAddress::resolve(uri.getHost(), limits_.allowPrivate, address,
                                             limits_.allowAddresses);
            !s) {
            return hop == 0 ? s : Status::denied("redirect refused: " + s.message());
        }
        const Poco::Net::SocketAddress server(address, uri.getPort());
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (scheme == "https") {
            auto secure = std::make_unique<Poco::Net::HTTPSClientSession>(
                address.toString(), uri.getPort(), tlsClientContext(limits_.caFile));
            // TLS names the URL's host (SNI and the certificate check), while
            // the socket goes to the address checked above.
            Poco::Net::SecureStreamSocket socket(secure->socket());
            socket.setPeerHostName(uri.getHost());
            session = std::move(secure);
        } else {
            session = std::make_unique<Poco::Net::HTTPClientSession>(server);
        }
        session->setTimeout(timeout);
        std::string target = uri.getPathEtc();
        if (target.empty()) target = "/";
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, target,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setHost(uri.getHost(), uri.getPort());
        request.set("User-Agent", "dadgate-fetch");
        if (hop == 0 && !user.empty()) {
            Poco::Net::HTTPBasicCredentials(user, password).authenticate(request);
        }
        session->sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::istream& body = session->receiveResponse(response);
        const int status = response.getStatus();
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
            if (hop >= limits_.maxRedirects) {
                return Status::invalid("more than " + std::to_string(limits_.maxRedirects) +
                                       " redirects");
            }
            if (!response.has("Location")) return Status::invalid("a redirect without Location");
            const std::string location = response.get("Location");
            if (location.size() > FetchRequestCodec::kMaxUrlBytes) {
                return Status::invalid("a redirect to an overlong URL");
            }
            Poco::URI next(uri);
            next.resolve(location);
            if (!next.getUserInfo().empty()) {
                return Status::denied("refused a redirect to a URL with a user or password");
            }
            uri = next;
            continue;
        }
        if (status != 200) return httpStatusError(status, response.getReason());
        if (response.hasContentLength() && response.getContentLength64() >= 0 &&
            static_cast<uint64_t>(response.getContentLength64()) > limits_.maxBytes) {
            return Status::invalid("the content (" + std::to_string(response.getContentLength64()) +
                                   " bytes) is larger than fetch.max_bytes (" +
                                   std::to_string(limits_.maxBytes) + " bytes)");
        }
        uint64_t total = 0;
        if (Status s = pump(body, limits_, deadline, sink, total); !s) return s;
        if (response.hasContentLength() && response.getContentLength64() >= 0 &&
            total != static_cast<uint64_t>(response.getContentLength64())) {
            return Status::failure("the connection closed after " + std::to_string(total) + " of " +
                                   std::to_string(response.getContentLength64()) + " bytes");
        }
        return Status::ok();
    }
}

Status Fetcher::fetchFtp(const std::string& url, const std::string& user,
                         const std::string& password, const FetchSink& sink) {
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(limits_.timeoutSeconds);
    const Poco::Timespan timeout(limits_.timeoutSeconds, 0);
    const Poco::URI uri(url);
    Poco::Net::IPAddress address;
    if (Status s = FetchAddress::resolve(uri.getHost(), limits_.allowPrivate, address,
                                         limits_.allowAddresses);
        !s) {
        return s;
    }
    // ftps:// is explicit TLS (AUTH TLS) on port 21 unless the URL names one.
    const bool tls = uri.getScheme() == "ftps";
    const Poco::Net::SocketAddress server(address, uri.getPort() ? uri.getPort() : 21);
    GuardedFtpSession ftp(server, timeout);
    ftp.open(address.toString(), server.port());
    ftp.setTimeout(timeout);
    ftp.setPassive(true);
    if (tls) ftp.secure(uri.getHost(), tlsClientContext(limits_.caFile));
    ftp.login(user.empty() ? "anonymous" : user, user.empty() ? "dadgate@" : password);
    ftp.setFileType(Poco::Net::FTPClientSession::TYPE_BINARY);
    std::string path = uri.getPath();
    if (path.empty() || path.back() == '/') return Status::invalid("the FTP URL names no file");
    std::istream& in = ftp.beginDownload(path);
    uint64_t total = 0;
    Status s = pump(in, limits_, deadline, sink, total);
    if (!s) {
        try {
            ftp.abort();
        } catch (const Poco::Exception&) {
        }
        return s;
    }
    ftp.endDownload();
    try {
        ftp.close();
    } catch (const Poco::Exception&) {
    }
    return Status::ok();
}

Status Fetcher::fetchSftp(const std::string& url, const std::string& user,
                          const std::string& password, const std::string& hostKey,
                          const FetchSink& sink) {
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(limits_.timeoutSeconds);
    const Poco::URI uri(url);
    if (hostKey.empty()) {
        return Status::invalid("an sftp fetch needs the server's host key (host_key, --host-key)");
    }
    std::string path = uri.getPath();
    if (path.empty() || path.back() == '/') return Status::invalid("the SFTP URL names no file");
    // sftp://host/~/a is relative to the login folder, sftp://host/a absolute.
    if (path.rfind("/~/", 0) == 0) path = path.substr(3);
    Poco::Net::IPAddress address;
    if (Status s = FetchAddress::resolve(uri.getHost(), limits_.allowPrivate, address,
                                         limits_.allowAddresses);
        !s) {
        return s;
    }
    RemoteEndpoint endpoint;
    endpoint.protocol = RemoteEndpoint::Protocol::Sftp;
    endpoint.host = address.toString();  // the checked address, never a second lookup
    endpoint.port = uri.getPort();       // 0 when the URL names none: SFTP's own
    endpoint.user = user;
    endpoint.secret = password;
    endpoint.hostKey = hostKey;
    endpoint.timeoutSeconds = limits_.timeoutSeconds;
    std::unique_ptr<RemoteFiles> remote;
    if (Status s = openRemoteFiles(endpoint, remote); !s) {
        // A wrong key or a refused login does not heal by waiting.
        return s.code() == StatusCode::IoError ? Status::failure(s.message()) : s;
    }
    uint64_t total = 0;
    Status s = remote->download(path, 0, [&](const char* data, size_t length) {
        total += length;
        if (total > limits_.maxBytes) {
            return Status::invalid("the content is larger than fetch.max_bytes (" +
                                   std::to_string(limits_.maxBytes) + " bytes)");
        }
        if (Clock::now() > deadline) {
            return Status::failure("the fetch took longer than fetch.timeout_seconds (" +
                                   std::to_string(limits_.timeoutSeconds) + ")");
        }
        return sink(data, length);
    });
    remote->close();
    return s;
}

}  // namespace dad
