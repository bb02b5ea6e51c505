// libFuzzer target: the peer API's messages (a package description, an
// offer's answer, a Content-Range), as a receiving dadgate reads them from
// another site. Findings: a crash or sanitizer report (an exception escaping
// included); a message that, encoded again, reads back as something else;
// accepted values outside PeerLimits; a content range that is not in order.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "PeerMessages.h"

namespace {

using namespace dad;

bool same(const PeerPackage& a, const PeerPackage& b) {
    if (a.pid != b.pid || a.sender != b.sender || a.message != b.message ||
        a.recipients != b.recipients || a.sentAt != b.sentAt || a.expiresAt != b.expiresAt ||
        a.maxDownloads != b.maxDownloads || a.files.size() != b.files.size())
        return false;
    for (size_t i = 0; i < a.files.size(); ++i) {
        if (a.files[i].path != b.files[i].path || a.files[i].size != b.files[i].size ||
            a.files[i].sha256 != b.files[i].sha256)
            return false;
    }
    return true;
}

void checkPackage(const std::string& body) {
    PeerPackage package;
    if (!parsePeerPackage(body, package)) return;
    if (package.files.size() > PeerLimits::kMaxFiles ||
        package.recipients.size() > PeerLimits::kMaxRecipients ||
        package.message.size() > PeerLimits::kMaxMessageBytes ||
        package.pid.size() > PeerLimits::kMaxFieldBytes ||
        package.sender.size() > PeerLimits::kMaxFieldBytes)
        abort();
    for (const PeerFile& file : package.files) {
        if (!checkPeerPath(file.path)) abort();
    }
    const std::string encoded = encodePeerPackage(package);
    PeerPackage again;
    if (encoded.size() > PeerLimits::kMaxBodyBytes) return;
    if (!parsePeerPackage(encoded, again) || !same(package, again)) abort();
    if (encodePeerPackage(again) != encoded) abort();
}

void checkReply(const std::string& body) {
    PeerOfferReply reply;
    if (!parsePeerOfferReply(body, reply)) return;
    const std::string encoded = encodePeerOfferReply(reply);
    PeerOfferReply again;
    if (!parsePeerOfferReply(encoded, again)) abort();
    if (again.pid != reply.pid || again.committed != reply.committed ||
        again.hashes.size() != reply.hashes.size())
        abort();
    for (const auto& [hash, holding] : reply.hashes) {
        const auto it = again.hashes.find(hash);
        if (it == again.hashes.end() || it->second.state != holding.state ||
            it->second.bytes != holding.bytes)
            abort();
    }
}

void checkRange(const std::string& header) {
    uint64_t start = 0, end = 0, total = 0;
    if (!parsePeerContentRange(header, start, end, total)) return;
    if (start > end || end > total) abort();
    // An empty range is written only at the end (START == TOTAL).
    if (start == end && start != total) return;
    if (start != end && end != total) return;  // a range that stops short has no writer
    uint64_t s2 = 0, e2 = 0, t2 = 0;
    if (!parsePeerContentRange(peerContentRange(start, total), s2, e2, t2)) abort();
    if (s2 != start || e2 != end || t2 != total) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    checkPackage(body);
    checkReply(body);
    if (size <= 200) checkRange(body);
    return 0;
}
