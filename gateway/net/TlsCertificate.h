// TlsCertificate: a certificate for the TLS listeners (FTPS, HTTPS) when the
// site has not installed one, so a fresh gateway serves TLS at once.
#pragma once

#include <string>

#include "Status.h"

namespace dad {

// When `certFile` or `keyFile` is missing, generates an EC P-256 key and a
// self-signed X.509 v3 certificate for `commonName`, valid 825 days, with
// subjectAltName DNS:localhost, IP:127.0.0.1 and DNS:<commonName> (IP: when
// it is a numeric address), and writes both as PEM atomically: the key with
// mode 0600, the certificate 0644. When both exist they are left alone,
// after checking that they parse and belong together.
// Fails (InvalidArgument) on an unusable or mismatched existing pair, which
// is never overwritten, and (IoError, Failure) when writing or OpenSSL fails.
// Thread-safe for distinct files.
Status ensureSelfSignedCertificate(const std::string& certFile, const std::string& keyFile,
                                   const std::string& commonName);

}  // namespace dad
