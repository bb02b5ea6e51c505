#include "PeerReceiver.h"

#include <Poco/Logger.h>

#include <algorithm>
#include <vector>

#include "Gateway.h"
#include "PackageLifecycle.h"
#include "Secrets.h"
#include "Sha256.h"
#include "VirtualPath.h"

namespace dad {

namespace {

constexpr size_t kReceiveBuffer = 256 * 1024;

std::string draftDirectory(const std::string& pid) {
    return "/outbox/" + pid;
}

Status checkFiles(const PeerPackage& package) {
    for (const PeerFile& file : package.files) {
        // A manifest would be applied to the draft here (recipients, forward_to).
        if (file.path == ".dad")
            return Status::invalid("a package's manifest (.dad) is not forwarded");
    }
    return Status::ok();
}

// What the draft holds of one file; content the store holds already is
// linked in by hash here, so it never moves.
Status holdingOf(Session& session, const std::string& draft, const PeerFile& file,
                 PeerHolding& holding) {
    holding = PeerHolding();
    const std::string path = draft + "/" + file.path;
    if (Status s = makeParentDirectories(session, path); !s) return s;
    std::string stored;
    const bool complete = session.contentHash(path, stored).isOk();
    if (complete && stored == file.sha256) {
        holding.state = PeerHashState::Stored;
        holding.bytes = file.size;
        return Status::ok();
    }
    Status linked = session.linkContent(path, file.sha256, file.size, true);
    if (linked) {
        holding.state = PeerHashState::Stored;
        holding.bytes = file.size;
        return Status::ok();
    }
    if (linked.code() != StatusCode::NotFound && linked.code() != StatusCode::Busy) return linked;
    FileInfo info;
    if (!complete && session.stat(path, info) && !info.isDirectory() && info.size > 0 &&
        info.size <= file.size) {
        holding.state = PeerHashState::Partial;
        holding.bytes = info.size;
    }
    return Status::ok();
}

}  // namespace

PeerReceiver::PeerReceiver(Gateway& gateway, PeerReceiverOptions options)
    : gateway_(gateway), options_(std::move(options)) {}

Status PeerReceiver::checkPeer(const std::string& account) const {
    if (!options_.accounts.count(account)) {
        return Status::denied(account + " is not a peer account (peer.accounts)");
    }
    return Status::ok();
}

namespace {

// The package `pid` as a draft of the peer `account`: found, or created with
// that PID. `sent` when it was committed already.
Status peerPackage(Gateway& gateway, const AccountRecord& account, const ConnectionInfo& connection,
                   const std::string& pid, bool create, PackageRecord& package, bool& sent) {
    Catalog& catalog = gateway.catalog();
    for (int attempt = 0;; ++attempt) {
        Status found = catalog.findPackageByPid(pid, package);
        if (found) {
            if (package.senderId != account.id) {
                return Status::denied("package " + pid + " exists here and is not " + account.name +
                                      "'s");
            }
            sent = package.state != "draft";
            return Status::ok();
        }
        if (found.code() != StatusCode::NotFound || !create) return found;
        package = PackageRecord();
        package.pid = pid;
        package.token = randomToken(24);
        package.senderId = account.id;
        package.name = pid;
        Status created = catalog.createPackage(package);
        catalog.audit({account.name, connection.remoteAddress, connection.protocol, "draft",
                       draftDirectory(pid), pid, created.isOk()});
        if (created) {
            sent = false;
            return Status::ok();
        }
        // Another offer of the same package created it first: find that one.
        if (attempt > 0) return created;
    }
}

struct PeerCall {
    AccountRecord account;
    std::unique_ptr<Session> session;
};

Status openCall(Gateway& gateway, const std::string& account, const ConnectionInfo& connection,
                PeerCall& call) {
    if (Status s = gateway.catalog().findAccount(account, call.account); !s) return s;
    return gateway.openSession(account, connection, call.session);
}

}  // namespace

Status PeerReceiver::offer(const std::string& account, const ConnectionInfo& connection,
                           const PeerPackage& package, PeerOfferReply& reply) {
    reply = PeerOfferReply();
    reply.pid = package.pid;
    if (Status s = checkPeer(account); !s) return s;
    if (Status s = checkFiles(package); !s) return s;
    PeerCall call;
    if (Status s = openCall(gateway_, account, connection, call); !s) return s;
    PackageRecord record;
    if (Status s = peerPackage(gateway_, call.account, connection, package.pid, true, record,
                               reply.committed);
        !s) {
        return s;
    }
    for (const PeerFile& file : package.files) {
        PeerHolding holding;
        if (reply.committed) {
            holding.state = PeerHashState::Stored;
            holding.bytes = file.size;
        } else if (Status s = holdingOf(*call.session, draftDirectory(package.pid), file, holding);
                   !s) {
            return s;
        }
        // One hash, several files: stored wins (the rest are linked), then
        // the most bytes of an interrupted transfer.
        auto [it, added] = reply.hashes.emplace(file.sha256, holding);
        PeerHolding& merged = it->second;
        if (!added && merged.state != PeerHashState::Stored &&
            (holding.state == PeerHashState::Stored || holding.bytes > merged.bytes)) {
            merged = holding;
        }
    }
    return Status::ok();
}

Status PeerReceiver::receive(const std::string& account, const ConnectionInfo& connection,
                             const std::string& pid, const std::string& path,
                             const std::string& sha256, uint64_t start, uint64_t total,
                             const ByteSource& source, PeerReceipt& receipt) {
    receipt = PeerReceipt();
    if (Status s = checkPeer(account); !s) return s;
    if (Status s = VirtualPath::checkName(pid); !s) return Status::invalid("bad package ID");
    if (Status s = checkPeerPath(path); !s) return s;
    if (path == ".dad") return Status::invalid("a package's manifest (.dad) is not forwarded");
    if (!Sha256::isHexDigest(sha256)) return Status::invalid("not a SHA-256 digest");
    if (start > total) return Status::invalid("the offset is past the content's size");
    PeerCall call;
    if (Status s = openCall(gateway_, account, connection, call); !s) return s;
    PackageRecord record;
    bool sent = false;
    if (Status s = peerPackage(gateway_, call.account, connection, pid, false, record, sent); !s)
        return s;
    Session& session = *call.session;
    const std::string draft = draftDirectory(pid);
    const std::string target = draft + "/" + path;
    std::string stored;
    if (sent || (session.contentHash(target, stored) && stored == sha256)) {
        receipt.held = total;
        receipt.complete = true;
        return Status::ok();
    }
    if (Status s = makeParentDirectories(session, target); !s) return s;
    WriteOptions options;
    options.truncate = start == 0;
    std::unique_ptr<WriteStream> stream;
    if (Status s = session.openWrite(target, options, stream); !s) return s;
    if (stream->size() != start) {
        receipt.held = stream->size();
        receipt.wrongOffset = true;
        stream->abandon();
        return Status::invalid("this gateway holds " + std::to_string(receipt.held) + " bytes of " +
                               path + ", not " + std::to_string(start));
    }
    std::vector<char> buffer(kReceiveBuffer);
    uint64_t offset = start;
    Status cut;
    while (offset < total) {
        size_t got = 0;
        const size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), total - offset));
        cut = source(buffer.data(), want, got);
        if (!cut || got == 0) break;
        if (Status s = stream->write(offset, buffer.data(), got); !s) {
            stream->abandon();
            return s;
        }
        offset += got;
        receipt.received += got;
    }
    Poco::Logger::get("dadgate.peer")
        .information("peer %s: received %s byte(s) of %s for %s from offset %s", account,
                     std::to_string(receipt.received), sha256, pid, std::to_string(start));
    receipt.held = offset;
    if (offset < total) {
        // Cut short: what arrived is made durable and kept for the resume.
        (void)stream->sync();
        stream->abandon();
        return cut;
    }
    if (Status s = stream->close(); !s) return s;
    if (!session.contentHash(target, stored) || stored != sha256) {
        (void)session.removeFile(target);
        receipt.held = 0;
        return Status::invalid("the content received for " + path +
                               " does not match its SHA-256; it was not kept");
    }
    receipt.complete = true;
    return Status::ok();
}

