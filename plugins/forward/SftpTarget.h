// SftpTarget: forwards packages to an SFTP server (site type sftp), whose
// host key must match the site's SHA-256 fingerprint. Files land in
// <url folder>/<PID>/<path>; a cut push resumes from the size the server
// reports (pushFiles).
#pragma once

#include "ForwardTarget.h"

namespace dad {

class SftpTarget : public ForwardTarget {
public:
    explicit SftpTarget(int timeoutSeconds) : timeoutSeconds_(timeoutSeconds) {}
    Status push(const Site& site, const ForwardPackage& package, ContentSource& content,
                ForwardProgress& progress) override;

private:
    int timeoutSeconds_;
};

}  // namespace dad
