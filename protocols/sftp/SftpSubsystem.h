// SftpSubsystem: the SFTP engine over two plain file descriptors, so that
// OpenSSH's sshd can run dadgate as its "Subsystem sftp" (stdin/stdout) and
// keep the SSH transport, while dadgate keeps packages, dedup and policy.
#pragma once

#include "Session.h"
#include "SftpEngine.h"

namespace dad {

// Feeds everything read from `inFd` (in chunks of up to 256 KiB) to an
// SftpEngine on `session` and writes all of its output to `outFd`, until EOF
// on `inFd`. Open uploads are then abandoned (kept for resume).
// Returns 0 after a clean EOF, 1 after a read or write error or a protocol
// violation. Retries on EINTR; waits with poll() when a descriptor is
// non-blocking. Does not close the descriptors.
// REQUIRES: SIGPIPE ignored in the process (the daemon's main does it), or a
// client that goes away kills the process instead of ending this call.
// Runs on the calling thread; `session` is used by it alone meanwhile.
int runSftpSubsystem(Session& session, int inFd, int outFd, SftpLimits limits = {});

}  // namespace dad
