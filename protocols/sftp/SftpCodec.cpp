#include "SftpCodec.h"

namespace dad {

bool SftpReader::take(size_t count, const char*& where) {
    if (failed_ || count > length_ - position_) {
        failed_ = true;
        return false;
    }
    where = data_ + position_;
    position_ += count;
    return true;
}

bool SftpReader::readUint8(uint8_t& value) {
    const char* p;
    if (!take(1, p)) return false;
    value = static_cast<uint8_t>(p[0]);
    return true;
}

bool SftpReader::readUint32(uint32_t& value) {
    const char* p;
    if (!take(4, p)) return false;
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    value = (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | u[3];
    return true;
}

bool SftpReader::readUint64(uint64_t& value) {
    uint32_t high, low;
    if (!readUint32(high) || !readUint32(low)) return false;
    value = (uint64_t{high} << 32) | low;
    return true;
}

bool SftpReader::readStringView(const char*& data, size_t& length) {
    uint32_t count;
    if (!readUint32(count)) return false;
    if (!take(count, data)) return false;
    length = count;
    return true;
}

bool SftpReader::readString(std::string& value) {
    const char* data;
    size_t length;
    if (!readStringView(data, length)) return false;
    value.assign(data, length);
    return true;
}

bool SftpReader::readAttrs(SftpAttrs& attrs) {
    attrs = SftpAttrs();
    if (!readUint32(attrs.flags)) return false;
    if (attrs.has(sftp::kAttrSize) && !readUint64(attrs.size)) return false;
    if (attrs.has(sftp::kAttrUidGid) && !(readUint32(attrs.uid) && readUint32(attrs.gid))) {
        return false;
    }
    if (attrs.has(sftp::kAttrPermissions) && !readUint32(attrs.permissions)) return false;
    if (attrs.has(sftp::kAttrAcModTime) && !(readUint32(attrs.atime) && readUint32(attrs.mtime))) {
        return false;
    }
    if (attrs.has(sftp::kAttrExtended)) {
        uint32_t count;
        if (!readUint32(count)) return false;
        // Each pair takes at least 8 bytes: a count past that is a lie, refused
        // before it can make us reserve memory.
        if (count > remaining() / 8) {
            failed_ = true;
            return false;
        }
        attrs.extended.reserve(count);
        for (uint32_t i = 0; i < count; ++i) {
            std::string type, data;
            if (!readString(type) || !readString(data)) return false;
            attrs.extended.emplace_back(std::move(type), std::move(data));
        }
    }
    return true;
}

void SftpWriter::begin(uint8_t type) {
    start_ = out_.size();
    uint32(0);
    uint8(type);
}

void SftpWriter::finish() {
    patchUint32(start_, static_cast<uint32_t>(out_.size() - start_ - 4));
}

void SftpWriter::cancel() {
    out_.resize(start_);
}

void SftpWriter::uint8(uint8_t value) {
    out_.push_back(static_cast<char>(value));
}

void SftpWriter::uint32(uint32_t value) {
    const char b[4] = {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
                       static_cast<char>(value >> 8), static_cast<char>(value)};
    out_.append(b, 4);
}

void SftpWriter::uint64(uint64_t value) {
    uint32(static_cast<uint32_t>(value >> 32));
    uint32(static_cast<uint32_t>(value));
}

void SftpWriter::string(const char* data, size_t length) {
    uint32(static_cast<uint32_t>(length));
    out_.append(data, length);
}

void SftpWriter::attrs(const SftpAttrs& attrs) {
    uint32_t flags = attrs.flags;
    if (attrs.extended.empty()) flags &= ~uint32_t{sftp::kAttrExtended};
    uint32(flags);
    if (flags & sftp::kAttrSize) uint64(attrs.size);
    if (flags & sftp::kAttrUidGid) {
        uint32(attrs.uid);
        uint32(attrs.gid);
    }
    if (flags & sftp::kAttrPermissions) uint32(attrs.permissions);
    if (flags & sftp::kAttrAcModTime) {
        uint32(attrs.atime);
        uint32(attrs.mtime);
    }
    if (flags & sftp::kAttrExtended) {
        uint32(static_cast<uint32_t>(attrs.extended.size()));
        for (const auto& [type, data] : attrs.extended) {
            string(type);
            string(data);
        }
    }
}

char* SftpWriter::space(size_t length) {
    const size_t at = out_.size();
    out_.resize(at + length);
    return &out_[at];
}

void SftpWriter::patchUint32(size_t position, uint32_t value) {
    out_[position] = static_cast<char>(value >> 24);
    out_[position + 1] = static_cast<char>(value >> 16);
    out_[position + 2] = static_cast<char>(value >> 8);
    out_[position + 3] = static_cast<char>(value);
}

}  // namespace dad
