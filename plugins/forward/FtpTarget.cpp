#include "FtpTarget.h"

#include "FtpClient.h"
#include "PushFiles.h"

namespace dad {

Status FtpTarget::push(const Site& site, const ForwardPackage& package, ContentSource& content,
                       ForwardProgress& progress) {
    FtpEndpoint endpoint;
    if (Status s = siteHost(site, 21, endpoint.host, endpoint.port); !s) return s;
    endpoint.tls = site.type == "ftps" ? FtpEndpoint::Tls::Explicit : FtpEndpoint::Tls::None;
    endpoint.caFile = site.caFile;
    endpoint.user = site.user;
    endpoint.password = site.secret;
    endpoint.timeoutSeconds = timeoutSeconds_;
    FtpClient client;
    if (Status s = client.connect(endpoint); !s) return s;
    Status s = pushFiles(client, remoteFolder(site), package, content, progress);
    client.close();
    return s;
}

}  // namespace dad