Status PeerReceiver::commit(const std::string& account, const ConnectionInfo& connection,
                            const PeerPackage& package) {
    if (Status s = checkPeer(account); !s) return s;
    if (Status s = checkFiles(package); !s) return s;
    PeerCall call;
    if (Status s = openCall(gateway_, account, connection, call); !s) return s;
    PackageRecord record;
    bool sent = false;
    if (Status s = peerPackage(gateway_, call.account, connection, package.pid, true, record, sent);
        !s) {
        return s;
    }
    if (sent) return Status::ok();  // committed before: the sender's retry
    const std::string draft = draftDirectory(package.pid);
    for (const PeerFile& file : package.files) {
        PeerHolding holding;
        if (Status s = holdingOf(*call.session, draft, file, holding); !s) return s;
        if (holding.state != PeerHashState::Stored) {
            return Status::error(StatusCode::Busy, "the content of " + file.path +
                                                       " has not arrived (" +
                                                       std::to_string(holding.bytes) + " of " +
                                                       std::to_string(file.size) + " bytes)");
        }
    }
    Catalog& catalog = gateway_.catalog();
    if (Status s = catalog.findPackage(record.id, record); !s) return s;
    record.message = package.message;
    record.expiresAfter.reset();
    record.expiresAt.reset();
    if (package.expiresAt > 0) record.expiresAt = package.expiresAt;
    record.maxDownloads.reset();
    if (package.maxDownloads >= 0) record.maxDownloads = package.maxDownloads;
    if (Status s = catalog.updatePackageSettings(record); !s) return s;
    std::vector<RecipientRecord> recipients;
    for (const std::string& address : package.recipients) {
        RecipientRecord r;
        r.address = address;
        recipients.push_back(r);
    }
    if (Status s = catalog.setRecipients(record.id, recipients); !s) return s;
    if (Status s = catalog.setPackageOrigin(record.id, package.sender + "@" + account); !s) {
        return s;
    }
    // Sent as any draft is: the package_sent policy, inbox names, notifications.
    return call.session->rename(draft, "/sent/" + package.pid, false);
}

Status PeerReceiver::withdraw(const std::string& account, const ConnectionInfo& connection,
                              const std::string& pid) {
    if (Status s = checkPeer(account); !s) return s;
    PeerCall call;
    if (Status s = openCall(gateway_, account, connection, call); !s) return s;
    PackageRecord record;
    bool sent = false;
    Status found = peerPackage(gateway_, call.account, connection, pid, false, record, sent);
    if (found.code() == StatusCode::NotFound) return Status::ok();  // it never arrived
    if (!found) return found;
    if (record.state == "draft") {
        // Part of a forward that never ended: its bytes go.
        return gateway_.catalog().endPackage(record.id, "withdrawn");
    }
    if (record.state != "sent") return Status::ok();  // withdrawn or expired already
    return withdrawPackage(gateway_, record, account, connection);
}

}  // namespace dad
