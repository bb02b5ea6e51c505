// Fetcher: downloads one URL for a fetch job, over HTTP/HTTPS (redirects
// followed up to FetchLimits::maxRedirects, each hop checked again) and FTP
// (passive; the data connection goes to the control connection's address,
// whatever address PASV announces). FTPS and SFTP answer Unsupported.
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
};

// Receives the body in order; an error stops the fetch with that error.
using FetchSink = std::function<Status(const char* data, size_t length)>;

class Fetcher {
public:
    explicit Fetcher(FetchLimits limits) : limits_(limits) {}

    // `user`/`password`: for FTP (anonymous when empty) and HTTP basic
    // authentication (only sent to the first host, never after a redirect).
    Status fetch(const std::string& url, const std::string& user, const std::string& password,
                 const FetchSink& sink);

private:
    Status fetchHttp(const std::string& url, const std::string& user, const std::string& password,
                     const FetchSink& sink);
    Status fetchFtp(const std::string& url, const std::string& user, const std::string& password,
                    const FetchSink& sink);

    FetchLimits limits_;
};

}  // namespace dad
