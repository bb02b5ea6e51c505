// HttpConnection: one client connection of HttpServer, request after
// request: the head read within the header deadline and checked by
// HttpRequestParser, a refused head answered with its status and the
// connection closed, a good one handed to a handler as an HttpExchange.
// The connection carries the next request only when the exchange left the
// framing whole: the request body read to its end and the response sent as
// its head said.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Timestamp.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>

#include "HttpServer.h"

namespace dad {

class HttpRequestParser;
class HttpSocketInput;
struct HttpFramingError;

// What every connection of one listener shares.
struct HttpConnectionShared {
    HttpServerOptions options;
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory;
    Poco::Net::HTTPServerParams::Ptr params;
    bool secure = false;
    std::atomic<bool> stopping{false};

    // The sockets open now, so that stop() can end them.
    std::mutex mutex;
    std::condition_variable changed;
    std::set<Poco::Net::StreamSocket*> open;
};

class HttpConnection : public Poco::Net::TCPServerConnection {
public:
    HttpConnection(const Poco::Net::StreamSocket& socket, HttpConnectionShared& shared);

    void run() override;

private:
    enum class Head { ready, refused, closed };
    Head readHead(HttpSocketInput& input, HttpRequestParser& parser, bool first);
    // True when the connection can carry another request.
    bool exchange(HttpSocketInput& input, HttpRequestParser& parser, bool last);
    void refuse(int status, const std::string& reason);
    // Reads and drops what the client still sends for a moment, so that
    // closing does not reset the connection before it read our reply.
    void lingeringClose(HttpSocketInput& input);

    HttpConnectionShared& shared_;
    Poco::Timestamp accepted_;
    bool unreadRequest_ = false;  // the last request's body was not read to its end
};

}  // namespace dad
