// HttpExchange: one request and its response on a connection of HttpServer,
// as the Poco request and response types every handler already takes. The
// request's head comes from HttpRequestParser and its body through
// HttpRequestBody; the response is framed by HttpResponseBody: by its
// Content-Length when the handler set one, otherwise chunked to an HTTP/1.1
// client and delimited by closing the connection to an HTTP/1.0 one.
//
// Nothing is sent on the handler's behalf: "100 Continue" goes out when the
// handler asks (sendContinue()) or when it first reads the body.
//
// Thread-safety: one exchange per request, used by one thread.
#pragma once

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <istream>
#include <ostream>
#include <string>

#include "HttpRequestBody.h"
#include "HttpRequestParser.h"
#include "HttpResponseBody.h"
#include "HttpSocketInput.h"

namespace dad {

class HttpOutgoingResponse : public Poco::Net::HTTPServerResponse {
public:
    // `mayKeepAlive`: the connection can carry another request after this one.
    HttpOutgoingResponse(Poco::Net::StreamSocket& socket, bool headRequest, bool http11,
                         bool mayKeepAlive);

    // REQUIRES: called before the handler runs.
    void attach(const HttpRequestBody& requestBody) { requestBody_ = &requestBody; }

    void sendContinue() override;
    std::ostream& send() override;
    void sendFile(const std::string& path, const std::string& mediaType) override;
    void sendBuffer(const void* buffer, std::size_t length) override;
    void redirect(const std::string& uri, HTTPStatus status = HTTP_FOUND) override;
    void requireAuthentication(const std::string& realm) override;
    bool sent() const override { return sent_; }

    // After the handler: sends what is left and ends the response (a 500
    // when the handler sent nothing). True when the next request on the
    // connection can be read.
    bool finish();

private:
    HttpResponseBody::Framing decideFraming(uint64_t& length);

    HttpResponseBody body_;
    std::ostream stream_;
    const HttpRequestBody* requestBody_ = nullptr;
    bool headRequest_;
    bool http11_;
    bool mayKeepAlive_;
    bool keepAlive_ = false;
    bool sent_ = false;
    bool continueSent_ = false;
};

class HttpIncomingRequest : public Poco::Net::HTTPServerRequest {
public:
    // REQUIRES: `parser` has just read a whole head.
    HttpIncomingRequest(HttpSocketInput& input, HttpRequestParser& parser,
                        HttpOutgoingResponse& response, const Poco::Net::SocketAddress& client,
                        const Poco::Net::SocketAddress& server,
                        const Poco::Net::HTTPServerParams& params, bool secure);

    std::istream& stream() override { return stream_; }
    const Poco::Net::SocketAddress& clientAddress() const override { return client_; }
    const Poco::Net::SocketAddress& serverAddress() const override { return server_; }
    const Poco::Net::HTTPServerParams& serverParams() const override { return params_; }
    Poco::Net::HTTPServerResponse& response() const override { return response_; }
    bool secure() const override { return secure_; }

    const HttpRequestBody& body() const { return body_; }

private:
    HttpOutgoingResponse& response_;
    HttpRequestBody body_;
    std::istream stream_;
    const Poco::Net::SocketAddress& client_;
    const Poco::Net::SocketAddress& server_;
    const Poco::Net::HTTPServerParams& params_;
    bool secure_;
};

}  // namespace dad
