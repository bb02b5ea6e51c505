#include "SftpStatusMap.h"

#include "SftpCodec.h"

namespace dad {

uint32_t sftpStatusCode(StatusCode code) {
    switch (code) {
        case StatusCode::Ok:
            return sftp::kOk;
        case StatusCode::NotFound:
            return sftp::kNoSuchFile;
        case StatusCode::PermissionDenied:
            return sftp::kPermissionDenied;
        case StatusCode::Unsupported:
            return sftp::kOpUnsupported;
        default:
            return sftp::kFailure;
    }
}

const char* sftpDefaultMessage(uint32_t sftpCode) {
    switch (sftpCode) {
        case sftp::kOk:
            return "Success";
        case sftp::kEof:
            return "End of file";
        case sftp::kNoSuchFile:
            return "No such file";
        case sftp::kPermissionDenied:
            return "Permission denied";
        case sftp::kBadMessage:
            return "Bad message";
        case sftp::kOpUnsupported:
            return "Operation unsupported";
        default:
            return "Failure";
    }
}

std::string sftpStatusMessage(const Status& status) {
    if (!status.message().empty()) return status.message();
    return sftpDefaultMessage(sftpStatusCode(status.code()));
}

}  // namespace dad
