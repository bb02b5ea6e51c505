// POST /p/<token>/return: a file returned to the sender through the form.
// The body streams through the multipart parser into the reply package's
// upload; 303 only once the upload's close() returned Ok.
#include <istream>
#include <vector>

#include "HttpStatusMap.h"
#include "HttpValues.h"
#include "Multipart.h"
#include "PackagePageHandler.h"
#include "PackagePages.h"

namespace dad {

namespace {

constexpr std::streamsize kRefusalDrainBytes = 8 << 20;

Status tooLargeStatus() {
    return Status::invalid("the file is larger than a returned file may be");
}

// The form's parts: "csrf" first (the page puts it before the file), then
// one "file". Anything else is read and dropped.
class ReturnForm : public MultipartHandler {
public:
    static constexpr size_t kMaxFieldBytes = 256;

    ReturnForm(PackagePages& pages, const PackageRecord& package, const std::string& token,
               const ConnectionInfo& visitor)
        : pages_(pages), package_(package), token_(token), visitor_(visitor) {}

    ~ReturnForm() override {
        if (stream_) stream_->discard();
    }

    Status partBegin(const MultipartPart& part) override {
        current_ = Part::Ignored;
        if (part.name == "csrf") {
            current_ = Part::Csrf;
            csrf_.clear();
            return Status::ok();
        }
        if (part.name != "file" || !part.hasFileName) return Status::ok();
        if (stream_ || !storedName_.empty()) return Status::invalid("return one file at a time");
        if (!pages_.signer().validFormToken(csrf_, token_)) {
            return Status::denied("the form is out of date: reload the page and try again");
        }
        // Browsers send a plain name; old ones a whole path.
        std::string name = part.fileName;
        const size_t slash = name.find_last_of("/\\");
        if (slash != std::string::npos) name = name.substr(slash + 1);
        if (name.empty()) return Status::invalid("choose a file to return");
        current_ = Part::File;
        return pages_.access().openReturn(package_, name, visitor_, stream_, storedName_);
    }

    Status partData(const char* data, size_t length) override {
        switch (current_) {
            case Part::Csrf:
                if (csrf_.size() + length > kMaxFieldBytes)
                    return Status::invalid("malformed form");
                csrf_.append(data, length);
                return Status::ok();
            case Part::File:
                if (written_ + length > pages_.options().maxReturnBytes) {
                    tooLarge_ = true;
                    return tooLargeStatus();
                }
                if (Status s = stream_->write(written_, data, length); !s) return s;
                written_ += length;
                return Status::ok();
            case Part::Ignored:
                return Status::ok();
        }
        return Status::ok();
    }

    Status partEnd() override {
        current_ = Part::Ignored;
        return Status::ok();
    }

    // The body ended well: publish. Only Ok means the sender has the file.
    Status commit() {
        if (!stream_) return Status::invalid("choose a file to return");
        Status s = stream_->close();
        if (!s) stream_->discard();  // a form cannot resume: nothing is kept
        stream_.reset();
        return s;
    }

    const std::string& storedName() const { return storedName_; }
    // Whether the file passed the size one returned file may have (413, not
    // a quota's 507).
    bool tooLarge() const { return tooLarge_; }

private:
    enum class Part { Ignored, Csrf, File };

    PackagePages& pages_;
    const PackageRecord& package_;
    const std::string& token_;
    const ConnectionInfo& visitor_;
    Part current_ = Part::Ignored;
    std::string csrf_;
    std::unique_ptr<WriteStream> stream_;
    std::string storedName_;
    uint64_t written_ = 0;
    bool tooLarge_ = false;
};

}  // namespace

void PackagePageHandler::doReturn() {
    if (package_.state != "sent") {
        return sendMessage(409, "Not yet",
                           "Files can be returned once the sender has sent the package.");
    }
    if (!sameOrigin()) {
        return sendMessage(403, "Not allowed", "Return files through the package's own page.");
    }
    std::string boundary;
    if (!request_->has("Content-Type") ||
        !MultipartParser::boundaryOf(request_->get("Content-Type"), boundary)) {
        return sendMessage(400, "Malformed form", "The form must be sent as multipart/form-data.");
    }
    const uint64_t limit = pages_.options().maxReturnBytes + kFormOverhead;
    if (request_->hasContentLength() &&
        static_cast<uint64_t>(request_->getContentLength64()) > limit) {
        return sendMessage(413, "Too large", "The file is larger than a returned file may be.");
    }
    sendContinueIfExpected();
    markBodyRead();
    ReturnForm form(pages_, package_, token_, visitor_);
    MultipartParser parser(boundary, form);
    std::istream& in = request_->stream();
    std::vector<char> buffer(kTransferChunk);
    uint64_t total = 0;
    bool bodyTooLarge = false;
    Status status;
    while (status && in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto got = static_cast<size_t>(in.gcount());
        if (got == 0) break;
        total += got;
        if (total > limit) {
            bodyTooLarge = true;
            status = tooLargeStatus();
            break;
        }
        status = parser.feed(buffer.data(), got);
    }
    if (status) status = parser.finish();
    if (status) status = form.commit();
    if (!status) {
        if (!parser.done()) {
            // Read a bounded rest of the body so that a browser shows the
            // page rather than a reset connection; the connection closes.
            if (!bodyTooLarge) in.ignore(kRefusalDrainBytes);
            response_->setKeepAlive(false);
        }
        // Over the sender's quota or the link's total: 507 (HttpStatusMap).
        const int code = bodyTooLarge || form.tooLarge()
                             ? 413
                             : httpStatus(status.code(), HttpFront::PackagePages);
        return sendMessage(code,
                           code == 413   ? "Too large"
                           : code == 507 ? "No room left"
                           : code >= 500 ? "Something went wrong"
                                         : "Not returned",
                           code == 507 ? "The file was not returned: there is no room left for "
                                         "it (" +
                                             status.message() + ")."
                                       : status.message());
    }
    redirect(base() + "?returned=" + percentEncode(form.storedName(), false));
}

}  // namespace dad
