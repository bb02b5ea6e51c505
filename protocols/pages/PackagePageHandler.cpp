#include "PackagePageHandler.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <istream>
#include <map>
#include <ostream>
#include <vector>

#include "Gateway.h"
#include "HttpStatusMap.h"
#include "HttpValues.h"
#include "PackagePageHtml.h"
#include "PackagePages.h"
#include "PackageZip.h"
#include "ReadStreamCopy.h"

namespace dad {

using Poco::Net::HTTPResponse;

namespace {

const char* const kCookieName = "dadpw";
const char* const kPageCsp =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'";
const char* const kDownloadCsp = "default-src 'none'; sandbox";

std::string utcDate(int64_t seconds) {
    return Poco::DateTimeFormatter::format(Poco::Timestamp::fromEpochTime(seconds),
                                           "%Y-%m-%d %H:%M UTC");
}

std::string duration(int64_t seconds) {
    if (seconds % 86400 == 0) return std::to_string(seconds / 86400) + " day(s)";
    if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + " hour(s)";
    return std::to_string(seconds / 60) + " minute(s)";
}

// Closes a file descriptor when it goes out of scope.
struct FdCloser {
    int fd;
    ~FdCloser() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

void PackagePageHandler::dispatch() {
    response_->set("Content-Security-Policy", kPageCsp);
    response_->set("X-Content-Type-Options", "nosniff");
    response_->set("X-Frame-Options", "DENY");
    response_->set("Referrer-Policy", "same-origin");
    response_->set("Cache-Control", "no-store");
    response_->set("X-Robots-Tag", "noindex, nofollow");
    visitor_.protocol = secure_ ? "https" : "http";
    visitor_.remoteAddress = request_->clientAddress().host().toString();
    visitor_.remotePort = request_->clientAddress().port();
    // As for WebDAV, the connect hook is asked per request (HTTP has no
    // connection-level hook of its own).
    if (Status s = pages_.gateway().checkConnection(visitor_); !s) {
        return sendMessage(403, "Not allowed", s.message());
    }
    std::string uri = request_->getURI();
    const size_t question = uri.find('?');
    if (question != std::string::npos) {
        query_ = uri.substr(question + 1);
        uri.resize(question);
    }
    // uri = "/p/<token>[/<rest>]"
    const size_t slash = uri.find('/', 3);
    token_ = uri.substr(3, slash == std::string::npos ? std::string::npos : slash - 3);
    const std::string rest = slash == std::string::npos ? "" : uri.substr(slash);
    LinkState state = LinkState::Available;
    if (Status s = pages_.access().open(token_, package_, state); !s) {
        token_.clear();
        if (s.code() == StatusCode::NotFound) {
            return sendMessage(404, "No such package",
                               "This link does not lead to a package. Check that it was copied "
                               "completely.");
        }
        return sendStatus(s);
    }
    if (state == LinkState::Gone) {
        return sendMessage(410, "This package is no longer available",
                           "It has expired or was withdrawn by its sender.");
    }
    const std::string& method = request_->getMethod();
    const bool get = method == "GET", head = method == "HEAD", post = method == "POST";
    if (rest == "/password") {
        if (!post) return sendMessage(405, "Not allowed", "Use the password form.");
        return doPassword();
    }
    if (!passwordAccepted()) {
        if ((get || head) && (rest.empty() || rest == "/")) {
            return sendHtml(403, passwordPageHtml(base() + "/password", ""));
        }
        return sendMessage(403, "Password needed",
                           "Open the package's page and enter its password first.");
    }
    if (rest.empty() || rest == "/") {
        if (!get && !head) return sendMessage(405, "Not allowed", "This page can only be read.");
        return doPage(head);
    }
    if (rest.compare(0, 3, "/f/") == 0) {
        if (!get && !head) return sendMessage(405, "Not allowed", "Files can only be read.");
        return doFile(rest.substr(3), head);
    }
    if (rest == "/zip") {
        if (!get) return sendMessage(405, "Not allowed", "The zip can only be downloaded.");
        return doZip();
    }
    if (rest == "/return") {
        if (!post) return sendMessage(405, "Not allowed", "Use the form to return a file.");
        return doReturn();
    }
    sendMessage(404, "Not found", "There is nothing here.");
}

bool PackagePageHandler::passwordAccepted() {
    if (!LinkAccess::needsPassword(package_)) return true;
    if (!request_->has("Cookie")) return false;
    const std::string value = cookieValue(request_->get("Cookie"), kCookieName);
    return pages_.signer().validPasswordCookie(value, token_, package_.passwordHash, nowSeconds());
}

void PackagePageHandler::doPassword() {
    if (!LinkAccess::needsPassword(package_)) return redirect(base());
    if (requestHasBody() &&
        (request_->getChunkedTransferEncoding() ||
         request_->getContentLength64() > static_cast<Poco::Int64>(kMaxFormBody))) {
        response_->setKeepAlive(false);
        markBodyRead();
        return sendMessage(413, "Too large", "The form is too large.");
    }
    std::string body;
    if (requestHasBody()) {
        sendContinueIfExpected();
        body.resize(static_cast<size_t>(request_->getContentLength64()));
        request_->stream().read(body.data(), static_cast<std::streamsize>(body.size()));
        body.resize(static_cast<size_t>(request_->stream().gcount()));
        markBodyRead();
    }
    std::map<std::string, std::string> fields;
    if (!parseUrlEncodedForm(body, fields) || !fields.count("password")) {
        return sendHtml(400, passwordPageHtml(base() + "/password", "Enter the password."));
    }
    switch (pages_.access().checkPassword(package_, fields["password"], visitor_)) {
        case PasswordCheck::TooManyAttempts:
            response_->set("Retry-After", std::to_string(LinkAccess::kFailureWindowSeconds));
            return sendMessage(429, "Too many attempts",
                               "Too many wrong passwords were tried for this package from your "
                               "address. Try again later.");
        case PasswordCheck::Wrong:
            return sendHtml(403, passwordPageHtml(base() + "/password", "Wrong password."));
        case PasswordCheck::Right:
            break;
    }
    const int64_t expires = nowSeconds() + pages_.options().cookieSeconds;
    std::string cookie = std::string(kCookieName) + "=" +
                         pages_.signer().passwordCookie(token_, package_.passwordHash, expires) +
                         "; Path=" + base() +
                         "; Max-Age=" + std::to_string(pages_.options().cookieSeconds) +
                         "; HttpOnly; SameSite=Strict";
    if (secure_) cookie += "; Secure";
    response_->add("Set-Cookie", cookie);
    redirect(base());
}

void PackagePageHandler::doPage(bool head) {
    std::vector<LinkFile> files;
    if (Status s = pages_.access().listFiles(package_, files); !s) return sendStatus(s);
    PackageView view;
    view.name = package_.name;
    view.pid = package_.pid;
    view.sender = package_.senderName;
    view.message = package_.message;
    view.draft = package_.state == "draft";
    if (package_.expiresAt) {
        view.expiry = "Available until " + utcDate(*package_.expiresAt) + ".";
    } else if (package_.expiresAfter) {
        view.expiry = "Available for " + duration(*package_.expiresAfter) + " after it is sent.";
    }
    if (package_.maxDownloads) {
        view.downloadRule =
            "Each file can be downloaded " + std::to_string(*package_.maxDownloads) + " time(s).";
    }
    for (const LinkFile& f : files) {
        view.files.push_back(
            {f.path, f.node.size, f.node.blob, base() + "/f/" + percentEncode(f.path, true)});
    }
    if (!files.empty()) view.zipHref = base() + "/zip";
    if (package_.state == "sent") {
        view.returnAction = base() + "/return";
        view.formToken = pages_.signer().formToken(token_);
        view.maxReturnBytes = pages_.options().maxReturnBytes;
    }
    std::map<std::string, std::string> query;
    if (parseUrlEncodedForm(query_, query) && query.count("returned")) {
        view.notice = "Sent back to " + package_.senderName + ": " + query["returned"];
    }
    const std::string html = packagePageHtml(view);
    if (!head) return sendHtml(200, html);
    finishRequestBody();
    response_->setContentType("text/html; charset=utf-8");
    response_->setContentLength(static_cast<std::streamsize>(html.size()));
    response_->send();
}

void PackagePageHandler::doFile(const std::string& encodedPath, bool head) {
    std::string path;
    LinkFile file;
    if (!percentDecode(encodedPath, path) || !pages_.access().findFile(package_, path, file)) {
        return sendMessage(404, "No such file", "This package has no such file.");
    }
    const uint64_t size = file.node.size;
    const std::string etag = "\"" + file.node.blob + "\"";
    ByteRange range{0, size == 0 ? 0 : size - 1};
    RangeResult kind = RangeResult::Whole;
    if (request_->has("Range") &&
        (!request_->has("If-Range") || request_->get("If-Range") == etag)) {
        kind = parseByteRange(request_->get("Range"), size, range);
    }
    response_->set("Content-Security-Policy", kDownloadCsp);
    response_->set("Content-Disposition", attachmentDisposition(file.path));
    response_->set("ETag", etag);
    response_->set("Accept-Ranges", "bytes");
    response_->setContentType("application/octet-stream");
    if (kind == RangeResult::Unsatisfiable) {
        response_->set("Content-Range", "bytes */" + std::to_string(size));
        finishRequestBody();
        response_->setStatusAndReason(HTTPResponse::HTTP_REQUESTED_RANGE_NOT_SATISFIABLE);
        response_->setContentLength(0);
        return response_->send(), void();
    }
    const uint64_t length = size == 0 ? 0 : range.last - range.first + 1;
    if (kind == RangeResult::Partial) {
        response_->set("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                            std::to_string(range.last) + "/" +
                                            std::to_string(size));
    }
    response_->setStatusAndReason(kind == RangeResult::Partial ? HTTPResponse::HTTP_PARTIAL_CONTENT
                                                               : HTTPResponse::HTTP_OK);
    response_->setContentLength64(static_cast<Poco::Int64>(length));
    if (head) {
        finishRequestBody();
        return response_->send(), void();
    }
    std::unique_ptr<ReadStream> stream;
    if (Status s = pages_.access().openRead(package_, file, visitor_, stream); !s) {
        response_->erase("Content-Range");
        response_->erase("Content-Disposition");
        response_->erase("ETag");
        response_->set("Content-Security-Policy", kPageCsp);
        return sendStatus(s);
    }
    finishRequestBody();
    std::ostream& out = response_->send();
    copyReadStream(
        *stream, range.first, length, kTransferChunk, [&](const char* data, size_t size) {
            return static_cast<bool>(out.write(data, static_cast<std::streamsize>(size)));
        });
    // Recorded before the last bytes leave, so the visitor's next request
    // already sees this download (and an expiry it caused).
    (void)stream->close();
    out.flush();
}

void PackagePageHandler::doZip() {
    std::vector<LinkFile> files;
    if (Status s = pages_.access().listFiles(package_, files); !s) return sendStatus(s);
    if (files.empty())
        return sendMessage(404, "Nothing to download", "This package has no files yet.");
    if (!pages_.takeZipSlot()) {
        response_->set("Retry-After", "30");
        return sendMessage(503, "Busy", "Too many zips are being prepared; try again shortly.");
    }
    struct SlotRelease {
        PackagePages& pages;
        ~SlotRelease() { pages.releaseZipSlot(); }
    } slot{pages_};
    std::unique_ptr<LinkDownloads> downloads;
    if (Status s = pages_.access().startDownloads(package_, files, visitor_, downloads); !s) {
        return sendStatus(s);
    }
    std::vector<ZipEntry> entries;
    for (const LinkFile& f : files) {
        entries.push_back({f.path, pages_.access().contentPath(f), f.node.mtime});
    }
    std::string zipPath;
    if (Status s = writeStoredZip(pages_.options().tempDirectory, entries, zipPath); !s) {
        return sendStatus(s);
    }
    FdCloser zip{::open(zipPath.c_str(), O_RDONLY | O_CLOEXEC)};
    ::unlink(zipPath.c_str());  // gone from the disk once this descriptor closes
    struct stat st {};
    if (zip.fd < 0 || ::fstat(zip.fd, &st) != 0) {
        return sendStatus(Status::ioError("the zip cannot be read"));
    }
    response_->set("Content-Security-Policy", kDownloadCsp);
    response_->set("Content-Disposition", attachmentDisposition(package_.name + ".zip"));
    response_->setContentType("application/zip");
    response_->setContentLength64(static_cast<Poco::Int64>(st.st_size));
    finishRequestBody();
    std::ostream& out = response_->send();
    std::vector<char> buffer(kTransferChunk);
    uint64_t sent = 0;
    while (sent < static_cast<uint64_t>(st.st_size)) {
        const ssize_t got = ::read(zip.fd, buffer.data(), buffer.size());
        if (got <= 0) throw std::runtime_error("zip read failed");
        out.write(buffer.data(), got);
        if (!out) throw std::runtime_error("client went away");
        sent += static_cast<uint64_t>(got);
    }
    downloads->finish(true);
    out.flush();
}

bool PackagePageHandler::sameOrigin() const {
    std::vector<std::string> origins;
    if (request_->has("Host")) {
        origins.push_back(std::string(secure_ ? "https://" : "http://") + request_->get("Host"));
    }
    std::string publicUrl = pages_.gateway().options().publicUrl;
    const size_t scheme = publicUrl.find("://");
    if (scheme != std::string::npos) {
        const size_t path = publicUrl.find('/', scheme + 3);
        if (path != std::string::npos) publicUrl.resize(path);
        origins.push_back(publicUrl);
    }
    auto matches = [&](const std::string& value, bool prefix) {
        for (const std::string& o : origins) {
            if (value == o || (prefix && value.compare(0, o.size() + 1, o + "/") == 0)) return true;
        }
        return false;
    };
    if (request_->has("Origin")) return matches(request_->get("Origin"), false);
    if (request_->has("Referer")) return matches(request_->get("Referer"), true);
    return false;
}

// ---- replies

void PackagePageHandler::sendInternalError() {
    sendMessage(500, "Something went wrong", "The request could not be completed.");
}

void PackagePageHandler::sendHtml(int status, const std::string& html) {
    finishRequestBody();
    response_->setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(status));
    response_->setContentType("text/html; charset=utf-8");
    response_->setContentLength(static_cast<std::streamsize>(html.size()));
    if (request_->getMethod() == "HEAD") return response_->send(), void();
    response_->sendBuffer(html.data(), html.size());
}

void PackagePageHandler::sendMessage(int status, const std::string& title,
                                     const std::string& text) {
    sendHtml(status, messagePageHtml(title, text));
}

void PackagePageHandler::sendStatus(const Status& status) {
    const int code = httpStatus(status.code(), HttpFront::PackagePages);
    if (code >= 500) return sendMessage(code, "Something went wrong", status.message());
    sendMessage(code,
                code == 403   ? "Not allowed"
                : code == 404 ? "Not found"
                              : "Refused",
                status.message());
}

void PackagePageHandler::redirect(const std::string& location) {
    finishRequestBody();
    response_->set("Location", location);
    response_->setStatusAndReason(HTTPResponse::HTTP_SEE_OTHER);
    response_->setContentLength(0);
    response_->send();
}

}  // namespace dad
