// Packages that arrived from a peer dadgate (gateway/peer/PeerReceiver.h).
#include "Catalog.h"

namespace dad {

Status Catalog::setPackageOrigin(int64_t packageId, const std::string& originSender) {
    return db_->transaction([&](SqlRunner& sql) {
        sql.execute("UPDATE package SET origin_sender = ? WHERE id = ?", {originSender, packageId});
        return Status::ok();
    });
}

}  // namespace dad
