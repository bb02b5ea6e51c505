// dadctl ban list|remove: the client addresses and accounts refused password
// logins after too many failures (Gateway::checkPassword). The bans are in
// the catalog, so a removal takes effect at the running dadgate's next login.
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "PackageReport.h"

namespace dad::ctl {

namespace {

const char* const kUsage = "usage: ban list | ban remove ADDRESS | ban remove --user NAME";

int listBans(Admin& admin) {
    std::vector<LoginBan> bans;
    if (Status s = admin.listBans(operatorCaller(), bans); !s) return fail(s.message());
    if (bans.empty()) std::cout << "no login bans\n";
    for (const LoginBan& ban : bans) {
        std::cout << ban.kind << "  " << ban.subject << "  until "
                  << PackageReport::formatTime(ban.until) << "  since "
                  << PackageReport::formatTime(ban.created) << "  " << ban.reason << "\n";
    }
    return 0;
}

int removeBan(Admin& admin, const std::vector<std::string>& words) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    Status s = parseFlags(words, 2, {"user"}, {}, flags, positional);
    if (!s || positional.size() + flags.size() != 1) {
        return fail(s ? kUsage : s.message() + "\n" + kUsage, 2);
    }
    const bool account = flags.count("user") > 0;
    const std::string subject = account ? flags["user"] : positional[0];
    if (Status r = admin.removeBan(operatorCaller(), account ? "account" : "address", subject);
        !r) {
        return fail(r.message());
    }
    std::cout << "login ban on " << (account ? "account " : "address ") << subject << " removed\n";
    return 0;
}

}  // namespace

int banCommand(Admin& admin, const std::vector<std::string>& words) {
    const std::string verb = words.size() > 1 ? words[1] : "";
    if (verb == "list" && words.size() == 2) return listBans(admin);
    if (verb == "remove") return removeBan(admin, words);
    return fail(kUsage, 2);
}

}  // namespace dad::ctl
