// HostKeys: the SSH server's own identity, made once and kept.
#pragma once

#include <string>
#include <vector>

#include "Status.h"

namespace dad {

// Makes sure `dir` holds ssh_host_ed25519_key and ssh_host_rsa_key (3072
// bits): a missing key is generated and written atomically with mode 0600
// (ed25519 in OpenSSH format, RSA as PEM, both as libssh and OpenSSH read
// them); an existing key is loaded to check it and reused byte for byte.
// `dir` is created (mode 0700) when it does not exist; its parent must.
// On success `keyFiles` holds the two paths, ed25519 first.
// Fails (IoError, InvalidArgument) when a key cannot be written, or an
// existing file is not a usable private key: it is never overwritten.
// Thread-safe for distinct directories.
Status ensureHostKeys(const std::string& dir, std::vector<std::string>& keyFiles);

}  // namespace dad
