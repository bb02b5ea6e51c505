// FtpTarget: forwards packages to a plain FTP server (site type ftp) or over
// explicit TLS (ftps: AUTH TLS, certificate verified against the site's CA).
// Files land in <url folder>/<PID>/<path>; a cut push resumes with APPE from
// the size the server reports (pushFiles).
#pragma once

#include "ForwardTarget.h"

namespace dad {

class FtpTarget : public ForwardTarget {
public:
    explicit FtpTarget(int timeoutSeconds) : timeoutSeconds_(timeoutSeconds) {}
    Status push(const Site& site, const ForwardPackage& package, ContentSource& content,
                ForwardProgress& progress) override;

private:
    int timeoutSeconds_;
};

}  // namespace dad
