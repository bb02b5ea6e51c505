// SSH_FXP_EXTENDED requests of the engine: the OpenSSH extensions, copy-data,
// home-directory and the check-file hash (answered from the catalog's SHA-256,
// never by reading the file).
#include <algorithm>
#include <vector>

#include "SftpEngineImpl.h"
#include "SftpStatusMap.h"

namespace dad {

namespace {

constexpr size_t kCopyChunk = 64 * 1024;
constexpr uint64_t kBlockSize = 4096;
constexpr uint64_t kPlentyOfInodes = 1000000000;  // the namespace has no inode limit

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool hexToBytes(const std::string& hex, std::string& bytes) {
    if (hex.size() != 64) return false;
    bytes.clear();
    for (size_t i = 0; i < hex.size(); i += 2) {
        const int high = hexValue(hex[i]), low = hexValue(hex[i + 1]);
        if (high < 0 || low < 0) return false;
        bytes.push_back(static_cast<char>(high * 16 + low));
    }
    return true;
}

bool listContains(const std::string& list, const std::string& wanted) {
    size_t start = 0;
    while (start <= list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        if (list.compare(start, end - start, wanted) == 0) return true;
        start = end + 1;
    }
    return false;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& sftpAdvertisedExtensions() {
    static const std::vector<std::pair<std::string, std::string>> kExtensions = {
        {"posix-rename@openssh.com", "1"}, {"statvfs@openssh.com", "2"},
        {"fstatvfs@openssh.com", "2"},     {"hardlink@openssh.com", "1"},
        {"fsync@openssh.com", "1"},        {"limits@openssh.com", "1"},
        {"expand-path@openssh.com", "1"},  {"copy-data", "1"},
        {"home-directory", "1"},           {"check-file-name", "1"},
        {"check-file-handle", "1"},
    };
    return kExtensions;
}

void SftpEngine::Impl::handleExtended(uint32_t id, SftpReader& in) {
    std::string name;
    if (!in.readString(name)) return sendBadMessage(id);
    if (name == "posix-rename@openssh.com") return extPosixRename(id, in);
    if (name == "statvfs@openssh.com") return extStatvfs(id, in, false);
    if (name == "fstatvfs@openssh.com") return extStatvfs(id, in, true);
    if (name == "hardlink@openssh.com") return extHardlink(id, in);
    if (name == "fsync@openssh.com") return extFsync(id, in);
    if (name == "limits@openssh.com") return extLimits(id);
    if (name == "expand-path@openssh.com") return extExpandPath(id, in);
    if (name == "copy-data") return extCopyData(id, in);
    if (name == "home-directory") return extHomeDirectory(id, in);
    if (name == "check-file-name") return extCheckFile(id, in, false);
    // "check-file" is the handle form's name in older drafts; paramiko sends it.
    if (name == "check-file-handle" || name == "check-file") return extCheckFile(id, in, true);
    sendStatus(id, sftp::kOpUnsupported, "unsupported extended request");
}

void SftpEngine::Impl::extPosixRename(uint32_t id, SftpReader& in) {
    std::string rawFrom, rawTo, from, to;
    if (!in.readString(rawFrom) || !in.readString(rawTo)) return sendBadMessage(id);
    if (Status s = resolve(rawFrom, from); !s) return sendStatus(id, s);
    if (Status s = resolve(rawTo, to); !s) return sendStatus(id, s);
    sendStatus(id, session_.rename(from, to, true));
}

void SftpEngine::Impl::extStatvfs(uint32_t id, SftpReader& in, bool byHandle) {
    std::string raw;
    if (!in.readString(raw)) return sendBadMessage(id);
    if (byHandle) {
        if (!findHandle(raw)) return sendStatus(id, invalidHandle());
    } else {
        std::string path;
        FileInfo info;
        if (Status s = resolve(raw, path); !s) return sendStatus(id, s);
        if (Status s = session_.stat(path, info); !s) return sendStatus(id, s);
    }
    SpaceInfo space;
    if (Status s = session_.spaceInfo(space); !s) return sendStatus(id, s);
    SftpWriter w(out_);
    w.begin(sftp::kExtendedReply);
    w.uint32(id);
    w.uint64(kBlockSize);                     // f_bsize
    w.uint64(kBlockSize);                     // f_frsize
    w.uint64(space.totalBytes / kBlockSize);  // f_blocks
    w.uint64(space.freeBytes / kBlockSize);   // f_bfree
    w.uint64(space.freeBytes / kBlockSize);   // f_bavail
    w.uint64(kPlentyOfInodes);                // f_files
    w.uint64(kPlentyOfInodes);                // f_ffree
    w.uint64(kPlentyOfInodes);                // f_favail
    w.uint64(0);                              // f_fsid
    w.uint64(0);                              // f_flag
    w.uint64(255);                            // f_namemax
    w.finish();
}

// A hard link in this namespace is a second reference to the same content:
// exactly what copyFile makes.
void SftpEngine::Impl::extHardlink(uint32_t id, SftpReader& in) {
    std::string rawFrom, rawTo, from, to;
    if (!in.readString(rawFrom) || !in.readString(rawTo)) return sendBadMessage(id);
    if (Status s = resolve(rawFrom, from); !s) return sendStatus(id, s);
    if (Status s = resolve(rawTo, to); !s) return sendStatus(id, s);
    sendStatus(id, session_.copyFile(from, to, false));
}

void SftpEngine::Impl::extFsync(uint32_t id, SftpReader& in) {
    std::string raw;
    if (!in.readString(raw)) return sendBadMessage(id);
    SftpHandle* handle = findHandle(raw);
    if (!handle) return sendStatus(id, invalidHandle());
    if (handle->kind == SftpHandle::Kind::Directory) {
        return sendStatus(id, sftp::kFailure, "handle is not a file");
    }
    // A pending whole-file copy is made durable by copyFile at close.
    if (handle->kind == SftpHandle::Kind::Read || handle->pendingCopy) return sendOk(id);
    sendStatus(id, handle->writer->sync());
}

void SftpEngine::Impl::extLimits(uint32_t id) {
    SftpWriter w(out_);
    w.begin(sftp::kExtendedReply);
    w.uint32(id);
    w.uint64(limits_.maxPacketLength);
    w.uint64(limits_.maxReadLength);
    w.uint64(limits_.maxWriteLength);
    w.uint64(limits_.maxOpenHandles);
    w.finish();
}

void SftpEngine::Impl::extExpandPath(uint32_t id, SftpReader& in) {
    std::string raw, path;
    if (!in.readString(raw)) return sendBadMessage(id);
    if (raw == "~") raw = "";
    if (raw.compare(0, 2, "~/") == 0) raw = raw.substr(2);
    if (!raw.empty() && raw[0] == '~') {
        return sendStatus(id, sftp::kFailure, "only ~ of the logged-in user can be expanded");
    }
    if (raw.empty() || raw == ".") {
        path = session_.homeDirectory();
    } else if (Status s = resolve(raw, path); !s) {
        return sendStatus(id, s);
    }
    sendOneName(id, path);
}

void SftpEngine::Impl::extHomeDirectory(uint32_t id, SftpReader& in) {
    std::string user;
    if (!in.readString(user)) return sendBadMessage(id);
    if (!user.empty() && user != session_.userName()) {
        return sendStatus(id, sftp::kFailure, "only the logged-in user's home is known");
    }
    sendOneName(id, session_.homeDirectory());
}

// The whole-file case (OpenSSH's `cp`: offsets 0, length 0, into an upload just
// opened with TRUNC) becomes copyFile at CLOSE, so no byte moves; anything
// else goes through the streams.
void SftpEngine::Impl::extCopyData(uint32_t id, SftpReader& in) {
    std::string rawSource, rawTarget;
    uint64_t sourceOffset, length, targetOffset;
    if (!in.readString(rawSource) || !in.readUint64(sourceOffset) || !in.readUint64(length) ||
        !in.readString(rawTarget) || !in.readUint64(targetOffset)) {
        return sendBadMessage(id);
    }
    SftpHandle* source = findHandle(rawSource);
    SftpHandle* target = findHandle(rawTarget);
    if (!source || !target) return sendStatus(id, invalidHandle());
    if (source->kind != SftpHandle::Kind::Read) {
        return sendStatus(id, sftp::kFailure, "source handle is not open for reading");
    }
    if (target->kind != SftpHandle::Kind::Write) {
        return sendStatus(id, sftp::kFailure, "target handle is not open for writing");
    }
    if (sourceOffset == 0 && length == 0 && targetOffset == 0 && target->truncated &&
        !target->written && !target->pendingCopy && target->writer->size() == 0) {
        target->pendingCopy = true;
        target->copySource = source->path;
        return sendOk(id);
    }
    if (target->pendingCopy) {
        if (Status s = materializeCopy(*target); !s) return sendStatus(id, s);
    }
    target->written = true;
    sendStatus(id, copyThroughStreams(*source->reader, sourceOffset, length, *target->writer,
                                      targetOffset));
}

Status SftpEngine::Impl::copyThroughStreams(ReadStream& source, uint64_t sourceOffset,
                                            uint64_t length, WriteStream& target,
                                            uint64_t targetOffset) {
    std::vector<char> buffer(kCopyChunk);
    uint64_t copied = 0;
    while (length == 0 || copied < length) {
        size_t want = buffer.size();
        if (length != 0) want = static_cast<size_t>(std::min<uint64_t>(want, length - copied));
        size_t got = 0;
        if (Status s = source.read(sourceOffset + copied, buffer.data(), want, got); !s) return s;
        if (got == 0) break;
        got = std::min(got, want);
        if (Status s = target.write(targetOffset + copied, buffer.data(), got); !s) return s;
        copied += got;
    }
    return Status::ok();
}

Status SftpEngine::Impl::materializeCopy(SftpHandle& handle) {
    std::unique_ptr<ReadStream> reader;
    if (Status s = session_.openRead(handle.copySource, reader); !s) return s;
    if (!reader) return Status::failure("no read stream");
    Status status = copyThroughStreams(*reader, 0, 0, *handle.writer, 0);
    Status closed = reader->close();
    if (status) status = closed;
    if (status) {
        handle.pendingCopy = false;
        handle.written = true;
    }
    return status;
}

// draft-ietf-secsh-filexfer-extensions-00 section 3, sha256 and whole files
// only. Reply: string "check-file", string "sha256", then the 32 raw bytes.
void SftpEngine::Impl::extCheckFile(uint32_t id, SftpReader& in, bool byHandle) {
    std::string raw, algorithms, path;
    uint64_t offset, length;
    uint32_t blockSize;
    if (!in.readString(raw) || !in.readString(algorithms) || !in.readUint64(offset) ||
        !in.readUint64(length) || !in.readUint32(blockSize)) {
        return sendBadMessage(id);
    }
    if (!listContains(algorithms, "sha256")) {
        return sendStatus(id, sftp::kOpUnsupported, "only sha256 is supported");
    }
    uint64_t size = 0;
    if (byHandle) {
        SftpHandle* handle = findHandle(raw);
        if (!handle) return sendStatus(id, invalidHandle());
        if (handle->kind != SftpHandle::Kind::Read) {
            return sendStatus(id, sftp::kFailure, "handle is not open for reading");
        }
        path = handle->path;
        size = handle->reader->size();
    } else {
        FileInfo info;
        if (Status s = resolve(raw, path); !s) return sendStatus(id, s);
        if (Status s = session_.stat(path, info); !s) return sendStatus(id, s);
        if (info.isDirectory()) return sendStatus(id, sftp::kFailure, "is a directory");
        size = info.size;
    }
    const bool wholeFile =
        offset == 0 && (length == 0 || length >= size) && (blockSize == 0 || blockSize >= size);
    if (!wholeFile) {
        return sendStatus(id, sftp::kOpUnsupported, "only whole-file hashes are supported");
    }
    std::string hex, hash;
    if (Status s = session_.contentHash(path, hex); !s) return sendStatus(id, s);
    if (!hexToBytes(hex, hash)) return sendStatus(id, sftp::kFailure, "bad content hash");
    SftpWriter w(out_);
    w.begin(sftp::kExtendedReply);
    w.uint32(id);
    w.string("check-file");  // the draft's reply tag, before the algorithm used
    w.string("sha256");
    w.bytes(hash.data(), hash.size());
    w.finish();
}

}  // namespace dad
