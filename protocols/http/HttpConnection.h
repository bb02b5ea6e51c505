// HttpConnection: one client connection of HttpServer, request after
// request: the TLS handshake and each head read within the header deadline
// and checked by HttpRequestParser, a refused head answered with its status
// and the connection closed, a good one handed to a handler as an
// HttpExchange. The connection carries the next request only when the
// exchange left the framing whole: the request body read to its end and the
// response sent as its head said.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Timestamp.h>
#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "ConnectionThreads.h"
#include "HttpServer.h"
#include "NetSocket.h"

namespace dad {

class HttpRequestParser;
class HttpSocketInput;

// What every connection of one listener shares.
struct HttpConnectionShared {
    HttpServerOptions options;
    SSL_CTX* tls = nullptr;  // null: clear HTTP
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory;
    Poco::Net::HTTPServerParams::Ptr params;
};

class HttpConnection : public Connection {
public:
    HttpConnection(const AcceptedSocket& socket, HttpConnectionShared& shared);

    void run() override;
    void cut() override { socket_.shutdown(); }

private:
    enum class Head { ready, refused, closed };
    Head readHead(HttpSocketInput& input, HttpRequestParser& parser, bool first);
    // True when the connection can carry another request.
    bool exchange(HttpSocketInput& input, HttpRequestParser& parser, bool last);
    void refuse(int status, const std::string& reason);
    // Ends our side, then reads and drops what the client still sends for a
    // moment, so that closing does not reset the connection before the
    // client read our reply.
    void lingeringClose(HttpSocketInput& input);
    int timeoutMs() const { return shared_.options.timeoutSeconds * 1000; }

    HttpConnectionShared& shared_;
    NetSocket socket_;
    Poco::Net::SocketAddress client_;
    Poco::Net::SocketAddress server_;
    Poco::Timestamp accepted_;
    bool unreadRequest_ = false;  // the last request's body was not read to its end
};

}  // namespace dad
