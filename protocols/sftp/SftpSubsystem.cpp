#include "SftpSubsystem.h"

#include <poll.h>
#include <unistd.h>
#include <cerrno>
#include <memory>

namespace dad {

namespace {

constexpr size_t kReadChunk = 256 * 1024;

// Blocks until `fd` is ready for `events`; false when poll itself fails.
bool waitFor(int fd, short events) {
    struct pollfd p = {fd, events, 0};
    for (;;) {
        int rc = ::poll(&p, 1, -1);
        if (rc >= 0) {
            return true;
        }
        if (errno != EINTR) {
            return false;
        }
    }
}

bool writeAll(int fd, const char* data, size_t length) {
    while (length > 0) {
        ssize_t n = ::write(fd, data, length);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if ((errno == EAGAIN || errno == EWOULDBLOCK) && waitFor(fd, POLLOUT)) {
                continue;
            }
            return false;
        }
        data += n;
        length -= static_cast<size_t>(n);
    }
    return true;
}

}  // namespace

int runSftpSubsystem(Session& session, int inFd, int outFd, SftpLimits limits) {
    SftpEngine engine(
        session, [outFd](const char* data, size_t length) { return writeAll(outFd, data, length); },
        limits);
    std::unique_ptr<char[]> buffer(new char[kReadChunk]);
    int result = 1;
    for (;;) {
        ssize_t n = ::read(inFd, buffer.get(), kReadChunk);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if ((errno == EAGAIN || errno == EWOULDBLOCK) && waitFor(inFd, POLLIN)) {
                continue;
            }
            break;
        }
        if (n == 0) {
            result = 0;
            break;
        }
        if (!engine.feed(buffer.get(), static_cast<size_t>(n))) {
            break;
        }
    }
    engine.finish();
    return result;
}

}  // namespace dad
