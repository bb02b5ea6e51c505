#include "Namespace.h"

#include "FetchArea.h"
#include "Gateway.h"
#include "PackageLifecycle.h"
#include "PackageReport.h"
#include "VirtualPath.h"

namespace dad {

Namespace::Namespace(Gateway& gateway, const AccountRecord& account)
    : gateway_(gateway), account_(account) {}

namespace {

Area areaOf(const std::string& name) {
    if (name == "files") return Area::Files;
    if (name == "outbox") return Area::Outbox;
    if (name == "sent") return Area::Sent;
    if (name == "inbox") return Area::Inbox;
    if (name == "fetch") return Area::Fetch;
    return Area::Root;
}

}  // namespace

std::string Namespace::linkText(const PackageRecord& package) const {
    return "pid = " + package.pid + "\nlink = " + gateway_.packageLink(package.token) + "\n";
}

std::string Namespace::statusText(const PackageRecord& package) {
    std::string text;
    (void)PackageReport(gateway_.catalog(), gateway_.options().publicUrl).write(package, text);
    return text;
}

bool Namespace::expired(const PackageRecord& package) {
    return expireIfDue(gateway_, package);
}

Status Namespace::resolve(const std::string& path, Place& place) {
    place = Place();
    const std::vector<std::string> parts = VirtualPath::split(path);
    if (parts.empty()) return Status::ok();
    place.area = areaOf(parts[0]);
    place.name = parts.back();
    if (place.area == Area::Root) {
        return Status::notFound("no such file or folder: " + path);
    }
    Catalog& catalog = gateway_.catalog();
    if (place.area == Area::Files) {
        if (Status s = catalog.findNode(account_.filesRoot, place.node); !s) return s;
        const std::vector<std::string> below(parts.begin() + 1, parts.end());
        return resolvePackageTree(PackageRecord(), Area::Files, true, below, place);
    }
    if (parts.size() == 1) {
        place.kind = Place::Kind::AreaDir;
        return Status::ok();
    }
    const std::vector<std::string> rest(parts.begin() + 2, parts.end());
    switch (place.area) {
        case Area::Outbox: {
            std::optional<PackageRecord> draft;
            if (Status s = catalog.findDraft(account_.id, parts[1], draft); !s) return s;
            if (!draft) {
                if (!rest.empty()) return Status::notFound("no draft " + parts[1]);
                place.kind = Place::Kind::NewDraft;
                place.writable = true;
                return Status::ok();
            }
            return resolvePackageTree(*draft, Area::Outbox, true, rest, place);
        }
        case Area::Sent: {
            std::optional<PackageRecord> sent;
            if (Status s = catalog.findSent(account_.id, parts[1], sent); !s) return s;
            if (!sent) return Status::notFound("no sent package " + parts[1]);
            if (sent->state == "withdrawn") return resolveGone(*sent, rest, place);
            return resolvePackageTree(*sent, Area::Sent, false, rest, place);
        }
        case Area::Inbox: {
            std::optional<PackageRecord> received;
            if (Status s = catalog.findInbox(account_.id, parts[1], received); !s) return s;
            if (!received) {
                std::optional<PackageRecord> removed;
                if (Status s = catalog.findInbox(account_.id, parts[1], removed, true); !s) {
                    return s;
                }
                if (removed) return resolveGone(*removed, rest, place);
            }
            if (!received || expired(*received)) {
                return Status::notFound("no package " + parts[1] + " in the inbox");
            }
            if (rest.empty() || rest[0] != "reply") {
                if (!rest.empty() && rest[0] == ".dad") {
                    return Status::notFound("no such file: " + path);
                }
                return resolvePackageTree(*received, Area::Inbox, false, rest, place);
            }
            std::optional<PackageRecord> reply;
            if (Status s = catalog.findReply(received->id, account_.id, reply); !s) return s;
            const std::vector<std::string> below(rest.begin() + 1, rest.end());
            if (!reply) {
                if (!below.empty()) return Status::notFound("no such file: " + path);
                place.kind = Place::Kind::EmptyReply;
                place.writable = true;
                place.inReply = true;
                place.original = received;
                return Status::ok();
            }
            Status s = resolvePackageTree(*reply, Area::Inbox, true, below, place);
            place.inReply = true;
            place.original = received;
            if (below.empty()) place.name = "reply";
            return s;
        }
        case Area::Fetch: {
            // A request's status, or a free name a request may be uploaded to.
            if (!rest.empty()) return Status::notFound("no such file or folder: " + path);
            std::optional<FetchArea::Entry> entry;
            if (Status s = FetchArea(gateway_, account_).find(parts[1], entry); !s) return s;
            place.writable = true;
            if (!entry) {
                place.kind = Place::Kind::Missing;
                return Status::ok();
            }
            place.kind = Place::Kind::Generated;
            place.generated = entry->text;
            place.generatedTime = entry->mtime;
            return Status::ok();
        }
        case Area::Files:
        case Area::Root:
            break;
    }
    return Status::notFound("no such file or folder: " + path);
}

Status Namespace::resolveGone(const PackageRecord& package, const std::vector<std::string>& rest,
                              Place& place) {
    place.package = package;
    place.gone = true;
    place.packageRoot = rest.empty();
    if (!rest.empty()) {
        place.kind = Place::Kind::Missing;  // at any depth: what it held went with it
        return Status::ok();
    }
    place.kind = Place::Kind::Node;
    return gateway_.catalog().findNode(package.rootNode, place.node);
}

Status Namespace::resolvePackageTree(const PackageRecord& package, Area area, bool writable,
                                     const std::vector<std::string>& rest, Place& place) {
    Catalog& catalog = gateway_.catalog();
    place.writable = writable;
    if (area != Area::Files) {
        place.package = package;
        if (Status s = catalog.findNode(package.rootNode, place.node); !s) return s;
    }
    place.kind = Place::Kind::Node;
    place.packageRoot = area != Area::Files && rest.empty();
    for (size_t i = 0; i < rest.size(); ++i) {
        const bool last = i + 1 == rest.size();
        // Recipients see the files only; .status exists once a package is sent.
        if (i == 0 && last && isGeneratedIn(area, rest[i])) {
            place.kind = Place::Kind::Generated;
            place.generated = rest[i] == ".link" ? linkText(package) : statusText(package);
            place.writable = false;
            return Status::ok();
        }
        std::optional<NodeRecord> child;
        if (Status s = catalog.findChild(place.node.id, rest[i], child); !s) return s;
        if (!child) {
            if (!last) return Status::notFound("no such folder: " + rest[i]);
            place.kind = Place::Kind::Missing;
            place.parentNode = place.node.id;
            place.node = NodeRecord();
            if (Status s = catalog.findUpload(place.parentNode, rest[i], account_.id, place.upload);
                !s) {
                return s;
            }
            return Status::ok();
        }
        if (!last && !child->isDir) return Status::error(StatusCode::NotADirectory, rest[i]);
        place.node = *child;
    }
    return Status::ok();
}

}  // namespace dad
