#include "WebDavHandler.h"

#include <Poco/Net/NetException.h>

#include "BasicCredentials.h"
#include "DavPath.h"
#include "DavXml.h"
#include "MarkupEscape.h"
#include "Secrets.h"
#include "Sha256.h"
#include "VirtualPath.h"

namespace dad {

using Poco::Net::HTTPResponse;

namespace {

std::string trimEtag(std::string tag) {
    while (!tag.empty() && tag.front() == ' ')
        tag.erase(tag.begin());
    while (!tag.empty() && tag.back() == ' ')
        tag.pop_back();
    if (tag.compare(0, 2, "W/") == 0) tag = tag.substr(2);
    return tag;
}

// Whether `etag` is in a comma-separated If-Match / If-None-Match list.
bool listHas(const std::string& header, const std::string& etag) {
    size_t start = 0;
    while (start <= header.size()) {
        size_t end = header.find(',', start);
        if (end == std::string::npos) end = header.size();
        if (!etag.empty() && trimEtag(header.substr(start, end - start)) == etag) return true;
        start = end + 1;
    }
    return false;
}

bool isStar(const std::string& header) {
    return header.find_first_not_of(" ") != std::string::npos &&
           header.substr(header.find_first_not_of(" "), 1) == "*";
}

}  // namespace

bool WebDavHandler::authenticate() {
    ConnectionInfo connection{"webdav", request_->clientAddress().host().toString(),
                              request_->clientAddress().port()};
    // HTTP has no connection-level hook of its own: the connect hook is asked per request.
    if (Status s = context_.authenticator.checkConnection(connection); !s) {
        sendStatus(s, DavOperation::Read);
        return false;
    }
    std::string user, password;
    if ((secure_ || context_.basicOverHttp) && readBasicCredentials(*request_, user, password)) {
        connection.perRequest = true;
        const Status checked = context_.authenticator.checkPassword(user, password, connection);
        if (checked.code() == StatusCode::Busy) {
            // Too many failed logins from this address: the shared rule's answer.
            sendText(429, checked.message() + "\n");
            return false;
        }
        if (checked) {
            if (Status s = context_.authenticator.openSession(user, connection, session_); !s) {
                sendStatus(s, DavOperation::Read);
                return false;
            }
            user_ = user;
            return true;
        }
    }
    response_->set("WWW-Authenticate", "Basic realm=\"dadgate\", charset=\"UTF-8\"");
    sendText(401, "authentication required\n");
    return false;
}

void WebDavHandler::dispatch() {
    response_->set("DAV", "1, 2");
    response_->set("MS-Author-Via", "DAV");
    const std::string& method = request_->getMethod();
    if (method == "OPTIONS") return doOptions();
    if (!authenticate()) return;
    if (Status s = DavPath::decode(request_->getURI(), path_); !s) {
        return sendText(400, s.message() + "\n");
    }
    if (request_->has("If")) {
        if (Status s = IfHeader::parse(request_->get("If"), ifLists_); !s) {
            return sendText(400, s.message() + "\n");
        }
        submittedTokens_ = IfHeader::tokens(ifLists_);
    }
    if (method == "GET") return doGet(false);
    if (method == "HEAD") return doGet(true);
    if (method == "PUT") return doPut();
    if (method == "PROPFIND") return doPropfind();
    if (method == "PROPPATCH") return doProppatch();
    if (method == "MKCOL") return doMkcol();
    if (method == "DELETE") return doDelete();
    if (method == "COPY") return doCopyMove(false);
    if (method == "MOVE") return doCopyMove(true);
    if (method == "LOCK") return doLock();
    if (method == "UNLOCK") return doUnlock();
    sendText(501, "method not implemented\n");
}

// ---- replies

void WebDavHandler::sendEmpty(int status) {
    finishRequestBody();
    response_->setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
    response_->setContentLength(0);
    response_->send();
}

void WebDavHandler::sendText(int status, const std::string& text) {
    finishRequestBody();
    response_->setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
    response_->setContentType("text/plain; charset=utf-8");
    response_->set("X-Content-Type-Options", "nosniff");
    response_->setContentLength(static_cast<std::streamsize>(text.size()));
    response_->sendBuffer(text.data(), text.size());
}

void WebDavHandler::sendXml(int status, const std::string& xml) {
    finishRequestBody();
    response_->setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
    response_->setContentType("application/xml; charset=utf-8");
    response_->setContentLength(static_cast<std::streamsize>(xml.size()));
    response_->sendBuffer(xml.data(), xml.size());
}

void WebDavHandler::sendStatus(const Status& status, DavOperation operation) {
    const int code = webDavHttpStatus(status.code(), operation);
    if (code == 200) return sendEmpty(200);
    sendText(code, status.message().empty() ? "error\n" : status.message() + "\n");
}

void WebDavHandler::sendMemberFailures(const std::vector<MemberFailure>& failed,
                                       DavOperation operation) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">\n";
    for (const MemberFailure& f : failed) {
        const int code = webDavHttpStatus(f.status.code(), operation);
        xml += "<D:response><D:href>" + escapeMarkup(DavPath::href(f.path, f.isDirectory)) +
               "</D:href><D:status>HTTP/1.1 " + std::to_string(code) + " " +
               HTTPResponse::getReasonForStatus(static_cast<HTTPResponse::HTTPStatus>(code)) +
               "</D:status><D:responsedescription>" + escapeMarkup(f.status.message()) +
               "</D:responsedescription></D:response>\n";
    }
    xml += "</D:multistatus>\n";
    sendXml(207, xml);
}

