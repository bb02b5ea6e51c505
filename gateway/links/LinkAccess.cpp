#include "LinkAccess.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <functional>

#include "Gateway.h"
#include "Notifications.h"
#include "PackageLifecycle.h"
#include "ReadStreams.h"
#include "Secrets.h"
#include "UploadStream.h"
#include "VirtualPath.h"

namespace dad {

namespace {

const char* const kLinkAccount = "(link)";  // who downloaded, in the audit log

DownloadRecord downloadOf(const PackageRecord& package, const LinkFile& file,
                          const ConnectionInfo& visitor) {
    DownloadRecord d;
    d.packageId = package.id;
    d.nodeId = file.node.id;
    d.path = file.path;
    d.accountName = kLinkAccount;
    d.remoteAddress = visitor.remoteAddress;
    d.protocol = visitor.protocol;
    return d;
}

// "name (n).ext" for n >= 2.
std::string numbered(const std::string& name, int n) {
    const size_t dot = name.rfind('.');
    const bool hasExt = dot != std::string::npos && dot > 0;
    const std::string stem = hasExt ? name.substr(0, dot) : name;
    const std::string ext = hasExt ? name.substr(dot) : "";
    return stem + " (" + std::to_string(n) + ")" + ext;
}

// A returned file's upload; the link is free for the next return once it
// is closed, discarded or destroyed.
class ReturnStream : public WriteStream {
public:
    ReturnStream(std::unique_ptr<WriteStream> upload, std::function<void()> ended)
        : upload_(std::move(upload)), ended_(std::move(ended)) {}
    ~ReturnStream() override {
        upload_.reset();
        ended_();
    }
    Status write(uint64_t offset, const char* data, size_t length) override {
        return upload_->write(offset, data, length);
    }
    uint64_t size() const override { return upload_->size(); }
    Status sync() override { return upload_->sync(); }
    Status close() override { return upload_->close(); }
    void abandon() override { upload_->abandon(); }
    void discard() override { upload_->discard(); }

private:
    std::unique_ptr<WriteStream> upload_;
    std::function<void()> ended_;
};

}  // namespace

LinkDownloads::LinkDownloads(Gateway& gateway, std::vector<DownloadRecord> downloads,
                             std::vector<uint64_t> sizes)
    : gateway_(gateway), downloads_(std::move(downloads)), sizes_(std::move(sizes)) {}

LinkDownloads::~LinkDownloads() {
    if (!finished_) finish(false);
}

void LinkDownloads::finish(bool served) {
    if (finished_) return;
    finished_ = true;
    Catalog& catalog = gateway_.catalog();
    bool anyComplete = false;
    for (size_t i = 0; i < downloads_.size(); ++i) {
        const DownloadRecord& d = downloads_[i];
        const uint64_t bytes = served ? sizes_[i] : 0;
        bool complete = false;
        (void)catalog.finishDownload(d.id, bytes, sizes_[i], complete, served);
        anyComplete = anyComplete || complete;
        catalog.audit(
            {d.accountName, d.remoteAddress, d.protocol, "download", d.path,
             std::to_string(bytes) + (complete ? " bytes, complete (zip)" : " bytes (zip)"), true});
    }
    if (downloads_.empty()) return;
    if (anyComplete) {
        PackageRecord package;
        if (catalog.findPackage(downloads_.front().packageId, package)) {
            (void)enqueueNotification(
                catalog, {"downloaded", package.pid, "", downloads_.front().accountName, "(zip)"});
        }
    }
    expireIfExhausted(gateway_, downloads_.front().packageId);
}

LinkAccess::LinkAccess(Gateway& gateway, int64_t maxReturnedBytes)
    : gateway_(gateway),
      maxReturnedBytes_(maxReturnedBytes),
      passwordFailures_(kMaxPasswordFailures, kFailureWindowSeconds) {}

bool LinkAccess::plausibleToken(const std::string& token) {
    if (token.size() < 16 || token.size() > 128) return false;
    return std::all_of(token.begin(), token.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
    });
}

Status LinkAccess::open(const std::string& token, PackageRecord& package, LinkState& state) {
    if (!plausibleToken(token)) return Status::notFound("no such package");
    if (Status s = gateway_.catalog().findPackageByToken(token, package); !s) return s;
    state = LinkState::Available;
    if (package.state == "draft") return Status::ok();
    if (package.state != "sent" || expireIfDue(gateway_, package)) state = LinkState::Gone;
    return Status::ok();
}

PasswordCheck LinkAccess::checkPassword(const PackageRecord& package, const std::string& password,
                                        const ConnectionInfo& visitor) {
    // The token itself is not kept as a key: the package id is as unique.
    const std::string key = std::to_string(package.id) + " " + visitor.remoteAddress;
    if (passwordFailures_.blocked(key)) return PasswordCheck::TooManyAttempts;
    if (verifyPassword(password, package.passwordHash)) {
        passwordFailures_.reset(key);
        return PasswordCheck::Right;
    }
    passwordFailures_.recordFailure(key);
    gateway_.catalog().audit({kLinkAccount, visitor.remoteAddress, visitor.protocol, "password",
                              package.pid, "wrong package password", false});
    return PasswordCheck::Wrong;
}

