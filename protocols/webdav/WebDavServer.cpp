#include "WebDavServer.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>

#include "WebDavHandler.h"

namespace dad {

namespace {

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Factory(WebDavContext& context, const PageHandlerFactory& pages, bool secure)
        : context_(context), pages_(pages), secure_(secure) {}

    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest& request) override {
        if (pages_) {
            if (Poco::Net::HTTPRequestHandler* page = pages_(request, secure_)) return page;
        }
        return new WebDavHandler(context_, secure_);
    }

private:
    WebDavContext& context_;
    const PageHandlerFactory& pages_;
    bool secure_;
};

}  // namespace

WebDavServer::WebDavServer(WebDavServerOptions options, Authenticator& authenticator,
                           DeadPropertiesFactory deadProperties, PageHandlerFactory pages)
    : options_(std::move(options)),
      context_(authenticator, std::move(deadProperties)),
      pages_(std::move(pages)) {
    context_.basicOverHttp = options_.basicOverHttp;
}

WebDavServer::~WebDavServer() {
    stop();
}

Status WebDavServer::start() {
    try {
        if (options_.httpsPort != 0) {
            Poco::Net::Context::Ptr tls = new Poco::Net::Context(
                Poco::Net::Context::TLS_SERVER_USE, options_.privateKeyFile,
                options_.certificateFile, "", Poco::Net::Context::VERIFY_NONE, 9, false,
                "HIGH:!aNULL:!MD5:!RC4");
            tls->disableProtocols(
                Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
            tls->enableExtendedCertificateVerification(false);
            Poco::Net::SecureServerSocket socket(
                Poco::Net::SocketAddress(options_.address, options_.httpsPort), 256, tls);
            https_ = std::make_unique<HttpServer>(socket, new Factory(context_, pages_, true), true,
                                                  options_.connections);
            https_->start();
        }
        if (options_.httpPort != 0) {
            Poco::Net::ServerSocket socket(
                Poco::Net::SocketAddress(options_.address, options_.httpPort), 256);
            http_ = std::make_unique<HttpServer>(socket, new Factory(context_, pages_, false),
                                                 false, options_.connections);
            http_->start();
        }
    } catch (const Poco::Exception& e) {
        stop();
        return Status::failure("cannot listen: " + e.displayText());
    }
    return Status::ok();
}

void WebDavServer::stop() {
    for (auto* server : {&https_, &http_}) {
        if (*server) {
            (*server)->stop();
            server->reset();
        }
    }
}

uint16_t WebDavServer::httpsPort() const {
    return https_ ? https_->port() : 0;
}

uint16_t WebDavServer::httpPort() const {
    return http_ ? http_->port() : 0;
}

}  // namespace dad
