// PeerMessages: the JSON bodies two dadgates exchange over the peer API
// (protocols/webdav/PeerApi.h; seed 000 Figure 11, the DAD-to-DAD transfer).
// Pure functions of text, shared by the receiving side (gateway/peer/PeerReceiver)
// and the sending side (plugins/forward/PeerTarget), so both read and write
// one format.
//
// A package description (the body of offer and commit):
//   {"pid": "...", "sender": "...", "message": "...", "recipients": ["..."],
//    "sent_at": 0, "expires_at": 0, "max_downloads": -1,
//    "files": [{"path": "a/b.pdf", "size": 123, "sha256": "<64 hex>"}]}
// expires_at 0 means none, max_downloads -1 none. An offer's answer:
//   {"pid": "...", "committed": false,
//    "hashes": {"<sha256>": {"state": "stored|partial|missing", "bytes": N}}}
// where bytes is what the receiver already holds of that content.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

struct PeerFile {
    std::string path;  // inside the package, '/'-separated
    uint64_t size = 0;
    std::string sha256;
};

struct PeerPackage {
    std::string pid;
    std::string sender;  // the sender's account at the origin site
    std::string message;
    std::vector<std::string> recipients;
    int64_t sentAt = 0;
    int64_t expiresAt = 0;      // 0: none
    int64_t maxDownloads = -1;  // -1: none
    std::vector<PeerFile> files;
};

enum class PeerHashState { Stored, Partial, Missing };

struct PeerHolding {
    PeerHashState state = PeerHashState::Missing;
    uint64_t bytes = 0;  // held already (size when stored)
};

struct PeerOfferReply {
    std::string pid;
    bool committed = false;  // the package exists at the receiver already
    std::map<std::string, PeerHolding> hashes;
};

struct PeerLimits {
    static constexpr size_t kMaxBodyBytes = 4 << 20;
    static constexpr size_t kMaxFiles = 10000;
    static constexpr size_t kMaxRecipients = 1000;
    static constexpr size_t kMaxMessageBytes = 64 * 1024;
    static constexpr size_t kMaxFieldBytes = 1024;  // pid, sender, one recipient
};

std::string encodePeerPackage(const PeerPackage& package);
// InvalidArgument with a precise message (which field, what is wrong) for
// anything that is not a description within PeerLimits: names are checked
// as package paths (no "..", no empty part), hashes as lower-case hex.
Status parsePeerPackage(const std::string& body, PeerPackage& package);

std::string encodePeerOfferReply(const PeerOfferReply& reply);
Status parsePeerOfferReply(const std::string& body, PeerOfferReply& reply);

const char* peerHashStateName(PeerHashState state);

// Whether `path` may name a file inside a package: relative, '/'-separated,
// every part a valid name (VirtualPath::checkName). InvalidArgument otherwise.
Status checkPeerPath(const std::string& path);

// "bytes START-END/TOTAL" (RFC 9110 Content-Range) for a PUT of content from
// START; END is inclusive. An empty range (START == TOTAL) is "bytes */TOTAL".
std::string peerContentRange(uint64_t start, uint64_t total);
// Reads what peerContentRange wrote; InvalidArgument otherwise. `end` is one
// past the last byte (== start for an empty range).
Status parsePeerContentRange(const std::string& header, uint64_t& start, uint64_t& end,
                             uint64_t& total);

}  // namespace dad
