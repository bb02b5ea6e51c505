#include "GatewaySession.h"

#include <algorithm>

#include "Delivery.h"
#include "FetchArea.h"
#include "Gateway.h"
#include "PackageLifecycle.h"
#include "ReadStreams.h"
#include "Secrets.h"
#include "UploadStream.h"
#include "VirtualPath.h"

namespace dad {

namespace {

FileInfo directory(const std::string& name, bool writable, int64_t mtime = 0) {
    FileInfo info;
    info.name = name;
    info.type = EntryType::Directory;
    info.writable = writable;
    info.mtime = mtime;
    return info;
}

}  // namespace

GatewaySession::GatewaySession(Gateway& gateway, AccountRecord account, ConnectionInfo connection)
    : gateway_(gateway),
      account_(std::move(account)),
      connection_(std::move(connection)),
      namespace_(gateway_, account_),
      open_(gateway_.metrics().sessionsOf(connection_.protocol)) {}

Status GatewaySession::readOnly(const std::string& path) {
    return Status::denied("read-only: " + path);
}

Status GatewaySession::resolve(const std::string& path, Place& place) {
    std::string normalized;
    if (Status s = VirtualPath::resolve("/", path, normalized); !s) return s;
    return namespace_.resolve(normalized, place);
}

Status GatewaySession::resolveForCreate(const std::string& path, Place& place) {
    Status s = resolve(path, place);
    if (s || s.code() != StatusCode::NotFound) return s;
    // The first file or folder returned in /inbox/<package>/reply makes the reply package.
    Place parent;
    std::string normalized;
    if (!VirtualPath::resolve("/", path, normalized) ||
        !namespace_.resolve(VirtualPath::parent(normalized), parent) ||
        parent.kind != Place::Kind::EmptyReply) {
        return s;
    }
    PackageRecord reply;
    if (Status r = replyPackage(*parent.original, reply); !r) return r;
    return resolve(path, place);
}

FileInfo GatewaySession::infoOf(const Place& place) {
    FileInfo info;
    info.name = place.name;
    switch (place.kind) {
        case Place::Kind::Root:
            return directory("", false, account_.created);
        case Place::Kind::AreaDir:
            return directory(place.name,
                             place.area == Area::Outbox || place.area == Area::Files ||
                                 place.area == Area::Fetch,
                             account_.created);
        case Place::Kind::EmptyReply:
            return directory("reply", true, place.original->sentAt.value_or(0));
        case Place::Kind::Generated:
            info.size = place.generated.size();
            info.mtime = place.package ? place.package->created : place.generatedTime;
            return info;
        case Place::Kind::Node:
            info.type = place.node.isDir ? EntryType::Directory : EntryType::File;
            info.size = place.node.size;
            info.mtime = place.node.mtime;
            info.writable = place.writable;
            if (!place.node.isDir) info.sha256 = place.node.blob;
            if (place.packageRoot && place.package) info.mtime = place.package->created;
            return info;
        case Place::Kind::Missing:
        case Place::Kind::NewDraft:
            break;
    }
    return info;
}

Status GatewaySession::stat(const std::string& path, FileInfo& info) {
    Place place;
    if (Status s = resolve(path, place); !s) return s;
    if (place.kind == Place::Kind::Missing && place.upload) {
        // The uploader sees an unfinished upload with the bytes it has, so a
        // client's own resume (reput) knows where to go on.
        info = FileInfo();
        info.name = place.name;
        info.writable = true;
        info.mtime = place.upload->started;
        int fd = -1;
        FileSystem& fs = gateway_.store().fileSystem();
        if (fs.openForRead(gateway_.store().uploadPath(place.upload->tempName), fd)) {
            (void)fs.size(fd, info.size);
            fs.close(fd);
        }
        return Status::ok();
    }
    if (place.gone && place.kind == Place::Kind::Missing) {
        // What a gone package held reads as an empty folder: a recursive
        // delete that looks before it goes in (lftp's rm -r) finishes.
        info = directory(place.name, false, place.package->created);
        return Status::ok();
    }
    if (place.kind == Place::Kind::Missing || place.kind == Place::Kind::NewDraft) {
        return Status::notFound("no such file or folder: " + path);
    }
    info = infoOf(place);
    return Status::ok();
}

Status GatewaySession::list(const std::string& path, std::vector<FileInfo>& entries) {
    Place place;
    if (Status s = resolve(path, place); !s) return s;
    entries.clear();
    Catalog& catalog = gateway_.catalog();
    if (place.kind == Place::Kind::Root) {
        const int64_t t = account_.created;
        entries = {directory("files", true, t), directory("outbox", true, t),
                   directory("sent", false, t), directory("inbox", false, t),
                   directory("fetch", true, t)};
        return Status::ok();
    }
    if (place.kind == Place::Kind::AreaDir) {
        if (place.area == Area::Outbox || place.area == Area::Sent) {
            std::vector<PackageRecord> packages;
            const bool drafts = place.area == Area::Outbox;
            if (Status s =
                    catalog.listPackagesOfSender(account_.id, drafts ? "draft" : "sent", packages);
                !s) {
                return s;
            }
            for (const PackageRecord& p : packages) {
                if (p.state == "withdrawn") continue;  // its sender removed it
                entries.push_back(
                    directory(drafts ? p.name : p.sentName, drafts, p.sentAt.value_or(p.created)));
            }
        } else if (place.area == Area::Fetch) {
            std::vector<FetchArea::Entry> requests;
            if (Status s = FetchArea(gateway_, account_).list(requests); !s) return s;
            for (const FetchArea::Entry& r : requests) {
                FileInfo info;
                info.name = r.name;
                info.size = r.text.size();
                info.mtime = r.mtime;
                info.writable = true;
                entries.push_back(info);
            }
        } else if (place.area == Area::Inbox) {
            std::vector<std::pair<std::string, PackageRecord>> packages;
            if (Status s = catalog.listInbox(account_.id, packages); !s) return s;
            for (const auto& [name, p] : packages) {
                if (!namespace_.expired(p)) {
                    entries.push_back(directory(name, false, p.sentAt.value_or(p.created)));
                }
            }
        }
        return Status::ok();
    }
    if (place.kind == Place::Kind::EmptyReply) return Status::ok();
    // Empty at any depth, so a recursive delete that lists as it goes finishes.
    if (place.gone) return Status::ok();
    if (place.kind != Place::Kind::Node || !place.node.isDir) {
        if (place.kind == Place::Kind::Missing && !place.upload) {
            return Status::notFound("no such folder: " + path);
        }
        return Status::error(StatusCode::NotADirectory, "not a folder: " + path);
    }
    std::vector<NodeRecord> children;
    if (Status s = catalog.listChildren(place.node.id, children); !s) return s;
    const bool inboxRoot = place.area == Area::Inbox && place.packageRoot && !place.inReply;
    for (const NodeRecord& child : children) {
        if (inboxRoot && child.name == ".dad") continue;
        FileInfo info;
        info.name = child.name;
        info.type = child.isDir ? EntryType::Directory : EntryType::File;
        info.size = child.size;
        info.mtime = child.mtime;
        info.writable = place.writable;
        if (!child.isDir) info.sha256 = child.blob;
        entries.push_back(std::move(info));
    }
    std::vector<UploadRecord> uploads;
    if (place.writable && catalog.listUploads(place.node.id, account_.id, uploads)) {
        for (const UploadRecord& u : uploads) {
            FileInfo info;
            if (stat(path + "/" + u.name, info)) {
                auto same = std::find_if(entries.begin(), entries.end(),
                                         [&](const FileInfo& e) { return e.name == u.name; });
                if (same != entries.end()) {
                    *same = info;
                } else {
                    entries.push_back(info);
                }
            }
        }
    }
    if (place.packageRoot && place.package && !place.inReply) {
        if (place.area == Area::Outbox || place.area == Area::Sent) {
            FileInfo link;
            link.name = ".link";
            link.size = namespace_.linkText(*place.package).size();
            link.mtime = place.package->created;
            entries.push_back(link);
        }
        if (place.area == Area::Sent) {
            FileInfo status;
            status.name = ".status";
            status.size = namespace_.statusText(*place.package).size();
            status.mtime = nowSeconds();
            entries.push_back(status);
        }
        if (place.area == Area::Inbox) {
            entries.push_back(directory("reply", true, place.package->sentAt.value_or(0)));
        }
    }
    return Status::ok();
}

Status GatewaySession::writableParent(Place& place, int64_t& parentNode) {
    if (place.kind == Place::Kind::EmptyReply) return Status::exists("reply already exists");
    if (place.kind != Place::Kind::Missing) {
        if (place.kind == Place::Kind::Node || place.kind == Place::Kind::Generated) {
            return place.writable ? Status::exists(place.name + " already exists")
                                  : readOnly(place.name);
        }
        return Status::denied("cannot create " + place.name + " here");
    }
    if (!place.writable) return readOnly(place.name);
    if (place.area == Area::Fetch) {
        return Status::denied("only request files (NAME.fetch) are uploaded into /fetch");
    }
    if (Status s = VirtualPath::checkName(place.name); !s) return s;
    if (place.package && place.node.id == 0 && place.parentNode == place.package->rootNode &&
        Namespace::isGeneratedName(place.name)) {
        return Status::denied(place.name + " is generated by the gateway");
    }
    parentNode = place.parentNode;
    return Status::ok();
}

Status GatewaySession::makeDirectory(const std::string& path) {
    Place place;
    if (Status s = resolveForCreate(path, place); !s) return s;
    if (place.kind == Place::Kind::NewDraft) return createDraft(place.name);
    if (place.kind == Place::Kind::EmptyReply) {
        PackageRecord reply;
        return replyPackage(*place.original, reply);
    }
    int64_t parent = 0, id = 0;
    if (Status s = writableParent(place, parent); !s) return s;
    if (place.upload) return Status::exists(place.name + " is being uploaded");
    return gateway_.catalog().createDirectory(parent, place.name, account_.id, id);
}

Status GatewaySession::createDraft(const std::string& name) {
    if (Status s = VirtualPath::checkName(name); !s) return s;
    PackageRecord draft;
    draft.pid = gateway_.newPid();
    draft.token = randomToken(24);
    draft.senderId = account_.id;
    draft.name = name;
    Status s = gateway_.catalog().createPackage(draft);
    gateway_.catalog().audit({account_.name, connection_.remoteAddress, connection_.protocol,
                              "draft", "/outbox/" + name, draft.pid, s.isOk()});
    return s;
}

bool GatewaySession::removedWithItsPackage(const Place& place) {
    // A generated file (.link, .status): accepted and left as it is, so that
    // a client's recursive delete (rm -r, WebDAV DELETE, a mapped drive)
    // reaches the folder, which takes it along. In a package gone already
    // (withdrawn, removed from this inbox) everything went with it.
    return (place.kind == Place::Kind::Generated && place.package) || place.gone;
}

bool GatewaySession::takesItsPackage(const Place& place) {
    // The files of a sent or received package go together.
    return place.package && !place.inReply && place.kind == Place::Kind::Node &&
           (place.area == Area::Sent || place.area == Area::Inbox);
}

Status GatewaySession::removeDirectory(const std::string& path) {
    Place place;
    if (Status s = resolve(path, place); !s) return s;
    if (removedWithItsPackage(place)) return Status::ok();
    if (place.kind == Place::Kind::Missing || place.kind == Place::Kind::NewDraft) {
        return Status::notFound("no such folder: " + path);
    }
    if (!place.isDirectory()) return Status::error(StatusCode::NotADirectory, path);
    if (takesItsPackage(place) ||
        (place.packageRoot && place.kind == Place::Kind::Node && !place.inReply)) {
        return removePackage(place);
    }
    if (!place.writable || place.kind != Place::Kind::Node) return readOnly(path);
    if (place.packageRoot) return Status::denied("a returned package cannot be removed");
    if (place.node.id == account_.filesRoot) return readOnly(path);
    return gateway_.catalog().removeNode(place.node.id);
}

Status GatewaySession::removePackage(const Place& place) {
    const PackageRecord& package = *place.package;
    Status s;
    std::string action;
    switch (place.area) {
        case Area::Outbox:
            action = "remove draft";
            s = gateway_.catalog().removeDraft(package.id, account_.name);
            break;
        case Area::Sent:
            // Withdrawn whole, at once (PackageLifecycle audits it).
            if (package.state == "sent") {
                return withdrawPackage(gateway_, package, account_.name, connection_);
            }
            return Status::denied("the package is " + package.state +
                                  "; its tracking stays in /sent");
        case Area::Inbox:
            // Hidden for this recipient only; the sender's tracking says so.
            action = "remove from inbox";
            s = gateway_.catalog().hideFromInbox(package.id, account_.id);
            break;
        default:
            return readOnly("/" + place.name);
    }
    gateway_.catalog().audit({account_.name, connection_.remoteAddress, connection_.protocol,
                              action,
                              place.area == Area::Outbox ? "/outbox/" + package.name : "/inbox",
                              package.pid + (s ? "" : ": " + s.message()), s.isOk()});
    return s;
}

Status GatewaySession::removeFile(const std::string& path) {
    Place place;
    if (Status s = resolve(path, place); !s) return s;
    if (place.gone) return Status::ok();  // it went with its package
    if (place.kind == Place::Kind::Missing && place.upload) {
        if (!gateway_.claimUpload(place.upload->tempName, false)) {
            return Status::error(StatusCode::Busy, place.name + " is being uploaded");
        }
        Status s = gateway_.catalog().removeUpload(place.upload->id);
        (void)gateway_.store().fileSystem().remove(
            gateway_.store().uploadPath(place.upload->tempName));
        gateway_.releaseUpload(place.upload->tempName);
        return s;
    }
    if (place.kind == Place::Kind::Missing || place.kind == Place::Kind::NewDraft) {
        return Status::notFound("no such file: " + path);
    }
    if (place.area == Area::Fetch && place.kind == Place::Kind::Generated) {
        return FetchArea(gateway_, account_).remove(place.name);
    }
    if (removedWithItsPackage(place)) return Status::ok();
    if (place.isDirectory()) return Status::error(StatusCode::IsADirectory, path);
    if (takesItsPackage(place)) return removePackage(place);
    if (!place.writable || place.kind != Place::Kind::Node) return readOnly(path);
    return gateway_.catalog().removeNode(place.node.id);
}

Status GatewaySession::rename(const std::string& from, const std::string& to, bool replace) {
    Place source, target;
    if (Status s = resolve(from, source); !s) return s;
    std::string normalizedTo;
    if (Status s = VirtualPath::resolve("/", to, normalizedTo); !s) return s;
    if (source.kind == Place::Kind::Node && source.packageRoot && source.area == Area::Outbox) {
        // Sending is renaming a draft into /sent ("/sent" itself keeps its name).
        if (normalizedTo == "/sent") return sendDraft(*source.package, source.package->name);
        if (VirtualPath::parent(normalizedTo) == "/sent") {
            return sendDraft(*source.package, VirtualPath::baseName(normalizedTo));
        }
        if (VirtualPath::parent(normalizedTo) == "/outbox") {
            const std::string name = VirtualPath::baseName(normalizedTo);
            if (Status s = VirtualPath::checkName(name); !s) return s;
            return gateway_.catalog().renameDraft(source.package->id, name);
        }
        return Status::denied("a draft can be renamed in /outbox or sent by moving it to /sent");
    }
    if (source.kind == Place::Kind::Missing && source.upload) {
        return Status::error(StatusCode::Busy, source.name + " is an unfinished upload");
    }
    if (source.kind == Place::Kind::Missing || source.kind == Place::Kind::NewDraft) {
        return Status::notFound("no such file or folder: " + from);
    }
    if (source.kind != Place::Kind::Node || !source.writable || source.packageRoot ||
        source.node.id == account_.filesRoot) {
        return readOnly(from);
    }
    if (Status s = namespace_.resolve(normalizedTo, target); !s) return s;
    if (target.kind == Place::Kind::Node && target.node.isDir && !source.node.isDir &&
        target.node.id != source.node.id && to.back() == '/') {
        // "rename a.txt dir/" moves the file into the folder.
        return rename(from, normalizedTo + "/" + source.name, replace);
    }
    int64_t parent = 0;
    if (target.kind == Place::Kind::Node && target.writable && !target.packageRoot) {
        if (!replace) return Status::exists(target.name + " already exists");
        parent = target.node.parentId;
    } else if (Status s = writableParent(target, parent); !s) {
        return s;
    }
    if (target.inReply || source.inReply) {
        if (target.package && source.package && target.package->id != source.package->id) {
            return Status::denied("files cannot move in or out of a returned package");
        }
    }
    return gateway_.catalog().moveNode(source.node.id, parent, target.name, replace);
}

Status GatewaySession::copyFile(const std::string& from, const std::string& to, bool replace) {
    Place source, target;
    if (Status s = resolve(from, source); !s) return s;
    if (source.kind != Place::Kind::Node || source.node.isDir) {
        return Status::notFound("no such file: " + from);
    }
    if (Status s = resolve(to, target); !s) return s;
    int64_t parent = 0;
    if (target.kind == Place::Kind::Node && target.writable && !target.node.isDir && replace) {
        parent = target.node.parentId;
    } else if (Status s = writableParent(target, parent); !s) {
        return s;
    }
    QuotaState quota;
    const bool newFile = target.kind != Place::Kind::Node;
    if (Status s = askBeforeUpload(to, source.node.size, newFile, quota); !s) return s;
    return gateway_.catalog().linkFile(parent, target.name, account_.id, source.node.blob,
                                       source.node.size, source.node.mtime, replace);
}

Status GatewaySession::setModificationTime(const std::string& path, int64_t mtime) {
    Place place;
    if (Status s = resolve(path, place); !s) return s;
    if (place.kind == Place::Kind::Missing && place.upload) return Status::ok();
    // Clients that keep times set one after uploading a request: nothing to keep.
    if (place.area == Area::Fetch && place.kind == Place::Kind::Generated) return Status::ok();
    if (place.kind != Place::Kind::Node) return Status::notFound("no such file: " + path);
    if (!place.writable || place.packageRoot) return readOnly(path);
    return gateway_.catalog().setModificationTime(place.node.id, mtime);
}

Status GatewaySession::contentHash(const std::string& path, std::string& sha256Hex) {
    Place place;
    if (Status s = resolve(path, place); !s) return s;
    if (place.kind != Place::Kind::Node || place.node.isDir) {
        return Status::notFound("no stored file: " + path);
    }
    sha256Hex = place.node.blob;
    return Status::ok();
}

Status GatewaySession::spaceInfo(SpaceInfo& info) {
    uint64_t total = 0, available = 0;
    if (Status s =
            gateway_.store().fileSystem().capacity(gateway_.options().dataDir, total, available);
        !s) {
        return s;
    }
    info.totalBytes = total;
    info.freeBytes = available;
    if (account_.quotaBytes) {
        uint64_t used = 0;
        if (Status s = gateway_.catalog().usedBytes(account_.id, used); !s) return s;
        const auto quota = static_cast<uint64_t>(*account_.quotaBytes);
        info.totalBytes = quota;
        info.freeBytes = std::min(available, used >= quota ? 0 : quota - used);
    }
    return Status::ok();
}

}  // namespace dad
