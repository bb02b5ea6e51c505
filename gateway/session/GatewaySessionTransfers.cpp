// GatewaySession: reading, writing, sending and replying.
#include <Poco/Logger.h>

#include "Delivery.h"
#include "FetchArea.h"
#include "Gateway.h"
#include "GatewaySession.h"
#include "Notifications.h"
#include "PackageLifecycle.h"
#include "PolicyActions.h"
#include "Quota.h"
#include "ReadStreams.h"
#include "Secrets.h"
#include "Sites.h"
#include "UploadStream.h"
#include "VirtualPath.h"

#include <algorithm>
#include <sstream>

namespace dad {

Status GatewaySession::openRead(const std::string& path, std::unique_ptr<ReadStream>& stream) {
    Place place;
    if (Status s = resolve(path, place); !s) return s;
    FileSystem& fs = gateway_.store().fileSystem();
    if (place.kind == Place::Kind::Generated) {
        stream = std::make_unique<TextReadStream>(place.generated);
        return Status::ok();
    }
    if (place.kind == Place::Kind::Missing && place.upload) {
        int fd = -1;
        if (Status s = fs.openForRead(gateway_.store().uploadPath(place.upload->tempName), fd);
            !s) {
            return s;
        }
        uint64_t size = 0;
        (void)fs.size(fd, size);
        stream = std::make_unique<FileReadStream>(gateway_, fd, size, std::nullopt,
                                                  connection_.protocol);
        return Status::ok();
    }
    if (place.kind != Place::Kind::Node) return Status::notFound("no such file: " + path);
    if (place.node.isDir) return Status::error(StatusCode::IsADirectory, path);

    std::optional<DownloadRecord> download;
    const bool received = place.area == Area::Inbox && !place.inReply && place.package;
    if (received) {
        PolicyEvent event;
        event.hook = Hook::BeforeDownload;
        event.user = account_.name;
        event.accountId = account_.id;
        event.connection = connection_;
        event.path = path;
        event.bytes = place.node.size;
        event.packagePid = place.package->pid;
        if (Status s = gateway_.policy().ask(event); !s) return s;
        DownloadRecord d;
        d.packageId = place.package->id;
        d.nodeId = place.node.id;
        d.path = path;
        d.accountId = account_.id;
        d.accountName = account_.name;
        d.remoteAddress = connection_.remoteAddress;
        d.protocol = connection_.protocol;
        if (Status s = gateway_.catalog().startDownload(d); !s) return s;
        download = d;
    }
    int fd = -1;
    if (Status s = fs.openForRead(gateway_.store().blobPath(place.node.blob), fd); !s) {
        Poco::Logger::get("dadgate.store").error("blob of %s is missing: %s", path, s.message());
        return Status::ioError("the stored content of " + place.name + " cannot be read");
    }
    stream = std::make_unique<FileReadStream>(gateway_, fd, place.node.size, download,
                                              connection_.protocol);
    return Status::ok();
}

Status GatewaySession::openWrite(const std::string& path, const WriteOptions& options,
                                 std::unique_ptr<WriteStream>& stream) {
    Place place;
    if (Status s = resolveForCreate(path, place); !s) return s;
    if (place.kind == Place::Kind::EmptyReply || place.isDirectory()) {
        return Status::error(StatusCode::IsADirectory, path + " is a folder");
    }
    if (place.area == Area::Fetch) {
        if (options.exclusive && place.kind == Place::Kind::Generated) {
            return Status::exists(place.name + " already exists");
        }
        return FetchArea(gateway_, account_).openUpload(*this, connection_, place.name, stream);
    }
    if (place.kind == Place::Kind::NewDraft || place.area == Area::Root ||
        (place.kind == Place::Kind::Node && !place.writable) ||
        place.kind == Place::Kind::Generated) {
        return place.kind == Place::Kind::NewDraft
                   ? Status::denied("files go into a draft folder: mkdir /outbox/<name> first")
                   : readOnly(path);
    }
    Catalog& catalog = gateway_.catalog();
    const bool exists = place.kind == Place::Kind::Node;
    if (options.exclusive && (exists || place.upload)) {
        return Status::exists(place.name + " already exists");
    }
    int64_t parent = exists ? place.node.parentId : 0;
    if (!exists) {
        if (Status s = writableParent(place, parent); !s && !place.upload) return s;
        parent = place.parentNode;
    }
    if (place.inReply && place.package && parent == 0) return Status::failure("no reply folder");

    QuotaState quota;
    if (Status s = askBeforeUpload(path, 0, !exists && !place.upload, quota); !s) return s;

    std::optional<UploadRecord> upload = place.upload;
    if (exists) {
        if (Status s = catalog.findUpload(parent, place.name, account_.id, upload); !s) return s;
    }
    FileSystem& fs = gateway_.store().fileSystem();
    BlobStore& store = gateway_.store();
    bool fresh = !upload;
    if (fresh) {
        UploadRecord u;
        u.accountId = account_.id;
        u.parentNode = parent;
        NodeRecord parentNode;
        if (Status s = catalog.findNode(parent, parentNode); !s) return s;
        u.rootNode = parentNode.rootId;
        u.name = place.name;
        u.tempName = randomToken(18);
        if (Status s = catalog.createUpload(u); !s) return s;
        upload = u;
    }
    if (!gateway_.claimUpload(upload->tempName)) {
        return Status::error(StatusCode::Busy,
                             place.name + " is being uploaded by another session");
    }
    const std::string tempPath = store.uploadPath(upload->tempName);
    const bool truncate = options.truncate || fresh;
    int fd = -1;
    if (Status s = fs.openForWrite(tempPath, truncate, fd); !s) {
        gateway_.releaseUpload(upload->tempName);
        return s;
    }
    uint64_t existing = 0;
    if (!truncate) (void)fs.size(fd, existing);
    if (fresh && exists && !options.truncate) {
        // Writing into a stored file without truncating starts from its content.
        int source = -1;
        if (fs.openForRead(store.blobPath(place.node.blob), source)) {
            std::string buffer(1 << 20, '\0');
            for (;;) {
                size_t got = 0;
                if (!fs.readAt(source, existing, buffer.data(), buffer.size(), got) || got == 0) {
                    break;
                }
                (void)fs.writeAt(fd, existing, buffer.data(), got);
                existing += got;
            }
            fs.close(source);
        }
    }
    UploadTarget target;
    target.upload = *upload;
    target.virtualPath = path;
    target.accountName = account_.name;
    target.connection = connection_;
    target.quota = quota;
    if (place.area == Area::Outbox && place.package && !place.inReply &&
        parent == place.package->rootNode && place.name == ".dad") {
        target.manifestOf = place.package->id;
    }
    // What after_upload's handlers ask for: jobs, and "send" for a draft.
    std::optional<int64_t> draftId;
    if (place.area == Area::Outbox && place.package && !place.inReply) draftId = place.package->id;
    target.afterUpload = [this, draftId](const std::vector<PolicyAction>& actions) {
        std::vector<PolicyAction> rest;
        bool send = false;
        for (const PolicyAction& a : actions) {
            if (a.name == "send" && draftId) {
                send = true;
            } else {
                rest.push_back(a);
            }
        }
        (void)applyPolicyActions(gateway_, "", rest,
                                 [this](const std::string& line) { gateway_.reportPolicy(line); });
        PackageRecord draft;
        if (!send || !gateway_.catalog().findPackage(*draftId, draft) || draft.state != "draft") {
            return;
        }
        if (Status s = sendDraft(draft, draft.name); !s) {
            gateway_.reportPolicy("policy send of " + draft.pid + " refused: " + s.message());
        }
    };
    stream =
        std::make_unique<UploadStream>(gateway_, std::move(target), fd, existing, options.append);
    return Status::ok();
}

Status GatewaySession::askBeforeUpload(const std::string& path, uint64_t bytes, bool newFile,
                                       QuotaState& quota) {
    if (Status s = readQuota(gateway_.catalog(), account_, quota); !s) return s;
    if (newFile) {
        if (Status s = quota.roomForOneFile(); !s) return s;
    }
    const QuotaLimit& tightest = quota.tightestBytes();
    PolicyEvent event;
    event.hook = Hook::BeforeUpload;
    event.user = account_.name;
    event.accountId = account_.id;
    event.connection = connection_;
    event.path = path;
    event.bytes = bytes;
    event.usedBytes = tightest.usedBytes;
    event.quotaBytes = tightest.limitBytes;
    return gateway_.policy().ask(event);
}

Status GatewaySession::sendDraft(const PackageRecord& draft, const std::string& sentName) {
    if (Status s = VirtualPath::checkName(sentName); !s) return s;
    Catalog& catalog = gateway_.catalog();
    int64_t unfinished = 0;
    if (Status s = catalog.countUploadsUnder(draft.rootNode, unfinished); !s) return s;
    if (unfinished > 0) {
        return Status::error(StatusCode::Busy,
                             "an upload into this draft is unfinished; finish or remove it "
                             "before sending");
    }
    std::vector<std::pair<std::string, NodeRecord>> files;
    if (Status s = catalog.listFilesUnder(draft.rootNode, files); !s) return s;
    const bool hasContent =
        std::any_of(files.begin(), files.end(), [](const auto& f) { return f.first != ".dad"; });
    if (!hasContent) return Status::invalid("the draft is empty: upload files before sending");
    std::vector<RecipientRecord> recipients;
    std::vector<std::string> groups;  // "@name" parts: the delivery policy expands them
    if (Status s = resolveRecipients(catalog, draft, recipients, groups); !s) return s;
    // forward_to names known sites, or the package is not sent: a typo would
    // otherwise send it without the forward the sender asked for.
    std::vector<std::string> forwards;
    std::istringstream forwardTo(draft.forwardTo);
    for (std::string site; std::getline(forwardTo, site, ',');) {
        SiteRecord known;
        if (site.empty()) continue;
        if (Status s = catalog.findSite(site, known); !s) {
            return Status::invalid("forward_to names no known site '" + site +
                                   "' (dadctl site list shows the sites)");
        }
        forwards.push_back(site);
    }
    PolicyEvent event;
    event.hook = Hook::PackageSent;
    event.user = account_.name;
    event.accountId = account_.id;
    event.connection = connection_;
    event.path = "/outbox/" + draft.name;
    event.packagePid = draft.pid;
    event.packageName = draft.name;
    for (const RecipientRecord& r : recipients)
        event.recipients.push_back(r.address);
    event.groups = groups;
    if (draft.expiresAfter) event.expiresAfter = *draft.expiresAfter;
    if (draft.expiresAt) event.expiresAt = *draft.expiresAt;
    if (draft.maxDownloads) event.maxDownloads = *draft.maxDownloads;
    std::vector<PolicyAction> actions;
    if (Status s = gateway_.policy().ask(event, &actions); !s) return s;
    const PackageChanges changes =
        applyPolicyActions(gateway_, draft.pid, actions,
                           [&](const std::string& line) { gateway_.reportPolicy(line); });
    if (changes.recipients) {
        std::vector<RecipientRecord> named;
        for (const std::string& address : *changes.recipients) {
            RecipientRecord r;
            r.address = address;
            named.push_back(r);
        }
        if (Status s = matchRecipients(catalog, named, recipients); !s) return s;
    } else if (!groups.empty()) {
        return unexpandedGroup(groups.front());
    }
    if (changes.expiresAfter || changes.maxDownloads || changes.password) {
        PackageRecord updated = draft;
        if (changes.expiresAfter) {
            updated.expiresAfter = changes.expiresAfter;
            updated.expiresAt.reset();
        }
        if (changes.maxDownloads) updated.maxDownloads = changes.maxDownloads;
        if (changes.password) updated.passwordHash = hashPassword(*changes.password);
        if (Status s = catalog.updatePackageSettings(updated); !s) return s;
    }
    if (recipients.empty()) {
        return Status::invalid(
            "no recipients: name them in .dad (to = ...) or in the draft folder's name");
    }
    for (const std::string& site : changes.forwards) {
        if (std::find(forwards.begin(), forwards.end(), site) == forwards.end())
            forwards.push_back(site);
    }
    if (Status s = catalog.setRecipients(draft.id, recipients); !s) return s;
    Status s = catalog.sendPackage(draft.id, sentName);
    catalog.audit({account_.name, connection_.remoteAddress, connection_.protocol, "send",
                   "/outbox/" + draft.name, draft.pid + (s ? "" : ": " + s.message()), s.isOk()});
    if (!s) return s;
    // The sender is told the PID; every recipient gets one message (accounts
    // only when they have an e-mail address; the notifier decides).
    (void)enqueueNotification(catalog, {"package_sent", draft.pid, account_.name, "", ""});
    for (const RecipientRecord& r : recipients) {
        (void)enqueueNotification(catalog, {"package_received", draft.pid, r.address, "", ""});
    }
    PackageRecord sent;
    if (Status s = catalog.findPackage(draft.id, sent); !s) return Status::ok();
    for (const std::string& site : forwards) {
        bool queued = false;
        if (Status f = Sites::queueForward(catalog, sent, site, queued); !f) {
            catalog.audit({account_.name, connection_.remoteAddress, connection_.protocol,
                           "forward", "/sent/" + sent.sentName,
                           draft.pid + " to " + site + ": " + f.message(), false});
        }
    }
    return Status::ok();
}

Status GatewaySession::replyPackage(const PackageRecord& original, PackageRecord& reply) {
    return openReply(gateway_, original, account_, connection_, reply);
}

}  // namespace dad
