// FtpStatusMap: the one table from a dad::Status to an FTP reply code.
//   NotFound, PermissionDenied, NotADirectory, IsADirectory, NotEmpty -> 550
//   Exists -> 553 where a new name is given (STOR, MKD, RNTO), else 550
//   InvalidArgument -> 553 where a new name is given, 501 for a bad argument,
//                      550 for a refused upload (a manifest error at close)
//   QuotaExceeded -> 552, Busy -> 450, Unsupported -> 504,
//   IoError and Failure -> 451 (local error; the client may retry)
// The reply text is the Status message (the gateway's own words).
#pragma once

#include <string>

#include "Status.h"

namespace dad {

enum class FtpContext {
    Path,     // an existing path is named (CWD, DELE, RETR, SIZE, RNFR, ...)
    NewName,  // a new name is given (STOR, MKD, RNTO, APPE open)
    Upload,   // finishing an upload (the close of STOR/APPE)
};

int ftpReplyCode(StatusCode code, FtpContext context);

// The reply text for a failed Status: its message, or a sentence for the code.
std::string ftpStatusText(const Status& status);

}  // namespace dad
