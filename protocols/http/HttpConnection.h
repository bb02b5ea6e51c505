// HttpConnection: one client connection of HttpServer, as a state machine
// that two kinds of thread drive in turn. The event loop (HttpReactor) runs
// it while it needs no thread: the TLS handshake, reading a request head,
// waiting idle between kept-alive requests, draining after a refusal. Each
// step reads what is there without waiting and says what it needs next.
// Once a head is whole (checked by HttpRequestParser), a worker
// (HttpWorkers) runs the request's handler as an HttpExchange, with blocking
// body I/O bounded by the read timeout, and hands the connection back.
//
// The connection carries the next request only when the exchange left the
// framing whole: the request body read to its end and the response sent as
// its head said. A refused head is answered with its status (408 at the
// header deadline) and the connection drains, then closes.
//
// Thread-safety: one thread at a time drives it (the loop or one worker);
// cut() from any thread.
#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/SocketAddress.h>
#include <openssl/ssl.h>

#include <cstdint>
#include <memory>
#include <string>

#include "ConnectionThreads.h"
#include "HttpServer.h"
#include "HttpSocketInput.h"
#include "NetSocket.h"

namespace dad {

class HttpRequestParser;

// What every connection of one listener shares.
struct HttpConnectionShared {
    HttpServerOptions options;
    SSL_CTX* tls = nullptr;  // null: clear HTTP
    Poco::Net::HTTPRequestHandlerFactory::Ptr factory;
    Poco::Net::HTTPServerParams::Ptr params;
};

// What a connection needs next.
enum class HttpStep {
    awaitRead,   // the event loop calls advance() when readable, expire() at deadline()
    awaitWrite,  // the same, when writable
    serve,       // a whole head is read: a worker calls serve()
    close,       // finished: destroy it
};

// Milliseconds on a monotonic clock.
int64_t httpNowMs();

class HttpConnection {
public:
    HttpConnection(const AcceptedSocket& socket, HttpConnectionShared& shared);
    ~HttpConnection();

    // Event loop: the socket is ready, or the connection is back from a
    // worker. Reads all there is into `scratch` (the loop's buffer) without
    // waiting.
    HttpStep advance(char* scratch, size_t scratchSize);
    // Event loop: deadline() has passed.
    HttpStep expire();
    // When the current wait ends (httpNowMs()).
    int64_t deadline() const { return deadline_; }

    // Worker: runs the request whose head advance() read. Never awaitWrite
    // or serve; on awaitRead the event loop calls advance() at once.
    HttpStep serve();

    // From any thread: blocked reads and writes fail, so serve() ends soon.
    void cut() { socket_.shutdown(); }
    int fd() const { return socket_.fd(); }

private:
    enum class Phase { handshake, head, idle, draining };

    HttpStep readHead(char* scratch, size_t scratchSize);
    // Parses bytes of the head; serve or close (refused), or awaitRead when
    // it needs more.
    HttpStep parse(const char* data, size_t size, bool buffered);
    HttpStep drain(char* scratch, size_t scratchSize);
    // After a response: the next request's first bytes are here or come at
    // once (into input_).
    bool nextRequestWaiting();
    // True when the connection can carry another request.
    bool exchange(bool last);
    // Answers with `status` and starts draining.
    HttpStep refuse(int status, const std::string& reason);
    // Ends our side, then reads and drops what the client still sends for a
    // moment, so that closing does not reset the connection before the
    // client read our reply.
    HttpStep startDraining();
    HttpStep closeNow();
    void awaitHead(int64_t from, int seconds);
    int timeoutMs() const { return shared_.options.timeoutSeconds * 1000; }

    HttpConnectionShared& shared_;
    NetSocket socket_;
    HttpSocketInput input_;
    std::unique_ptr<HttpRequestParser> parser_;  // while a request is read or served
    Poco::Net::SocketAddress client_;
    Poco::Net::SocketAddress server_;
    Phase phase_;
    int64_t deadline_ = 0;
    bool headStarted_ = false;  // a byte of the current head arrived
    int served_ = 0;
    size_t drained_ = 0;
    bool unreadRequest_ = false;  // the last request's body was not read to its end
};

}  // namespace dad
