#include "HttpServer.h"

#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/ThreadPool.h>

#include <sys/socket.h>

#include "HttpConnection.h"

namespace dad {

namespace {

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
public:
    explicit ConnectionFactory(HttpConnectionShared& shared) : shared_(shared) {}

    Poco::Net::TCPServerConnection* createConnection(
        const Poco::Net::StreamSocket& socket) override {
        return new HttpConnection(socket, shared_);
    }

private:
    HttpConnectionShared& shared_;
};

}  // namespace

struct HttpServer::Shared : HttpConnectionShared {};

struct HttpServer::Listener {
    Listener(HttpConnectionShared& shared, const Poco::Net::ServerSocket& socket)
        : pool(2, shared.options.maxThreads) {
        Poco::Net::TCPServerParams::Ptr params = new Poco::Net::TCPServerParams;
        params->setMaxThreads(shared.options.maxThreads);
        params->setMaxQueued(shared.options.maxQueued);
        server = std::make_unique<Poco::Net::TCPServer>(new ConnectionFactory(shared), pool, socket,
                                                        params);
    }

    Poco::ThreadPool pool;  // outlives the server that hands it connections
    std::unique_ptr<Poco::Net::TCPServer> server;
};

HttpServer::HttpServer(const Poco::Net::ServerSocket& socket,
                       Poco::Net::HTTPRequestHandlerFactory::Ptr factory, bool secure,
                       const HttpServerOptions& options)
    : shared_(std::make_unique<Shared>()) {
    shared_->options = options;
    shared_->factory = std::move(factory);
    shared_->params = new Poco::Net::HTTPServerParams;
    shared_->params->setSoftwareVersion("dadgate");
    shared_->secure = secure;
    listener_ = std::make_unique<Listener>(*shared_, socket);
}

HttpServer::~HttpServer() {
    stop();
}

void HttpServer::start() {
    listener_->server->start();
}

void HttpServer::stop() {
    if (!listener_) return;
    shared_->stopping = true;
    listener_->server->stop();
    {
        // A connection blocked in a read or write wakes up with an error.
        // Only the descriptor is touched: its TLS state belongs to its thread.
        std::unique_lock<std::mutex> lock(shared_->mutex);
        for (Poco::Net::StreamSocket* socket : shared_->open) {
            ::shutdown(socket->impl()->sockfd(), SHUT_RDWR);
        }
        shared_->changed.wait(lock, [this] { return shared_->open.empty(); });
    }
    listener_->pool.joinAll();
    listener_.reset();
}

uint16_t HttpServer::port() const {
    return listener_ ? listener_->server->port() : 0;
}

}  // namespace dad
