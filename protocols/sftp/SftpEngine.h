// SftpEngine: the SFTP v3 server protocol over a byte stream. Bytes from the
// client go in through feed(); replies leave through the Output callback.
// It knows nothing of SSH: the same engine runs behind libssh (SshServer) and
// as the "Subsystem sftp" of OpenSSH's sshd over stdin/stdout.
//
// It only translates: every request becomes a call on the Session, and one
// table maps a Status to an SFTP status code. Not thread-safe: one engine per
// channel, used by one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "Session.h"

namespace dad {

struct SftpLimits {
    uint32_t maxPacketLength = 256 * 1024;      // a larger length field ends the stream
    uint32_t maxReadLength = 255 * 1024;        // READ lengths are clamped to this
    uint32_t maxWriteLength = 255 * 1024;       // advertised in limits@openssh.com
    uint32_t maxOpenHandles = 256;              // per session
    size_t maxBufferedInput = 4 * 1024 * 1024;  // unparsed bytes held before refusing
    uint32_t maxNamesPerReply = 100;            // READDIR batch size
};

class SftpEngine {
public:
    // Writes bytes to the client; returns false when the stream is broken.
    using Output = std::function<bool(const char* data, size_t length)>;

    SftpEngine(Session& session, Output output, SftpLimits limits = {});
    ~SftpEngine();
    SftpEngine(const SftpEngine&) = delete;
    SftpEngine& operator=(const SftpEngine&) = delete;

    // Consumes client bytes, handles every complete packet and sends the
    // replies (batched: at most one Output call per feed, unless large).
    // Returns false when the stream must be closed: a protocol violation
    // (length past the limit, no INIT first) or a broken output.
    bool feed(const char* data, size_t length);

    // The client is gone: open uploads are abandoned (kept for resume, nothing
    // made visible), open reads closed. Called once; also done by the destructor.
    void finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dad
