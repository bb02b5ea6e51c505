// SftpEngine::Impl: private to the engine's .cpp files. SftpEngine.cpp holds
// the framing and the handle table, SftpRequests.cpp the core requests,
// SftpExtensions.cpp the SSH_FXP_EXTENDED ones. Not thread-safe, like the engine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "Session.h"
#include "SftpCodec.h"
#include "SftpEngine.h"

namespace dad {

struct SftpHandle {
    enum class Kind { Free, Read, Write, Directory };

    Kind kind = Kind::Free;
    uint32_t generation = 0;
    std::string path;
    std::unique_ptr<ReadStream> reader;
    std::unique_ptr<WriteStream> writer;
    std::vector<FileInfo> entries;  // a directory's listing, taken at OPENDIR
    size_t nextEntry = 0;
    bool truncated = false;  // opened with SSH_FXF_TRUNC
    bool written = false;    // bytes went through the WriteStream
    bool hasMtime = false;   // FSETSTAT gave a time, applied after a successful close
    int64_t mtime = 0;
    // copy-data of a whole file into a fresh upload: at CLOSE this becomes
    // session.copyFile(copySource, path), no bytes copied.
    bool pendingCopy = false;
    std::string copySource;
};

struct SftpEngine::Impl {
    Impl(Session& session, Output output, SftpLimits limits);

    bool feed(const char* data, size_t length);
    void finish();

    // Framing. handlePacket returns false when the stream must end.
    bool handlePacket(const char* payload, size_t length);
    bool dispatch(uint8_t type, uint32_t id, SftpReader& in);
    bool flush();

    // Replies, appended to out_.
    void sendStatus(uint32_t id, uint32_t code, const std::string& message);
    void sendStatus(uint32_t id, const Status& status);
    void sendOk(uint32_t id);
    void sendBadMessage(uint32_t id);
    void sendHandle(uint32_t id, const std::string& handle);
    void sendAttrs(uint32_t id, const SftpAttrs& attrs);
    void sendOneName(uint32_t id, const std::string& path);
    void sendVersion();

    // Client path -> session path, relative to the home directory.
    Status resolve(const std::string& raw, std::string& out) const;

    // Handle table: slots reused, handles carry a generation so a stale one
    // never reaches a newer file.
    bool canOpenHandle() const { return openHandles_ < limits_.maxOpenHandles; }
    std::string allocateHandle(SftpHandle&& handle);
    SftpHandle* findHandle(const std::string& handle);
    void releaseHandle(SftpHandle& handle);
    static Status invalidHandle() { return Status::failure("invalid handle"); }

    // Core requests (SftpRequests.cpp).
    void handleOpen(uint32_t id, SftpReader& in);
    void handleClose(uint32_t id, SftpReader& in);
    void handleRead(uint32_t id, SftpReader& in);
    void handleWrite(uint32_t id, SftpReader& in);
    void handleStat(uint32_t id, SftpReader& in);
    void handleFstat(uint32_t id, SftpReader& in);
    void handleSetstat(uint32_t id, SftpReader& in);
    void handleFsetstat(uint32_t id, SftpReader& in);
    void handleOpendir(uint32_t id, SftpReader& in);
    void handleReaddir(uint32_t id, SftpReader& in);
    void handlePathOp(uint8_t type, uint32_t id, SftpReader& in);
    void handleRealpath(uint32_t id, SftpReader& in);
    void handleRename(uint32_t id, SftpReader& in);
    Status closeWrite(SftpHandle& handle);

    // Extended requests (SftpExtensions.cpp).
    void handleExtended(uint32_t id, SftpReader& in);
    void extPosixRename(uint32_t id, SftpReader& in);
    void extStatvfs(uint32_t id, SftpReader& in, bool byHandle);
    void extHardlink(uint32_t id, SftpReader& in);
    void extFsync(uint32_t id, SftpReader& in);
    void extLimits(uint32_t id);
    void extExpandPath(uint32_t id, SftpReader& in);
    void extCopyData(uint32_t id, SftpReader& in);
    void extHomeDirectory(uint32_t id, SftpReader& in);
    void extCheckFile(uint32_t id, SftpReader& in, bool byHandle);
    // A copy through the streams: `length` 0 means to the end of the source.
    Status copyThroughStreams(ReadStream& source, uint64_t sourceOffset, uint64_t length,
                              WriteStream& target, uint64_t targetOffset);
    // Turns a remembered whole-file copy into real bytes (before a WRITE).
    Status materializeCopy(SftpHandle& handle);

    Session& session_;
    Output output_;
    SftpLimits limits_;
    std::string input_;  // at most one incomplete packet
    std::string out_;    // replies not yet given to output_
    std::vector<SftpHandle> handles_;
    uint32_t openHandles_ = 0;
    uint32_t nextGeneration_ = 1;
    bool initialized_ = false;
    bool broken_ = false;
    bool finished_ = false;
};

// The extensions advertised in VERSION, in order: name and version string.
const std::vector<std::pair<std::string, std::string>>& sftpAdvertisedExtensions();

}  // namespace dad
