#include "SftpTarget.h"

#include "PushFiles.h"

namespace dad {

Status SftpTarget::push(const Site& site, const ForwardPackage& package, ContentSource& content,
                        ForwardProgress& progress) {
    RemoteEndpoint endpoint;
    endpoint.protocol = RemoteEndpoint::Protocol::Sftp;
    if (Status s = siteHost(site, 22, endpoint.host, endpoint.port); !s) return s;
    endpoint.user = site.user;
    endpoint.secret = site.secret;
    endpoint.hostKey = site.hostKey;
    endpoint.timeoutSeconds = timeoutSeconds_;
    std::unique_ptr<RemoteFiles> remote;
    if (Status s = openRemoteFiles(endpoint, remote); !s) return s;
    Status s = pushFiles(*remote, remoteFolder(site), package, content, progress);
    remote->close();
    return s;
}

}  // namespace dad
