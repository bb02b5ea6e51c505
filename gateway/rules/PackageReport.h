// PackageReport: the tracking text of a package (sender, recipients, files,
// state, expiry, every download, every forward to a site). One writer for
// both the generated /sent/<package>/.status file and `dadctl package show`.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "Catalog.h"
#include "Status.h"

namespace dad {

// A package's share link: <publicUrl>/p/<token>.
std::string packageLink(const std::string& publicUrl, const std::string& token);

class PackageReport {
public:
    // `publicUrl`: the base of package links (public.url).
    PackageReport(Catalog& catalog, std::string publicUrl)
        : catalog_(catalog), publicUrl_(std::move(publicUrl)) {}
    Status write(const PackageRecord& package, std::string& out);
    // One line for listings: PID, state, sender, name, files, recipients.
    Status summary(const PackageRecord& package, std::string& out);

    static std::string formatTime(int64_t seconds);

private:
    // The package's files (those it had, once expired or withdrawn), without
    // the manifest.
    Status listFiles(const PackageRecord& package,
                     std::vector<std::pair<std::string, NodeRecord>>& files);

    Catalog& catalog_;
    std::string publicUrl_;
};

}  // namespace dad
