// PackagePageHandler: one request to the package pages (see PackagePages.h).
// Replies follow HttpStatusMap (the package pages' column); a returned file
// is answered 303 only after its WriteStream::close() returned Ok.
// Exceptions, "100 Continue" and unread bodies: HttpHandlerScaffold.
#pragma once

#include <string>

#include "HttpHandlerScaffold.h"
#include "LinkAccess.h"
#include "Status.h"

namespace dad {

class PackagePages;

class PackagePageHandler : public HttpHandlerScaffold {
public:
    static constexpr size_t kMaxFormBody = 4096;  // the password form
    static constexpr size_t kTransferChunk = 256 * 1024;
    static constexpr size_t kFormOverhead = 64 * 1024;  // multipart beyond the file itself

    PackagePageHandler(PackagePages& pages, bool secure)
        : HttpHandlerScaffold("dadgate.pages"), pages_(pages), secure_(secure) {}

private:
    void dispatch() override;
    void sendInternalError() override;
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
    std::string base() const { return "/p/" + token_; }

    PackagePages& pages_;
    bool secure_;
    ConnectionInfo visitor_;
    std::string token_;
    std::string query_;
    PackageRecord package_;
};

}  // namespace dad
