#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "AtomicFile.h"
#include "CommandLine.h"
#include "Commands.h"
#include "FileSystem.h"
#include "LuaPolicies.h"
#include "PackageReport.h"

namespace dad::ctl {

namespace {

const Hook kHooks[] = {Hook::Connect,        Hook::Login,          Hook::BeforeUpload,
                       Hook::AfterUpload,    Hook::PackageSent,    Hook::BeforeDownload,
                       Hook::AfterDownload,  Hook::PackageExpired, Hook::FetchRequested,
                       Hook::NotificationOut};

// A plausible event for each hook, so a script can be tried before it is live.
PolicyEvent sampleEvent(Hook hook, const std::string& user) {
    PolicyEvent e;
    e.hook = hook;
    e.user = user;
    e.connection = {"sftp", "192.0.2.10", 50000};
    e.path = "/outbox/report/plan.pdf";
    e.bytes = 1048576;
    e.usedBytes = 52428800;
    e.quotaBytes = 1073741824;
    e.packagePid = "local-SAMPLEPID";
    e.packageName = "report";
    e.recipients = {"bob", "carol@example.com"};
    return e;
}

int testScript(Gateway& gateway, const std::vector<std::string>& words) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, 2, {"hook", "user"}, {}, flags, positional);
        !s || positional.size() != 1) {
        return fail("usage: policy test SCRIPT [--hook HOOK] [--user NAME]", 2);
    }
    std::unique_ptr<LuaScript> script;
    if (Status s = LuaPolicies::loadFile(positional[0], gateway.options().policyLimits, script);
        !s) {
        return fail(s.message());
    }
    const std::string user = flags.count("user") ? flags["user"] : "alice";
    // dad.group answers from this catalog, as `user` sees the groups.
    AccountRecord account;
    const int64_t accountId = gateway.catalog().findAccount(user, account) ? account.id : 0;
    const LuaLookups lookups =
        LuaPolicies::lookupsFor(LuaPolicies::catalogGroups(gateway.catalog()), accountId);
    int failures = 0, ran = 0;
    for (Hook hook : kHooks) {
        const std::string function = std::string("on_") + hookName(hook);
        if (flags.count("hook") && flags["hook"] != hookName(hook)) continue;
        if (!script->defines(function)) continue;
        ++ran;
        LuaOutcome outcome;
        Status s = script->call(function, LuaPolicies::eventTable(sampleEvent(hook, user)), outcome,
                                &lookups);
        for (const std::string& line : outcome.logLines)
            std::cout << "  log: " << line << "\n";
        if (!s) {
            ++failures;
            std::cout << function << ": error: " << s.message() << "\n";
            continue;
        }
        const char* answer = outcome.answer == LuaOutcome::Answer::Deny    ? "deny"
                             : outcome.answer == LuaOutcome::Answer::Allow ? "allow"
                                                                           : "no opinion";
        std::cout << function << ": " << answer
                  << (outcome.reason.empty() ? "" : " (" + outcome.reason + ")") << "\n";
        for (const auto& [name, args] : outcome.actions) {
            std::cout << "  action: " << name << " (" << args.size() << " argument(s))\n";
        }
    }
    if (ran == 0) std::cout << "the script defines no hook function to run\n";
    return failures == 0 ? 0 : 1;
}

int reload(Admin& admin) {
    PolicyReload result;
    if (Status s = admin.reloadPolicies(operatorCaller(), result); !s) return fail(s.message());
    for (const std::string& name : result.scripts)
        std::cout << "ok: " << name << "\n";
    std::cout << result.message << "\n";
    return 0;
}

// The scripts of policy.dir and, from the running dadgate, whether each is in service.
int listScripts(Gateway& gateway) {
    std::string status;
    const bool running =
        readWholeFile(Gateway::policyStatusPath(gateway.options().dataDir), status).isOk();
    std::map<std::string, std::string> states;
    std::istringstream lines(status);
    for (std::string line; std::getline(lines, line);) {
        const size_t tab = line.find('\t');
        if (tab != std::string::npos) states[line.substr(0, tab)] = line.substr(tab + 1);
    }
    std::vector<std::string> names;
    if (!gateway.options().policyDir.empty() &&
        posixFileSystem().exists(gateway.options().policyDir)) {
        posixFileSystem().listDirectory(gateway.options().policyDir, names);
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
        if (name.size() < 5 || name.compare(name.size() - 4, 4, ".lua") != 0) continue;
        std::string state = running ? "not loaded (dadctl policy reload)" : "dadgate has not run";
        if (auto it = states.find(name); it != states.end()) {
            state = it->second;
            std::replace(state.begin(), state.end(), '\t', ' ');
            if (state.rfind("disabled ", 0) == 0) state = "disabled: " + state.substr(9);
        }
        std::cout << name << "  " << state << "\n";
    }
    return 0;
}

}  // namespace

int policyCommand(Admin& admin, const std::vector<std::string>& words) {
    Gateway& gateway = admin.gateway();
    const std::string verb = words.size() > 1 ? words[1] : "";
    if (verb == "test") return testScript(gateway, words);
    if (verb == "reload" && words.size() == 2) return reload(admin);
    if (verb == "list" && words.size() == 2) return listScripts(gateway);
    if (verb == "errors" && words.size() == 2) {
        std::vector<std::pair<int64_t, AuditEvent>> events;
        if (Status s = admin.policyErrors(operatorCaller(), events); !s) {
            return fail(s.message());
        }
        for (const auto& [at, e] : events) {
            std::cout << PackageReport::formatTime(at) << "  " << e.detail << "\n";
        }
        return 0;
    }
    return fail(
        "usage: policy test SCRIPT [--hook HOOK] [--user NAME] | policy reload | policy list | "
        "policy errors",
        2);
}

}  // namespace dad::ctl
