#include "SecretFiles.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <fstream>
#include <iterator>

#include "Secrets.h"

namespace dad {

bool SecretFiles::safeName(const std::string& name) {
    if (name.empty() || name.size() > 64 || name == "." || name == "..") return false;
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
            return false;
        }
    }
    return true;
}

Status SecretFiles::save(const std::string& name, const std::string& content) {
    if (!safeName(name)) return Status::invalid("'" + name + "' cannot name a secret file");
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
        return Status::ioError("cannot create " + dir_);
    }
    // Written beside its final name, then renamed: a reader sees the old
    // secret or the new one, never half of one.
    const std::string temp = path("." + name + "." + randomToken(6));
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status::ioError("cannot create a secret file in " + dir_);
    const bool written =
        ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
        ::fsync(fd) == 0;
    ::close(fd);
    if (!written || ::rename(temp.c_str(), path(name).c_str()) != 0) {
        (void)::unlink(temp.c_str());
        return Status::ioError("cannot write a secret file in " + dir_);
    }
    const int dirFd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        (void)::fsync(dirFd);
        ::close(dirFd);
    }
    return Status::ok();
}

Status SecretFiles::load(const std::string& name, std::string& content) const {
    if (!safeName(name)) return Status::invalid("'" + name + "' cannot name a secret file");
    std::ifstream in(path(name), std::ios::binary);
    if (!in) return Status::notFound("no secret " + name);
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return Status::ok();
}

void SecretFiles::remove(const std::string& name) {
    if (safeName(name)) (void)::unlink(path(name).c_str());
}

}  // namespace dad
