// COPY and MOVE (RFC 4918 sections 9.8 and 9.9). A copy is server-side (new
// references to the same blobs); moving /outbox/<draft> into /sent sends it.
#include "DavPath.h"
#include "VirtualPath.h"
#include "WebDavHandler.h"

namespace dad {

namespace {

bool isInside(const std::string& ancestor, const std::string& path) {
    return ancestor == "/"
               ? path != "/"
               : path.size() > ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
                     path[ancestor.size()] == '/';
}

std::string childOf(const std::string& dir, const std::string& name) {
    return dir == "/" ? "/" + name : dir + "/" + name;
}

}  // namespace

Status WebDavHandler::copyTree(const std::string& from, const std::string& to, bool infinite,
                               std::vector<MemberFailure>& failed) {
    FileInfo info;
    if (Status s = session_->stat(from, info); !s) return s;
    if (!info.isDirectory()) {
        if (Status s = session_->copyFile(from, to, true); !s) return s;
        if (DeadProperties* props = properties()) (void)props->copy(from, to);
        return Status::ok();
    }
    if (Status s = session_->makeDirectory(to); !s) return s;
    if (DeadProperties* props = properties()) (void)props->copy(from, to);
    if (!infinite) return Status::ok();
    std::vector<FileInfo> entries;
    if (Status s = session_->list(from, entries); !s) return s;
    for (const FileInfo& e : entries) {
        const size_t below = failed.size();
        Status s = copyTree(childOf(from, e.name), childOf(to, e.name), true, failed);
        if (!s && failed.size() == below) {
            failed.push_back({childOf(from, e.name), e.isDirectory(), s});
        }
    }
    return Status::ok();
}

void WebDavHandler::doCopyMove(bool move) {
    std::string destination;
    Status d = DavPath::decodeDestination(request_->get("Destination", ""), request_->getHost(),
                                          destination);
    if (!d) {
        if (d.code() == StatusCode::Unsupported) return sendText(502, d.message() + "\n");
        return sendText(400, d.message() + "\n");
    }
    const std::string depth = request_->get("Depth", "infinity");
    if (depth != "infinity" && depth != "Infinity" && (move || depth != "0")) {
        return sendText(400, "Depth must be infinity" + std::string(move ? "" : " or 0") + "\n");
    }
    const std::string overwriteHeader = request_->get("Overwrite", "T");
    if (overwriteHeader != "T" && overwriteHeader != "F") {
        return sendText(400, "Overwrite must be T or F\n");
    }
    const bool overwrite = overwriteHeader == "T";
    FileInfo source;
    if (Status s = session_->stat(path_, source); !s) return sendStatus(s, DavOperation::Read);
    if (destination == path_) return sendText(403, "source and destination are the same\n");
    if (source.isDirectory() && isInside(path_, destination)) {
        return sendText(409, "the destination is inside the source\n");
    }
    FileInfo parentInfo;
    if (!exists(VirtualPath::parent(destination), parentInfo) || !parentInfo.isDirectory()) {
        return sendText(409, "the destination's parent collection does not exist\n");
    }
    FileInfo target;
    const bool targetExists = exists(destination, target);
    if (!checkConditions(path_, !move)) return;
    if (move && (!checkLock(path_, true) || !checkLock(VirtualPath::parent(path_), false))) return;
    if (!checkLock(destination, true) || !checkLock(VirtualPath::parent(destination), false)) {
        return;
    }
    if (targetExists && !overwrite) return sendText(412, "the destination exists\n");
    const bool bothFiles = targetExists && !target.isDirectory() && !source.isDirectory();
    std::vector<MemberFailure> failed;
    if (targetExists && !bothFiles) {
        // A file replaces a file atomically; anything else clears the way
        // first. Members of the destination that cannot go are reported and
        // nothing is copied or moved onto what is left.
        Status s = removeTree(destination, failed);
        context_.locks.dropBelow(destination);
        if (!failed.empty()) return sendMemberFailures(failed, DavOperation::CopyMove);
        if (!s) return sendStatus(s, DavOperation::CopyMove);
    }
    Status s;
    if (move) {
        s = session_->rename(path_, destination, bothFiles);
        if (s) context_.locks.dropBelow(path_);
    } else {
        s = copyTree(path_, destination, depth != "0", failed);
    }
    if (!s) return sendStatus(s, DavOperation::CopyMove);
    if (!failed.empty()) return sendMemberFailures(failed, DavOperation::CopyMove);
    sendEmpty(targetExists ? 204 : 201);
}

}  // namespace dad
