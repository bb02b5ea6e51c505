#include "PushFiles.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <set>

namespace dad {

namespace {

std::string join(const std::string& folder, const std::string& name) {
    if (folder.empty()) return name;
    return folder.back() == '/' ? folder + name : folder + "/" + name;
}

}  // namespace

std::string remoteFolder(const Site& site) {
    std::string path;
    try {
        path = Poco::URI(site.url).getPath();
    } catch (const Poco::Exception&) {
        return "";
    }
    if (site.type == "sftp") {
        if (path == "/~" || path.rfind("/~/", 0) == 0) return path.substr(path.size() > 2 ? 3 : 2);
        return path == "/" ? "" : path;
    }
    while (!path.empty() && path[0] == '/')
        path.erase(0, 1);
    return path;
}

Status pushFiles(RemoteFiles& remote, const std::string& folder, const ForwardPackage& package,
                 ContentSource& content, ForwardProgress& progress) {
    const std::string root = join(folder, package.pid);
    uint64_t before = 0;  // bytes of the files already handled
    std::set<std::string> made;
    for (const ForwardFile& file : package.files) {
        const std::string path = join(root, file.path);
        const size_t slash = path.rfind('/');
        if (slash != std::string::npos && slash > 0 && made.insert(path.substr(0, slash)).second) {
            if (Status s = remote.makeDirectories(path.substr(0, slash)); !s) return s;
        }
        std::optional<uint64_t> there;
        if (Status s = remote.size(path, there); !s) return s;
        uint64_t offset = there && *there <= file.size ? *there : 0;
        if (!there || offset < file.size || file.size == 0) {
            std::unique_ptr<ReadStream> stream;
            if (Status s = content.open(file.sha256, stream); !s) return s;
            progress.reached(before + offset);
            Status s = remote.upload(
                path, offset,
                [&](uint64_t at, char* buffer, size_t length, size_t& got) {
                    return stream->read(at, buffer, length, got);
                },
                [&](uint64_t at) { progress.reached(before + at); });
            (void)stream->close();
            if (!s) return s;
        }
        before += file.size;
        progress.reached(before);
    }
    return Status::ok();
}

}  // namespace dad
