// SftpClient: RemoteFiles over SFTP v3 (RemoteEndpoint::Protocol::Sftp), on
// libssh.
//
// The server's host key must have the endpoint's SHA-256 fingerprint
// ("SHA256:<base64>", as `ssh-keygen -lf` prints it; '=' padding or not);
// any other key is refused before authenticating, and an endpoint without a
// fingerprint is refused before connecting. ~/.ssh/config and known_hosts are
// not read. A secret starting with "-----BEGIN" is a private key (OpenSSH or
// PEM, unencrypted), anything else a password.
//
// Folders are made with STAT and MKDIR (0755) for each prefix; size is STAT;
// an upload OPENs for writing (creating 0644, truncating from 0) and WRITEs
// from the offset, a download OPENs for reading and READs from the offset.
// Refusals are a host key mismatch, a refused authentication and
// SSH_FX_PERMISSION_DENIED.
#pragma once

#include <memory>

#include "RemoteFiles.h"
#include "Status.h"

namespace dad {

// openRemoteFiles for SFTP: connects, checks the host key, authenticates
// (public key or password) and starts the sftp subsystem.
Status openSftpClient(const RemoteEndpoint& endpoint, std::unique_ptr<RemoteFiles>& remote);

}  // namespace dad
