// PackageReport: the tracking text of a package (sender, recipients, files,
// state, expiry, every download, every forward to a site). One writer for
// both the generated /sent/<package>/.status file and `dadctl package show`.
#pragma once

#include <cstdint>
#include <string>

#include "Catalog.h"
#include "Status.h"

namespace dad {

class Gateway;

class PackageReport {
public:
    explicit PackageReport(Gateway& gateway) : gateway_(gateway) {}
    Status write(const PackageRecord& package, std::string& out);
    // One line for listings: PID, state, sender, name, files, recipients.
    Status summary(const PackageRecord& package, std::string& out);

    static std::string formatTime(int64_t seconds);

private:
    Gateway& gateway_;
};

}  // namespace dad
