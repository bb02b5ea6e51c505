#include "HttpServer.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerParams.h>

#include <sys/socket.h>
#include <unistd.h>

#include "ConnectionThreads.h"
#include "HttpConnection.h"

namespace dad {

struct HttpServer::Impl {
    Impl(HttpServerOptions o, SSL_CTX* tls, Poco::Net::HTTPRequestHandlerFactory::Ptr factory)
        : threads(tls != nullptr ? "https" : "http", {o.maxConnections, o.maxConnectionsPerAddress},
                  Poco::Logger::get("dadgate.http")) {
        shared.options = std::move(o);
        shared.tls = tls;
        shared.factory = std::move(factory);
        shared.params = new Poco::Net::HTTPServerParams;
        shared.params->setSoftwareVersion("dadgate");
    }

    HttpConnectionShared shared;
    ConnectionThreads threads;
    uint16_t port = 0;
    bool started = false;
};

HttpServer::HttpServer(HttpServerOptions options, SSL_CTX* tls,
                       Poco::Net::HTTPRequestHandlerFactory::Ptr factory)
    : impl_(std::make_unique<Impl>(std::move(options), tls, std::move(factory))) {}

HttpServer::~HttpServer() {
    stop();
}

Status HttpServer::start() {
    Impl& m = *impl_;
    const HttpServerOptions& o = m.shared.options;
    if (o.maxConnections <= 0 || o.maxConnectionsPerAddress <= 0 || o.timeoutSeconds <= 0 ||
        o.keepAliveSeconds <= 0 || o.maxKeepAliveRequests <= 0 || o.limits.headerSeconds <= 0) {
        return Status::invalid("HTTP listener limits must be positive");
    }
    int fd = -1;
    if (Status s = listenTcp(o.address, o.port, fd, m.port); !s) return s;
    const bool clear = m.shared.tls == nullptr;
    Status s = m.threads.start(
        {fd},
        [&m](const AcceptedSocket& socket, std::string&) -> std::unique_ptr<Connection> {
            return std::make_unique<HttpConnection>(socket, m.shared);
        },
        [clear](const AcceptedSocket& socket, const std::string& reason) {
            if (!clear) return;  // a TLS client cannot read a reply before its handshake
            // A best-effort 503 in clear, never blocking the accept thread.
            const std::string body = reason + "\n";
            const std::string reply =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; "
                "charset=utf-8\r\nContent-Length: " +
                std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
            [[maybe_unused]] ssize_t n =
                ::send(socket.fd, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        });
    if (!s) return s;
    m.started = true;
    return Status::ok();
}

void HttpServer::stopAccepting() {
    if (impl_->started) impl_->threads.stopAccepting();
}

void HttpServer::stop() {
    if (!impl_->started) return;
    impl_->threads.stop();
    impl_->started = false;
}

uint16_t HttpServer::port() const {
    return impl_->started ? impl_->port : 0;
}

}  // namespace dad
