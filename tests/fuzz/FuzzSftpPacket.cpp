// libFuzzer target: the SFTP decoder. Random bytes after an INIT go to an
// SftpEngine over an in-memory Session (tests/unit/support/MemorySession.h),
// in pieces of a size the first byte picks, so every request type's field
// decoding runs with real replies. Findings: a crash or sanitizer report; a
// reply stream that is not whole packets of reply types; a reply whose id no
// request carried; more replies than requests; and ATTRS that do not decode
// back to themselves after SftpWriter re-encodes them.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "MemorySession.h"
#include "SftpCodec.h"
#include "SftpEngine.h"

namespace {

using dad::SftpAttrs;
using dad::SftpReader;
using dad::SftpWriter;

uint32_t peek32(const char* p) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    return uint32_t{u[0]} << 24 | uint32_t{u[1]} << 16 | uint32_t{u[2]} << 8 | u[3];
}

bool sameAttrs(const SftpAttrs& a, const SftpAttrs& b) {
    const uint32_t ext = dad::sftp::kAttrExtended;
    const uint32_t fa = a.extended.empty() ? a.flags & ~ext : a.flags;
    const uint32_t fb = b.extended.empty() ? b.flags & ~ext : b.flags;
    if (fa != fb || a.extended != b.extended) return false;
    if (a.has(dad::sftp::kAttrSize) && a.size != b.size) return false;
    if (a.has(dad::sftp::kAttrUidGid) && (a.uid != b.uid || a.gid != b.gid)) return false;
    if (a.has(dad::sftp::kAttrPermissions) && a.permissions != b.permissions) return false;
    if (a.has(dad::sftp::kAttrAcModTime) && (a.atime != b.atime || a.mtime != b.mtime))
        return false;
    return true;
}

// ATTRS: decode, re-encode, decode again; the encoding is never longer than
// what was read and encoding is a fixpoint.
void checkAttrs(const char* data, size_t size) {
    SftpReader in(data, size);
    SftpAttrs attrs;
    if (!in.readAttrs(attrs)) {
        if (!in.failed() || in.remaining() != 0) abort();
        return;
    }
    if (in.remaining() > size) abort();
    const size_t consumed = size - in.remaining();
    std::string encoded;
    SftpWriter(encoded).attrs(attrs);
    if (encoded.size() > consumed) abort();
    SftpReader again(encoded.data(), encoded.size());
    SftpAttrs back;
    if (!again.readAttrs(back) || again.remaining() != 0 || !sameAttrs(attrs, back)) abort();
    std::string twice;
    SftpWriter(twice).attrs(back);
    if (twice != encoded) abort();
}

// The ids of the requests the engine could have seen, framed as it frames them.
std::set<uint32_t> requestIds(const std::string& stream, size_t& requests) {
    std::set<uint32_t> ids;
    requests = 0;
    for (size_t at = 0; stream.size() - at >= 4;) {
        const uint32_t length = peek32(stream.data() + at);
        if (length == 0 || stream.size() - at - 4 < length) break;
        ++requests;
        if (length >= 5) ids.insert(peek32(stream.data() + at + 5));
        at += 4 + size_t{length};
    }
    return ids;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const size_t step = 1 + data[0] % 128;
    const char* body = reinterpret_cast<const char*>(data) + 1;
    const size_t length = size - 1;
    checkAttrs(body, length);

    dad::test::MemorySession session;
    session.directories.insert("/d");
    session.addFile("/a.txt", "hello");
    session.addFile("/d/b.bin", std::string(3000, 'x'));
    std::string wire;
    dad::SftpLimits limits;
    limits.maxPacketLength = 64 * 1024;
    limits.maxBufferedInput = 256 * 1024;
    {
        dad::SftpEngine engine(
            session,
            [&wire](const char* out, size_t n) {
                wire.append(out, n);
                return true;
            },
            limits);
        static const char kInit[] = {0, 0, 0, 5, dad::sftp::kInit, 0, 0, 0, 3};
        std::string stream(kInit, sizeof kInit);
        stream.append(body, length);
        for (size_t at = 0; at < stream.size(); at += step) {
            if (!engine.feed(stream.data() + at, std::min(step, stream.size() - at))) break;
        }
        engine.finish();

        size_t requests = 0;
        const std::set<uint32_t> ids = requestIds(stream.substr(sizeof kInit), requests);
        size_t replies = 0;
        size_t at = 0;
        for (; wire.size() - at >= 5; ++replies) {
            const uint32_t n = peek32(wire.data() + at);
            if (n < 1 || wire.size() - at - 4 < n) abort();
            const auto type = static_cast<uint8_t>(wire[at + 4]);
            if (replies == 0) {
                if (type != dad::sftp::kVersionPacket) abort();
            } else {
                if (!(type >= dad::sftp::kStatus && type <= dad::sftp::kAttrs) &&
                    type != dad::sftp::kExtendedReply)
                    abort();
                if (n < 5 || !ids.count(peek32(wire.data() + at + 5))) abort();
            }
            at += 4 + size_t{n};
        }
        if (at != wire.size()) abort();
        if (replies > requests + 1) abort();
    }
    return 0;
}