Status LinkAccess::listFiles(const PackageRecord& package, std::vector<LinkFile>& files) {
    std::vector<std::pair<std::string, NodeRecord>> all;
    if (Status s = gateway_.catalog().listFilesUnder(package.rootNode, all); !s) return s;
    files.clear();
    for (auto& [path, node] : all) {
        if (path == ".dad") continue;
        files.push_back({path, node});
    }
    std::sort(files.begin(), files.end(),
              [](const LinkFile& a, const LinkFile& b) { return a.path < b.path; });
    return Status::ok();
}

Status LinkAccess::findFile(const PackageRecord& package, const std::string& path, LinkFile& file) {
    std::vector<LinkFile> files;
    if (Status s = listFiles(package, files); !s) return s;
    for (LinkFile& f : files) {
        if (f.path == path) {
            file = std::move(f);
            return Status::ok();
        }
    }
    return Status::notFound("no such file in this package");
}

Status LinkAccess::openRead(const PackageRecord& package, const LinkFile& file,
                            const ConnectionInfo& visitor, std::unique_ptr<ReadStream>& stream) {
    PolicyEvent event;
    event.hook = Hook::BeforeDownload;
    event.connection = visitor;
    event.path = file.path;
    event.bytes = file.node.size;
    event.packagePid = package.pid;
    if (Status s = gateway_.policy().ask(event); !s) return s;
    DownloadRecord d = downloadOf(package, file, visitor);
    if (Status s = gateway_.catalog().startDownload(d); !s) return s;
    int fd = -1;
    if (Status s = gateway_.store().fileSystem().openForRead(contentPath(file), fd); !s) {
        bool complete = false;
        (void)gateway_.catalog().finishDownload(d.id, 0, file.node.size, complete);
        Poco::Logger::get("dadgate.store")
            .error("blob of %s in %s is missing: %s", file.path, package.pid, s.message());
        return Status::ioError("the stored content of " + file.path + " cannot be read");
    }
    stream = std::make_unique<FileReadStream>(gateway_, fd, file.node.size, d, visitor.protocol);
    return Status::ok();
}

Status LinkAccess::startDownloads(const PackageRecord& package, std::vector<LinkFile>& files,
                                  const ConnectionInfo& visitor,
                                  std::unique_ptr<LinkDownloads>& downloads) {
    std::vector<DownloadRecord> started;
    std::vector<uint64_t> sizes;
    std::vector<LinkFile> granted;
    Status last = Status::denied("nothing to download");
    for (LinkFile& file : files) {
        PolicyEvent event;
        event.hook = Hook::BeforeDownload;
        event.connection = visitor;
        event.path = file.path;
        event.bytes = file.node.size;
        event.packagePid = package.pid;
        if (Status s = gateway_.policy().ask(event); !s) {
            last = s;
            continue;
        }
        DownloadRecord d = downloadOf(package, file, visitor);
        if (Status s = startWhole(d, file.node.size); !s) {
            last = s;
            continue;
        }
        started.push_back(d);
        sizes.push_back(file.node.size);
        granted.push_back(std::move(file));
    }
    downloads = std::make_unique<LinkDownloads>(gateway_, std::move(started), std::move(sizes));
    files = std::move(granted);
    if (files.empty()) return last;
    return Status::ok();
}

Status LinkAccess::startWhole(DownloadRecord& d, uint64_t size) {
    Catalog& catalog = gateway_.catalog();
    if (Status s = catalog.startDownload(d); !s) return s;
    // The zip holds the whole file, so all of it is charged before it goes out.
    uint64_t granted = 0;
    Status s = catalog.chargeDownload(d.id, 0, size, granted);
    if (s && granted == size) return s;
    bool complete = false;
    (void)catalog.finishDownload(d.id, 0, size, complete);
    return s ? Status::denied("not all of this file may be served any more") : s;
}

std::string LinkAccess::contentPath(const LinkFile& file) const {
    return gateway_.store().blobPath(file.node.blob);
}

Status LinkAccess::guestAccount(const PackageRecord& package, AccountRecord& guest) {
    Catalog& catalog = gateway_.catalog();
    const std::string name = "guest-" + package.pid;
    if (catalog.findAccount(name, guest)) return Status::ok();
    guest = AccountRecord();
    guest.name = name;
    guest.type = "guest";  // no password, no key: it never logs in
    if (Status s = catalog.createAccount(guest); !s && s.code() != StatusCode::Exists) return s;
    return catalog.findAccount(name, guest);
}

