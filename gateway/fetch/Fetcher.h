// Fetcher: downloads one URL for a fetch job, over HTTP/HTTPS (redirects
// followed up to FetchLimits::maxRedirects, each hop checked again) and FTP or
// FTPS (explicit AUTH TLS, PROT P; passive; the data connection goes to the
// control connection's address, whatever address PASV announces). TLS is 1.2
// or later and the certificate is verified for the URL's host against the
// system's CAs or FetchLimits::caFile (tlsClientContext, as forwarding). SFTP
// through RemoteFiles (openRemoteFiles, as forwarding): the server's key must
// have the SHA-256 fingerprint the request names (no trust on first use);
// password or private-key login.
//
// Every connection goes to an address FetchAddress::resolve allowed, with
// the URL's host kept for the HTTP Host header, TLS SNI and certificate check.
// Bounded: at most maxBytes of body (more is an error, checked against a
// declared Content-Length first), and timeoutSeconds for the whole fetch.
//
// Errors: PermissionDenied for a refused address or redirect, InvalidArgument
// for a body over maxBytes or a refused request (HTTP 4xx other than 404/408/429),
// NotFound for 404 or an unknown host, Unsupported for a scheme not served,
// Failure for anything that may work later (network, 5xx, timeout).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "Status.h"

namespace dad {

struct FetchLimits {
    uint64_t maxBytes = 10ULL * 1024 * 1024 * 1024;
    int timeoutSeconds = 3600;
    bool allowPrivate = false;
    std::vector<std::string> allowAddresses;  // private addresses allowed one by one
    int maxRedirects = 5;
    std::string caFile;  // fetch.ca_file: trust only these CAs for https and ftps ("" = system)
};

// Receives the body in order; an error stops the fetch with that error.
using FetchSink = std::function<Status(const char* data, size_t length)>;

class Fetcher {
public:
    explicit Fetcher(FetchLimits limits) : limits_(limits) {}

    // `user`/`password`: for FTP (anonymous when empty), SFTP (the password
    // may be a private key, "-----BEGIN ...") and HTTP basic authentication
    // (only sent to the first host, never after a redirect). `hostKey`: the
    // SFTP server's "SHA256:..." fingerprint, required for sftp URLs.
    Status fetch(const std::string& url, const std::string& user, const std::string& password,
                 const FetchSink& sink, const std::string& hostKey = "");

private:
    Status fetchHttp(const std::string& url, const std::string& user, const std::string& password,
                     const FetchSink& sink);
    Status fetchFtp(const std::string& url, const std::string& user, const std::string& password,
                    const FetchSink& sink);
    Status fetchSftp(const std::string& url, const std::string& user, const std::string& password,
                     const std::string& hostKey, const FetchSink& sink);

    FetchLimits limits_;
};

}  // namespace dad
