// PeerTarget: forwards packages to another dadgate (site type peer) through
// its peer API (protocols/webdav/PeerApi.h) over HTTPS, the certificate
// verified against the site's CA file, logged in with HTTP Basic as the
// site's account there. The far side is first offered every hash; only
// content it lacks moves, from the bytes it already holds of an interrupted
// transfer; then the package is committed there with the same PID.
//
// Refusals waiting cannot heal (a certificate that does not verify, a login
// or peer account refused, a description the far side rejects) answer
// PermissionDenied or InvalidArgument; a cut connection or a busy far side is
// a Failure the job queue retries, resuming where the far side stopped.
#pragma once

#include "ForwardTarget.h"
#include "PeerMessages.h"

namespace dad {

class PeerTarget : public ForwardTarget {
public:
    explicit PeerTarget(int timeoutSeconds) : timeoutSeconds_(timeoutSeconds) {}
    Status push(const Site& site, const ForwardPackage& package, ContentSource& content,
                ForwardProgress& progress) override;
    // POST .../packages/<pid>/withdraw at the peer.
    Status withdraw(const Site& site, const std::string& pid) override;

private:
    int timeoutSeconds_;
};

// The description a peer is offered: the package without its manifest.
PeerPackage peerPackageOf(const ForwardPackage& package);

// A Status for an HTTP answer of the peer API (2xx is Ok): 401/403
// PermissionDenied, 400 InvalidArgument, anything else a Failure to retry.
// `what` names the call; `body` is the answer's (its "error" is quoted).
Status peerAnswerStatus(int httpStatus, const std::string& what, const std::string& body);

}  // namespace dad
