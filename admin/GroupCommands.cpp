// dadctl group: the address book's groups. Without --owner a command works on
// the site's groups (made by an admin, seen by everyone); with --owner USER
// on USER's personal groups, which shadow a site group of the same name.
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"

namespace dad::ctl {

namespace {

const char* const kUsage =
    "usage: group add NAME [MEMBER...] | group remove NAME | group list | group show NAME |\n"
    "       group members add|remove NAME MEMBER...      (each takes [--owner USER]; a member\n"
    "       is an account name, an e-mail address or another group as @NAME)";

std::string label(const std::string& name, const std::optional<int64_t>& owner,
                  const std::string& ownerName) {
    return "group @" + name + (owner ? " of " + ownerName : " (site)");
}

}  // namespace

int groupCommand(Admin& admin, const std::vector<std::string>& words) {
    const Caller& caller = operatorCaller();
    const bool members = words.size() > 1 && words[1] == "members";
    const std::string verb = words.size() > (members ? 2u : 1u) ? words[members ? 2 : 1] : "";
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, members ? 3 : 2, {"owner"}, {}, flags, positional); !s) {
        return fail(s.message() + "\n" + kUsage, 2);
    }
    std::optional<int64_t> owner;
    const bool owned = flags.count("owner") > 0;
    const std::string ownerName = owned ? flags["owner"] : "";
    if (owned) {
        AccountView view;
        if (Status s = admin.showAccount(caller, ownerName, view); !s) return fail(s.message());
        owner = view.account.id;
    }
    if (verb == "list" && !members && positional.empty()) {
        std::vector<GroupRecord> groups;
        if (Status s = admin.listGroups(caller, ownerName, groups); !s) return fail(s.message());
        for (const GroupRecord& g : groups) {
            std::cout << "@" << g.name << "  " << g.members.size() << " members\n";
        }
        return 0;
    }
    if (positional.empty() || (members && positional.size() < 2) ||
        (!members && verb != "add" && positional.size() != 1)) {
        return fail(kUsage, 2);
    }
    const std::string& name = positional[0];
    const std::vector<std::string> rest(positional.begin() + 1, positional.end());
    Status s;
    if (members && (verb == "add" || verb == "remove")) {
        s = admin.changeGroupMembers(caller, name, ownerName, rest, verb == "add");
    } else if (!members && verb == "add") {
        s = admin.createGroup(caller, name, ownerName, rest);
    } else if (!members && verb == "remove") {
        s = admin.removeGroup(caller, name, ownerName);
    } else if (!members && verb == "show") {
        GroupRecord group;
        std::vector<std::string> addresses;
        if (s = admin.showGroup(caller, name, ownerName, group, addresses, s); !s) {
            return fail(s.message());
        }
        std::cout << label(name, owner, ownerName) << "\nmembers:";
        for (const std::string& m : group.members)
            std::cout << " " << m;
        std::cout << "\nexpanded:";
        for (const std::string& a : addresses)
            std::cout << " " << a;
        std::cout << (s ? "" : " (" + s.message() + ")") << "\n";
        return s ? 0 : 1;
    } else {
        return fail(kUsage, 2);
    }
    if (!s) return fail(s.message());
    std::cout << (members ? "members " : "") << verb << ": " << label(name, owner, ownerName)
              << " done\n";
    return 0;
}

}  // namespace dad::ctl
