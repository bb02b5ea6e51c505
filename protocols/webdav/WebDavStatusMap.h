// WebDavStatusMap: the one table from a dad::Status to an HTTP status for the
// WebDAV front (RFC 4918 section 9 says which code each method uses).
#pragma once

#include "Status.h"

namespace dad {

enum class DavOperation {
    Read,      // GET, HEAD, PROPFIND, OPTIONS
    Create,    // PUT, MKCOL, LOCK of an unmapped URL: a missing parent is 409
    Change,    // PROPPATCH, DELETE, LOCK, UNLOCK
    MkCol,     // MKCOL: a taken name is 405
    CopyMove,  // COPY/MOVE: a taken destination is 412, a missing parent 409
};

int webDavHttpStatus(StatusCode code, DavOperation operation);

}  // namespace dad
