// GET, HEAD and PUT: the byte-moving methods.

#include <Poco/Base64Decoder.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/String.h>
#include <Poco/Timestamp.h>

#include <sstream>
#include <vector>

#include "DavPath.h"
#include "DavXml.h"
#include "HttpBodyError.h"
#include "HttpValues.h"
#include "MarkupEscape.h"
#include "ReadStreamCopy.h"
#include "Sha256.h"
#include "Text.h"
#include "VirtualPath.h"
#include "WebDavHandler.h"

namespace dad {

namespace {

std::string httpDate(int64_t seconds) {
    return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(seconds),
                                           Poco::DateTimeFormat::HTTP_FORMAT);
}

std::string base64ToHex(const std::string& b64) {
    std::istringstream in(b64);
    Poco::Base64Decoder decoder(in);
    std::string raw;
    try {
        char c;
        while (decoder.get(c))
            raw += c;
    } catch (const std::exception&) {
        return "";
    }
    if (raw.size() != 32) return "";
    static const char* const kHex = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : raw) {
        hex += kHex[c >> 4];
        hex += kHex[c & 15];
    }
    return hex;
}

// The SHA-256 the client claims for the body (RFC 9530 Repr-Digest or
// Content-Digest, or ownCloud's OC-Checksum), lower-case hex; "" if none.
std::string claimedSha256(const Poco::Net::HTTPServerRequest& request, bool& malformed) {
    malformed = false;
    for (const char* name : {"Repr-Digest", "Content-Digest"}) {
        if (!request.has(name)) continue;
        const std::string value = request.get(name);
        const std::string l = Poco::toLower(value);
        const size_t at = l.find("sha-256=:");
        if (at == std::string::npos) continue;
        const size_t end = value.find(':', at + 9);
        if (end == std::string::npos) return malformed = true, "";
        const std::string hex = base64ToHex(value.substr(at + 9, end - at - 9));
        if (hex.empty()) malformed = true;
        return hex;
    }
    if (request.has("OC-Checksum")) {
        const std::string value = request.get("OC-Checksum");
        const size_t at = Poco::toLower(value).find("sha256:");
        if (at != std::string::npos) {
            std::string hex = Poco::toLower(value.substr(at + 7, 64));
            if (!Sha256::isHexDigest(hex)) return malformed = true, "";
            return hex;
        }
    }
    return "";
}

const char* contentTypeOf(const std::string& name) {
    const size_t dot = name.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : Poco::toLower(name.substr(dot + 1));
    if (ext == "txt") return "text/plain";
    if (ext == "pdf") return "application/pdf";
    if (ext == "png") return "image/png";
    if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
    if (ext == "zip") return "application/zip";
    return "application/octet-stream";
}

}  // namespace

void WebDavHandler::doGet(bool head) {
    FileInfo info;
    if (Status s = session_->stat(path_, info); !s) return sendStatus(s, DavOperation::Read);
    if (!checkConditions(path_, true)) return;
    response_->set("Last-Modified", httpDate(info.mtime));
    if (info.isDirectory()) {
        std::vector<FileInfo> entries;
        if (Status s = session_->list(path_, entries); !s) return sendStatus(s, DavOperation::Read);
        std::string html = "<!DOCTYPE html><meta charset=\"utf-8\"><title>" + escapeMarkup(path_) +
                           "</title><h1>" + escapeMarkup(path_) + "</h1><ul>";
        for (const FileInfo& e : entries) {
            const std::string child = path_ == "/" ? "/" + e.name : path_ + "/" + e.name;
            html += "<li><a href=\"" + escapeMarkup(DavPath::href(child, e.isDirectory())) + "\">" +
                    escapeMarkup(e.name) + (e.isDirectory() ? "/" : "") + "</a></li>";
        }
        html += "</ul>\n";
        response_->set("Content-Security-Policy", "default-src 'none'");
        response_->set("X-Content-Type-Options", "nosniff");
        response_->setContentType("text/html; charset=utf-8");
        response_->setContentLength(static_cast<std::streamsize>(html.size()));
        finishRequestBody();
        if (head) return response_->send(), void();
        return response_->sendBuffer(html.data(), html.size());
    }
    std::unique_ptr<ReadStream> stream;
    if (Status s = session_->openRead(path_, stream); !s) return sendStatus(s, DavOperation::Read);
    const uint64_t size = stream->size();
    const std::string etag = etagOf(path_);
    if (!etag.empty()) response_->set("ETag", etag);
    response_->set("Accept-Ranges", "bytes");
    // What a client stored must never run in this origin.
    response_->set("X-Content-Type-Options", "nosniff");
    response_->set("Content-Security-Policy", "sandbox");
    response_->setContentType(contentTypeOf(info.name));
    ByteRange range{0, size == 0 ? 0 : size - 1};
    RangeResult ranged = RangeResult::Whole;
    if (request_->has("Range") &&
        (!request_->has("If-Range") || request_->get("If-Range") == etag)) {
        ranged = parseByteRange(request_->get("Range"), size, range);
    }
    const bool partial = ranged == RangeResult::Partial;
    const uint64_t first = range.first, last = range.last;
    if (ranged == RangeResult::Unsatisfiable) {
        response_->set("Content-Range", "bytes */" + std::to_string(size));
        stream->close();
        return sendEmpty(416);
    }
    const uint64_t length = size == 0 ? 0 : last - first + 1;
    if (partial) {
        response_->set("Content-Range", "bytes " + std::to_string(first) + "-" +
                                            std::to_string(last) + "/" + std::to_string(size));
    }
    response_->setStatusAndReason(partial ? Poco::Net::HTTPResponse::HTTP_PARTIAL_CONTENT
                                          : Poco::Net::HTTPResponse::HTTP_OK);
    response_->setContentLength64(static_cast<Poco::Int64>(length));
    finishRequestBody();
    std::ostream& out = response_->send();
    if (head) {
        stream.reset();
        return;
    }
    // A small body leaves with the head; a big one in big writes (HttpResponseBody).
    copyReadStream(*stream, first, length, kTransferChunk, [&](const char* data, size_t size) {
        return static_cast<bool>(out.write(data, static_cast<std::streamsize>(size)));
    });
    out.flush();
    stream->close();
}

