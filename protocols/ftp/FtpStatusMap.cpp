#include "FtpStatusMap.h"

namespace dad {

int ftpReplyCode(StatusCode code, FtpContext context) {
    switch (code) {
        case StatusCode::Ok:
            return 250;
        case StatusCode::NotFound:
        case StatusCode::PermissionDenied:
        case StatusCode::NotADirectory:
        case StatusCode::IsADirectory:
        case StatusCode::NotEmpty:
            return 550;
        case StatusCode::Exists:
            // 550 as vsftpd and ProFTPD answer; clients (rclone) read it as "already exists".
            return 550;
        case StatusCode::InvalidArgument:
            return context == FtpContext::NewName ? 553 : context == FtpContext::Upload ? 550 : 501;
        case StatusCode::QuotaExceeded:
            return 552;
        case StatusCode::Busy:
            return 450;
        case StatusCode::Unsupported:
            return 504;
        case StatusCode::IoError:
        case StatusCode::Failure:
            return 451;
    }
    return 451;
}

std::string ftpStatusText(const Status& status) {
    if (!status.message().empty()) return status.message();
    switch (status.code()) {
        case StatusCode::NotFound:
            return "No such file or directory";
        case StatusCode::PermissionDenied:
            return "Permission denied";
        case StatusCode::Exists:
            return "File exists";
        case StatusCode::QuotaExceeded:
            return "Quota exceeded";
        case StatusCode::Busy:
            return "Busy, try again later";
        case StatusCode::Unsupported:
            return "Not supported here";
        default:
            return "Requested action not taken";
    }
}

}  // namespace dad
