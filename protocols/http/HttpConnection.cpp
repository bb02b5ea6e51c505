#include "HttpConnection.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>

#include "HttpExchange.h"
#include "HttpRequestParser.h"

namespace dad {

namespace {

constexpr int kLingerMilliseconds = 2000;
constexpr size_t kLingerBytes = 1024 * 1024;
// How long a worker waits for the next request of a kept-alive connection
// before it hands the connection back to the event loop: a client that
// answers its response with the next request (curl -K, a sync tool) does so
// within this, and a worker is held no longer.
constexpr int64_t kNextRequestWaitUs = 2000;

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

Poco::Logger& logger() {
    return Poco::Logger::get("dadgate.http");
}

}  // namespace

int64_t httpNowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

HttpConnection::HttpConnection(const AcceptedSocket& socket, HttpConnectionShared& shared)
    : shared_(shared),
      socket_(socket.fd),
      input_(socket_, Poco::Timespan(shared.options.timeoutSeconds, 0)),
      client_(socket.address, socket.port),
      server_(localAddress(socket.fd)),
      phase_(shared.tls != nullptr ? Phase::handshake : Phase::head) {
    const int on = 1;
    ::setsockopt(socket.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    // The handshake counts towards the first head's deadline. Freed record
    // buffers keep an idle connection small.
    if (shared.tls != nullptr) (void)socket_.beginTls(shared.tls, true);
    awaitHead(httpNowMs(), shared.options.limits.headerSeconds);
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::awaitHead(int64_t from, int seconds) {
    deadline_ = from + static_cast<int64_t>(seconds) * 1000;
    headStarted_ = false;
}

HttpStep HttpConnection::advance(char* scratch, size_t scratchSize) {
    switch (phase_) {
        case Phase::handshake: {
            const Status s = socket_.continueTls(0);
            if (s.code() == StatusCode::Busy) {
                return socket_.wantsWrite() ? HttpStep::awaitWrite : HttpStep::awaitRead;
            }
            if (!s) {
                logger().debug("%s: %s", client_.host().toString(), s.message());
                return HttpStep::close;
            }
            phase_ = Phase::head;
            return readHead(scratch, scratchSize);
        }
        case Phase::head:
        case Phase::idle:
            return readHead(scratch, scratchSize);
        case Phase::draining:
            return drain(scratch, scratchSize);
    }
    return HttpStep::close;
}

HttpStep HttpConnection::readHead(char* scratch, size_t scratchSize) {
    if (input_.size() > 0) {  // pipelined after the last request
        const HttpStep step = parse(input_.data(), input_.size(), true);
        if (step != HttpStep::awaitRead) return step;
    }
    input_.release();
    for (;;) {
        size_t got = 0;
        const Status s = socket_.read(scratch, scratchSize, got, 0);
        if (s.code() == StatusCode::Busy) {
            return socket_.wantsWrite() ? HttpStep::awaitWrite : HttpStep::awaitRead;
        }
        if (!s || got == 0) return closeNow();
        if (phase_ == Phase::idle) {  // the next request begins: its head has its own deadline
            phase_ = Phase::head;
            awaitHead(httpNowMs(), shared_.options.limits.headerSeconds);
        }
        const HttpStep step = parse(scratch, got, false);
        if (step != HttpStep::awaitRead) return step;
    }
}

HttpStep HttpConnection::parse(const char* data, size_t size, bool buffered) {
    if (!parser_) parser_ = std::make_unique<HttpRequestParser>(shared_.options.limits);
    headStarted_ = headStarted_ || size > 0;
    size_t used = 0;
    const auto result = parser_->parseHead(data, size, used);
    if (buffered) {
        input_.consume(used);
    } else if (result == HttpRequestParser::Result::ready) {
        input_.append(data + used, size - used);  // the body's first bytes, or a pipelined request
    }
    if (result == HttpRequestParser::Result::ready) return HttpStep::serve;
    if (result == HttpRequestParser::Result::failed) {
        return refuse(parser_->error().status, parser_->error().reason);
    }
    return HttpStep::awaitRead;
}

HttpStep HttpConnection::expire() {
    switch (phase_) {
        case Phase::handshake:
            logger().debug("%s: no TLS handshake within the header deadline",
                           client_.host().toString());
            return HttpStep::close;
        case Phase::head:
            if (!headStarted_ && input_.size() == 0) return closeNow();  // never began a request
            return refuse(408, "the request head was not complete within " +
                                   std::to_string(shared_.options.limits.headerSeconds) +
                                   " seconds");
        case Phase::idle:
            return closeNow();
        case Phase::draining:
            return HttpStep::close;
    }
    return HttpStep::close;
}

HttpStep HttpConnection::serve() {
    for (;;) {
        bool again = false;
        bool unread = false;
        try {
            ++served_;
            again = exchange(served_ >= shared_.options.maxKeepAliveRequests);
            unread = !again && unreadRequest_;
        } catch (const std::exception& e) {  // a failure under us: the connection ends
            logger().debug("connection ended: %s", std::string(e.what()));
            again = false;
        }
        parser_.reset();
        if (unread) return startDraining();
        if (!again) return closeNow();
        if (!nextRequestWaiting()) {
            phase_ = Phase::idle;
            input_.release();
            deadline_ = httpNowMs() + static_cast<int64_t>(shared_.options.keepAliveSeconds) * 1000;
            headStarted_ = false;
            return HttpStep::awaitRead;
        }
        // A client sending its requests back to back keeps this worker: no
        // round trip through the event loop for each.
        phase_ = Phase::head;
        awaitHead(httpNowMs(), shared_.options.limits.headerSeconds);
        const HttpStep step = parse(input_.data(), input_.size(), true);
        if (step != HttpStep::serve) return step;  // the loop reads the rest, or drains
    }
}

bool HttpConnection::nextRequestWaiting() {
    if (input_.size() > 0) return true;  // pipelined
    const Poco::Timestamp until = Poco::Timestamp() + Poco::Timespan(0, kNextRequestWaitUs);
    return input_.fill(until) == HttpSocketInput::Fill::more;
}

bool HttpConnection::exchange(bool last) {
    HttpRequestParser& parser = *parser_;
    HttpOutgoingResponse response(socket_, timeoutMs(), parser.headMethod(), parser.http11(),
                                  parser.keepAlive() && !last);
    HttpIncomingRequest request(input_, parser, response, client_, server_, *shared_.params,
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

HttpStep HttpConnection::refuse(int status, const std::string& reason) {
    const auto code = static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status);
    const std::string body = reason + "\n";
    std::string reply = "HTTP/1.1 " + std::to_string(status) + " " +
                        Poco::Net::HTTPResponse::getReasonForStatus(code) + "\r\n";
    reply += "Date: " +
             Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::HTTP_FORMAT) +
             "\r\nServer: dadgate\r\nContent-Type: text/plain; charset=utf-8\r\n";
    reply += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
    reply += body;
    // On the event loop: no wait. A reply this small fits the empty send
    // buffer; a client that does not read it loses it.
    (void)socket_.writeAll(reply.data(), reply.size(), 0);
    return startDraining();
}

HttpStep HttpConnection::startDraining() {
    // Our side is done (close_notify under TLS, not awaited; then a FIN): the
    // client reads the reply, then the end.
    if (socket_.isTls()) {
        (void)socket_.close(0);
    } else {
        ::shutdown(socket_.fd(), SHUT_WR);
    }
    parser_.reset();
    phase_ = Phase::draining;
    drained_ = 0;
    deadline_ = httpNowMs() + kLingerMilliseconds;
    return HttpStep::awaitRead;
}

HttpStep HttpConnection::drain(char* scratch, size_t scratchSize) {
    // Raw bytes, dropped undecrypted: only the end of the stream matters.
    for (;;) {
        const ssize_t n = ::recv(socket_.fd(), scratch, scratchSize, MSG_DONTWAIT);
        if (n > 0) {
            drained_ += static_cast<size_t>(n);
            if (drained_ >= kLingerBytes) return HttpStep::close;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return HttpStep::awaitRead;
        return HttpStep::close;
    }
}

HttpStep HttpConnection::closeNow() {
    (void)socket_.close(0);  // close_notify under TLS (not awaited), then a FIN
    return HttpStep::close;
}

}  // namespace dad