void WebDavHandler::doPut() {
    if (request_->has("Content-Range")) return sendText(400, "partial PUT is not supported\n");
    FileInfo info;
    const bool existed = exists(path_, info);
    if (existed && info.isDirectory()) return sendText(405, "a collection is there\n");
    if (!checkConditions(path_, false) || !checkLock(path_, false) ||
        (!existed && !checkLock(VirtualPath::parent(path_), false))) {
        return;
    }
    bool malformed = false;
    const std::string claimed = claimedSha256(*request_, malformed);
    if (malformed) return sendText(400, "malformed digest header\n");
    int64_t expected = -1;
    if (request_->hasContentLength()) {
        expected = request_->getContentLength64();
    } else if (request_->has("X-Expected-Entity-Length")) {
        uint64_t v = 0;
        if (parseDecimal(request_->get("X-Expected-Entity-Length"), v)) {
            expected = static_cast<int64_t>(v);
        }
    }
    const int created = existed ? 204 : 201;
    auto finish = [&]() {
        if (request_->has("X-OC-Mtime")) {
            uint64_t mtime = 0;
            if (parseDecimal(request_->get("X-OC-Mtime"), mtime) &&
                session_->setModificationTime(path_, static_cast<int64_t>(mtime))) {
                response_->set("X-OC-MTime", "accepted");
            }
        }
        const std::string etag = etagOf(path_);
        if (!etag.empty()) {
            response_->set("ETag", etag);
            response_->set("OC-ETag", etag);
        }
        sendEmpty(created);
    };
    // Upload by hash: the content is already stored, the body is not needed.
    if (!claimed.empty() && expected >= 0 && request_->getExpectContinue()) {
        Status s = session_->linkContent(path_, claimed, static_cast<uint64_t>(expected), true);
        if (s) {
            response_->set("X-Dad-Upload", "linked");
            return finish();
        }
        if (s.code() != StatusCode::NotFound && s.code() != StatusCode::Unsupported) {
            return sendStatus(s, DavOperation::Create);
        }
    }
    WriteOptions options;
    options.truncate = true;
    std::unique_ptr<WriteStream> upload;
    if (Status s = session_->openWrite(path_, options, upload); !s) {
        return sendStatus(s, DavOperation::Create);
    }
    sendContinueIfExpected();
    markBodyRead();
    uint64_t received = 0;
    Sha256 hash;
    std::vector<char> buffer(kTransferChunk);
    std::istream& body = request_->stream();
    try {
        while (body.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) ||
               body.gcount() > 0) {
            const size_t got = static_cast<size_t>(body.gcount());
            if (Status s = upload->write(received, buffer.data(), got); !s) {
                upload->abandon();
                response_->setKeepAlive(false);
                return sendStatus(s, DavOperation::Create);
            }
            if (!claimed.empty()) hash.update(buffer.data(), got);
            received += got;
        }
    } catch (const HttpBodyError& e) {
        response_->setKeepAlive(false);
        if (e.cutOff()) {
            upload->abandon();  // the client was cut off: keep the partial upload
        } else {
            upload->discard();  // a malformed body: nothing of it is kept
        }
        return sendText(e.status(), std::string(e.what()) + "; nothing was stored\n");
    }
    if (expected >= 0 && request_->hasContentLength() &&
        received != static_cast<uint64_t>(expected)) {
        upload->abandon();  // cannot happen: the body's stream throws first
        response_->setKeepAlive(false);
        return sendText(400, "the body ended before its Content-Length\n");
    }
    if (!claimed.empty() && hash.finishHex() != claimed) {
        upload->discard();
        return sendText(400, "the body does not match its digest; nothing was stored\n");
    }
    if (Status s = upload->close(); !s) return sendStatus(s, DavOperation::Create);
    finish();
}

}  // namespace dad
