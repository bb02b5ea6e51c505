// WebDavServer: the HTTPS listener (TLS 1.2 or newer, the site certificate)
// and an optional plain-HTTP one, both an HttpServer (strict framing, slow
// clients bounded), carrying WebDAV and, through `pages`, the package web
// pages and the peer API.
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "HttpServer.h"
#include "WebDavContext.h"

namespace dad {

struct WebDavServerOptions {
    std::string address = "0.0.0.0";
    uint16_t httpsPort = 8443;  // 0: off
    uint16_t httpPort = 0;      // 0: off
    std::string certificateFile;
    std::string privateKeyFile;
    HttpServerOptions connections;  // an idle kept-alive client (a mapped drive) holds no thread
    bool basicOverHttp = true;
};

// Returns a handler for requests that are not WebDAV (the package pages), or
// nullptr to let WebDAV answer.
using PageHandlerFactory =
    std::function<Poco::Net::HTTPRequestHandler*(const Poco::Net::HTTPServerRequest&, bool secure)>;

class WebDavServer {
public:
    WebDavServer(WebDavServerOptions options, Authenticator& authenticator,
                 DeadPropertiesFactory deadProperties, PageHandlerFactory pages = nullptr);
    ~WebDavServer();

    // Closes the listening socket(s); sessions running go on until stop().
    void stopAccepting();
    Status start();
    void stop();
    uint16_t httpsPort() const;
    uint16_t httpPort() const;

private:
    WebDavServerOptions options_;
    WebDavContext context_;
    PageHandlerFactory pages_;
    Poco::Net::Context::Ptr tls_;  // the HTTPS listener's, while it runs
    std::unique_ptr<HttpServer> https_;
    std::unique_ptr<HttpServer> http_;
};

}  // namespace dad
