// LOCK and UNLOCK (RFC 4918 sections 9.10 and 9.11) over LockManager. A LOCK
// of an unmapped URL creates an empty resource, as RFC 4918 7.3 says.
#include "DavPath.h"
#include "DavRequests.h"
#include "DavXml.h"
#include "MarkupEscape.h"
#include "VirtualPath.h"
#include "WebDavHandler.h"

namespace dad {

namespace {

std::string activeLock(const DavLock& lock) {
    return std::string("<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope>") +
           (lock.exclusive ? "<D:exclusive/>" : "<D:shared/>") + "</D:lockscope><D:depth>" +
           (lock.infinite ? "infinity" : "0") + "</D:depth>" +
           (lock.ownerXml.empty() ? "" : "<D:owner>" + lock.ownerXml + "</D:owner>") +
           "<D:timeout>Second-" + std::to_string(lock.timeoutSeconds) +
           "</D:timeout><D:locktoken><D:href>" + escapeMarkup(lock.token) +
           "</D:href></D:locktoken><D:lockroot><D:href>" +
           escapeMarkup(DavPath::href(lock.root, false)) + "</D:href></D:lockroot></D:activelock>";
}

std::string lockReply(const DavLock& lock) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:prop "
           "xmlns:D=\"DAV:\"><D:lockdiscovery>" +
           activeLock(lock) + "</D:lockdiscovery></D:prop>\n";
}

}  // namespace

void WebDavHandler::lockDiscovery(const std::vector<DavLock>& locks, const std::string& path,
                                  std::string& out) {
    for (const DavLock& lock : locks) {
        if (LockManager::covers(lock, path)) out += activeLock(lock);
    }
}

void WebDavHandler::doLock() {
    std::string body;
    if (!readBodyInto(body)) return;
    LockRequest query;
    if (Status s = DavRequests::parseLock(body, query); !s)
        return sendText(400, s.message() + "\n");
    const int64_t timeout = LockManager::parseTimeout(request_->get("Timeout", ""));
    if (query.refresh) {
        // The lock to refresh is the one named in the If header.
        for (const std::string& token : submittedTokens_) {
            DavLock lock;
            if (context_.locks.find(token, path_, lock) &&
                context_.locks.refresh(token, user_, timeout, lock)) {
                return sendXml(200, lockReply(lock));
            }
        }
        return sendError(412, "lock-token-matches-request-uri");
    }
    const std::string depth = request_->get("Depth", "infinity");
    if (depth != "0" && depth != "infinity" && depth != "Infinity") {
        return sendText(400, "Depth must be 0 or infinity\n");
    }
    if (!checkConditions(path_, false)) return;
    FileInfo info;
    const bool existed = exists(path_, info);
    DavLock lock;
    lock.root = path_;
    lock.user = user_;
    lock.exclusive = query.exclusive;
    lock.infinite = depth != "0" && existed && info.isDirectory();
    lock.ownerXml = query.ownerXml;
    lock.timeoutSeconds = timeout;
    if (Status s = context_.locks.lock(lock); !s) return sendError(423, "no-conflicting-lock");
    if (!existed) {
        std::unique_ptr<WriteStream> empty;
        WriteOptions options;
        options.exclusive = true;
        Status s = session_->openWrite(path_, options, empty);
        if (s) s = empty->close();
        if (!s) {
            (void)context_.locks.unlock(path_, lock.token, user_);
            return sendStatus(s, DavOperation::Create);
        }
    }
    response_->set("Lock-Token", "<" + lock.token + ">");
    sendXml(existed ? 200 : 201, lockReply(lock));
}

void WebDavHandler::doUnlock() {
    std::string token = request_->get("Lock-Token", "");
    if (token.size() < 2 || token.front() != '<' || token.back() != '>') {
        return sendText(400, "Lock-Token header missing or malformed\n");
    }
    token = token.substr(1, token.size() - 2);
    Status s = context_.locks.unlock(path_, token, user_);
    if (s.code() == StatusCode::NotFound) return sendError(409, "lock-token-matches-request-uri");
    if (!s) return sendStatus(s, DavOperation::Change);
    sendEmpty(204);
}

}  // namespace dad
