#include "PeerTarget.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPBasicCredentials.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <vector>

#include "TlsClient.h"

namespace dad {

namespace {

constexpr const char* kPrefix = "/.well-known/dadgate/peer/v1/packages/";
constexpr size_t kChunk = 256 * 1024;
constexpr uint64_t kProgressEvery = 4 << 20;
constexpr int kMaxOffsetRetries = 3;

// The "error" of a peer API answer, or the start of its body.
std::string errorOf(const std::string& body) {
    try {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var parsed = parser.parse(body);
        if (parsed.type() == typeid(Poco::JSON::Object::Ptr)) {
            auto object = parsed.extract<Poco::JSON::Object::Ptr>();
            if (object && object->has("error")) return object->getValue<std::string>("error");
        }
    } catch (const std::exception&) {
    }
    return body.substr(0, 200);
}

uint64_t heldOf(const std::string& body) {
    try {
        Poco::JSON::Parser parser;
        auto object = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
        if (object && object->has("held")) return object->getValue<Poco::UInt64>("held");
    } catch (const std::exception&) {
    }
    return 0;
}

class PeerConnection {
public:
    PeerConnection(const Site& site, const Poco::URI& url, int timeoutSeconds)
        : site_(site),
          session_(url.getHost(), url.getPort(), tlsClientContext(site.caFile)),
          where_(url.getHost() + ":" + std::to_string(url.getPort())) {
        session_.setTimeout(Poco::Timespan(timeoutSeconds, 0));
        session_.setKeepAlive(true);  // offer, content and commit on one connection
    }

    // One request with a body from `write` (given the request stream);
    // the answer's status and body.
    template <typename Write>
    Status call(const std::string& method, const std::string& target, const std::string& what,
                const std::string& contentType, uint64_t length,
                const std::vector<std::pair<std::string, std::string>>& headers, Write write,
                int& status, std::string& body) {
        try {
            Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
            Poco::Net::HTTPBasicCredentials(site_.user, site_.secret).authenticate(request);
            request.setContentType(contentType);
            request.setContentLength64(static_cast<Poco::Int64>(length));
            for (const auto& [name, value] : headers)
                request.set(name, value);
            std::ostream& out = session_.sendRequest(request);
            if (Status s = write(out); !s) {
                session_.reset();
                return s;
            }
            out.flush();
            if (!out) {
                session_.reset();
                return Status::failure(what + ": the connection to " + where_ + " broke");
            }
            Poco::Net::HTTPResponse response;
            std::istream& in = session_.receiveResponse(response);
            std::ostringstream text;
            Poco::StreamCopier::copyStream(in, text, 64 * 1024);
            body = text.str().substr(0, PeerLimits::kMaxBodyBytes);
            status = response.getStatus();
            return Status::ok();
        } catch (const Poco::Net::CertificateValidationException& e) {
            return untrusted(e);
        } catch (const Poco::Net::SSLException& e) {
            // A handshake refused for the certificate is not healed by waiting.
            if (e.message().find("certificate") != std::string::npos) return untrusted(e);
            session_.reset();
            return Status::failure(what + ": TLS with " + where_ + " failed: " + e.displayText());
        } catch (const Poco::Exception& e) {
            session_.reset();
            return Status::failure(what + ": " + where_ + ": " + e.displayText());
        } catch (const std::exception& e) {
            session_.reset();
            return Status::failure(what + ": " + where_ + ": " + e.what());
        }
    }

    Status postJson(const std::string& target, const std::string& what, const std::string& json,
                    std::string& body) {
        int status = 0;
        if (Status s = call(
                "POST", target, what, "application/json", json.size(), {},
                [&](std::ostream& out) {
                    out.write(json.data(), static_cast<std::streamsize>(json.size()));
                    return Status::ok();
                },
                status, body);
            !s) {
            return s;
        }
        return peerAnswerStatus(status, what, body);
    }

private:
    Status untrusted(const Poco::Exception& e) {
        session_.reset();
        return Status::denied(
            "the certificate of " + where_ + " does not verify against " +
            (site_.caFile.empty() ? std::string("the system's CAs") : "the site's CA file") + ": " +
            e.displayText());
    }

