#include <iostream>

#include "CommandLine.h"
#include "Commands.h"

namespace dad::ctl {

namespace {

// package withdraw PID [--as ADMIN]: as the operator, or as an admin for a
// package of its own or of one of its sub-users (the admin layer decides).
int withdrawCommand(Admin& admin, const std::vector<std::string>& words) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, 2, {"as"}, {}, flags, positional);
        !s || positional.size() != 1) {
        return fail("usage: package withdraw PID [--as ADMIN]", 2);
    }
    Caller caller = operatorCaller();
    if (flags.count("as")) {
        if (Status s = admin.callerFor(flags["as"], Scope::Admin, caller.connection, caller); !s) {
            return fail(s.message());
        }
        caller.onShell = true;
    }
    if (Status s = admin.withdrawPackage(caller, positional[0]); !s) return fail(s.message());
    std::cout << positional[0] << " withdrawn" << std::endl;
    return 0;
}

}  // namespace

int packageCommand(Admin& admin, const std::vector<std::string>& words) {
    const std::string verb = words.size() > 1 ? words[1] : "";
    if (verb == "list") {
        std::map<std::string, std::string> flags;
        std::vector<std::string> positional;
        if (Status s = parseFlags(words, 2, {"user"}, {}, flags, positional);
            !s || !positional.empty()) {
            return fail("usage: package list [--user NAME]", 2);
        }
        std::vector<PackageRecord> packages;
        if (Status s = admin.listPackagesOf(operatorCaller(), flags["user"], packages); !s) {
            return fail(s.message());
        }
        for (const PackageRecord& p : packages) {
            std::string line;
            if (Status s = admin.packageSummary(p, line); !s) return fail(s.message());
            std::cout << line << std::endl;
        }
        return 0;
    }
    if (verb == "show" && words.size() == 3) {
        std::string text;
        if (Status s = admin.packageReport(operatorCaller(), words[2], text); !s) {
            return fail(s.message());
        }
        std::cout << text;
        return 0;
    }
    if (verb == "forward" && words.size() == 4) {
        bool queued = false;
        if (Status s = admin.forwardPackage(operatorCaller(), words[2], words[3], queued); !s) {
            return fail(s.message());
        }
        std::cout << (queued ? "forward of " + words[2] + " to " + words[3] + " queued"
                             : "forward of " + words[2] + " to " + words[3] +
                                   " is already queued or running")
                  << std::endl;
        return 0;
    }
    if (verb == "notify" && words.size() == 3) {
        size_t queued = 0;
        if (Status s = admin.resendNotification(operatorCaller(), words[2], queued); !s) {
            return fail(s.message());
        }
        std::cout << "notification of " << words[2] << " queued for " << queued << " recipient(s)"
                  << std::endl;
        return 0;
    }
    if (verb == "withdraw") return withdrawCommand(admin, words);
    return fail(
        "usage: package list [--user NAME] | package show PID | package forward PID SITE | "
        "package notify PID | package withdraw PID [--as ADMIN]",
        2);
}

}  // namespace dad::ctl
