#include "HttpHandlerScaffold.h"

#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include "HttpBodyError.h"

namespace dad {

using Poco::Net::HTTPResponse;

void HttpHandlerScaffold::handleRequest(Poco::Net::HTTPServerRequest& request,
                                        Poco::Net::HTTPServerResponse& response) {
    request_ = &request;
    response_ = &response;
    try {
        dispatch();
    } catch (const HttpBodyError& e) {
        // The body was malformed or cut off: whatever the handler had of it
        // was dropped by its stream's owner; the client hears why.
        logException(e);
        try {
            response.setKeepAlive(false);
            if (!response.sent()) {
                bodyRead_ = true;
                const std::string text = std::string(e.what()) + "\n";
                response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(e.status()));
                response.setContentType("text/plain; charset=utf-8");
                response.sendBuffer(text.data(), text.size());
            }
        } catch (const std::exception&) {
        }
    } catch (const std::exception& e) {
        // An open upload or download was kept, abandoned or recorded by its
        // stream's destructor.
        logException(e);
        try {
            // Nothing more on this connection: a reply that started is cut
            // short, and the client must not read the next one into it.
            response.setKeepAlive(false);
            if (!response.sent()) {
                bodyRead_ = true;
                sendInternalError();
            }
        } catch (const std::exception&) {
        }
    }
}

void HttpHandlerScaffold::logException(const std::exception& e) const {
    try {
        const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
        std::string what = poco != nullptr ? poco->displayText() : e.what();
        // One line of bounded length, whatever the text quotes.
        if (what.size() > 200) what.resize(200);
        for (char& c : what) {
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
        }
        Poco::Logger::get(loggerName_)
            .warning("%s: %s failed: %s", request_->clientAddress().host().toString(),
                     request_->getMethod(), what);
    } catch (const std::exception&) {  // logging never turns into a second failure
    }
}

bool HttpHandlerScaffold::requestHasBody() const {
    return request_->getChunkedTransferEncoding() ||
           (request_->hasContentLength() && request_->getContentLength64() > 0);
}

void HttpHandlerScaffold::sendContinueIfExpected() {
    if (!request_->getExpectContinue() || continueSent_) return;
    response_->sendContinue();
    continueSent_ = true;
}

void HttpHandlerScaffold::finishRequestBody() {
    if (bodyRead_) return;
    bodyRead_ = true;
    if (!requestHasBody()) return;
    if (request_->getExpectContinue() && !continueSent_) {
        // The client waits for our word before sending; it will not come.
        response_->setKeepAlive(false);
        return;
    }
    if (!request_->getChunkedTransferEncoding() && request_->getContentLength64() <= kDrainLimit) {
        request_->stream().ignore(kDrainLimit + 1);
        return;
    }
    response_->setKeepAlive(false);
}

}  // namespace dad
