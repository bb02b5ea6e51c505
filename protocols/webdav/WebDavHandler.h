// WebDavHandler: one WebDAV request (RFC 4918 class 1 and 2) translated into
// Session calls. It owns no state across requests except through the shared
// WebDavContext (locks, credentials). Replies follow HttpStatusMap; an
// upload is answered 201/204 only after WriteStream::close() returned Ok.
// Exceptions, "100 Continue" and unread bodies: HttpHandlerScaffold.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "HttpHandlerScaffold.h"
#include "HttpStatusMap.h"
#include "IfHeader.h"
#include "Session.h"
#include "WebDavContext.h"

namespace dad {

class WebDavHandler : public HttpHandlerScaffold {
public:
    WebDavHandler(WebDavContext& context, bool secure)
        : HttpHandlerScaffold("dadgate.webdav"), context_(context), secure_(secure) {}

    static constexpr size_t kMaxXmlBody = 1 << 20;
    static constexpr size_t kTransferChunk = 256 * 1024;

private:
    void dispatch() override;
    void sendInternalError() override { sendEmpty(500); }
    bool authenticate();

    // --- replies (WebDavHandler.cpp)
    void sendEmpty(int status);
    void sendText(int status, const std::string& text);
    void sendXml(int status, const std::string& xml);
    void sendStatus(const Status& status, DavOperation operation);
    void sendError(int status, const char* davCondition);

    // A member of a collection that DELETE, COPY or MOVE could not handle.
    struct MemberFailure {
        std::string path;
        bool isDirectory = false;
        Status status;
    };
    // 207 Multi-Status with one response per failed member (RFC 4918 9.6.1,
    // 9.8.8, 9.9.4); what succeeded stays done.
    void sendMemberFailures(const std::vector<MemberFailure>& failed, DavOperation operation);
    // Reads a body of at most kMaxXmlBody; sends 413 and returns false past it.
    bool readBodyInto(std::string& body);

    // --- conditions and locks (WebDavHandler.cpp)
    // Evaluates If, If-Match and If-None-Match for `path`; on failure sends
    // the reply (412 or 423) and returns false.
    bool checkConditions(const std::string& path, bool isRead);
    // Whether `path` may change given the submitted lock tokens; sends 423.
    bool checkLock(const std::string& path, bool subtree);
    // The strong entity tag of a file: its SHA-256 (base64url, quoted).
    std::string etagOf(const std::string& path);
    static std::string etagOfHash(const std::string& sha256Hex);
    bool exists(const std::string& path, FileInfo& info);

    // --- methods
    void doOptions();
    void doMkcol();
    void doDelete();
    // Removes `path` and what is under it, going on past members that fail:
    // each is added to `failed` (not the folders above it, which then cannot
    // go either: RFC 4918 9.6.1). Returns how `path` itself fared.
    Status removeTree(const std::string& path, std::vector<MemberFailure>& failed);
    void doGet(bool head);       // WebDavTransfers.cpp
    void doPut();                // WebDavTransfers.cpp
    void doPropfind();           // WebDavProps.cpp
    void doProppatch();          // WebDavProps.cpp
    void doCopyMove(bool move);  // WebDavCopyMove.cpp
    // Copies as removeTree removes: members that fail go to `failed` (by
    // their source path) and the copy goes on.
    Status copyTree(const std::string& from, const std::string& to, bool infinite,
                    std::vector<MemberFailure>& failed);
    void doLock();    // WebDavLocks.cpp
    void doUnlock();  // WebDavLocks.cpp
    // Appends the activelock elements of those of `locks` that cover `path`.
    static void lockDiscovery(const std::vector<DavLock>& locks, const std::string& path,
                              std::string& out);

    DeadProperties* properties();

    WebDavContext& context_;
    bool secure_;
    std::unique_ptr<Session> session_;
    std::unique_ptr<DeadProperties> properties_;
    std::string user_;
    std::string path_;
    std::vector<IfList> ifLists_;
    std::set<std::string> submittedTokens_;
};

}  // namespace dad
