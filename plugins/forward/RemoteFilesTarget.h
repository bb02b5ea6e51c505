// RemoteFilesTarget: forwards packages to a plain file server, for the site
// types ftp, ftps (explicit TLS, the certificate verified against the site's
// CA file) and sftp (the host key must match the site's fingerprint). One
// push opens a session with the server the site's URL names
// (openRemoteFiles), pushes the files with pushFiles (<url folder>/<PID>/
// <path>; a cut push resumes from the sizes the server reports) and closes
// the session, whether the push succeeded or not.
#pragma once

#include <functional>
#include <memory>

#include "ForwardTarget.h"
#include "RemoteFiles.h"

namespace dad {

class RemoteFilesTarget : public ForwardTarget {
public:
    // How a session is opened: openRemoteFiles, or a test's own.
    using Open = std::function<Status(const RemoteEndpoint&, std::unique_ptr<RemoteFiles>&)>;

    explicit RemoteFilesTarget(int timeoutSeconds, Open open = openRemoteFiles)
        : timeoutSeconds_(timeoutSeconds), open_(std::move(open)) {}
    Status push(const Site& site, const ForwardPackage& package, ContentSource& content,
                ForwardProgress& progress) override;

private:
    int timeoutSeconds_;
    Open open_;
};

// The endpoint of a file-server site: the protocol from its type, host and
// port from its URL (port 0 when it names none), its user, secret, CA file
// and host key. InvalidArgument for a type other than ftp, ftps and sftp, or
// a URL that does not parse.
Status remoteEndpointOf(const Site& site, int timeoutSeconds, RemoteEndpoint& endpoint);

}  // namespace dad
