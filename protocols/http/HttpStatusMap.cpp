#include "HttpStatusMap.h"

namespace dad {

namespace {

// What each front answers for one StatusCode.
struct HttpAnswers {
    int webDav;
    int packagePages;
    int peerApi;
    int api;
};

// Where the columns differ: WebDAV says 423 Locked for a file held by
// someone else and 412 for a taken name (COPY/MOVE without Overwrite); a
// package page shows only files, so a folder in the way is "not found"; the
// peer API tells another gateway 501 for what this one cannot do.
HttpAnswers answersFor(StatusCode code) {
    // clang-format off
    switch (code) {
        //                                         WebDAV pages peer  api
        case StatusCode::Ok:               return {200,    200,   200,  200};
        case StatusCode::NotFound:         return {404,    404,   404,  404};
        case StatusCode::Exists:           return {412,    409,   409,  409};
        case StatusCode::PermissionDenied: return {403,    403,   403,  403};
        case StatusCode::NotADirectory:    return {409,    404,   409,  409};
        case StatusCode::IsADirectory:     return {405,    404,   409,  409};
        case StatusCode::NotEmpty:         return {409,    500,   409,  409};
        case StatusCode::InvalidArgument:  return {400,    400,   400,  400};
        case StatusCode::QuotaExceeded:    return {507,    507,   507,  507};
        case StatusCode::Busy:             return {423,    409,   409,  409};
        case StatusCode::Unsupported:      return {405,    405,   501,  405};
        case StatusCode::IoError:          return {500,    500,   500,  500};
        case StatusCode::Failure:          return {500,    500,   500,  500};
    }
    // clang-format on
    return {500, 500, 500, 500};
}

}  // namespace

int httpStatus(StatusCode code, HttpFront front) {
    const HttpAnswers answers = answersFor(code);
    switch (front) {
        case HttpFront::WebDav:
            return answers.webDav;
        case HttpFront::PackagePages:
            return answers.packagePages;
        case HttpFront::PeerApi:
            return answers.peerApi;
        case HttpFront::Api:
            return answers.api;
    }
    return 500;
}

int webDavHttpStatus(StatusCode code, DavOperation operation) {
    // RFC 4918 9.3.1, 9.7.1, 9.8.5: a new resource whose parent is missing.
    if (code == StatusCode::NotFound &&
        (operation == DavOperation::Create || operation == DavOperation::MkCol ||
         operation == DavOperation::CopyMove)) {
        return 409;
    }
    // RFC 4918 9.3.1: MKCOL on a URL already mapped.
    if (code == StatusCode::Exists && operation == DavOperation::MkCol) return 405;
    return httpStatus(code, HttpFront::WebDav);
}

}  // namespace dad
