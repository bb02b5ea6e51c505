// HttpStatusMap: the one table from a dad::Status to an HTTP status, for the
// three fronts on the HTTP(S) listener. They agree on most answers; where one
// answers differently, that is a column of the same row (HttpStatusMap.cpp),
// and WebDAV's per-method answers (RFC 4918 section 9) are one function on
// top of its column. Pure functions; thread-safe.
#pragma once

#include "Status.h"

namespace dad {

enum class HttpFront {
    WebDav,        // WebDavHandler: RFC 4918 class 1 and 2
    PackagePages,  // PackagePageHandler: the pages behind a share link
    PeerApi,       // PeerApi: another dadgate forwarding a package here
    Api,           // the REST API under /api/v1/
};

// The HTTP status of `code` on `front` (for WebDAV: as for DavOperation::Read).
int httpStatus(StatusCode code, HttpFront front);

enum class DavOperation {
    Read,      // GET, HEAD, PROPFIND, OPTIONS
    Create,    // PUT, MKCOL, LOCK of an unmapped URL: a missing parent is 409
    Change,    // PROPPATCH, DELETE, LOCK, UNLOCK
    MkCol,     // MKCOL: a taken name is 405
    CopyMove,  // COPY/MOVE: a taken destination is 412, a missing parent 409
};

// The HTTP status of `code` for a WebDAV method: the WebDAV column, but 409
// for a missing parent and 405 for MKCOL on a taken name.
int webDavHttpStatus(StatusCode code, DavOperation operation);

}  // namespace dad
