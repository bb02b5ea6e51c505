#include "HttpExchange.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timestamp.h>

#include <sstream>

namespace dad {

using Poco::Net::HTTPResponse;

HttpOutgoingResponse::HttpOutgoingResponse(Poco::Net::StreamSocket& socket, bool headRequest,
                                           bool http11, bool mayKeepAlive)
    : body_(socket),
      stream_(&body_),
      headRequest_(headRequest),
      http11_(http11),
      mayKeepAlive_(mayKeepAlive) {
    setVersion(HTTP_1_1);  // what the server speaks, whatever the client's version
}

void HttpOutgoingResponse::sendContinue() {
    if (sent_ || continueSent_) return;
    continueSent_ = true;
    body_.sendNow("HTTP/1.1 100 Continue\r\n\r\n");
}

HttpResponseBody::Framing HttpOutgoingResponse::decideFraming(uint64_t& length) {
    using Framing = HttpResponseBody::Framing;
    const int status = static_cast<int>(getStatus());
    if (status < 200 || status == 204) {  // these never carry a length (RFC 9110, 8.6)
        erase(CONTENT_LENGTH);
        setChunkedTransferEncoding(false);
    }
    if (headRequest_ || status < 200 || status == 204 || status == 304) return Framing::none;
    if (getChunkedTransferEncoding() || !hasContentLength()) {
        erase(CONTENT_LENGTH);
        if (http11_) {
            setChunkedTransferEncoding(true);
            return Framing::chunked;
        }
        setChunkedTransferEncoding(false);
        return Framing::untilClose;
    }
    length = static_cast<uint64_t>(getContentLength64());
    return Framing::length;
}

std::ostream& HttpOutgoingResponse::send() {
    if (sent_) return stream_;
    sent_ = true;
    uint64_t length = 0;
    const HttpResponseBody::Framing framing = decideFraming(length);
    // A request body not read to its end leaves the next request's start
    // unknown: the connection closes after this reply.
    const bool requestRead = requestBody_ == nullptr || requestBody_->complete();
    keepAlive_ = mayKeepAlive_ && getKeepAlive() && requestRead &&
                 framing != HttpResponseBody::Framing::untilClose;
    setKeepAlive(keepAlive_);
    if (!http11_ && keepAlive_) set(CONNECTION, CONNECTION_KEEP_ALIVE);
    if (!has("Date")) setDate(Poco::Timestamp());
    set("Server", "dadgate");
    std::ostringstream head;
    write(head);
    body_.begin(head.str(), framing, length);
    return stream_;
}

void HttpOutgoingResponse::sendBuffer(const void* buffer, std::size_t length) {
    setChunkedTransferEncoding(false);
    setContentLength64(static_cast<Poco::Int64>(length));
    send().write(static_cast<const char*>(buffer), static_cast<std::streamsize>(length));
    stream_.flush();
}

void HttpOutgoingResponse::sendFile(const std::string& path, const std::string& mediaType) {
    Poco::File file(path);
    Poco::FileInputStream in(path);
    setContentType(mediaType);
    setChunkedTransferEncoding(false);
    setContentLength64(static_cast<Poco::Int64>(file.getSize()));
    set("Last-Modified",
        Poco::DateTimeFormatter::format(file.getLastModified(), Poco::DateTimeFormat::HTTP_FORMAT));
    std::ostream& out = send();
    if (!headRequest_) Poco::StreamCopier::copyStream(in, out);
    stream_.flush();
}

void HttpOutgoingResponse::redirect(const std::string& uri, HTTPStatus status) {
    setStatusAndReason(status);
    set("Location", uri);
    setChunkedTransferEncoding(false);
    setContentLength(0);
    send();
    stream_.flush();
}

void HttpOutgoingResponse::requireAuthentication(const std::string& realm) {
    setStatusAndReason(HTTP_UNAUTHORIZED);
    set("WWW-Authenticate", "Basic realm=\"" + realm + "\"");
    setChunkedTransferEncoding(false);
    setContentLength(0);
    send();
    stream_.flush();
}

bool HttpOutgoingResponse::finish() {
    if (!sent_) {  // a handler that answered nothing: a bug, said as one
        setStatusAndReason(HTTP_INTERNAL_SERVER_ERROR);
        setKeepAlive(false);
        setChunkedTransferEncoding(false);
        setContentLength(0);
        send();
    }
    const bool whole = body_.finish();
    return whole && keepAlive_;
}

HttpIncomingRequest::HttpIncomingRequest(HttpSocketInput& input, HttpRequestParser& parser,
                                         HttpOutgoingResponse& response,
                                         const Poco::Net::SocketAddress& client,
                                         const Poco::Net::SocketAddress& server,
                                         const Poco::Net::HTTPServerParams& params, bool secure)
    : response_(response),
      body_(input, parser,
            [this] {
                if (getExpectContinue()) response_.sendContinue();
            }),
      stream_(&body_),
      client_(client),
      server_(server),
      params_(params),
      secure_(secure) {
    parser.fillRequest(*this);
    stream_.exceptions(std::ios::badbit);  // an HttpBodyError reaches the reader
}

}  // namespace dad
