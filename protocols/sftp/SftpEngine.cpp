// The SFTP v3 engine: framing, dispatch, replies and the handle table.
// The requests live in SftpRequests.cpp and SftpExtensions.cpp.
#include "SftpEngine.h"

#include <algorithm>

#include "SftpEngineImpl.h"
#include "SftpStatusMap.h"
#include "VirtualPath.h"

namespace dad {

namespace {

// Replies are handed to the output in one call per feed(), or earlier once
// this much is waiting (a few READ replies).
constexpr size_t kFlushThreshold = 512 * 1024;

uint32_t peekUint32(const char* p) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
}

}  // namespace

SftpEngine::SftpEngine(Session& session, Output output, SftpLimits limits)
    : impl_(std::make_unique<Impl>(session, std::move(output), limits)) {}

SftpEngine::~SftpEngine() {
    impl_->finish();
}

bool SftpEngine::feed(const char* data, size_t length) {
    return impl_->feed(data, length);
}

void SftpEngine::finish() {
    impl_->finish();
}

SftpEngine::Impl::Impl(Session& session, Output output, SftpLimits limits)
    : session_(session), output_(std::move(output)), limits_(limits) {}

// Packets complete in `data` are handled in place; only the tail of an
// incomplete one is copied into input_, and only after its length was checked.
bool SftpEngine::Impl::feed(const char* data, size_t length) {
    if (broken_ || finished_) return false;
    bool keep = true;
    while (keep) {
        if (out_.size() >= kFlushThreshold && !flush()) {
            keep = false;
            break;
        }
        if (!input_.empty()) {
            if (input_.size() < 4) {
                const size_t take = std::min(4 - input_.size(), length);
                input_.append(data, take);
                data += take;
                length -= take;
                if (input_.size() < 4) break;
            }
            const uint32_t packetLength = peekUint32(input_.data());
            if (packetLength == 0 || packetLength > limits_.maxPacketLength) {
                keep = false;
                break;
            }
            const size_t take = std::min(size_t{4} + packetLength - input_.size(), length);
            if (input_.size() + take > limits_.maxBufferedInput) {
                keep = false;
                break;
            }
            input_.append(data, take);
            data += take;
            length -= take;
            if (input_.size() < size_t{4} + packetLength) break;
            keep = handlePacket(input_.data() + 4, packetLength);
            input_.clear();
        } else {
            if (length == 0) break;
            if (length >= 4) {
                const uint32_t packetLength = peekUint32(data);
                if (packetLength == 0 || packetLength > limits_.maxPacketLength) {
                    keep = false;
                    break;
                }
                if (length - 4 >= packetLength) {
                    keep = handlePacket(data + 4, packetLength);
                    data += 4 + size_t{packetLength};
                    length -= 4 + size_t{packetLength};
                    continue;
                }
            }
            if (length > limits_.maxBufferedInput) {
                keep = false;
                break;
            }
            input_.assign(data, length);
            length = 0;
        }
    }
    // Replies to the packets before a violation still go out.
    if (!flush()) keep = false;
    if (!keep) {
        broken_ = true;
        input_.clear();
        input_.shrink_to_fit();
    }
    return keep;
}

bool SftpEngine::Impl::flush() {
    if (out_.empty()) return !broken_;
    bool ok = false;
    try {
        ok = output_(out_.data(), out_.size());
    } catch (...) {
        ok = false;
    }
    out_.clear();
    if (out_.capacity() > 2 * kFlushThreshold) out_.shrink_to_fit();
    if (!ok) broken_ = true;
    return ok;
}

bool SftpEngine::Impl::handlePacket(const char* payload, size_t length) {
    SftpReader in(payload, length);
    uint8_t type;
    if (!in.readUint8(type)) return false;
    if (type == sftp::kInit) {
        uint32_t clientVersion;
        // Extension pairs after the version are allowed and ignored.
        if (initialized_ || !in.readUint32(clientVersion)) return false;
        initialized_ = true;
        sendVersion();
        return true;
    }
    if (!initialized_) return false;
    uint32_t id;
    if (!in.readUint32(id)) return false;
    const size_t mark = out_.size();
    try {
        return dispatch(type, id, in);
    } catch (...) {
        // An exception's text is not a sentence for the user and may name
        // internals, so the client only learns that it failed.
        out_.resize(mark);
        sendStatus(id, sftp::kFailure, "internal error");
    }
    return true;
}