void WebDavHandler::sendError(int status, const char* davCondition) {
    sendXml(status, std::string("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                                "<D:error xmlns:D=\"DAV:\"><D:") +
                        davCondition + "/></D:error>\n");
}

bool WebDavHandler::readBodyInto(std::string& body) {
    body.clear();
    if (!requestHasBody()) {
        markBodyRead();
        return true;
    }
    if (request_->hasContentLength() &&
        request_->getContentLength64() > static_cast<int64_t>(kMaxXmlBody)) {
        sendText(413, "request body too large\n");
        return false;
    }
    sendContinueIfExpected();
    std::istream& in = request_->stream();
    char buffer[16384];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        body.append(buffer, static_cast<size_t>(in.gcount()));
        if (body.size() > kMaxXmlBody) {
            sendText(413, "request body too large\n");
            return false;
        }
    }
    markBodyRead();
    return true;
}

// ---- conditions and locks

bool WebDavHandler::exists(const std::string& path, FileInfo& info) {
    return session_->stat(path, info).isOk();
}

std::string WebDavHandler::etagOf(const std::string& path) {
    FileInfo info;
    if (!exists(path, info) || info.isDirectory() || info.sha256.empty()) return "";
    return etagOfHash(info.sha256);
}

std::string WebDavHandler::etagOfHash(const std::string& sha256Hex) {
    // The SHA-256 in unpadded base64url: as strong as the hex, and short
    // enough for clients that keep If headers in small buffers (litmus: 200).
    static const char* const kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    if (!Sha256::isHexDigest(sha256Hex)) return "\"" + sha256Hex + "\"";
    auto nibble = [](char c) {  // lower-case hex, checked above
        return static_cast<uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
    };
    std::string out;
    out.reserve(2 + (sha256Hex.size() / 2 * 4 + 2) / 3);
    out += '"';
    uint32_t bits = 0;
    int count = 0;
    for (size_t i = 0; i + 1 < sha256Hex.size(); i += 2) {
        bits = (bits << 8) | (nibble(sha256Hex[i]) << 4) | nibble(sha256Hex[i + 1]);
        count += 8;
        while (count >= 6) {
            out += kAlphabet[(bits >> (count - 6)) & 63];
            count -= 6;
        }
    }
    if (count > 0) out += kAlphabet[(bits << (6 - count)) & 63];
    out += '"';
    return out;
}

