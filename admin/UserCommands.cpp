#include <cerrno>
#include <fstream>
#include <iostream>
#include <sstream>

#include "CommandLine.h"
#include "Commands.h"
#include "PackageReport.h"
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

int addUser(Gateway& gateway, const std::vector<std::string>& words) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, 2, {"email", "parent", "quota"}, {"admin", "guest"}, flags,
                              positional);
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
    if (flags.count("quota")) {
        try {
            size_t used = 0;
            const long long quota = std::stoll(flags["quota"], &used);
            if (used != flags["quota"].size() || quota < 0) throw std::invalid_argument("quota");
            account.quotaBytes = quota;
        } catch (const std::exception&) {
            return fail("--quota takes a number of bytes");
        }
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
