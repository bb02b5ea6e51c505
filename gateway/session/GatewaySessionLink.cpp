// GatewaySession::linkContent: upload by hash. The new name becomes one more
// reference to content the store already holds; the same checks as copyFile
// (writable place, generated names, policy with the quota) apply.
#include <mutex>
#include <shared_mutex>

#include "Gateway.h"
#include "GatewaySession.h"
#include "Sha256.h"

namespace dad {

Status GatewaySession::linkContent(const std::string& path, const std::string& sha256Hex,
                                   uint64_t size, bool replace) {
    if (!Sha256::isHexDigest(sha256Hex)) return Status::invalid("not a SHA-256 digest");
    Place target;
    if (Status s = resolveForCreate(path, target); !s) return s;
    // A fetch request must go through its parser; it is never linked by hash.
    if (target.area == Area::Fetch) return Status::notFound("a fetch request is always uploaded");
    int64_t parent = 0;
    if (target.kind == Place::Kind::Node && target.writable && !target.node.isDir && replace) {
        parent = target.node.parentId;
    } else if (Status s = writableParent(target, parent); !s) {
        return s;
    }
    if (target.upload) return Status::error(StatusCode::Busy, path + " is being uploaded");
    // A manifest must go through its parser; it is never linked by hash.
    if (target.area == Area::Outbox && target.package && !target.inReply &&
        parent == target.package->rootNode && target.name == ".dad") {
        return Status::notFound("a manifest is always uploaded");
    }
    QuotaState quota;
    if (Status s = askBeforeUpload(path, size, target.kind != Place::Kind::Node, quota); !s) {
        return s;
    }
    {
        // Held shared: the collector cannot drop the blob between the look-up and the link.
        std::shared_lock<std::shared_mutex> lock(gateway_.store().linkLock());
        std::optional<BlobRecord> blob;
        if (Status s = gateway_.catalog().findBlob(sha256Hex, blob); !s) return s;
        if (!blob || blob->size != size) {
            return Status::notFound("the store does not hold that content");
        }
        if (Status s = gateway_.catalog().linkFile(parent, target.name, account_.id, sha256Hex,
                                                   size, nowSeconds(), replace);
            !s) {
            return s;
        }
    }
    gateway_.catalog().audit(
        {account_.name, connection_.remoteAddress, connection_.protocol, "upload", path,
         std::to_string(size) + " bytes sha256 " + sha256Hex + " (linked by hash)", true});
    PolicyEvent event;
    event.hook = Hook::AfterUpload;
    event.user = account_.name;
    event.accountId = account_.id;
    event.connection = connection_;
    event.path = path;
    event.bytes = size;
    (void)gateway_.policy().ask(event);
    return Status::ok();
}

}  // namespace dad
