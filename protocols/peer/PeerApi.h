// PeerApi: the peer API another dadgate calls to forward a package here
// (gateway/peer/PeerReceiver.h has the rules), on the HTTPS listener only, under
// a prefix no user path can take:
//
//   POST /.well-known/dadgate/peer/v1/packages/<pid>/offer
//        body: the package description (gateway/peer/PeerMessages.h)
//        200: what is held of each hash (stored, partial + bytes, missing)
//   PUT  /.well-known/dadgate/peer/v1/packages/<pid>/content/<sha256>?path=<file>
//        Content-Range: bytes START-END/TOTAL (or "bytes */TOTAL": empty)
//        200 {"held": N, "complete": true|false}; 409 {"held": N} when
//        START is not what is held; 400 when the content's SHA-256 differs
//   POST /.well-known/dadgate/peer/v1/packages/<pid>/commit
//        body: the package description; 200 once sent; 409 while content
//        is missing
//   POST /.well-known/dadgate/peer/v1/packages/<pid>/withdraw
//        the origin withdrew it: 200 once withdrawn here (or not here at all)
//
// Authentication: HTTP Basic with an account listed in peer.accounts,
// checked by the Authenticator (slow hash, constant time, and its limit on
// failed logins per client address: 429 while blocked). Errors are
// {"error": "..."} with a status from HttpStatusMap (the peer API's column).
// Thread-safe: one handler object per request.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>

#include "Authenticator.h"
#include "PeerReceiver.h"

namespace dad {

class PeerApi {
public:
    static constexpr const char* kPrefix = "/.well-known/dadgate/peer/v1/";

    PeerApi(Authenticator& authenticator, PeerReceiver& receiver);

    // A handler for a request under kPrefix, nullptr for anything else.
    Poco::Net::HTTPRequestHandler* handlerFor(const Poco::Net::HTTPServerRequest& request,
                                              bool secure);

    Authenticator& authenticator() { return authenticator_; }
    PeerReceiver& receiver() { return receiver_; }

private:
    Authenticator& authenticator_;
    PeerReceiver& receiver_;
};

}  // namespace dad
