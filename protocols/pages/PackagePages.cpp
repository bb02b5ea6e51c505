#include "PackagePages.h"

#include "Gateway.h"
#include "PackagePageHandler.h"
#include "PackageZip.h"

namespace dad {

PackagePages::PackagePages(Gateway& gateway, PackagePagesOptions options)
    : gateway_(gateway),
      options_(std::move(options)),
      access_(gateway, options_.maxReturnTotalBytes) {
    if (options_.tempDirectory.empty()) options_.tempDirectory = gateway.options().dataDir + "/tmp";
    (void)gateway.store().fileSystem().makeDirectories(options_.tempDirectory);
    removeStaleZips(options_.tempDirectory);
}

Poco::Net::HTTPRequestHandler* PackagePages::handlerFor(const Poco::Net::HTTPServerRequest& request,
                                                        bool secure) {
    if (request.getURI().compare(0, 3, "/p/") != 0) return nullptr;
    return new PackagePageHandler(*this, secure);
}

bool PackagePages::takeZipSlot() {
    int now = zipsBuilding_.load();
    while (now < options_.maxConcurrentZips) {
        if (zipsBuilding_.compare_exchange_weak(now, now + 1)) return true;
    }
    return false;
}

void PackagePages::releaseZipSlot() {
    --zipsBuilding_;
}

}  // namespace dad
