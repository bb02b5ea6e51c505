#include <cerrno>
#include <fstream>
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "PackageReport.h"

namespace dad::ctl {

namespace {

// One line from stdin; the password never appears on the command line.
bool readPassword(std::string& password) {
    if (!std::getline(std::cin, password)) return false;
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return !password.empty();
}

// A limit flag: a number, or "none" for no limit. False when malformed.
bool limitFlag(std::map<std::string, std::string>& flags, const std::string& name,
               std::optional<int64_t>& limit) {
    if (!flags.count(name)) return true;
    const std::string& text = flags[name];
    if (text == "none") {
        limit.reset();
        return true;
    }
    try {
        size_t used = 0;
        const long long value = std::stoll(text, &used);
        if (used != text.size() || value < 0) return false;
        limit = value;
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

int setQuota(Admin& admin, const std::vector<std::string>& words) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, 2, {"bytes", "files"}, {}, flags, positional);
        !s || positional.size() != 1) {
        return fail("usage: user quota NAME [--bytes N|none] [--files N|none]", 2);
    }
    AccountView view;
    if (Status s = admin.showAccount(operatorCaller(), positional[0], view); !s) {
        return fail(s.message());
    }
    AccountRecord& account = view.account;
    if (!limitFlag(flags, "bytes", account.quotaBytes) ||
        !limitFlag(flags, "files", account.quotaFiles)) {
        return fail("--bytes and --files take a number or none");
    }
    if (Status s =
            admin.setQuota(operatorCaller(), account.name, account.quotaBytes, account.quotaFiles);
        !s) {
        return fail(s.message());
    }
    std::cout << "quota of " << account.name << " set" << std::endl;
    return 0;
}

std::string limitText(int64_t limit, const std::string& unit) {
    return limit < 0 ? "unlimited" : std::to_string(limit) + " " + unit;
}

int showUser(Admin& admin, const std::string& name) {
    AccountView view;
    if (Status s = admin.showAccount(operatorCaller(), name, view); !s) return fail(s.message());
    const AccountRecord& account = view.account;
    const QuotaState& quota = view.quota;
    const uint64_t bytes = view.storedBytes, files = view.storedFiles;
    std::cout << "name: " << account.name << "\ntype: " << account.type
              << "\nemail: " << (account.email.empty() ? "-" : account.email)
              << "\nparent: " << (account.parentName.empty() ? "-" : account.parentName)
              << "\nstate: " << (account.disabled ? "disabled" : "enabled")
              << "\ncreated: " << PackageReport::formatTime(account.created)
              << "\nssh keys: " << view.keyCount << "\nstored: " << bytes << " bytes in " << files
              << " files\n";
    for (const QuotaLimit* l : {&quota.own, &quota.parent}) {
        if (l->scope.empty() || (l->limitBytes < 0 && l->limitFiles < 0)) continue;
        std::cout << "quota (" << l->scope << "): " << l->usedBytes << " of "
                  << limitText(l->limitBytes, "bytes") << ", " << l->usedFiles << " of "
                  << limitText(l->limitFiles, "files") << "\n";
    }
    if (quota.own.limitBytes < 0 && quota.own.limitFiles < 0) std::cout << "quota: none\n";
    return 0;
}

int addUser(Admin& admin, const std::vector<std::string>& words) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, 2, {"email", "parent", "quota", "quota-files"},
                              {"admin", "guest"}, flags, positional);
        !s) {
        return fail(s.message(), 2);
    }
    if (positional.size() != 1) return fail("usage: user add NAME [options]", 2);
    NewAccount request;
    request.name = positional[0];
    request.email = flags["email"];
    request.type = flags.count("admin") ? "admin" : flags.count("guest") ? "guest" : "user";
    request.parent = flags["parent"];
    if (!limitFlag(flags, "quota", request.quotaBytes) ||
        !limitFlag(flags, "quota-files", request.quotaFiles)) {
        return fail("--quota takes a number of bytes, --quota-files a number of files");
    }
    if (!readPassword(request.password)) {
        return fail("expected the password as one line on stdin");
    }
    AccountRecord account;
    if (Status s = admin.createAccount(operatorCaller(), request, account); !s) {
        return fail(s.message());
    }
    std::cout << "created " << account.type << " " << account.name << std::endl;
    return 0;
}

