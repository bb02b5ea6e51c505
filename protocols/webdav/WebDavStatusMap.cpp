#include "WebDavStatusMap.h"

namespace dad {

int webDavHttpStatus(StatusCode code, DavOperation operation) {
    switch (code) {
        case StatusCode::Ok:
            return 200;
        case StatusCode::NotFound:
            return operation == DavOperation::Create || operation == DavOperation::MkCol ||
                           operation == DavOperation::CopyMove
                       ? 409
                       : 404;
        case StatusCode::Exists:
            if (operation == DavOperation::MkCol) return 405;
            return 412;
        case StatusCode::PermissionDenied:
            return 403;
        case StatusCode::NotADirectory:
            return 409;
        case StatusCode::IsADirectory:
            return 405;
        case StatusCode::NotEmpty:
            return 409;
        case StatusCode::InvalidArgument:
            return 400;
        case StatusCode::QuotaExceeded:
            return 507;
        case StatusCode::Busy:
            return 423;
        case StatusCode::Unsupported:
            return 405;
        case StatusCode::IoError:
        case StatusCode::Failure:
            return 500;
    }
    return 500;
}

}  // namespace dad
