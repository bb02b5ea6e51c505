#include "WebDavServer.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerResponse.h>

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
    if (options_.httpsPort != 0) {
        try {
            tls_ = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE,
                                          options_.privateKeyFile, options_.certificateFile, "",
                                          Poco::Net::Context::VERIFY_NONE, 9, false,
                                          "HIGH:!aNULL:!MD5:!RC4");
            tls_->disableProtocols(
                Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        } catch (const Poco::Exception& e) {
            return Status::invalid("HTTPS certificate or key unusable: " + e.displayText());
        }
        HttpServerOptions o = options_.connections;
        o.address = options_.address;
        o.port = options_.httpsPort;
        https_ = std::make_unique<HttpServer>(o, tls_->sslContext(),
                                              new Factory(context_, pages_, true));
        if (Status s = https_->start(); !s) {
            stop();
            return Status::failure("cannot listen for HTTPS: " + s.message());
        }
    }
    if (options_.httpPort != 0) {
        HttpServerOptions o = options_.connections;
        o.address = options_.address;
        o.port = options_.httpPort;
        http_ = std::make_unique<HttpServer>(o, nullptr, new Factory(context_, pages_, false));
        if (Status s = http_->start(); !s) {
            stop();
            return Status::failure("cannot listen for HTTP: " + s.message());
        }
    }
    return Status::ok();
}

void WebDavServer::stopAccepting() {
    for (auto* server : {&https_, &http_}) {
        if (*server) (*server)->stopAccepting();
    }
}

void WebDavServer::stop() {
    for (auto* server : {&https_, &http_}) {
        if (*server) {
            (*server)->stop();
            server->reset();
        }
    }
    tls_ = nullptr;
}

uint16_t WebDavServer::httpsPort() const {
    return https_ ? https_->port() : 0;
}

uint16_t WebDavServer::httpPort() const {
    return http_ ? http_->port() : 0;
}

}  // namespace dad
