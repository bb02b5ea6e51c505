// PeerReceiver: the receiving side of a forward from another dadgate (a site
// of type peer; seed 000 Figure 11). The sending gateway logs in as an
// account of this one that is allowed to act as a peer (config
// peer.accounts), and its package is built as a draft of that account whose
// name is the package's PID, through the same Session as any upload: the
// partial-upload files, the fsync-then-commit rule, dedup by hash, quota and
// the policy hooks all apply unchanged. Committing sends the draft with the
// same PID to the recipients named by the origin, resolved here as any sent
// package's; the sender is shown as "<origin sender>@<peer account>".
//
//   offer    what this gateway holds of each hash: stored (linked into the
//            draft by hash at once, no bytes move), partial (bytes of an
//            interrupted transfer) or missing
//   receive  content of one file from an offset; it resumes the partial
//            upload, and is published only when complete and its SHA-256 is
//            the one announced (otherwise it is dropped)
//   commit   sends the package; committing again is Ok
//   withdraw the origin withdrew it: withdrawn here too; again is Ok
//
// Thread-safe: each call opens its own Session.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "Authenticator.h"
#include "PeerMessages.h"
#include "Status.h"

namespace dad {

class Gateway;

struct PeerReceiverOptions {
    std::set<std::string> accounts;  // accounts allowed to act as peers (peer.accounts)
};

// What a receive call did.
struct PeerReceipt {
    uint64_t received = 0;     // bytes taken from the source by this call
    uint64_t held = 0;         // bytes this gateway holds of the content now
    bool complete = false;     // stored and verified
    bool wrongOffset = false;  // refused: `start` was not `held`
};

class PeerReceiver {
public:
    // Reads up to `length` bytes; `got` 0 means the source ended.
    using ByteSource = std::function<Status(char* buffer, size_t length, size_t& got)>;

    PeerReceiver(Gateway& gateway, PeerReceiverOptions options);

    // PermissionDenied unless `account` is one of the peer accounts (asked
    // after its password was checked).
    Status checkPeer(const std::string& account) const;

    Status offer(const std::string& account, const ConnectionInfo& connection,
                 const PeerPackage& package, PeerOfferReply& reply);

    // Content of the file at `path` in package `pid`, bytes [start, total)
    // from `source` (fewer when the source ends early: they are kept for a
    // resume). InvalidArgument with receipt.wrongOffset and receipt.held set
    // when `start` is not what this gateway holds; InvalidArgument when the content does not
    // match `sha256` (nothing is kept).
    Status receive(const std::string& account, const ConnectionInfo& connection,
                   const std::string& pid, const std::string& path, const std::string& sha256,
                   uint64_t start, uint64_t total, const ByteSource& source, PeerReceipt& receipt);

    // Busy naming the first file whose content is not here yet.
    Status commit(const std::string& account, const ConnectionInfo& connection,
                  const PeerPackage& package);

    // The origin withdrew package `pid`: withdrawn here too (its link
    // answers 410, it leaves every inbox), a draft of it dropped. Ok when it
    // is not here or no longer sent; PermissionDenied when it is another
    // account's.
    Status withdraw(const std::string& account, const ConnectionInfo& connection,
                    const std::string& pid);

private:
    Gateway& gateway_;
    PeerReceiverOptions options_;
};

}  // namespace dad
