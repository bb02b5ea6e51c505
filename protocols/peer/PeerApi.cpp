#include "PeerApi.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/URI.h>

#include <sstream>

#include "BasicCredentials.h"
#include "HttpHandlerScaffold.h"
#include "HttpStatusMap.h"

namespace dad {

using Poco::Net::HTTPResponse;

namespace {

class PeerHandler : public HttpHandlerScaffold {
public:
    PeerHandler(PeerApi& api, bool secure)
        : HttpHandlerScaffold("dadgate.peer"), api_(api), secure_(secure) {}

private:
    void dispatch() override {
        if (!secure_) return sendError(403, "the peer API is served over HTTPS only");
        connection_ = ConnectionInfo{"peer", request_->clientAddress().host().toString(),
                                     request_->clientAddress().port()};
        if (Status s = api_.authenticator().checkConnection(connection_); !s) {
            return sendStatus(s);
        }
        if (!authenticate()) return;
        // packages/<pid>/offer | commit | withdraw | content/<sha256>
        Poco::URI uri(request_->getURI());
        const std::string path = uri.getPath();
        std::vector<std::string> parts;
        std::string rest = path.substr(std::string(PeerApi::kPrefix).size());
        for (size_t start = 0; start <= rest.size();) {
            size_t end = rest.find('/', start);
            if (end == std::string::npos) end = rest.size();
            parts.push_back(rest.substr(start, end - start));
            start = end + 1;
        }
        const std::string& method = request_->getMethod();
        if (parts.size() == 3 && parts[0] == "packages" && parts[2] == "offer") {
            if (method != "POST") return sendError(405, "offer is a POST");
            return doOffer(parts[1]);
        }
        if (parts.size() == 3 && parts[0] == "packages" && parts[2] == "commit") {
            if (method != "POST") return sendError(405, "commit is a POST");
            return doCommit(parts[1]);
        }
        if (parts.size() == 3 && parts[0] == "packages" && parts[2] == "withdraw") {
            if (method != "POST") return sendError(405, "withdraw is a POST");
            return doWithdraw(parts[1]);
        }
        if (parts.size() == 4 && parts[0] == "packages" && parts[2] == "content") {
            if (method != "PUT") return sendError(405, "content is a PUT");
            std::string file;
            for (const auto& [key, value] : uri.getQueryParameters()) {
                if (key == "path") file = value;
            }
            return doContent(parts[1], parts[3], file);
        }
        sendError(404, "no such peer API resource");
    }

    bool authenticate() {
        std::string user, password;
        if (readBasicCredentials(*request_, user, password)) {
            // The Authenticator holds the one rule for failed logins.
            const Status checked = api_.authenticator().checkPassword(user, password, connection_);
            if (checked.code() == StatusCode::Busy) {
                response_->setKeepAlive(false);
                sendError(429, checked.message());
                return false;
            }
            if (checked) {
                if (Status s = api_.receiver().checkPeer(user); !s) {
                    sendStatus(s);
                    return false;
                }
                user_ = user;
                return true;
            }
        }
        response_->set("WWW-Authenticate", "Basic realm=\"dadgate peer\", charset=\"UTF-8\"");
        sendError(401, "authentication required");
        return false;
    }

    // The whole (bounded) body of an offer or commit.
    bool readBody(std::string& body) {
        if (request_->hasContentLength() &&
            request_->getContentLength64() > static_cast<Poco::Int64>(PeerLimits::kMaxBodyBytes)) {
            response_->setKeepAlive(false);
            sendError(413, "the package description is larger than " +
                               std::to_string(PeerLimits::kMaxBodyBytes) + " bytes");
            return false;
        }
        sendContinueIfExpected();
        markBodyRead();
        body.clear();
        std::istream& in = request_->stream();
        char buffer[16384];
        while (in) {
            in.read(buffer, sizeof buffer);
            body.append(buffer, static_cast<size_t>(in.gcount()));
            if (body.size() > PeerLimits::kMaxBodyBytes) {
                response_->setKeepAlive(false);
                sendError(413, "the package description is larger than " +
                                   std::to_string(PeerLimits::kMaxBodyBytes) + " bytes");
                return false;
            }
        }
        return true;
    }

    bool readPackage(const std::string& pid, PeerPackage& package) {
        std::string body;
        if (!readBody(body)) return false;
        if (Status s = parsePeerPackage(body, package); !s) {
            sendError(400, s.message());
            return false;
        }
        if (package.pid != pid) {
            sendError(400, "the description's \"pid\" is not the one in the URL");
            return false;
        }
        return true;
    }

