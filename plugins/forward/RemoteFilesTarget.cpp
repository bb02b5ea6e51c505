#include "RemoteFilesTarget.h"

#include "PushFiles.h"

namespace dad {

Status FtpTarget::push(const Site& site, const ForwardPackage& package, ContentSource& content,
                       ForwardProgress& progress) {
    RemoteEndpoint endpoint;
    if (Status s = siteHost(site, 21, endpoint.host, endpoint.port); !s) return s;
    endpoint.protocol =
        site.type == "ftps" ? RemoteEndpoint::Protocol::Ftps : RemoteEndpoint::Protocol::Ftp;
    endpoint.caFile = site.caFile;
    endpoint.user = site.user;
    endpoint.secret = site.secret;
    endpoint.timeoutSeconds = timeoutSeconds_;
    std::unique_ptr<RemoteFiles> remote;
    if (Status s = openRemoteFiles(endpoint, remote); !s) return s;
    Status s = pushFiles(*remote, remoteFolder(site), package, content, progress);
    remote->close();
    return s;
}

}  // namespace dad
