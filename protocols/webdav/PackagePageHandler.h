// PackagePageHandler: one request to the package pages (see PackagePages.h).
// Replies follow HttpStatusMap (the package pages' column); a returned file
// is answered 303 only after its WriteStream::close() returned Ok. A request
// body it did not read is drained when small, otherwise the connection is
// closed.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <string>

#include "LinkAccess.h"
#include "Status.h"

namespace dad {

class PackagePages;

class PackagePageHandler : public Poco::Net::HTTPRequestHandler {
public:
    static constexpr size_t kMaxFormBody = 4096;  // the password form
    static constexpr size_t kTransferChunk = 256 * 1024;
    static constexpr size_t kFormOverhead = 64 * 1024;  // multipart beyond the file itself

    PackagePageHandler(PackagePages& pages, bool secure) : pages_(pages), secure_(secure) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override;

private:
    void dispatch();
    bool passwordAccepted();
    void doPage(bool head);
    void doPassword();
    void doFile(const std::string& encodedPath, bool head);
    void doZip();
    void doReturn();  // PackagePageReturn.cpp
    bool sameOrigin() const;

    void sendHtml(int status, const std::string& html);
    void sendMessage(int status, const std::string& title, const std::string& text);
    void sendStatus(const Status& status);
    void redirect(const std::string& location);
    void finishRequestBody();
    bool requestHasBody() const;
    std::string base() const { return "/p/" + token_; }

    PackagePages& pages_;
    bool secure_;
    Poco::Net::HTTPServerRequest* request_ = nullptr;
    Poco::Net::HTTPServerResponse* response_ = nullptr;
    ConnectionInfo visitor_;
    std::string token_;
    std::string query_;
    PackageRecord package_;
    bool bodyRead_ = false;
};

}  // namespace dad
