#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "PackageLifecycle.h"
#include "PackageReport.h"
#include "Sites.h"

namespace dad::ctl {

namespace {

// package withdraw PID [--as ADMIN]: as the operator, or as an admin for a
// package of its own or of one of its sub-users.
int withdrawCommand(Gateway& gateway, const std::vector<std::string>& words) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, 2, {"as"}, {}, flags, positional);
        !s || positional.size() != 1) {
        return fail("usage: package withdraw PID [--as ADMIN]", 2);
    }
    Catalog& catalog = gateway.catalog();
    PackageRecord package;
    if (Status s = catalog.findPackageByPid(positional[0], package); !s) return fail(s.message());
    std::string by = "dadctl";
    if (flags.count("as")) {
        AccountRecord admin, sender;
        if (Status s = catalog.findAccount(flags["as"], admin); !s) return fail(s.message());
        if (admin.type != "admin") return fail(admin.name + " is not an admin");
        if (Status s = catalog.findAccountById(package.senderId, sender); !s) {
            return fail(s.message());
        }
        if (sender.id != admin.id && sender.parentId != admin.id) {
            return fail(package.pid + " was sent by " + sender.name + ", not by " + admin.name +
                        " or one of its sub-users");
        }
        by = admin.name;
    }
    if (Status s = withdrawPackage(gateway, package, by, {"dadctl", "", 0, false}); !s) {
        return fail(s.message());
    }
    std::cout << package.pid << " withdrawn" << std::endl;
    return 0;
}

}  // namespace

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
    if (verb == "withdraw") return withdrawCommand(gateway, words);
    return fail(
        "usage: package list [--user NAME] | package show PID | package forward PID SITE | "
        "package withdraw PID [--as ADMIN]",
        2);
}

}  // namespace dad::ctl
