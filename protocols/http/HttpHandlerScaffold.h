// HttpHandlerScaffold: what every request handler on the HTTP(S) listener
// stands on (WebDAV, the package pages, the peer API): the request and its
// response, the "100 Continue" the handler decides to send, what becomes of
// a body the handler did not read, and the one catch around the request.
//
// handleRequest() runs dispatch(). An exception out of it (the client went
// away or timed out, or a bug) never escapes and never crashes: it is logged
// in one line and the connection closes; when no reply had started,
// sendInternalError() answers first, or for an HttpBodyError (a malformed or
// cut-off request body) a 400 that says what was wrong.
//
// A body the handler did not read is dealt with at the reply
// (finishRequestBody()): drained when small and on its way, otherwise the
// connection closes, so the next request on it is never misread.
//
// Thread-safety: one object per request, used by one thread.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace dad {

class HttpHandlerScaffold : public Poco::Net::HTTPRequestHandler {
public:
    // A body at most this long that nobody read is drained rather than the
    // connection closed.
    static constexpr Poco::Int64 kDrainLimit = 64 * 1024;

    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) final;

protected:
    // `loggerName`: the Poco logger told of an exception ("dadgate.webdav").
    explicit HttpHandlerScaffold(const char* loggerName) : loggerName_(loggerName) {}

    // The request itself; request_ and response_ are set.
    virtual void dispatch() = 0;
    // This front's 500 reply. Called only while nothing was sent, after the
    // connection was marked to close.
    virtual void sendInternalError() = 0;

    bool requestHasBody() const;
    // Sends "100 Continue" when the client waits for it, once.
    void sendContinueIfExpected();
    // The handler took the body itself (read it, or gave up on it and closes
    // the connection): finishRequestBody() leaves it alone.
    void markBodyRead() { bodyRead_ = true; }
    // Called before the first byte of a reply: a body nobody read is drained
    // when it is at most kDrainLimit and its client is sending it; otherwise
    // the connection is marked to close.
    void finishRequestBody();

    Poco::Net::HTTPServerRequest* request_ = nullptr;
    Poco::Net::HTTPServerResponse* response_ = nullptr;

private:
    void logException(const std::exception& e) const;

    const char* loggerName_;
    bool bodyRead_ = false;
    bool continueSent_ = false;
};

}  // namespace dad
