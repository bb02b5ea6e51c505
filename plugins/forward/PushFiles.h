// pushFiles: the resumable push of a package's files to a file server (FTP,
// FTPS, SFTP), written once for every RemoteFiles client.
//
// Layout on the far side: <folder>/<PID>/<path inside the package>, folders
// made as needed. Per file the far side's size decides: equal to ours, the
// file is complete and skipped; smaller, the rest is appended from there
// (resume after a cut); larger, the file is written again from 0.
#pragma once

#include <string>

#include "ForwardTarget.h"
#include "RemoteFiles.h"

namespace dad {

Status pushFiles(RemoteFiles& remote, const std::string& folder, const ForwardPackage& package,
                 ContentSource& content, ForwardProgress& progress);

// The folder a site's URL names, for a file server: ftp(s) paths are
// relative to the login directory (RFC 1738; "" = it), sftp paths absolute
// unless they start with "/~/" (the home directory).
std::string remoteFolder(const Site& site);

}  // namespace dad
