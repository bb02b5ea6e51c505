// Resumable browser uploads into a draft: the tus 1.0 core protocol
// (creation, HEAD for the offset, PATCH to append, termination) on the
// session's own partial uploads, the ones SFTP reput and WebDAV resume: the
// bytes the server holds are the partial upload's, wherever they came from.
// "Upload by hash": a creation whose Upload-Metadata names the content's
// sha256 that the store already holds links it (Session::linkContent) and no
// byte moves.
#include <Poco/Base64Decoder.h>
#include <Poco/StringTokenizer.h>

#include <sstream>

#include "ApiRoutes.h"
#include "Secrets.h"
#include "Session.h"
#include "Sha256.h"
#include "Text.h"

namespace dad::api_handlers {

namespace {

constexpr const char* kTusVersion = "1.0.0";

// Upload-Metadata: "key base64,key base64".
Status parseMetadata(const std::string& header, std::map<std::string, std::string>& out) {
    Poco::StringTokenizer pairs(
        header, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    for (const std::string& pair : pairs) {
        const size_t space = pair.find(' ');
        const std::string key = pair.substr(0, space);
        std::string value;
        if (space != std::string::npos) {
            try {
                std::istringstream in(pair.substr(space + 1));
                Poco::Base64Decoder decoder(in);
                std::ostringstream decoded;
                decoded << decoder.rdbuf();
                value = decoded.str();
            } catch (const Poco::Exception&) {
                return Status::invalid("Upload-Metadata: " + key + " is not base64");
            }
        }
        out[key] = value;
    }
    return Status::ok();
}

Status userSession(ApiCall& call, std::unique_ptr<Session>& session) {
    if (call.caller.isOperator) return Status::invalid("the operator has no files");
    return call.admin.gateway().openSession(call.caller.name, call.caller.connection, session);
}

// The upload `id` of the caller (another's is NotFound, as an unknown one).
Status ownUpload(ApiCall& call, ApiUploadRecord& upload) {
    const Status unknown = Status::notFound("no such upload");
    const std::string& id = call.params["id"];
    if (id.size() > 64 || !catalog_api::findUpload(call.admin.gateway().catalog(), id, upload)) {
        return unknown;
    }
    if (upload.accountId != call.caller.accountId) return unknown;
    return Status::ok();
}

// What the server holds of the upload: the partial upload's bytes, or all
// of them once it was published.
Status heldBytes(Session& session, const ApiUploadRecord& upload, uint64_t& held) {
    FileInfo info;
    if (Status s = session.stat(upload.path, info); !s) return s;
    held = info.size;
    return Status::ok();
}

void tusHeaders(ApiCall& call, uint64_t offset, uint64_t length) {
    call.headers["Tus-Resumable"] = kTusVersion;
    call.headers["Upload-Offset"] = std::to_string(offset);
    call.headers["Upload-Length"] = std::to_string(length);
}

}  // namespace

Status createUpload(ApiCall& call) {
    if (Status s = Admin::requireWrite(call.caller); !s) return s;
    uint64_t length = 0;
    if (!parseDecimal(call.request.get("Upload-Length", ""), length)) {
        return Status::invalid("Upload-Length must be the file's size in bytes");
    }
    std::map<std::string, std::string> meta;
    if (Status s = parseMetadata(call.request.get("Upload-Metadata", ""), meta); !s) return s;
    const std::string pid = meta["draft"], file = meta["filename"];
    if (pid.empty() || file.empty()) {
        return Status::invalid("Upload-Metadata needs draft (a PID) and filename");
    }
    PackageRecord draft;
    if (Status s = call.admin.findPackage(call.caller, pid, draft); !s) return s;
    if (draft.senderId != call.caller.accountId) return Status::notFound("no package " + pid);
    if (draft.state != "draft")
        return Status::invalid(pid + " is " + draft.state + ", not a draft");
    // Folders of a dropped folder come as "a/b/c.txt"; each part is a name.
    if (file.front() == '/' || file.find("//") != std::string::npos || file.back() == '/') {
        return Status::invalid("filename is a relative path of names");
    }
    const std::string path = "/outbox/" + draft.name + "/" + file;
    std::unique_ptr<Session> session;
    if (Status s = userSession(call, session); !s) return s;
    if (Status s = makeParentDirectories(*session, path); !s) return s;
    ApiUploadRecord upload;
    upload.id = randomToken(18);
    upload.accountId = call.caller.accountId;
    upload.path = path;
    upload.length = length;
    const std::string sha256 = meta["sha256"];
    if (!sha256.empty()) {
        if (!Sha256::isHexDigest(sha256)) return Status::invalid("sha256 must be 64 hex digits");
        Status linked = session->linkContent(path, sha256, length, false);
        if (linked) {
            // The store held it: the file is there and no byte moved.
            if (Status s = catalog_api::createUpload(call.admin.gateway().catalog(), upload); !s) {
                return s;
            }
            call.status = 201;
            call.headers["Location"] = "/api/v1/uploads/" + upload.id;
            tusHeaders(call, length, length);
            call.reply->set("id", upload.id);
            call.reply->set("offset", static_cast<Poco::UInt64>(length));
            call.reply->set("length", static_cast<Poco::UInt64>(length));
            call.reply->set("linked", true);
            return Status::ok();
        }
        if (linked.code() != StatusCode::NotFound) return linked;
    }
    // A partial upload of no bytes yet, as a client's first open makes it.
    std::unique_ptr<WriteStream> stream;
    WriteOptions options;
    options.truncate = true;
    options.exclusive = true;
    if (Status s = session->openWrite(path, options, stream); !s) return s;
    if (length == 0) {
        if (Status s = stream->close(); !s) return s;
    } else {
        stream->abandon();
    }
    if (Status s = catalog_api::createUpload(call.admin.gateway().catalog(), upload); !s) return s;
    call.status = 201;
    call.headers["Location"] = "/api/v1/uploads/" + upload.id;
    tusHeaders(call, 0, length);
    call.reply->set("id", upload.id);
    call.reply->set("offset", Poco::UInt64(0));
    call.reply->set("length", static_cast<Poco::UInt64>(length));
    call.reply->set("linked", false);
    return Status::ok();
}

Status uploadOffset(ApiCall& call) {
    ApiUploadRecord upload;
    if (Status s = ownUpload(call, upload); !s) return s;
    std::unique_ptr<Session> session;
    if (Status s = userSession(call, session); !s) return s;
    uint64_t held = 0;
    if (Status s = heldBytes(*session, upload, held); !s) return s;
    tusHeaders(call, held, upload.length);
    call.reply = nullptr;
    return Status::ok();
}

Status appendUpload(ApiCall& call) {
    ApiUploadRecord upload;
    if (Status s = ownUpload(call, upload); !s) return s;
    if (Status s = Admin::requireWrite(call.caller); !s) return s;
    if (call.request.getContentType() != "application/offset+octet-stream") {
        call.fail(415, "unsupported_media_type",
                  "a PATCH body is Content-Type: application/offset+octet-stream");
        return Status::ok();
    }
    uint64_t offset = 0;
    if (!parseDecimal(call.request.get("Upload-Offset", ""), offset)) {
        return Status::invalid("Upload-Offset must be a number of bytes");
    }
    std::unique_ptr<Session> session;
    if (Status s = userSession(call, session); !s) return s;
    std::unique_ptr<WriteStream> stream;
    WriteOptions options;  // resume the partial upload
    if (Status s = session->openWrite(upload.path, options, stream); !s) return s;
    const uint64_t held = stream->size();
    call.headers["Tus-Resumable"] = kTusVersion;
    if (offset != held) {
        stream->abandon();
        call.headers["Upload-Offset"] = std::to_string(held);
        return Status::exists("Upload-Offset " + std::to_string(offset) + " is not the " +
                              std::to_string(held) + " bytes held");
    }
    if (call.request.hasContentLength() &&
        static_cast<uint64_t>(call.request.getContentLength64()) > upload.length - held) {
        stream->abandon();
        return Status::invalid("the body goes past Upload-Length");
    }
    // Read a buffer of the body at a time through its streambuf: when the
    // connection is cut, every byte that arrived before has been written.
    std::streambuf& in = *call.request.stream().rdbuf();
    std::vector<char> buffer(256 * 1024);
    uint64_t at = held;
    call.bodyRead = true;
    try {
        while (at < upload.length) {
            if (in.sgetc() == std::char_traits<char>::eof()) break;
            const std::streamsize avail = std::max<std::streamsize>(1, in.in_avail());
            const size_t want = static_cast<size_t>(std::min<uint64_t>(
                {buffer.size(), upload.length - at, static_cast<uint64_t>(avail)}));
            const size_t got = static_cast<size_t>(in.sgetn(buffer.data(), want));
            if (got == 0) break;
            if (Status s = stream->write(at, buffer.data(), got); !s) {
                stream->abandon();
                return s;
            }
            at += got;
        }
        if (at == upload.length && in.sgetc() != std::char_traits<char>::eof()) {
            stream->abandon();
            return Status::invalid("the body goes past Upload-Length");
        }
    } catch (...) {
        // A cut connection: what arrived stays for the resume.
        stream->abandon();
        throw;
    }
    if (at == upload.length) {
        if (Status s = stream->close(); !s) return s;
    } else {
        stream->abandon();
    }
    call.headers["Upload-Offset"] = std::to_string(at);
    call.status = 204;
    call.reply = nullptr;
    return Status::ok();
}

Status removeUpload(ApiCall& call) {
    ApiUploadRecord upload;
    if (Status s = ownUpload(call, upload); !s) return s;
    if (Status s = Admin::requireWrite(call.caller); !s) return s;
    std::unique_ptr<Session> session;
    if (Status s = userSession(call, session); !s) return s;
    if (Status s = session->removeFile(upload.path); !s && s.code() != StatusCode::NotFound)
        return s;
    if (Status s = catalog_api::removeUpload(call.admin.gateway().catalog(), upload.id); !s)
        return s;
    call.status = 204;
    call.reply = nullptr;
    return Status::ok();
}

}  // namespace dad::api_handlers
