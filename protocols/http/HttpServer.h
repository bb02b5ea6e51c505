// HttpServer: one HTTP(S) listener. Each connection is read by
// HttpRequestParser, so framing is strict and the same for every endpoint
// behind it (WebDAV, the package pages, the peer API); each complete
// request is handed to a handler from the factory.
//
// Connections are held by an event loop (HttpReactor) while they need no
// thread (the TLS handshake, a head being read, idle between requests) and
// served by maxWorkers threads (HttpWorkers) once a head is whole. At most
// maxConnections at once (bounded by the open-file limit too) and
// maxConnectionsPerAddress from one client address (more are refused at the
// accept: a 503 in clear, a close under TLS). Slow and idle clients are
// bounded: the TLS handshake and the whole head within limits.headerSeconds
// (408 after), each read or write within timeoutSeconds, an idle kept-alive
// connection closed after keepAliveSeconds, at most maxKeepAliveRequests
// requests per connection.
//
// Thread-safety: start() and stop() from one thread.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>

#include "HttpLimits.h"
#include "Status.h"

namespace dad {

struct HttpServerOptions {
    std::string address = "0.0.0.0";
    uint16_t port = 0;           // 0: a free one (port() says which)
    int maxConnections = 10000;  // held at once, idle or served
    int maxWorkers = 256;        // requests served at once
    int maxConnectionsPerAddress = 64;
    int timeoutSeconds = 60;  // per read or write
    int keepAliveSeconds = 15;
    int maxKeepAliveRequests = 1000;
    HttpLimits limits;
};

class HttpServer {
public:
    // `tls`: the listener's TLS context (kept alive by the caller while the
    // server runs), or null for clear HTTP.
    HttpServer(HttpServerOptions options, SSL_CTX* tls,
               Poco::Net::HTTPRequestHandlerFactory::Ptr factory);
    ~HttpServer();

    // Closes the listening socket(s); sessions running go on until stop().
    void stopAccepting();
    Status start();
    // Stops accepting, cuts every open connection and waits for them.
    void stop();
    uint16_t port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dad
