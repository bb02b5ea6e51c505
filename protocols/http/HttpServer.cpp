#include "HttpServer.h"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPServerParams.h>

#include <sys/resource.h>

#include <algorithm>

#include "ConnectionThreads.h"
#include "HttpConnection.h"
#include "HttpReactor.h"

namespace dad {

namespace {

// Descriptors kept for everything else (the other fronts, the catalog,
// stored files, FTP data connections).
constexpr rlim_t kReservedDescriptors = 256;

// maxConnections, lowered when the open-file limit could not hold them.
int boundByOpenFiles(int maxConnections, Poco::Logger& logger, const std::string& name) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
        return maxConnections;
    }
    const rlim_t room = limit.rlim_cur > 2 * kReservedDescriptors
                            ? limit.rlim_cur - kReservedDescriptors
                            : limit.rlim_cur / 2;
    if (static_cast<rlim_t>(maxConnections) <= room) return maxConnections;
    logger.warning("%s: at most %d connections at once (the open-file limit is %d)", name,
                   static_cast<int>(room), static_cast<int>(limit.rlim_cur));
    return static_cast<int>(room);
}

}  // namespace

struct HttpServer::Impl {
    Impl(HttpServerOptions o, SSL_CTX* tls, Poco::Net::HTTPRequestHandlerFactory::Ptr factory)
        : name(tls != nullptr ? "https" : "http"), logger(Poco::Logger::get("dadgate.http")) {
        shared.options = std::move(o);
        shared.tls = tls;
        shared.factory = std::move(factory);
        shared.params = new Poco::Net::HTTPServerParams;
        shared.params->setSoftwareVersion("dadgate");
    }

    const std::string name;
    Poco::Logger& logger;
    HttpConnectionShared shared;
    std::unique_ptr<HttpReactor> reactor;
    uint16_t port = 0;
};

HttpServer::HttpServer(HttpServerOptions options, SSL_CTX* tls,
                       Poco::Net::HTTPRequestHandlerFactory::Ptr factory)
    : impl_(std::make_unique<Impl>(std::move(options), tls, std::move(factory))) {}

HttpServer::~HttpServer() {
    stop();
}

Status HttpServer::start() {
    Impl& m = *impl_;
    HttpServerOptions& o = m.shared.options;
    if (o.maxConnections <= 0 || o.maxWorkers <= 0 || o.maxConnectionsPerAddress <= 0 ||
        o.timeoutSeconds <= 0 || o.keepAliveSeconds <= 0 || o.maxKeepAliveRequests <= 0 ||
        o.limits.headerSeconds <= 0) {
        return Status::invalid("HTTP listener limits must be positive");
    }
    o.maxConnections = boundByOpenFiles(o.maxConnections, m.logger, m.name);
    int fd = -1;
    if (Status s = listenTcp(o.address, o.port, fd, m.port); !s) return s;
    m.reactor = std::make_unique<HttpReactor>(m.name, m.shared, m.logger);
    if (Status s = m.reactor->start(fd); !s) {
        m.reactor.reset();
        return s;
    }
    return Status::ok();
}

void HttpServer::stopAccepting() {
    if (impl_->reactor) impl_->reactor->stopAccepting();
}

void HttpServer::stop() {
    if (!impl_->reactor) return;
    impl_->reactor->stop();
    impl_->reactor.reset();
}

uint16_t HttpServer::port() const {
    return impl_->reactor ? impl_->port : 0;
}

}  // namespace dad
