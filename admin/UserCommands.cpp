#include <cerrno>
#include <fstream>
#include <iostream>
#include <sstream>

#include "CommandLine.h"
#include "Commands.h"
#include "PackageReport.h"
#include "Quota.h"
#include "Secrets.h"
#include "VirtualPath.h"

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

int setQuota(Gateway& gateway, const std::vector<std::string>& words) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, 2, {"bytes", "files"}, {}, flags, positional);
        !s || positional.size() != 1) {
        return fail("usage: user quota NAME [--bytes N|none] [--files N|none]", 2);
    }
    AccountRecord account;
    if (Status s = gateway.catalog().findAccount(positional[0], account); !s) {
        return fail(s.message());
    }
    if (!limitFlag(flags, "bytes", account.quotaBytes) ||
        !limitFlag(flags, "files", account.quotaFiles)) {
        return fail("--bytes and --files take a number or none");
    }
    if (Status s = gateway.catalog().setQuota(account.name, account.quotaBytes, account.quotaFiles);
        !s) {
        return fail(s.message());
    }
    std::cout << "quota of " << account.name << " set" << std::endl;
    return 0;
}

std::string limitText(int64_t limit, const std::string& unit) {
    return limit < 0 ? "unlimited" : std::to_string(limit) + " " + unit;
}

int showUser(Gateway& gateway, const std::string& name) {
    AccountRecord account;
    if (Status s = gateway.catalog().findAccount(name, account); !s) return fail(s.message());
    QuotaState quota;
    if (Status s = readQuota(gateway.catalog(), account, quota); !s) return fail(s.message());
    uint64_t bytes = 0, files = 0;
    if (Status s = gateway.catalog().usage({account.id}, bytes, files); !s)
        return fail(s.message());
    std::vector<SshKeyRecord> keys;
    (void)gateway.catalog().listKeys(name, keys);
    std::cout << "name: " << account.name << "\ntype: " << account.type
              << "\nemail: " << (account.email.empty() ? "-" : account.email)
              << "\nparent: " << (account.parentName.empty() ? "-" : account.parentName)
              << "\nstate: " << (account.disabled ? "disabled" : "enabled")
              << "\ncreated: " << PackageReport::formatTime(account.created)
              << "\nssh keys: " << keys.size() << "\nstored: " << bytes << " bytes in " << files
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

int addUser(Gateway& gateway, const std::vector<std::string>& words) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, 2, {"email", "parent", "quota", "quota-files"},
                              {"admin", "guest"}, flags, positional);
        !s) {
        return fail(s.message(), 2);
    }
    if (positional.size() != 1) return fail("usage: user add NAME [options]", 2);
    AccountRecord account;
    account.name = positional[0];
    if (Status s = VirtualPath::checkName(account.name);
        !s || account.name.find_first_of("@, ") != std::string::npos) {
        return fail("invalid account name '" + account.name + "'");
    }
    account.email = flags["email"];
    account.type = flags.count("admin") ? "admin" : flags.count("guest") ? "guest" : "user";
    if (flags.count("parent")) {
        AccountRecord parent;
        if (!gateway.catalog().findAccount(flags["parent"], parent)) {
            return fail("no account " + flags["parent"]);
        }
        if (parent.type != "admin") return fail(parent.name + " is not an admin");
        account.parentId = parent.id;
    }
    if (!limitFlag(flags, "quota", account.quotaBytes) ||
        !limitFlag(flags, "quota-files", account.quotaFiles)) {
        return fail("--quota takes a number of bytes, --quota-files a number of files");
    }
    std::string password;
    if (!readPassword(password)) return fail("expected the password as one line on stdin");
    account.passwordHash = hashPassword(password);
    if (Status s = gateway.catalog().createAccount(account); !s) return fail(s.message());
    std::cout << "created " << account.type << " " << account.name << std::endl;
    return 0;
}

int listUsers(Gateway& gateway) {
    std::vector<AccountRecord> accounts;
    if (Status s = gateway.catalog().listAccounts(accounts); !s) return fail(s.message());
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

int keyCommand(Gateway& gateway, const std::vector<std::string>& words) {
    if (words.size() == 5 && words[2] == "add") {
        std::ifstream file(words[4]);
        std::string line;
        if (!file || !std::getline(file, line)) return fail("cannot read " + words[4]);
        std::istringstream fields(line);
        SshKeyRecord key;
        fields >> key.type >> key.base64;
        std::getline(fields >> std::ws, key.comment);
        if (key.type.rfind("ssh-", 0) != 0 && key.type.rfind("ecdsa-", 0) != 0 &&
            key.type.rfind("sk-", 0) != 0) {
            return fail(words[4] + " is not an OpenSSH public key");
        }
        if (key.base64.empty()) return fail(words[4] + " has no key data");
        if (Status s = gateway.catalog().addKey(words[3], key); !s) return fail(s.message());
        std::cout << "added " << key.type << " key for " << words[3] << std::endl;
        return 0;
    }
    if (words.size() == 4 && words[2] == "list") {
        std::vector<SshKeyRecord> keys;
        if (Status s = gateway.catalog().listKeys(words[3], keys); !s) return fail(s.message());
        for (const SshKeyRecord& k : keys) {
            std::cout << k.type << " " << k.base64 << (k.comment.empty() ? "" : " " + k.comment)
                      << std::endl;
        }
        return 0;
    }
    return fail("usage: user key add NAME PUBKEYFILE | user key list NAME", 2);
}

}  // namespace

int userCommand(Gateway& gateway, const std::vector<std::string>& words) {
    const std::string verb = words.size() > 1 ? words[1] : "";
    Catalog& catalog = gateway.catalog();
    if (verb == "add") return addUser(gateway, words);
    if (verb == "list" && words.size() == 2) return listUsers(gateway);
    if (verb == "key") return keyCommand(gateway, words);
    if (verb == "quota") return setQuota(gateway, words);
    if (verb == "show" && words.size() == 3) return showUser(gateway, words[2]);
    if (words.size() != 3) return fail("usage: user add|list|disable|enable|remove|passwd|key", 2);
    const std::string& name = words[2];
    Status s;
    if (verb == "disable" || verb == "enable") {
        s = catalog.setDisabled(name, verb == "disable");
    } else if (verb == "remove") {
        s = catalog.removeAccount(name);
    } else if (verb == "passwd") {
        std::string password;
        if (!readPassword(password)) return fail("expected the password as one line on stdin");
        s = catalog.setPasswordHash(name, hashPassword(password));
    } else {
        return fail("unknown user command " + verb, 2);
    }
    if (!s) return fail(s.message());
    std::cout << verb << ": " << name << " done" << std::endl;
    return 0;
}

int checkCommand(Gateway& gateway) {
    std::vector<std::string> problems;
    if (Status s = gateway.catalog().checkReferenceCounts(problems); !s) return fail(s.message());
    if (Status s = gateway.store().check(gateway.catalog(), problems); !s) {
        return fail(s.message());
    }
    for (const std::string& p : problems)
        std::cout << "problem: " << p << std::endl;
    if (!problems.empty()) return 1;
    std::cout << "catalog and store are consistent" << std::endl;
    return 0;
}

}  // namespace dad::ctl
