#include "RemoteFilesTarget.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "PushFiles.h"

namespace dad {

Status remoteEndpointOf(const Site& site, int timeoutSeconds, RemoteEndpoint& endpoint) {
    using Protocol = RemoteEndpoint::Protocol;
    if (site.type == "ftp") {
        endpoint.protocol = Protocol::Ftp;
    } else if (site.type == "ftps") {
        endpoint.protocol = Protocol::Ftps;
    } else if (site.type == "sftp") {
        endpoint.protocol = Protocol::Sftp;
    } else {
        return Status::invalid("site " + site.name + ": type " + site.type +
                               " is not a file server's (ftp, ftps, sftp)");
    }
    try {
        const Poco::URI uri(site.url);
        endpoint.host = uri.getHost();
        endpoint.port = uri.getPort();
    } catch (const Poco::Exception&) {
        return Status::invalid("site " + site.name + ": '" + site.url + "' is not a URL");
    }
    endpoint.user = site.user;
    endpoint.secret = site.secret;
    endpoint.caFile = site.caFile;
    endpoint.hostKey = site.hostKey;
    endpoint.timeoutSeconds = timeoutSeconds;
    return Status::ok();
}

Status RemoteFilesTarget::push(const Site& site, const ForwardPackage& package,
                               ContentSource& content, ForwardProgress& progress) {
    RemoteEndpoint endpoint;
    if (Status s = remoteEndpointOf(site, timeoutSeconds_, endpoint); !s) return s;
    std::unique_ptr<RemoteFiles> remote;
    if (Status s = open_(endpoint, remote); !s) return s;
    Status s = pushFiles(*remote, remoteFolder(site), package, content, progress);
    remote->close();
    return s;
}

}  // namespace dad