    void doOffer(const std::string& pid) {
        PeerPackage package;
        if (!readPackage(pid, package)) return;
        PeerOfferReply reply;
        if (Status s = api_.receiver().offer(user_, connection_, package, reply); !s) {
            return sendStatus(s);
        }
        sendJson(200, encodePeerOfferReply(reply));
    }

    void doCommit(const std::string& pid) {
        PeerPackage package;
        if (!readPackage(pid, package)) return;
        if (Status s = api_.receiver().commit(user_, connection_, package); !s) {
            return sendStatus(s);
        }
        Poco::JSON::Object object;
        object.set("pid", pid);
        object.set("state", std::string("sent"));
        sendJson(200, json(object));
    }

    void doWithdraw(const std::string& pid) {
        std::string body;
        if (!readBody(body)) return;
        if (Status s = api_.receiver().withdraw(user_, connection_, pid); !s) {
            return sendStatus(s);
        }
        Poco::JSON::Object object;
        object.set("pid", pid);
        object.set("state", std::string("withdrawn"));
        sendJson(200, json(object));
    }

    void doContent(const std::string& pid, const std::string& sha256, const std::string& file) {
        if (file.empty()) return sendError(400, "the path parameter is missing");
        if (!request_->has("Content-Range")) return sendError(400, "Content-Range is missing");
        uint64_t start = 0, end = 0, total = 0;
        if (Status s = parsePeerContentRange(request_->get("Content-Range"), start, end, total);
            !s) {
            return sendError(400, s.message());
        }
        const uint64_t length = end - start;
        if (request_->getChunkedTransferEncoding() || !request_->hasContentLength() ||
            static_cast<uint64_t>(request_->getContentLength64()) != length) {
            return sendError(400, "Content-Length must be the length of the Content-Range");
        }
        sendContinueIfExpected();
        std::istream& in = request_->stream();
        uint64_t left = length;
        PeerReceiver::ByteSource source = [&](char* buffer, size_t want, size_t& got) {
            got = 0;
            if (left == 0) return Status::ok();
            try {
                in.read(buffer, static_cast<std::streamsize>(std::min<uint64_t>(want, left)));
                got = static_cast<size_t>(in.gcount());
            } catch (const std::exception& e) {
                return Status::ioError(std::string("the connection broke: ") + e.what());
            }
            left -= got;
            return Status::ok();
        };
        PeerReceipt receipt;
        Status s = api_.receiver().receive(user_, connection_, pid, file, sha256, start, total,
                                           source, receipt);
        if (left == 0) markBodyRead();
        if (receipt.wrongOffset) {
            Poco::JSON::Object object;
            object.set("held", static_cast<Poco::UInt64>(receipt.held));
            object.set("error", s.message());
            return sendJson(409, json(object));
        }
        if (!s) return sendStatus(s);
        if (left > 0 && !receipt.complete) {
            // The body ended before its Content-Length: the peer is gone.
            response_->setKeepAlive(false);
            return sendError(400, "the content ended early");
        }
        Poco::JSON::Object object;
        object.set("held", static_cast<Poco::UInt64>(receipt.held));
        object.set("complete", receipt.complete);
        sendJson(200, json(object));
    }

    static std::string json(const Poco::JSON::Object& object) {
        std::ostringstream out;
        object.stringify(out);
        return out.str();
    }

    void sendInternalError() override { sendError(500, "internal error"); }

    void sendStatus(const Status& s) {
        sendError(httpStatus(s.code(), HttpFront::PeerApi), s.message());
    }

    void sendError(int status, const std::string& message) {
        Poco::JSON::Object object;
        object.set("error", message);
        sendJson(status, json(object));
    }

    void sendJson(int status, const std::string& body) {
        finishRequestBody();
        response_->setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
        response_->setContentType("application/json");
        response_->set("X-Content-Type-Options", "nosniff");
        response_->set("Cache-Control", "no-store");
        response_->setContentLength(static_cast<std::streamsize>(body.size()));
        response_->sendBuffer(body.data(), body.size());
    }

    PeerApi& api_;
    bool secure_;
    ConnectionInfo connection_;
    std::string user_;
};

}  // namespace

PeerApi::PeerApi(Authenticator& authenticator, PeerReceiver& receiver)
    : authenticator_(authenticator), receiver_(receiver) {}

Poco::Net::HTTPRequestHandler* PeerApi::handlerFor(const Poco::Net::HTTPServerRequest& request,
                                                   bool secure) {
    const std::string& uri = request.getURI();
    if (uri.compare(0, std::char_traits<char>::length(kPrefix), kPrefix) != 0) return nullptr;
    return new PeerHandler(*this, secure);
}

}  // namespace dad
