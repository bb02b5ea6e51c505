#include "Housekeeping.h"

#include <Poco/Logger.h>

#include <set>

#include "PackageLifecycle.h"

namespace dad {

Housekeeping::Housekeeping(Gateway& gateway, int intervalSeconds)
    : gateway_(gateway), intervalSeconds_(intervalSeconds) {}

Housekeeping::~Housekeeping() {
    stop();
}

void Housekeeping::start() {
    thread_ = std::thread([this] {
        std::unique_lock<std::mutex> lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            runOnce();
            lock.lock();
            wake_.wait_for(lock, std::chrono::seconds(intervalSeconds_),
                           [this] { return stopping_; });
        }
    });
}

void Housekeeping::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Housekeeping::runOnce() {
    Poco::Logger& log = Poco::Logger::get("dadgate.housekeeping");
    size_t removed = 0;
    if (Status s = gateway_.store().collectGarbage(gateway_.catalog(),
                                                   gateway_.options().gcGraceSeconds, removed);
        !s) {
        log.error("blob collection failed: %s", s.message());
    } else if (removed > 0) {
        log.information("collected %z unreferenced blob(s)", removed);
    }
    // Packages whose time has passed expire even if nobody looks at them.
    std::vector<PackageRecord> packages;
    if (gateway_.catalog().listPackages(std::nullopt, packages)) {
        for (const PackageRecord& p : packages) {
            if (p.state == "sent") (void)expireIfDue(gateway_, p);
        }
    }
    // Partial files whose upload row is gone (a removed draft, a crash between
    // commit and cleanup) are not reachable any more.
    std::vector<UploadRecord> uploads;
    std::vector<std::string> names;
    FileSystem& fs = gateway_.store().fileSystem();
    const std::string dir = gateway_.store().uploadDirectory();
    if (!gateway_.catalog().listAllUploads(uploads) || !fs.listDirectory(dir, names)) return;
    std::set<std::string> known;
    for (const UploadRecord& u : uploads)
        known.insert(u.tempName);
    for (const std::string& name : names) {
        if (!known.count(name)) (void)fs.remove(dir + "/" + name);
    }
}

}  // namespace dad