bool WebDavHandler::checkConditions(const std::string& path, bool isRead) {
    if (!ifLists_.empty()) {
        auto target = [&](const std::string& resource) {
            std::string p;
            if (resource.empty()) return path;
            return DavPath::decode(resource, p) ? p : std::string();
        };
        const bool holds = IfHeader::evaluate(
            ifLists_,
            [&](const std::string& resource, const std::string& token) {
                DavLock lock;
                const std::string p = target(resource);
                return !p.empty() && context_.locks.find(token, p, lock);
            },
            [&](const std::string& resource, const std::string& etag) {
                const std::string p = target(resource);
                return !p.empty() && etagOf(p) == trimEtag(etag);
            });
        if (!holds) {
            sendText(412, "the If header does not hold\n");
            return false;
        }
    }
    if (request_->has("If-Match")) {
        const std::string header = request_->get("If-Match");
        FileInfo info;
        const bool ok = isStar(header) ? exists(path, info) : listHas(header, etagOf(path));
        if (!ok) {
            sendText(412, "If-Match does not hold\n");
            return false;
        }
    }
    if (request_->has("If-None-Match")) {
        const std::string header = request_->get("If-None-Match");
        FileInfo info;
        const bool matches = isStar(header) ? exists(path, info) : listHas(header, etagOf(path));
        if (matches) {
            if (isRead) {
                const std::string etag = etagOf(path);
                if (!etag.empty()) response_->set("ETag", etag);
                sendEmpty(304);
            } else {
                sendText(412, "If-None-Match does not hold\n");
            }
            return false;
        }
    }
    return true;
}

bool WebDavHandler::checkLock(const std::string& path, bool subtree) {
    if (context_.locks.mayChange(path, subtree, user_, submittedTokens_)) return true;
    sendError(423, "lock-token-submitted");
    return false;
}

// ---- OPTIONS, MKCOL, DELETE

void WebDavHandler::doOptions() {
    response_->set("Allow",
                   "OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, PROPFIND, PROPPATCH, "
                   "LOCK, UNLOCK");
    response_->set("Accept-Ranges", "bytes");
    sendEmpty(200);
}

void WebDavHandler::doMkcol() {
    if (requestHasBody()) return sendText(415, "MKCOL with a body is not supported\n");
    FileInfo info;
    if (exists(path_, info)) return sendText(405, "the name is taken\n");
    if (!checkConditions(path_, false) || !checkLock(path_, false) ||
        !checkLock(VirtualPath::parent(path_), false)) {
        return;
    }
    Status s = session_->makeDirectory(path_);
    if (!s) return sendStatus(s, DavOperation::MkCol);
    sendEmpty(201);
}

Status WebDavHandler::removeTree(const std::string& path, std::vector<MemberFailure>& failed) {
    FileInfo info;
    if (Status s = session_->stat(path, info); !s) return s;
    if (!info.isDirectory()) return session_->removeFile(path);
    // A package folder goes as a whole (a sent one is withdrawn, a received
    // one hidden) though its files cannot be removed one by one.
    if (session_->removeDirectory(path)) return Status::ok();
    std::vector<FileInfo> entries;
    if (Status s = session_->list(path, entries); !s) return s;
    const size_t before = failed.size();
    for (const FileInfo& entry : entries) {
        const std::string child = path == "/" ? "/" + entry.name : path + "/" + entry.name;
        const size_t below = failed.size();
        Status s = removeTree(child, failed);
        if (!s && failed.size() == below) failed.push_back({child, entry.isDirectory(), s});
    }
    if (failed.size() > before) {
        return Status::error(StatusCode::NotEmpty, "members of " + path + " could not be removed");
    }
    return session_->removeDirectory(path);
}

void WebDavHandler::doDelete() {
    FileInfo info;
    if (Status s = session_->stat(path_, info); !s) return sendStatus(s, DavOperation::Read);
    if (!checkConditions(path_, false) || !checkLock(path_, true) ||
        !checkLock(VirtualPath::parent(path_), false)) {
        return;
    }
    std::vector<MemberFailure> failed;
    Status s = removeTree(path_, failed);
    if (!failed.empty()) return sendMemberFailures(failed, DavOperation::Change);
    if (!s) return sendStatus(s, DavOperation::Change);
    context_.locks.dropBelow(path_);
    sendEmpty(204);
}

DeadProperties* WebDavHandler::properties() {
    if (!properties_ && context_.deadProperties) {
        if (!context_.deadProperties(user_, properties_)) properties_.reset();
    }
    return properties_.get();
}

}  // namespace dad
