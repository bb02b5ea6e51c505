#include "HttpConnection.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>

#include <memory>

#include <sys/socket.h>

#include "HttpExchange.h"
#include "HttpRequestParser.h"
#include "HttpSocketInput.h"

namespace dad {

namespace {

// Keeps the socket in the listener's open set while the connection runs.
class OpenSocket {
public:
    OpenSocket(HttpConnectionShared& shared, Poco::Net::StreamSocket& socket)
        : shared_(shared), socket_(socket) {
        std::lock_guard<std::mutex> lock(shared_.mutex);
        shared_.open.insert(&socket_);
        // Accepted while the listener stopped: it ends at once, as the others did.
        if (shared_.stopping) ::shutdown(socket_.impl()->sockfd(), SHUT_RDWR);
    }
    ~OpenSocket() {
        std::lock_guard<std::mutex> lock(shared_.mutex);
        shared_.open.erase(&socket_);
        shared_.changed.notify_all();
    }

private:
    HttpConnectionShared& shared_;
    Poco::Net::StreamSocket& socket_;
};

constexpr int kLingerMilliseconds = 2000;
constexpr size_t kLingerBytes = 1024 * 1024;

}  // namespace

HttpConnection::HttpConnection(const Poco::Net::StreamSocket& socket, HttpConnectionShared& shared)
    : Poco::Net::TCPServerConnection(socket), shared_(shared) {}

void HttpConnection::run() {
    OpenSocket registered(shared_, socket());
    const HttpServerOptions& o = shared_.options;
    try {
        socket().setNoDelay(true);
        socket().setSendTimeout(Poco::Timespan(o.timeoutSeconds, 0));
        HttpSocketInput input(socket(), Poco::Timespan(o.timeoutSeconds, 0));
        HttpRequestParser parser(o.limits);
        for (int served = 0; served < o.maxKeepAliveRequests && !shared_.stopping; ++served) {
            parser.reset();
            const Head head = readHead(input, parser, served == 0);
            if (head == Head::closed) return;
            if (head == Head::refused) return lingeringClose(input);
            const bool last = served + 1 >= o.maxKeepAliveRequests;
            if (!exchange(input, parser, last)) {
                if (unreadRequest_) lingeringClose(input);
                return;
            }
        }
    } catch (const std::exception& e) {  // a socket that failed under us: the connection ends
        Poco::Logger::get("dadgate.http").debug("connection ended: %s", std::string(e.what()));
    }
}

HttpConnection::Head HttpConnection::readHead(HttpSocketInput& input, HttpRequestParser& parser,
                                              bool first) {
    const HttpServerOptions& o = shared_.options;
    if (input.size() == 0 && !first) {  // between requests: the keep-alive wait
        const Poco::Timestamp idleEnd = Poco::Timestamp() + Poco::Timespan(o.keepAliveSeconds, 0);
        if (input.fill(idleEnd) != HttpSocketInput::Fill::more) return Head::closed;
    }
    // The first head counts from the accept (a TLS handshake included).
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
    Poco::Net::HTTPRequest head;
    parser.fillRequest(head);
    const bool mayKeepAlive = parser.keepAlive() && !last && !shared_.stopping;
    HttpOutgoingResponse response(socket(), head.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD,
                                  head.getVersion() == Poco::Net::HTTPMessage::HTTP_1_1,
                                  mayKeepAlive);
    const Poco::Net::SocketAddress client = socket().peerAddress();
    const Poco::Net::SocketAddress server = socket().address();
    HttpIncomingRequest request(input, parser, response, client, server, *shared_.params,
                                shared_.secure);
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
    HttpResponseBody out(socket());
    out.sendNow(reply);
}

void HttpConnection::lingeringClose(HttpSocketInput& input) {
    try {  // our side is done: the client reads the reply, then the end
        if (shared_.secure) {
            socket().shutdown();  // TLS has no half close: close_notify, and reads go on
        } else {
            socket().shutdownSend();
        }
    } catch (const Poco::Exception&) {
        return;
    }
    const Poco::Timestamp end = Poco::Timestamp() + Poco::Timespan(0, kLingerMilliseconds * 1000);
    for (size_t dropped = 0; dropped < kLingerBytes;) {
        input.consume(input.size());
        if (input.fill(end) != HttpSocketInput::Fill::more) break;
        dropped += input.size();
    }
}

}  // namespace dad
