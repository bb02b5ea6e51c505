// SftpCodec: the wire format of SFTP version 3 (draft-ietf-secsh-filexfer-02),
// as pure functions of bytes. SftpReader decodes fields from one packet's
// payload and never reads past it: every failure is a false return (sticky:
// once a read failed, all later reads fail), never an exception or an assert.
// SftpWriter appends reply packets to a caller's buffer and patches their
// length fields. Neither knows anything of the Session.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dad {
namespace sftp {

constexpr uint32_t kVersion = 3;

enum PacketType : uint8_t {
    kInit = 1,
    kVersionPacket = 2,
    kOpen = 3,
    kClose = 4,
    kRead = 5,
    kWrite = 6,
    kLstat = 7,
    kFstat = 8,
    kSetstat = 9,
    kFsetstat = 10,
    kOpendir = 11,
    kReaddir = 12,
    kRemove = 13,
    kMkdir = 14,
    kRmdir = 15,
    kRealpath = 16,
    kStat = 17,
    kRename = 18,
    kReadlink = 19,
    kSymlink = 20,
    kStatus = 101,
    kHandle = 102,
    kData = 103,
    kName = 104,
    kAttrs = 105,
    kExtended = 200,
    kExtendedReply = 201,
};

enum StatusCodeValue : uint32_t {
    kOk = 0,
    kEof = 1,
    kNoSuchFile = 2,
    kPermissionDenied = 3,
    kFailure = 4,
    kBadMessage = 5,
    kNoConnection = 6,
    kConnectionLost = 7,
    kOpUnsupported = 8,
};

enum OpenFlags : uint32_t {
    kOpenRead = 0x01,
    kOpenWrite = 0x02,
    kOpenAppend = 0x04,
    kOpenCreate = 0x08,
    kOpenTruncate = 0x10,
    kOpenExclusive = 0x20,
};

enum AttrFlags : uint32_t {
    kAttrSize = 0x00000001,
    kAttrUidGid = 0x00000002,
    kAttrPermissions = 0x00000004,
    kAttrAcModTime = 0x00000008,
    kAttrExtended = 0x80000000,
};

constexpr uint32_t kModeDirectory = 0040000;
constexpr uint32_t kModeRegular = 0100000;

}  // namespace sftp

// ATTRS of draft-02 section 5. A field is meaningful only when its flag is set.
struct SftpAttrs {
    uint32_t flags = 0;
    uint64_t size = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
    uint32_t permissions = 0;
    uint32_t atime = 0;
    uint32_t mtime = 0;
    std::vector<std::pair<std::string, std::string>> extended;

    bool has(uint32_t flag) const { return (flags & flag) != 0; }
};

class SftpReader {
public:
    SftpReader(const char* data, size_t length) : data_(data), length_(length) {}

    bool readUint8(uint8_t& value);
    bool readUint32(uint32_t& value);
    bool readUint64(uint64_t& value);
    bool readString(std::string& value);
    // A view into the payload, for WRITE data: no copy. Valid as long as the
    // payload is.
    bool readStringView(const char*& data, size_t& length);
    bool readAttrs(SftpAttrs& attrs);

    size_t remaining() const { return failed_ ? 0 : length_ - position_; }
    bool failed() const { return failed_; }

private:
    bool take(size_t count, const char*& where);

    const char* data_;
    size_t length_;
    size_t position_ = 0;
    bool failed_ = false;
};

class SftpWriter {
public:
    explicit SftpWriter(std::string& out) : out_(out) {}

    // Starts a packet of `type`; finish() writes its length. One packet at a time.
    void begin(uint8_t type);
    void finish();
    // Drops the packet begun last, as if begin() had not been called.
    void cancel();

    void uint8(uint8_t value);
    void uint32(uint32_t value);
    void uint64(uint64_t value);
    void string(const char* data, size_t length);
    void string(const std::string& value) { string(value.data(), value.size()); }
    void bytes(const char* data, size_t length) { out_.append(data, length); }
    void attrs(const SftpAttrs& attrs);

    // Appends `length` bytes for the caller to fill (a READ reply's data);
    // the pointer is valid until the next append. shrinkTo() gives back what
    // was not filled.
    char* space(size_t length);
    size_t position() const { return out_.size(); }
    void shrinkTo(size_t position) { out_.resize(position); }
    void patchUint32(size_t position, uint32_t value);

private:
    std::string& out_;
    size_t start_ = 0;
};

}  // namespace dad
