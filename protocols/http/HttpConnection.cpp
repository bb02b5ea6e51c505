#include "HttpConnection.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

#include "HttpExchange.h"
#include "HttpRequestParser.h"
#include "HttpSocketInput.h"

namespace dad {

namespace {

constexpr int kLingerMilliseconds = 2000;
constexpr size_t kLingerBytes = 1024 * 1024;

Poco::Net::SocketAddress localAddress(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    std::string host = "0.0.0.0";
    uint16_t port = 0;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        describeSocketAddress(address, host, port);
    }
    return Poco::Net::SocketAddress(host, port);
}

}  // namespace

HttpConnection::HttpConnection(const AcceptedSocket& socket, HttpConnectionShared& shared)
    : shared_(shared),
      socket_(socket.fd),
      client_(socket.address, socket.port),
      server_(localAddress(socket.fd)) {
    const int on = 1;
    ::setsockopt(socket.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

void HttpConnection::run() {
    const HttpServerOptions& o = shared_.options;
    if (shared_.tls != nullptr) {
        // The handshake counts towards the first head's deadline.
        const int within = o.limits.headerSeconds * 1000;
        if (Status s = socket_.startTls(shared_.tls, within); !s) {
            Poco::Logger::get("dadgate.http")
                .debug("%s: %s", client_.host().toString(), s.message());
            return;
        }
    }
    try {
        HttpSocketInput input(socket_, Poco::Timespan(o.timeoutSeconds, 0));
        HttpRequestParser parser(o.limits);
        for (int served = 0; served < o.maxKeepAliveRequests; ++served) {
            parser.reset();
            const Head head = readHead(input, parser, served == 0);
            if (head == Head::closed) break;
            if (head == Head::refused) return lingeringClose(input);
            const bool last = served + 1 >= o.maxKeepAliveRequests;
            if (!exchange(input, parser, last)) {
                if (unreadRequest_) return lingeringClose(input);
                break;
            }
        }
    } catch (const std::exception& e) {  // a failure under us: the connection ends
        Poco::Logger::get("dadgate.http").debug("connection ended: %s", std::string(e.what()));
    }
    (void)socket_.close(0);  // close_notify under TLS (not awaited), then a FIN
}

HttpConnection::Head HttpConnection::readHead(HttpSocketInput& input, HttpRequestParser& parser,
                                              bool first) {
    const HttpServerOptions& o = shared_.options;
    if (input.size() == 0 && !first) {  // between requests: the keep-alive wait
        const Poco::Timestamp idleEnd = Poco::Timestamp() + Poco::Timespan(o.keepAliveSeconds, 0);
        if (input.fill(idleEnd) != HttpSocketInput::Fill::more) return Head::closed;
    }
    // The first head counts from the accept (the TLS handshake included).
    const Poco::Timestamp deadline =
        (first ? accepted_ : Poco::Timestamp()) + Poco::Timespan(o.limits.headerSeconds, 0);
    bool started = input.size() > 0;
    for (;;) {
        size_t used = 0;
        const auto result = parser.parseHead(input.data(), input.size(), used);
        input.consume(used);
        if (result == HttpRequestParser::Result::ready) return Head::ready;
        if (result == HttpRequestParser::Result::failed) {
            refuse(parser.error().status, parser.error().reason);
            return Head::refused;
        }
        started = started || used > 0;
        const HttpSocketInput::Fill fill = input.fill(deadline);
        if (fill == HttpSocketInput::Fill::closed) return Head::closed;
        if (fill == HttpSocketInput::Fill::timedOut) {
            if (!started && input.size() == 0) return Head::closed;  // never began a request
            refuse(408, "the request head was not complete within " +
                            std::to_string(o.limits.headerSeconds) + " seconds");
            return Head::refused;
        }
    }
}

bool HttpConnection::exchange(HttpSocketInput& input, HttpRequestParser& parser, bool last) {
    HttpOutgoingResponse response(socket_, timeoutMs(), parser.headMethod(), parser.http11(),
                                  parser.keepAlive() && !last);
    HttpIncomingRequest request(input, parser, response, client_, server_, *shared_.params,
                                shared_.tls != nullptr);
    response.attach(request.body());
    std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(
        shared_.factory->createRequestHandler(request));
    if (handler) {
        handler->handleRequest(request, response);
    } else {
        response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
        response.setContentLength(0);
        response.send();
    }
    unreadRequest_ = !request.body().complete();
    return response.finish() && !unreadRequest_;
}

void HttpConnection::refuse(int status, const std::string& reason) {
    const auto code = static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status);
    const std::string body = reason + "\n";
    std::string reply = "HTTP/1.1 " + std::to_string(status) + " " +
                        Poco::Net::HTTPResponse::getReasonForStatus(code) + "\r\n";
    reply += "Date: " +
             Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::HTTP_FORMAT) +
             "\r\nServer: dadgate\r\nContent-Type: text/plain; charset=utf-8\r\n";
    reply += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    reply += body;
    (void)socket_.writeAll(reply.data(), reply.size(), timeoutMs());
}

void HttpConnection::lingeringClose(HttpSocketInput& input) {
    if (!socket_.isTls()) {
        ::shutdown(socket_.fd(),
                   SHUT_WR);  // our side is done: the client reads the reply, then the end
        const Poco::Timestamp end =
            Poco::Timestamp() + Poco::Timespan(0, kLingerMilliseconds * 1000);
        for (size_t dropped = 0; dropped < kLingerBytes;) {
            input.consume(input.size());
            if (input.fill(end) != HttpSocketInput::Fill::more) break;
            dropped += input.size();
        }
        return;
    }
    // Under TLS, close() sends close_notify and reads (and drops) what comes
    // until the client's, within the time given.
    (void)socket_.close(kLingerMilliseconds);
}

}  // namespace dad