int listUsers(Admin& admin) {
    std::vector<AccountRecord> accounts;
    if (Status s = admin.listAccounts(operatorCaller(), accounts); !s) return fail(s.message());
    std::printf("%-20s %-6s %-30s %-12s %-14s %s\n", "NAME", "TYPE", "EMAIL", "PARENT", "QUOTA",
                "STATE");
    for (const AccountRecord& a : accounts) {
        std::printf("%-20s %-6s %-30s %-12s %-14s %s\n", a.name.c_str(), a.type.c_str(),
                    a.email.empty() ? "-" : a.email.c_str(),
                    a.parentName.empty() ? "-" : a.parentName.c_str(),
                    a.quotaBytes ? std::to_string(*a.quotaBytes).c_str() : "unlimited",
                    a.disabled ? "disabled" : "enabled");
    }
    return 0;
}

int keyCommand(Admin& admin, const std::vector<std::string>& words) {
    if (words.size() == 5 && words[2] == "add") {
        std::ifstream file(words[4]);
        std::string line;
        if (!file || !std::getline(file, line)) return fail("cannot read " + words[4]);
        SshKeyRecord key;
        if (Status s = admin.addKey(operatorCaller(), words[3], line, key); !s) {
            // The layer's words about the key name no file; the file is ours.
            return fail(s.code() == StatusCode::InvalidArgument ? words[4] + " " + s.message()
                                                                : s.message());
        }
        std::cout << "added " << key.type << " key for " << words[3] << std::endl;
        return 0;
    }
    if (words.size() == 4 && words[2] == "list") {
        std::vector<SshKeyRecord> keys;
        if (Status s = admin.listKeys(operatorCaller(), words[3], keys); !s) {
            return fail(s.message());
        }
        for (const SshKeyRecord& k : keys) {
            std::cout << k.type << " " << k.base64 << (k.comment.empty() ? "" : " " + k.comment)
                      << std::endl;
        }
        return 0;
    }
    return fail("usage: user key add NAME PUBKEYFILE | user key list NAME", 2);
}

}  // namespace

int userCommand(Admin& admin, const std::vector<std::string>& words) {
    const std::string verb = words.size() > 1 ? words[1] : "";
    if (verb == "add") return addUser(admin, words);
    if (verb == "list" && words.size() == 2) return listUsers(admin);
    if (verb == "key") return keyCommand(admin, words);
    if (verb == "quota") return setQuota(admin, words);
    if (verb == "show" && words.size() == 3) return showUser(admin, words[2]);
    if (words.size() != 3) return fail("usage: user add|list|disable|enable|remove|passwd|key", 2);
    const std::string& name = words[2];
    Status s;
    if (verb == "disable" || verb == "enable") {
        s = admin.setDisabled(operatorCaller(), name, verb == "disable");
    } else if (verb == "remove") {
        s = admin.removeAccount(operatorCaller(), name);
    } else if (verb == "passwd") {
        std::string password;
        if (!readPassword(password)) return fail("expected the password as one line on stdin");
        s = admin.setPassword(operatorCaller(), name, password);
    } else {
        return fail("unknown user command " + verb, 2);
    }
    if (!s) return fail(s.message());
    std::cout << verb << ": " << name << " done" << std::endl;
    return 0;
}

int checkCommand(Admin& admin) {
    std::vector<std::string> problems;
    if (Status s = admin.checkConsistency(operatorCaller(), problems); !s) {
        return fail(s.message());
    }
    for (const std::string& p : problems)
        std::cout << "problem: " << p << std::endl;
    if (!problems.empty()) return 1;
    std::cout << "catalog and store are consistent" << std::endl;
    return 0;
}

}  // namespace dad::ctl