    const Site& site_;
    Poco::Net::HTTPSClientSession session_;
    std::string where_;
};

Status parseSiteUrl(const Site& site, Poco::URI& url) {
    try {
        url = Poco::URI(site.url);
    } catch (const Poco::Exception& e) {
        return Status::invalid("site " + site.name + ": bad URL: " + e.message());
    }
    if (url.getScheme() != "https" || url.getHost().empty()) {
        return Status::invalid("site " + site.name + ": a peer's URL is https://host[:port]");
    }
    return Status::ok();
}

// Sends [start, file.size) of one file's content; `held` is what the far side
// holds afterwards.
Status sendContent(PeerConnection& peer, const std::string& pid, const PeerFile& file,
                   ContentSource& content, uint64_t start, uint64_t doneBefore,
                   ForwardProgress& progress, uint64_t& held) {
    std::unique_ptr<ReadStream> stream;
    if (Status s = content.open(file.sha256, stream); !s) return s;
    Poco::URI target(std::string(kPrefix) + pid + "/content/" + file.sha256);
    target.addQueryParameter("path", file.path);
    const std::string what = "sending " + file.path;
    int status = 0;
    std::string body;
    uint64_t reported = 0;
    Status s = peer.call(
        "PUT", target.getPathAndQuery(), what, "application/octet-stream", file.size - start,
        {{"Content-Range", peerContentRange(start, file.size)}},
        [&](std::ostream& out) {
            std::vector<char> buffer(kChunk);
            for (uint64_t offset = start; offset < file.size;) {
                size_t got = 0;
                const size_t want =
                    static_cast<size_t>(std::min<uint64_t>(buffer.size(), file.size - offset));
                if (Status r = stream->read(offset, buffer.data(), want, got); !r) return r;
                if (got == 0) {
                    return Status::ioError(file.path + ": the stored content is shorter than " +
                                           std::to_string(file.size) + " bytes");
                }
                out.write(buffer.data(), static_cast<std::streamsize>(got));
                if (!out) return Status::failure(what + ": the connection broke");
                offset += got;
                if (offset - start - reported >= kProgressEvery) {
                    reported = offset - start;
                    progress.reached(doneBefore + reported);
                }
            }
            return Status::ok();
        },
        status, body);
    (void)stream->close();
    if (!s) return s;
    held = heldOf(body);
    if (status == 409) return Status::error(StatusCode::Busy, what + ": " + errorOf(body));
    return peerAnswerStatus(status, what, body);
}

}  // namespace

PeerPackage peerPackageOf(const ForwardPackage& package) {
    PeerPackage p;
    p.pid = package.pid;
    p.sender = package.sender;
    p.message = package.message;
    p.recipients = package.recipients;
    p.sentAt = package.sentAt;
    p.expiresAt = package.expiresAt;
    p.maxDownloads = package.maxDownloads;
    for (const ForwardFile& f : package.files) {
        if (f.path == ".dad") continue;
        p.files.push_back({f.path, f.size, f.sha256});
    }
    return p;
}

Status peerAnswerStatus(int httpStatus, const std::string& what, const std::string& body) {
    if (httpStatus >= 200 && httpStatus < 300) return Status::ok();
    const std::string message =
        what + ": the peer answered " + std::to_string(httpStatus) + ": " + errorOf(body);
    if (httpStatus == 401 || httpStatus == 403) return Status::denied(message);
    if (httpStatus == 400 || httpStatus == 404 || httpStatus == 405) {
        return Status::invalid(message);
    }
    return Status::failure(message);
}

Status PeerTarget::push(const Site& site, const ForwardPackage& package, ContentSource& content,
                        ForwardProgress& progress) {
    Poco::URI url;
    if (Status s = parseSiteUrl(site, url); !s) return s;
    const PeerPackage description = peerPackageOf(package);
    if (description.files.empty()) return Status::invalid("package " + package.pid + " is empty");
    const std::string json = encodePeerPackage(description);
    PeerConnection peer(site, url, timeoutSeconds_);
    const std::string base = kPrefix + package.pid;

    std::string answer;
    if (Status s = peer.postJson(base + "/offer", "offering " + package.pid, json, answer); !s) {
        return s;
    }
    PeerOfferReply offer;
    if (Status s = parsePeerOfferReply(answer, offer); !s) {
        return Status::failure("the peer's answer to the offer: " + s.message());
    }
    uint64_t total = 0;
    for (const PeerFile& f : description.files)
        total += f.size;
    if (offer.committed) {
        progress.reached(total);
        return Status::ok();
    }
    // Bytes the far side holds already; each hash moves once.
    uint64_t done = 0;
    std::set<std::string> counted;
    for (const PeerFile& f : description.files) {
        auto it = offer.hashes.find(f.sha256);
        const bool stored = it != offer.hashes.end() && it->second.state == PeerHashState::Stored;
        if (stored || counted.count(f.sha256)) {
            done += f.size;
        } else if (it != offer.hashes.end() && it->second.state == PeerHashState::Partial) {
            done += std::min(it->second.bytes, f.size);
        }
        counted.insert(f.sha256);
    }
    progress.reached(done);
    std::set<std::string> sent;
    for (const PeerFile& f : description.files) {
        auto it = offer.hashes.find(f.sha256);
        if (!sent.insert(f.sha256).second) continue;
        if (it != offer.hashes.end() && it->second.state == PeerHashState::Stored) continue;
        uint64_t start = 0;
        if (it != offer.hashes.end() && it->second.state == PeerHashState::Partial &&
            it->second.bytes <= f.size) {
            start = it->second.bytes;
        }
        const uint64_t before = done - start;
        for (int attempt = 0;; ++attempt) {
            uint64_t held = 0;
            Status s =
                sendContent(peer, package.pid, f, content, start, before + start, progress, held);
            if (s) break;
            // The far side holds another amount than offered (a transfer it
            // had not noticed was cut): go on from what it says.
            if (s.code() != StatusCode::Busy || attempt >= kMaxOffsetRetries || held > f.size) {
                return s;
            }
            start = held;
        }
        done = before + f.size;
        progress.reached(done);
    }
    if (Status s = peer.postJson(base + "/commit", "committing " + package.pid, json, answer); !s) {
        return s;
    }
    progress.reached(total);
    return Status::ok();
}

Status PeerTarget::withdraw(const Site& site, const std::string& pid) {
    Poco::URI url;
    if (Status s = parseSiteUrl(site, url); !s) return s;
    PeerConnection peer(site, url, timeoutSeconds_);
    std::string answer;
    return peer.postJson(kPrefix + pid + "/withdraw", "withdrawing " + pid, "{}", answer);
}

}  // namespace dad
