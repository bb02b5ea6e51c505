#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "FileSystem.h"

namespace dad {

namespace {

Status fail(const std::string& what, const std::string& path) {
    const int error = errno;
    const std::string text = what + " " + path + ": " + std::strerror(error);
    if (error == ENOSPC || error == EDQUOT) return Status::error(StatusCode::IoError, text);
    if (error == ENOENT) return Status::notFound(text);
    return Status::ioError(text);
}

class PosixFileSystem : public FileSystem {
public:
    Status openForWrite(const std::string& path, bool truncate, int& fd) override {
        fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0600);
        return fd < 0 ? fail("cannot open", path) : Status::ok();
    }
    Status openForRead(const std::string& path, int& fd) override {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        return fd < 0 ? fail("cannot open", path) : Status::ok();
    }
    Status writeAt(int fd, uint64_t offset, const char* data, size_t length) override {
        while (length > 0) {
            const ssize_t n = ::pwrite(fd, data, length, static_cast<off_t>(offset));
            if (n < 0) {
                if (errno == EINTR) continue;
                return fail("cannot write", "upload");
            }
            data += n;
            length -= static_cast<size_t>(n);
            offset += static_cast<uint64_t>(n);
        }
        return Status::ok();
    }
    Status readAt(int fd, uint64_t offset, char* buffer, size_t length, size_t& got) override {
        got = 0;
        while (got < length) {
            const ssize_t n =
                ::pread(fd, buffer + got, length - got, static_cast<off_t>(offset + got));
            if (n < 0) {
                if (errno == EINTR) continue;
                return fail("cannot read", "file");
            }
            if (n == 0) break;
            got += static_cast<size_t>(n);
        }
        return Status::ok();
    }
    Status sync(int fd) override {
        return ::fdatasync(fd) != 0 ? fail("cannot sync", "file") : Status::ok();
    }
    Status size(int fd, uint64_t& bytes) override {
        struct stat st;
        if (::fstat(fd, &st) != 0) return fail("cannot stat", "file");
        bytes = static_cast<uint64_t>(st.st_size);
        return Status::ok();
    }
    Status truncate(int fd, uint64_t length) override {
        return ::ftruncate(fd, static_cast<off_t>(length)) != 0 ? fail("cannot truncate", "file")
                                                                : Status::ok();
    }
    void close(int fd) override { ::close(fd); }

    Status syncDirectory(const std::string& path) override {
        const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return fail("cannot open directory", path);
        const int rc = ::fsync(fd);
        ::close(fd);
        return rc != 0 ? fail("cannot sync directory", path) : Status::ok();
    }
    Status rename(const std::string& from, const std::string& to) override {
        return ::rename(from.c_str(), to.c_str()) != 0 ? fail("cannot rename", from) : Status::ok();
    }
    Status link(const std::string& from, const std::string& to) override {
        if (::link(from.c_str(), to.c_str()) == 0) return Status::ok();
        if (errno == EEXIST) return Status::exists(to + " exists");
        return fail("cannot link", to);
    }
    Status remove(const std::string& path) override {
        return ::unlink(path.c_str()) != 0 && errno != ENOENT ? fail("cannot remove", path)
                                                              : Status::ok();
    }
    bool exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
    Status makeDirectories(const std::string& path) override {
        std::string partial;
        for (size_t i = 0; i <= path.size(); ++i) {
            if (i == path.size() || (path[i] == '/' && i > 0)) {
                partial = path.substr(0, i);
                if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
                    return fail("cannot create directory", partial);
                }
            }
        }
        return Status::ok();
    }
    Status listDirectory(const std::string& path, std::vector<std::string>& names) override {
        names.clear();
        DIR* dir = ::opendir(path.c_str());
        if (!dir) return fail("cannot list", path);
        while (dirent* entry = ::readdir(dir)) {
            const std::string name = entry->d_name;
            if (name != "." && name != "..") names.push_back(name);
        }
        ::closedir(dir);
        return Status::ok();
    }
    Status capacity(const std::string& path, uint64_t& total, uint64_t& available) override {
        struct statvfs st;
        if (::statvfs(path.c_str(), &st) != 0) return fail("cannot statvfs", path);
        total = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
        available = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
        return Status::ok();
    }
};

}  // namespace

FileSystem& posixFileSystem() {
    static PosixFileSystem instance;
    return instance;
}

}  // namespace dad
