// WebDavServer: the HTTPS listener (TLS 1.2 or newer, the site certificate)
// and an optional plain-HTTP one, both on Poco's HTTPServer, carrying WebDAV
// and, through `pages`, the package web pages under /p/. Slow clients are
// bounded: a receive/send timeout per read or write, a keep-alive timeout,
// and a fixed pool of worker threads with a bounded queue.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "WebDavContext.h"

namespace dad {

struct WebDavServerOptions {
    std::string address = "0.0.0.0";
    uint16_t httpsPort = 8443;  // 0: off
    uint16_t httpPort = 0;      // 0: off
    std::string certificateFile;
    std::string privateKeyFile;
    int maxThreads = 256;  // a kept-alive client (a mapped drive) holds one
    int maxQueued = 256;
    int timeoutSeconds = 60;  // per read or write on a connection
    int keepAliveSeconds = 15;
    int maxKeepAliveRequests = 1000;
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

    Status start();
    void stop();
    uint16_t httpsPort() const;
    uint16_t httpPort() const;

private:
    WebDavServerOptions options_;
    WebDavContext context_;
    PageHandlerFactory pages_;
    std::unique_ptr<Poco::Net::HTTPServer> https_;
    std::unique_ptr<Poco::Net::HTTPServer> http_;
};

}  // namespace dad
