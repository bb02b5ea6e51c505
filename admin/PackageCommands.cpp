#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "PackageReport.h"
#include "Sites.h"

namespace dad::ctl {

int packageCommand(Gateway& gateway, const std::vector<std::string>& words) {
    const std::string verb = words.size() > 1 ? words[1] : "";
    PackageReport report(gateway.catalog(), gateway.options().publicUrl);
    if (verb == "list") {
        std::map<std::string, std::string> flags;
        std::vector<std::string> positional;
        if (Status s = parseFlags(words, 2, {"user"}, {}, flags, positional);
            !s || !positional.empty()) {
            return fail("usage: package list [--user NAME]", 2);
        }
        std::optional<int64_t> accountId;
        if (flags.count("user")) {
            AccountRecord account;
            if (Status s = gateway.catalog().findAccount(flags["user"], account); !s) {
                return fail(s.message());
            }
            accountId = account.id;
        }
        std::vector<PackageRecord> packages;
        if (Status s = gateway.catalog().listPackages(accountId, packages); !s) {
            return fail(s.message());
        }
        // An admin's listing includes the packages of the sub-users under it.
        if (flags.count("user")) {
            AccountRecord admin;
            std::vector<AccountRecord> accounts;
            if (gateway.catalog().findAccount(flags["user"], admin) && admin.type == "admin" &&
                gateway.catalog().listAccounts(accounts)) {
                for (const AccountRecord& sub : accounts) {
                    if (sub.parentId != admin.id) continue;
                    std::vector<PackageRecord> more;
                    if (gateway.catalog().listPackages(sub.id, more)) {
                        for (const PackageRecord& p : more) {
                            bool seen = false;
                            for (const PackageRecord& q : packages)
                                seen = seen || q.id == p.id;
                            if (!seen) packages.push_back(p);
                        }
                    }
                }
            }
        }
        for (const PackageRecord& p : packages) {
            std::string line;
            if (Status s = report.summary(p, line); !s) return fail(s.message());
            std::cout << line << std::endl;
        }
        return 0;
    }
    if (verb == "show" && words.size() == 3) {
        PackageRecord package;
        if (Status s = gateway.catalog().findPackageByPid(words[2], package); !s) {
            return fail(s.message());
        }
        std::string text;
        if (Status s = report.write(package, text); !s) return fail(s.message());
        std::cout << text;
        return 0;
    }
    if (verb == "forward" && words.size() == 4) {
        PackageRecord package;
        if (Status s = gateway.catalog().findPackageByPid(words[2], package); !s) {
            return fail(s.message());
        }
        bool queued = false;
        if (Status s = Sites::queueForward(gateway.catalog(), package, words[3], queued); !s) {
            return fail(s.message());
        }
        std::cout << (queued ? "forward of " + package.pid + " to " + words[3] + " queued"
                             : "forward of " + package.pid + " to " + words[3] +
                                   " is already queued or running")
                  << std::endl;
        return 0;
    }
    return fail("usage: package list [--user NAME] | package show PID | package forward PID SITE",
                2);
}

}  // namespace dad::ctl