Status LinkAccess::replyPackage(const PackageRecord& original, const AccountRecord& guest,
                                const ConnectionInfo& visitor, PackageRecord& reply) {
    return openReply(gateway_, original, guest, visitor, reply);
}

Status LinkAccess::freeName(int64_t parentNode, int64_t accountId, const std::string& name,
                            std::string& chosen) {
    Catalog& catalog = gateway_.catalog();
    for (int n = 1; n <= 1000; ++n) {
        chosen = n == 1 ? name : numbered(name, n);
        if (!VirtualPath::checkName(chosen)) continue;
        std::optional<NodeRecord> node;
        std::optional<UploadRecord> upload;
        if (Status s = catalog.findChild(parentNode, chosen, node); !s) return s;
        if (Status s = catalog.findUpload(parentNode, chosen, accountId, upload); !s) return s;
        if (!node && !upload) return Status::ok();
    }
    return Status::exists("too many returned files named " + name);
}

Status LinkAccess::openReturn(const PackageRecord& package, const std::string& fileName,
                              const ConnectionInfo& visitor, std::unique_ptr<WriteStream>& stream,
                              std::string& storedName) {
    if (package.state != "sent") {
        return Status::invalid("files can be returned once the package has been sent");
    }
    if (Status s = VirtualPath::checkName(fileName); !s) return s;
    if (fileName == ".dad" || fileName == ".link" || fileName == ".status") {
        return Status::invalid(fileName + " is a reserved name");
    }
    Catalog& catalog = gateway_.catalog();
    AccountRecord guest;
    PackageRecord reply;
    UploadRecord upload;
    QuotaState quota;
    {
        std::lock_guard<std::mutex> lock(replyMutex_);
        if (Status s = guestAccount(package, guest); !s) return s;
        if (Status s = replyPackage(package, guest, visitor, reply); !s) return s;
        const std::string virtualPath = "/outbox/" + reply.name + "/" + fileName;
        PolicyEvent event;
        event.hook = Hook::BeforeUpload;
        event.user = guest.name;
        event.accountId = guest.id;
        event.connection = visitor;
        event.path = virtualPath;
        event.packagePid = reply.pid;
        if (Status s = gateway_.policy().ask(event); !s) return s;
        if (returning_.count(package.id)) {
            return Status::error(StatusCode::Busy,
                                 "another file is being returned through this link: try again "
                                 "once it has arrived");
        }
        if (Status s = returnQuota(package, guest, quota); !s) return s;
        if (Status s = freeName(reply.rootNode, guest.id, fileName, storedName); !s) return s;
        upload.accountId = guest.id;
        upload.parentNode = reply.rootNode;
        upload.rootNode = reply.rootNode;
        upload.name = storedName;
        upload.tempName = randomToken(18);
        if (Status s = catalog.createUpload(upload); !s) return s;
        returning_.insert(package.id);
    }
    const int64_t packageId = package.id;
    auto ended = [this, packageId] { endReturn(packageId); };
    if (!gateway_.claimUpload(upload.tempName)) {
        (void)catalog.removeUpload(upload.id);
        ended();
        return Status::error(StatusCode::Busy, "the upload is busy");
    }
    int fd = -1;
    if (Status s = gateway_.store().fileSystem().openForWrite(
            gateway_.store().uploadPath(upload.tempName), true, fd);
        !s) {
        gateway_.releaseUpload(upload.tempName);
        (void)catalog.removeUpload(upload.id);
        ended();
        return s;
    }
    UploadTarget target;
    target.upload = upload;
    target.virtualPath = "/p/" + package.pid + "/reply/" + storedName;
    target.accountName = guest.name;
    target.connection = visitor;
    target.quota = quota;
    stream = std::make_unique<ReturnStream>(
        std::make_unique<UploadStream>(gateway_, std::move(target), fd, 0, false), ended);
    return Status::ok();
}

Status LinkAccess::returnQuota(const PackageRecord& package, const AccountRecord& guest,
                               QuotaState& quota) {
    // The guest's limits are its sender's, with what it returned counted.
    if (Status s = readQuota(gateway_.catalog(), guest, quota); !s) return s;
    if (maxReturnedBytes_ >= 0) {
        QuotaLimit& link = quota.link;
        link.scope = "files returned through the link of package " + package.pid;
        link.limitBytes = maxReturnedBytes_;
        if (Status s = gateway_.catalog().usage({guest.id}, link.usedBytes, link.usedFiles); !s) {
            return s;
        }
    }
    if (Status s = quota.roomForOneFile(); !s) return s;
    if (quota.remainingBytes() == 0) return quotaExceeded(quota.tightestBytes());
    return Status::ok();
}

void LinkAccess::endReturn(int64_t packageId) {
    std::lock_guard<std::mutex> lock(replyMutex_);
    returning_.erase(packageId);
}

}  // namespace dad
