// HttpServer: one HTTP(S) listener. Each connection is read by
// HttpRequestParser, so framing is strict and the same for every endpoint
// behind it (WebDAV, the package pages, the peer API); each complete
// request is handed to a handler from the factory, as Poco's HTTPServer did.
//
// Slow and idle clients are bounded: the whole head within
// limits.headerSeconds (408 after), each read or write within
// timeoutSeconds, an idle kept-alive connection closed after
// keepAliveSeconds, at most maxKeepAliveRequests requests per connection.
// Connections are served by a fixed pool of maxThreads with a queue of
// maxQueued; more are refused at accept.
//
// Thread-safety: start() and stop() from one thread; connections run on the
// pool's threads.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/ServerSocket.h>

#include <cstdint>
#include <memory>

#include "HttpLimits.h"

namespace dad {

struct HttpServerOptions {
    int maxThreads = 256;
    int maxQueued = 256;
    int timeoutSeconds = 60;  // per read or write
    int keepAliveSeconds = 15;
    int maxKeepAliveRequests = 1000;
    HttpLimits limits;
};

class HttpServer {
public:
    HttpServer(const Poco::Net::ServerSocket& socket,
               Poco::Net::HTTPRequestHandlerFactory::Ptr factory, bool secure,
               const HttpServerOptions& options);
    ~HttpServer();

    void start();
    // Stops accepting, ends every open connection and waits for them.
    void stop();
    uint16_t port() const;

private:
    struct Shared;
    std::unique_ptr<Shared> shared_;
    struct Listener;
    std::unique_ptr<Listener> listener_;
};

}  // namespace dad
