#include "SftpTarget.h"

#include "PushFiles.h"
#include "SftpClient.h"

namespace dad {

Status SftpTarget::push(const Site& site, const ForwardPackage& package, ContentSource& content,
                        ForwardProgress& progress) {
    SftpEndpoint endpoint;
    if (Status s = siteHost(site, 22, endpoint.host, endpoint.port); !s) return s;
    endpoint.user = site.user;
    endpoint.secret = site.secret;
    endpoint.hostKey = site.hostKey;
    endpoint.timeoutSeconds = timeoutSeconds_;
    SftpClient client;
    if (Status s = client.connect(endpoint); !s) return s;
    Status s = pushFiles(client, remoteFolder(site), package, content, progress);
    client.close();
    return s;
}

}  // namespace dad
