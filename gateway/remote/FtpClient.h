// FtpClient: RemoteFiles over FTP, or FTPS (RemoteEndpoint::Protocol::Ftps).
//
// FTPS is explicit TLS: the control connection is upgraded with AUTH TLS
// before the password is sent, and a server that refuses the upgrade is
// refused (never a silent fall-back to clear text); data connections are
// protected too (PBSZ 0, PROT P). The certificate must chain to the
// endpoint's caFile and name the host; TLS 1.2 or newer. Implicit TLS (port
// 990) is not supported.
//
// Passive mode (EPSV, else PASV); binary type (TYPE I). Folders are made with
// MKD for each prefix (a refused MKD, as for a folder that exists, is left for
// the STOR that follows to report); size is SIZE (a server without it:
// nullopt); an upload is STOR from 0 and APPE from an offset; a download is
// REST (the server must keep it across EPSV/PASV), then RETR; close is QUIT.
// Refusals are the replies 530, 532, 550 and 553, a certificate that does not
// verify and a refused AUTH TLS; messages carry the server's reply text.
#pragma once

#include <memory>

#include "RemoteFiles.h"
#include "Status.h"

namespace dad {

// openRemoteFiles for FTP and FTPS: connects, secures, logs in (USER, PASS).
// REQUIRES: endpoint.protocol is Ftp or Ftps.
Status openFtpClient(const RemoteEndpoint& endpoint, std::unique_ptr<RemoteFiles>& remote);

}  // namespace dad
