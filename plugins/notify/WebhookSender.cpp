#include "WebhookSender.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <memory>
#include <sstream>

namespace dad {

std::string hmacSha256Hex(const std::string& key, const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length);
    static const char* const hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

Status WebhookSender::post(const std::string& body) const {
    try {
        const Poco::URI uri(url_);
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (uri.getScheme() == "https") {
            session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort());
        } else if (uri.getScheme() == "http") {
            session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
        } else {
            return Status::invalid("webhook.url must be http or https");
        }
        session->setTimeout(Poco::Timespan(timeoutSeconds_, 0));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentType("application/json");
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        request.set("User-Agent", "dadgate");
        if (!secret_.empty()) {
            request.set("X-Dadgate-Signature", "sha256=" + hmacSha256Hex(secret_, body));
        }
        session->sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session->receiveResponse(response);
        std::ostringstream ignored;
        Poco::StreamCopier::copyStream(in, ignored);
        const int code = static_cast<int>(response.getStatus());
        if (code < 200 || code > 299) {
            return Status::failure("webhook answered " + std::to_string(code));
        }
    } catch (const Poco::Exception& e) {
        return Status::ioError("webhook: " + e.displayText());
    }
    return Status::ok();
}

}  // namespace dad