bool SftpEngine::Impl::dispatch(uint8_t type, uint32_t id, SftpReader& in) {
    switch (type) {
        case sftp::kOpen:
            handleOpen(id, in);
            break;
        case sftp::kClose:
            handleClose(id, in);
            break;
        case sftp::kRead:
            handleRead(id, in);
            break;
        case sftp::kWrite:
            handleWrite(id, in);
            break;
        case sftp::kLstat:
        case sftp::kStat:
            handleStat(id, in);
            break;
        case sftp::kFstat:
            handleFstat(id, in);
            break;
        case sftp::kSetstat:
            handleSetstat(id, in);
            break;
        case sftp::kFsetstat:
            handleFsetstat(id, in);
            break;
        case sftp::kOpendir:
            handleOpendir(id, in);
            break;
        case sftp::kReaddir:
            handleReaddir(id, in);
            break;
        case sftp::kRemove:
        case sftp::kMkdir:
        case sftp::kRmdir:
            handlePathOp(type, id, in);
            break;
        case sftp::kRealpath:
            handleRealpath(id, in);
            break;
        case sftp::kRename:
            handleRename(id, in);
            break;
        case sftp::kReadlink:
        case sftp::kSymlink:
            sendStatus(id, sftp::kOpUnsupported, "symbolic links are not supported");
            break;
        case sftp::kExtended:
            handleExtended(id, in);
            break;
        default:
            sendStatus(id, sftp::kOpUnsupported, "unsupported request type");
            break;
    }
    return true;
}

void SftpEngine::Impl::finish() {
    if (finished_) return;
    finished_ = true;
    // Also runs from the destructor: nothing may escape.
    for (SftpHandle& handle : handles_) {
        try {
            if (handle.kind == SftpHandle::Kind::Write && handle.writer) handle.writer->abandon();
            if (handle.kind == SftpHandle::Kind::Read && handle.reader) handle.reader->close();
        } catch (...) {
        }
        handle = SftpHandle();
    }
    handles_.clear();
    openHandles_ = 0;
}

// ---- replies

void SftpEngine::Impl::sendStatus(uint32_t id, uint32_t code, const std::string& message) {
    SftpWriter w(out_);
    w.begin(sftp::kStatus);
    w.uint32(id);
    w.uint32(code);
    w.string(message);
    w.string(kSftpLanguageTag, 2);
    w.finish();
}

void SftpEngine::Impl::sendStatus(uint32_t id, const Status& status) {
    sendStatus(id, sftpStatusCode(status.code()), sftpStatusMessage(status));
}

void SftpEngine::Impl::sendOk(uint32_t id) {
    sendStatus(id, sftp::kOk, "Success");
}

void SftpEngine::Impl::sendBadMessage(uint32_t id) {
    sendStatus(id, sftp::kBadMessage, "malformed request");
}

void SftpEngine::Impl::sendHandle(uint32_t id, const std::string& handle) {
    SftpWriter w(out_);
    w.begin(sftp::kHandle);
    w.uint32(id);
    w.string(handle);
    w.finish();
}

void SftpEngine::Impl::sendAttrs(uint32_t id, const SftpAttrs& attrs) {
    SftpWriter w(out_);
    w.begin(sftp::kAttrs);
    w.uint32(id);
    w.attrs(attrs);
    w.finish();
}

// A NAME with one entry whose longname is the path and whose ATTRS are empty,
// as OpenSSH answers REALPATH.
void SftpEngine::Impl::sendOneName(uint32_t id, const std::string& path) {
    SftpWriter w(out_);
    w.begin(sftp::kName);
    w.uint32(id);
    w.uint32(1);
    w.string(path);
    w.string(path);
    w.attrs(SftpAttrs());
    w.finish();
}

void SftpEngine::Impl::sendVersion() {
    SftpWriter w(out_);
    w.begin(sftp::kVersionPacket);
    w.uint32(sftp::kVersion);
    for (const auto& [name, version] : sftpAdvertisedExtensions()) {
        w.string(name);
        w.string(version);
    }
    w.finish();
}

Status SftpEngine::Impl::resolve(const std::string& raw, std::string& out) const {
    return VirtualPath::resolve(session_.homeDirectory(), raw, out);
}

// ---- handles: 4 bytes slot index, 4 bytes generation

std::string SftpEngine::Impl::allocateHandle(SftpHandle&& handle) {
    size_t slot = 0;
    while (slot < handles_.size() && handles_[slot].kind != SftpHandle::Kind::Free)
        ++slot;
    if (slot == handles_.size()) handles_.emplace_back();
    handle.generation = nextGeneration_++;
    if (nextGeneration_ == 0) nextGeneration_ = 1;
    handles_[slot] = std::move(handle);
    ++openHandles_;
    std::string encoded;
    SftpWriter w(encoded);
    w.uint32(static_cast<uint32_t>(slot));
    w.uint32(handles_[slot].generation);
    return encoded;
}

SftpHandle* SftpEngine::Impl::findHandle(const std::string& handle) {
    if (handle.size() != 8) return nullptr;
    const uint32_t slot = peekUint32(handle.data());
    const uint32_t generation = peekUint32(handle.data() + 4);
    if (slot >= handles_.size()) return nullptr;
    SftpHandle& found = handles_[slot];
    if (found.kind == SftpHandle::Kind::Free || found.generation != generation) return nullptr;
    return &found;
}

void SftpEngine::Impl::releaseHandle(SftpHandle& handle) {
    handle = SftpHandle();
    --openHandles_;
}

}  // namespace dad
