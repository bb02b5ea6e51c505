#include "AtomicFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <random>

namespace dad {

namespace {

std::string errnoText(const std::string& what, const std::string& path, int err) {
    return what + " " + path + ": " + std::strerror(err);
}

std::string parentDirectory(const std::string& path) {
    std::string::size_type slash = path.rfind('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

Status writeAll(int fd, const std::string& content, const std::string& path) {
    const char* p = content.data();
    size_t left = content.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return Status::ioError(errnoText("cannot write", path, errno));
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    return Status::ok();
}

}  // namespace

Status writeFileAtomically(const std::string& path, const std::string& content, mode_t mode) {
    std::random_device random;
    std::string temp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(random());
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        return Status::ioError(errnoText("cannot create", temp, errno));
    }
    // open() applies the umask; a key file must end with exactly `mode`.
    Status status;
    if (::fchmod(fd, mode) != 0) {
        status = Status::ioError(errnoText("cannot chmod", temp, errno));
    }
    if (status) {
        status = writeAll(fd, content, temp);
    }
    if (status && ::fsync(fd) != 0) {
        status = Status::ioError(errnoText("cannot fsync", temp, errno));
    }
    if (::close(fd) != 0 && status) {
        status = Status::ioError(errnoText("cannot close", temp, errno));
    }
    if (status && ::rename(temp.c_str(), path.c_str()) != 0) {
        status = Status::ioError(errnoText("cannot rename to", path, errno));
    }
    if (!status) {
        ::unlink(temp.c_str());
        return status;
    }
    // The rename itself is durable only once the directory is synced.
    std::string dir = parentDirectory(path);
    int dirFd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd < 0) {
        return Status::ioError(errnoText("cannot open directory", dir, errno));
    }
    if (::fsync(dirFd) != 0) {
        int err = errno;
        ::close(dirFd);
        return Status::ioError(errnoText("cannot fsync directory", dir, err));
    }
    ::close(dirFd);
    return Status::ok();
}

Status readWholeFile(const std::string& path, std::string& content) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            return Status::notFound(path + " does not exist");
        }
        return Status::ioError(errnoText("cannot open", path, errno));
    }
    content.clear();
    char buffer[8192];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            int err = errno;
            ::close(fd);
            return Status::ioError(errnoText("cannot read", path, err));
        }
        if (n == 0) {
            break;
        }
        content.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return Status::ok();
}

}  // namespace dad
