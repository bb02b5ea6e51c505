// The SFTP v3 engine: framing, the handle table and the core requests.
// Extended requests live in SftpExtensions.cpp.
#include "SftpEngine.h"

#include <algorithm>
#include <ctime>
#include <exception>

#include "SftpEngineImpl.h"
#include "SftpListing.h"
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
    if (broken_ || finished_)
        return false;
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
                if (input_.size() < 4)
                    break;
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
            if (input_.size() < size_t{4} + packetLength)
                break;
            keep = handlePacket(input_.data() + 4, packetLength);
            input_.clear();
        } else {
            if (length == 0)
                break;
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
    if (!flush())
        keep = false;
    if (!keep) {
        broken_ = true;
        input_.clear();
        input_.shrink_to_fit();
    }
    return keep;
}

bool SftpEngine::Impl::flush() {
    if (out_.empty())
        return !broken_;
    bool ok = false;
    try {
        ok = output_(out_.data(), out_.size());
    } catch (...) {
        ok = false;
    }
    out_.clear();
    if (out_.capacity() > 2 * kFlushThreshold)
        out_.shrink_to_fit();
    if (!ok)
        broken_ = true;
    return ok;
}

bool SftpEngine::Impl::handlePacket(const char* payload, size_t length) {
    SftpReader in(payload, length);
    uint8_t type;
    if (!in.readUint8(type))
        return false;
    if (type == sftp::kInit) {
        uint32_t clientVersion;
        // Extension pairs after the version are allowed and ignored.
        if (initialized_ || !in.readUint32(clientVersion))
            return false;
        initialized_ = true;
        sendVersion();
        return true;
    }
    if (!initialized_)
        return false;
    uint32_t id;
    if (!in.readUint32(id))
        return false;
    const size_t mark = out_.size();
    try {
        return dispatch(type, id, in);
    } catch (const std::exception& e) {
        out_.resize(mark);
        sendStatus(id, sftp::kFailure, std::string("internal error: ") + e.what());
    } catch (...) {
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
    if (finished_)
        return;
    finished_ = true;
    for (SftpHandle& handle : handles_) {
        if (handle.kind == SftpHandle::Kind::Write && handle.writer)
            handle.writer->abandon();
        if (handle.kind == SftpHandle::Kind::Read && handle.reader)
            handle.reader->close();
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
    if (slot == handles_.size())
        handles_.emplace_back();
    handle.generation = nextGeneration_++;
    if (nextGeneration_ == 0)
        nextGeneration_ = 1;
    handles_[slot] = std::move(handle);
    ++openHandles_;
    std::string encoded;
    SftpWriter w(encoded);
    w.uint32(static_cast<uint32_t>(slot));
    w.uint32(handles_[slot].generation);
    return encoded;
}

SftpHandle* SftpEngine::Impl::findHandle(const std::string& handle) {
    if (handle.size() != 8)
        return nullptr;
    const uint32_t slot = peekUint32(handle.data());
    const uint32_t generation = peekUint32(handle.data() + 4);
    if (slot >= handles_.size())
        return nullptr;
    SftpHandle& found = handles_[slot];
    if (found.kind == SftpHandle::Kind::Free || found.generation != generation)
        return nullptr;
    return &found;
}

void SftpEngine::Impl::releaseHandle(SftpHandle& handle) {
    handle = SftpHandle();
    --openHandles_;
}

// ---- requests

void SftpEngine::Impl::handleOpen(uint32_t id, SftpReader& in) {
    std::string raw, path;
    uint32_t flags;
    SftpAttrs attrs;  // permissions and times at open are ignored, as OpenSSH does
    if (!in.readString(raw) || !in.readUint32(flags) || !in.readAttrs(attrs)) {
        return sendBadMessage(id);
    }
    if (Status s = resolve(raw, path); !s)
        return sendStatus(id, s);
    const uint32_t writeFlags = sftp::kOpenWrite | sftp::kOpenAppend | sftp::kOpenCreate |
                                sftp::kOpenTruncate | sftp::kOpenExclusive;
    const bool forRead = (flags & sftp::kOpenRead) != 0 || (flags & writeFlags) == 0;
    const bool forWrite = (flags & writeFlags) != 0 && !(flags & sftp::kOpenRead);
    if ((flags & sftp::kOpenRead) && (flags & sftp::kOpenWrite)) {
        return sendStatus(id, sftp::kOpUnsupported, "read-write open not supported");
    }
    if (!canOpenHandle())
        return sendStatus(id, sftp::kFailure, "too many open handles");

    SftpHandle handle;
    handle.path = path;
    if (forWrite) {
        if (!(flags & sftp::kOpenCreate)) {
            FileInfo info;
            if (Status s = session_.stat(path, info); !s)
                return sendStatus(id, s);
        }
        WriteOptions options;
        options.truncate = (flags & sftp::kOpenTruncate) != 0;
        options.exclusive = (flags & sftp::kOpenExclusive) != 0;
        options.append = (flags & sftp::kOpenAppend) != 0;
        if (Status s = session_.openWrite(path, options, handle.writer); !s) {
            return sendStatus(id, s);
        }
        if (!handle.writer)
            return sendStatus(id, sftp::kFailure, "no write stream");
        handle.kind = SftpHandle::Kind::Write;
        handle.truncated = options.truncate;
    } else if (forRead) {
        if (Status s = session_.openRead(path, handle.reader); !s)
            return sendStatus(id, s);
        if (!handle.reader)
            return sendStatus(id, sftp::kFailure, "no read stream");
        handle.kind = SftpHandle::Kind::Read;
    }
    sendHandle(id, allocateHandle(std::move(handle)));
}

Status SftpEngine::Impl::closeWrite(SftpHandle& handle) {
    Status status;
    if (handle.pendingCopy) {
        handle.writer->abandon();
        status = session_.copyFile(handle.copySource, handle.path, true);
    } else {
        status = handle.writer->close();
    }
    // The upload is committed at this point; a failed time stamp must not make
    // the client believe the upload failed, so it is best effort.
    if (status && handle.hasMtime)
        session_.setModificationTime(handle.path, handle.mtime);
    return status;
}

void SftpEngine::Impl::handleClose(uint32_t id, SftpReader& in) {
    std::string raw;
    if (!in.readString(raw))
        return sendBadMessage(id);
    SftpHandle* handle = findHandle(raw);
    if (!handle)
        return sendStatus(id, invalidHandle());
    Status status;
    if (handle->kind == SftpHandle::Kind::Read)
        status = handle->reader->close();
    if (handle->kind == SftpHandle::Kind::Write)
        status = closeWrite(*handle);
    releaseHandle(*handle);
    sendStatus(id, status);
}

void SftpEngine::Impl::handleRead(uint32_t id, SftpReader& in) {
    std::string raw;
    uint64_t offset;
    uint32_t length;
    if (!in.readString(raw) || !in.readUint64(offset) || !in.readUint32(length)) {
        return sendBadMessage(id);
    }
    SftpHandle* handle = findHandle(raw);
    if (!handle)
        return sendStatus(id, invalidHandle());
    if (handle->kind != SftpHandle::Kind::Read) {
        return sendStatus(id, sftp::kFailure, "handle is not open for reading");
    }
    length = std::min(length, limits_.maxReadLength);
    if (offset >= handle->reader->size())
        return sendStatus(id, sftp::kEof, "End of file");

    // The data is read straight into the reply; the unused tail is cut off.
    SftpWriter w(out_);
    w.begin(sftp::kData);
    w.uint32(id);
    const size_t lengthAt = w.position();
    w.uint32(0);
    char* buffer = w.space(length);
    size_t got = 0;
    Status status = handle->reader->read(offset, buffer, length, got);
    if (!status || (got == 0 && length > 0)) {
        w.cancel();
        if (!status)
            return sendStatus(id, status);
        return sendStatus(id, sftp::kEof, "End of file");
    }
    got = std::min<size_t>(got, length);
    w.shrinkTo(lengthAt + 4 + got);
    w.patchUint32(lengthAt, static_cast<uint32_t>(got));
    w.finish();
}

void SftpEngine::Impl::handleWrite(uint32_t id, SftpReader& in) {
    std::string raw;
    uint64_t offset;
    const char* data;
    size_t length;
    if (!in.readString(raw) || !in.readUint64(offset) || !in.readStringView(data, length)) {
        return sendBadMessage(id);
    }
    SftpHandle* handle = findHandle(raw);
    if (!handle)
        return sendStatus(id, invalidHandle());
    if (handle->kind != SftpHandle::Kind::Write) {
        return sendStatus(id, sftp::kFailure, "handle is not open for writing");
    }
    if (handle->pendingCopy) {
        if (Status s = materializeCopy(*handle); !s)
            return sendStatus(id, s);
    }
    handle->written = true;
    sendStatus(id, handle->writer->write(offset, data, length));
}

void SftpEngine::Impl::handleStat(uint32_t id, SftpReader& in) {
    std::string raw, path;
    if (!in.readString(raw))
        return sendBadMessage(id);
    if (Status s = resolve(raw, path); !s)
        return sendStatus(id, s);
    FileInfo info;
    if (Status s = session_.stat(path, info); !s)
        return sendStatus(id, s);
    sendAttrs(id, sftpAttrsFor(info));
}

void SftpEngine::Impl::handleFstat(uint32_t id, SftpReader& in) {
    std::string raw;
    if (!in.readString(raw))
        return sendBadMessage(id);
    SftpHandle* handle = findHandle(raw);
    if (!handle)
        return sendStatus(id, invalidHandle());
    FileInfo info;
    if (handle->kind == SftpHandle::Kind::Write) {
        // An upload is not visible until its close: describe it from the stream.
        info.size = handle->writer->size();
        info.mtime = handle->hasMtime ? handle->mtime : static_cast<int64_t>(std::time(nullptr));
        info.writable = true;
    } else if (Status s = session_.stat(handle->path, info); !s) {
        if (handle->kind != SftpHandle::Kind::Read)
            return sendStatus(id, s);
        info = FileInfo();
        info.size = handle->reader->size();
    }
    if (handle->kind == SftpHandle::Kind::Read)
        info.size = handle->reader->size();
    sendAttrs(id, sftpAttrsFor(info));
}

// SETSTAT on a path applies a time now; FSETSTAT on an upload remembers it for
// after the close. uid/gid/permissions are accepted and ignored (`put -p`);
// a size other than the current one cannot be set.
void SftpEngine::Impl::handleSetstat(uint32_t id, SftpReader& in) {
    std::string raw, path;
    SftpAttrs attrs;
    if (!in.readString(raw) || !in.readAttrs(attrs))
        return sendBadMessage(id);
    if (Status s = resolve(raw, path); !s)
        return sendStatus(id, s);
    FileInfo info;
    if (Status s = session_.stat(path, info); !s)
        return sendStatus(id, s);
    if (attrs.has(sftp::kAttrSize) && attrs.size != info.size) {
        return sendStatus(id, sftp::kOpUnsupported, "changing the size of a file is not supported");
    }
    if (attrs.has(sftp::kAttrAcModTime)) {
        return sendStatus(id, session_.setModificationTime(path, attrs.mtime));
    }
    sendOk(id);
}

void SftpEngine::Impl::handleFsetstat(uint32_t id, SftpReader& in) {
    std::string raw;
    SftpAttrs attrs;
    if (!in.readString(raw) || !in.readAttrs(attrs))
        return sendBadMessage(id);
    SftpHandle* handle = findHandle(raw);
    if (!handle)
        return sendStatus(id, invalidHandle());
    if (attrs.has(sftp::kAttrSize)) {
        uint64_t current = 0;
        if (handle->kind == SftpHandle::Kind::Write)
            current = handle->writer->size();
        if (handle->kind == SftpHandle::Kind::Read)
            current = handle->reader->size();
        if (handle->kind == SftpHandle::Kind::Directory || attrs.size != current) {
            return sendStatus(id, sftp::kOpUnsupported,
                              "changing the size of a file is not supported");
        }
    }
    if (attrs.has(sftp::kAttrAcModTime)) {
        if (handle->kind == SftpHandle::Kind::Write) {
            handle->hasMtime = true;
            handle->mtime = attrs.mtime;
        } else {
            return sendStatus(id, session_.setModificationTime(handle->path, attrs.mtime));
        }
    }
    sendOk(id);
}

void SftpEngine::Impl::handleOpendir(uint32_t id, SftpReader& in) {
    std::string raw;
    SftpHandle handle;
    if (!in.readString(raw))
        return sendBadMessage(id);
    if (Status s = resolve(raw, handle.path); !s)
        return sendStatus(id, s);
    if (!canOpenHandle())
        return sendStatus(id, sftp::kFailure, "too many open handles");
    if (Status s = session_.list(handle.path, handle.entries); !s)
        return sendStatus(id, s);
    handle.kind = SftpHandle::Kind::Directory;
    sendHandle(id, allocateHandle(std::move(handle)));
}

// All entries, in batches, then EOF. "." and ".." are not listed: OpenSSH's
// server lists them but its client and the others do not need them, and the
// namespace has no attributes of its own to give them.
void SftpEngine::Impl::handleReaddir(uint32_t id, SftpReader& in) {
    std::string raw;
    if (!in.readString(raw))
        return sendBadMessage(id);
    SftpHandle* handle = findHandle(raw);
    if (!handle)
        return sendStatus(id, invalidHandle());
    if (handle->kind != SftpHandle::Kind::Directory) {
        return sendStatus(id, sftp::kFailure, "handle is not a directory");
    }
    if (handle->nextEntry >= handle->entries.size()) {
        return sendStatus(id, sftp::kEof, "End of file");
    }
    const size_t count = std::min<size_t>(handle->entries.size() - handle->nextEntry,
                                          std::max<uint32_t>(limits_.maxNamesPerReply, 1));
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    SftpWriter w(out_);
    w.begin(sftp::kName);
    w.uint32(id);
    w.uint32(static_cast<uint32_t>(count));
    for (size_t i = 0; i < count; ++i) {
        const FileInfo& entry = handle->entries[handle->nextEntry++];
        w.string(entry.name);
        w.string(sftpLongName(entry, session_.userName(), now));
        w.attrs(sftpAttrsFor(entry));
    }
    w.finish();
}

void SftpEngine::Impl::handlePathOp(uint8_t type, uint32_t id, SftpReader& in) {
    std::string raw, path;
    SftpAttrs attrs;
    if (!in.readString(raw))
        return sendBadMessage(id);
    if (type == sftp::kMkdir && !in.readAttrs(attrs))
        return sendBadMessage(id);
    if (Status s = resolve(raw, path); !s)
        return sendStatus(id, s);
    if (type == sftp::kRemove)
        return sendStatus(id, session_.removeFile(path));
    if (type == sftp::kMkdir)
        return sendStatus(id, session_.makeDirectory(path));
    sendStatus(id, session_.removeDirectory(path));
}

// Never stats: OpenSSH's client asks for the real path of a file it is about
// to create.
void SftpEngine::Impl::handleRealpath(uint32_t id, SftpReader& in) {
    std::string raw, path;
    if (!in.readString(raw))
        return sendBadMessage(id);
    if (raw.empty() || raw == ".") {
        path = session_.homeDirectory();
    } else if (Status s = resolve(raw, path); !s) {
        return sendStatus(id, s);
    }
    sendOneName(id, path);
}

void SftpEngine::Impl::handleRename(uint32_t id, SftpReader& in) {
    std::string rawFrom, rawTo, from, to;
    if (!in.readString(rawFrom) || !in.readString(rawTo))
        return sendBadMessage(id);
    if (Status s = resolve(rawFrom, from); !s)
        return sendStatus(id, s);
    if (Status s = resolve(rawTo, to); !s)
        return sendStatus(id, s);
    // v3 RENAME never replaces; posix-rename@openssh.com does.
    sendStatus(id, session_.rename(from, to, false));
}

}  // namespace dad
