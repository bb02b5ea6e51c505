#include "RemoteFiles.h"

#include "FtpClient.h"
#include "SftpClient.h"

namespace dad {

Status openRemoteFiles(const RemoteEndpoint& endpoint, std::unique_ptr<RemoteFiles>& remote) {
    remote.reset();
    if (endpoint.protocol == RemoteEndpoint::Protocol::Sftp)
        return openSftpClient(endpoint, remote);
    return openFtpClient(endpoint, remote);
}

std::vector<std::string> RemoteFiles::folderPrefixes(const std::string& path) {
    std::vector<std::string> prefixes;
    std::string prefix = !path.empty() && path[0] == '/' ? "/" : "";
    size_t start = 0;
    while (start < path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        if (end > start) {
            if (!prefix.empty() && prefix.back() != '/') prefix += "/";
            prefix += path.substr(start, end - start);
            prefixes.push_back(prefix);
        }
        start = end + 1;
    }
    return prefixes;
}

}  // namespace dad
