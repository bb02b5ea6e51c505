// Sites: the rules for a site packages are forwarded to (DESIGN.md "site"),
// where its secret and CA are kept, and the one way a forward is queued.
//
// A site's password or token (or, for sftp, an OpenSSH private key) is never
// in the catalog nor in a job: it lives in <data>/site-secrets/<name>, mode
// 0600 (SecretFiles). A CA given for the site is copied to
// <data>/site-ca/<name>.pem, so the site does not depend on a file that may
// move.
//
// Every producer of a forward (the manifest's forward_to when a package is
// sent, Lua's dad.forward, dadctl package forward) calls queueForward, which
// writes the one payload format {"package": PID, "site": NAME} and marks the
// package's forward to that site queued for tracking.
#pragma once

#include <string>

#include "Catalog.h"
#include "Status.h"

namespace dad {

struct ForwardRequest {
    std::string package;  // PID
    std::string site;
};

class Sites {
public:
    static constexpr size_t kMaxSecretBytes = 16 * 1024;

    // 1 to 64 characters of [A-Za-z0-9._-].
    static Status checkName(const std::string& name);
    // The type is one of peer, ftp, ftps, sftp; the URL's scheme matches it
    // (peer https://, ftp ftp://, ftps ftps:// = explicit AUTH TLS, sftp
    // sftp://); a host, no user:password in the URL, no query; sftp needs
    // its host key as "SHA256:<base64>" (no trust on first use).
    static Status check(const SiteRecord& site);

    // The job kind that withdraws, at its site, a copy forwarded before its
    // package was withdrawn here; its payload is a forwardPayload.
    static constexpr const char* kWithdrawalJob = "forward-withdrawal";

    static std::string forwardPayload(const ForwardRequest& request);
    static Status parseForwardPayload(const std::string& payload, ForwardRequest& request);

    static Status saveSecret(const std::string& dataDir, const std::string& site,
                             const std::string& secret);
    // An empty secret when none was stored.
    static Status loadSecret(const std::string& dataDir, const std::string& site,
                             std::string& secret);
    // Removes the secret and the CA copy.
    static void forget(const std::string& dataDir, const std::string& site);
    // Checks that `pem` holds at least one certificate and keeps it as the
    // site's CA; `path` is where it was kept, relative to the data directory
    // (what the catalog's ca_file holds).
    static Status saveCa(const std::string& dataDir, const std::string& site,
                         const std::string& pem, std::string& path);

    // Queues the forward of a sent package to a known site. InvalidArgument
    // when the package is not sent, NotFound when there is no such site;
    // `queued` false when that forward was already queued or running.
    static Status queueForward(Catalog& catalog, const PackageRecord& package,
                               const std::string& site, bool& queued);
};

}  // namespace dad
