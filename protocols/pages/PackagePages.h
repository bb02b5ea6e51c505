// PackagePages: the web pages behind a package's share link, on the same
// listeners as WebDAV (plugged in through WebDavServer's page hook):
//   GET  /p/<token>            the package: sender, message, files, expiry,
//                              "download all", the return form
//   POST /p/<token>/password   the password form; a right one sets a signed
//                              cookie (HttpOnly, SameSite=Strict, Secure on
//                              HTTPS, Path=/p/<token>)
//   GET  /p/<token>/f/<path>   one file, as an attachment, with Range
//   GET  /p/<token>/zip        every file in one zip (stored entries)
//   POST /p/<token>/return     multipart/form-data: a file returned to the sender
// What the link allows is LinkAccess's to say; this only translates. An
// unknown token is 404 (the same page as a malformed one), an expired or
// withdrawn package 410. Every reply carries a strict Content-Security-Policy
// and nosniff: nothing a sender uploads runs in the pages' origin.
// Thread-safe: one handler object per request.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "LinkAccess.h"
#include "PageSigner.h"

namespace dad {

class Gateway;

struct PackagePagesOptions {
    uint64_t maxReturnBytes = uint64_t(2) << 30;  // one returned file (pages.max_return_bytes)
    // All files returned through one link together (pages.max_return_total_bytes; -1: none).
    int64_t maxReturnTotalBytes = LinkAccess::kDefaultMaxReturnedBytes;
    int maxConcurrentZips = 2;          // zips being built at once (pages.max_zips)
    int64_t cookieSeconds = 12 * 3600;  // how long a right password is remembered
    std::string tempDirectory;          // where zips are built (on the data disk)
};

class PackagePages {
public:
    // Creates options.tempDirectory and removes zips a previous run left there.
    PackagePages(Gateway& gateway, PackagePagesOptions options);

    // A handler for a request under /p/, nullptr for anything else.
    Poco::Net::HTTPRequestHandler* handlerFor(const Poco::Net::HTTPServerRequest& request,
                                              bool secure);

    Gateway& gateway() { return gateway_; }
    LinkAccess& access() { return access_; }
    const PageSigner& signer() const { return signer_; }
    const PackagePagesOptions& options() const { return options_; }
    // A slot to build a zip in; false when kMaxConcurrentZips are busy.
    bool takeZipSlot();
    void releaseZipSlot();

private:
    Gateway& gateway_;
    PackagePagesOptions options_;
    LinkAccess access_;
    PageSigner signer_;
    std::atomic<int> zipsBuilding_{0};
};

}  // namespace dad
