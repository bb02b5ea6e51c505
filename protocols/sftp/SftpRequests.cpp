// The core SFTP v3 requests of the engine: each decodes its fields, calls the
// Session and appends one reply. A field that does not fit the payload is
// answered with SSH_FX_BAD_MESSAGE.
#include <algorithm>
#include <ctime>

#include "SftpEngineImpl.h"
#include "SftpListing.h"
#include "SftpStatusMap.h"

namespace dad {

void SftpEngine::Impl::handleOpen(uint32_t id, SftpReader& in) {
    std::string raw, path;
    uint32_t flags;
    SftpAttrs attrs;  // permissions and times at open are ignored, as OpenSSH does
    if (!in.readString(raw) || !in.readUint32(flags) || !in.readAttrs(attrs)) {
        return sendBadMessage(id);
    }
    if (Status s = resolve(raw, path); !s) return sendStatus(id, s);
    const uint32_t writeFlags = sftp::kOpenWrite | sftp::kOpenAppend | sftp::kOpenCreate |
                                sftp::kOpenTruncate | sftp::kOpenExclusive;
    const bool forRead = (flags & sftp::kOpenRead) != 0 || (flags & writeFlags) == 0;
    const bool forWrite = (flags & writeFlags) != 0 && !(flags & sftp::kOpenRead);
    if ((flags & sftp::kOpenRead) && (flags & sftp::kOpenWrite)) {
        return sendStatus(id, sftp::kOpUnsupported, "read-write open not supported");
    }
    if (!canOpenHandle()) return sendStatus(id, sftp::kFailure, "too many open handles");

    SftpHandle handle;
    handle.path = path;
    if (forWrite) {
        if (!(flags & sftp::kOpenCreate)) {
            FileInfo info;
            if (Status s = session_.stat(path, info); !s) return sendStatus(id, s);
        }
        WriteOptions options;
        options.truncate = (flags & sftp::kOpenTruncate) != 0;
        options.exclusive = (flags & sftp::kOpenExclusive) != 0;
        options.append = (flags & sftp::kOpenAppend) != 0;
        if (Status s = session_.openWrite(path, options, handle.writer); !s) {
            return sendStatus(id, s);
        }
        if (!handle.writer) return sendStatus(id, sftp::kFailure, "no write stream");
        handle.kind = SftpHandle::Kind::Write;
        handle.truncated = options.truncate;
    } else if (forRead) {
        if (Status s = session_.openRead(path, handle.reader); !s) return sendStatus(id, s);
        if (!handle.reader) return sendStatus(id, sftp::kFailure, "no read stream");
        handle.kind = SftpHandle::Kind::Read;
    }
    sendHandle(id, allocateHandle(std::move(handle)));
}

Status SftpEngine::Impl::closeWrite(SftpHandle& handle) {
    Status status;
    if (handle.pendingCopy) {
        handle.writer->discard();
        status = session_.copyFile(handle.copySource, handle.path, true);
    } else {
        status = handle.writer->close();
    }
    // The upload is committed at this point; a failed time stamp must not make
    // the client believe the upload failed, so it is best effort.
    if (status && handle.hasMtime) session_.setModificationTime(handle.path, handle.mtime);
    return status;
}

void SftpEngine::Impl::handleClose(uint32_t id, SftpReader& in) {
    std::string raw;
    if (!in.readString(raw)) return sendBadMessage(id);
    SftpHandle* handle = findHandle(raw);
    if (!handle) return sendStatus(id, invalidHandle());
    Status status;
    if (handle->kind == SftpHandle::Kind::Read) status = handle->reader->close();
    if (handle->kind == SftpHandle::Kind::Write) status = closeWrite(*handle);
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
    if (!handle) return sendStatus(id, invalidHandle());
    if (handle->kind != SftpHandle::Kind::Read) {
        return sendStatus(id, sftp::kFailure, "handle is not open for reading");
    }
    length = std::min(length, limits_.maxReadLength);
    if (offset >= handle->reader->size()) return sendStatus(id, sftp::kEof, "End of file");

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
        if (!status) return sendStatus(id, status);
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
    if (!handle) return sendStatus(id, invalidHandle());
    if (handle->kind != SftpHandle::Kind::Write) {
        return sendStatus(id, sftp::kFailure, "handle is not open for writing");
    }
    if (handle->pendingCopy) {
        if (Status s = materializeCopy(*handle); !s) return sendStatus(id, s);
    }
    handle->written = true;
    sendStatus(id, handle->writer->write(offset, data, length));
}

void SftpEngine::Impl::handleStat(uint32_t id, SftpReader& in) {
    std::string raw, path;
    if (!in.readString(raw)) return sendBadMessage(id);
    if (Status s = resolve(raw, path); !s) return sendStatus(id, s);
    FileInfo info;
    if (Status s = session_.stat(path, info); !s) return sendStatus(id, s);
    sendAttrs(id, sftpAttrsFor(info));
}

void SftpEngine::Impl::handleFstat(uint32_t id, SftpReader& in) {
    std::string raw;
    if (!in.readString(raw)) return sendBadMessage(id);
    SftpHandle* handle = findHandle(raw);
    if (!handle) return sendStatus(id, invalidHandle());
    FileInfo info;
    if (handle->kind == SftpHandle::Kind::Write) {
        // An upload is not visible until its close: describe it from the stream.
        info.size = handle->writer->size();
        info.mtime = handle->hasMtime ? handle->mtime : static_cast<int64_t>(std::time(nullptr));
        info.writable = true;
    } else if (Status s = session_.stat(handle->path, info); !s) {
        if (handle->kind != SftpHandle::Kind::Read) return sendStatus(id, s);
        info = FileInfo();
        info.size = handle->reader->size();
    }
    if (handle->kind == SftpHandle::Kind::Read) info.size = handle->reader->size();
    sendAttrs(id, sftpAttrsFor(info));
}

// SETSTAT on a path applies a time now; FSETSTAT on an upload remembers it for
// after the close. uid/gid/permissions are accepted and ignored (`put -p`);
// a size other than the current one cannot be set.
void SftpEngine::Impl::handleSetstat(uint32_t id, SftpReader& in) {
    std::string raw, path;
    SftpAttrs attrs;
    if (!in.readString(raw) || !in.readAttrs(attrs)) return sendBadMessage(id);
    if (Status s = resolve(raw, path); !s) return sendStatus(id, s);
    FileInfo info;
    if (Status s = session_.stat(path, info); !s) return sendStatus(id, s);
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
    if (!in.readString(raw) || !in.readAttrs(attrs)) return sendBadMessage(id);
    SftpHandle* handle = findHandle(raw);
    if (!handle) return sendStatus(id, invalidHandle());
    if (attrs.has(sftp::kAttrSize)) {
        uint64_t current = 0;
        if (handle->kind == SftpHandle::Kind::Write) current = handle->writer->size();
        if (handle->kind == SftpHandle::Kind::Read) current = handle->reader->size();
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
    if (!in.readString(raw)) return sendBadMessage(id);
    if (Status s = resolve(raw, handle.path); !s) return sendStatus(id, s);
    if (!canOpenHandle()) return sendStatus(id, sftp::kFailure, "too many open handles");
    if (Status s = session_.list(handle.path, handle.entries); !s) return sendStatus(id, s);
    handle.kind = SftpHandle::Kind::Directory;
    sendHandle(id, allocateHandle(std::move(handle)));
}

// All entries, in batches, then EOF. "." and ".." are not listed: OpenSSH's
// server lists them but its client and the others do not need them, and the
// namespace has no attributes of its own to give them.
void SftpEngine::Impl::handleReaddir(uint32_t id, SftpReader& in) {
    std::string raw;
    if (!in.readString(raw)) return sendBadMessage(id);
    SftpHandle* handle = findHandle(raw);
    if (!handle) return sendStatus(id, invalidHandle());
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
    if (!in.readString(raw)) return sendBadMessage(id);
    if (type == sftp::kMkdir && !in.readAttrs(attrs)) return sendBadMessage(id);
    if (Status s = resolve(raw, path); !s) return sendStatus(id, s);
    if (type == sftp::kRemove) return sendStatus(id, session_.removeFile(path));
    if (type == sftp::kMkdir) return sendStatus(id, session_.makeDirectory(path));
    sendStatus(id, session_.removeDirectory(path));
}

// Never stats: OpenSSH's client asks for the real path of a file it is about
// to create.
void SftpEngine::Impl::handleRealpath(uint32_t id, SftpReader& in) {
    std::string raw, path;
    if (!in.readString(raw)) return sendBadMessage(id);
    if (raw.empty() || raw == ".") {
        path = session_.homeDirectory();
    } else if (Status s = resolve(raw, path); !s) {
        return sendStatus(id, s);
    }
    sendOneName(id, path);
}

void SftpEngine::Impl::handleRename(uint32_t id, SftpReader& in) {
    std::string rawFrom, rawTo, from, to;
    if (!in.readString(rawFrom) || !in.readString(rawTo)) return sendBadMessage(id);
    if (Status s = resolve(rawFrom, from); !s) return sendStatus(id, s);
    if (Status s = resolve(rawTo, to); !s) return sendStatus(id, s);
    // v3 RENAME never replaces; posix-rename@openssh.com does.
    sendStatus(id, session_.rename(from, to, false));
}

}  // namespace dad
