// dadctl token create|list|revoke: API tokens for /api/v1/. A token belongs
// to an account: --user NAME, or "admin" (the account made at first start)
// without it. It is printed once; the catalog keeps only its SHA-256.
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "PackageReport.h"

namespace dad::ctl {

namespace {

const char* const kUsage =
    "usage: token create NAME [--user ACCOUNT] [--scope read|write|admin] [--expires 30d]\n"
    "       token list [--user ACCOUNT] | token revoke NAME|ID [--user ACCOUNT]";

// "30d", "12h", "45m", "3600s" or a number of seconds.
bool parseLifetime(const std::string& text, int64_t& seconds) {
    if (text.empty()) return false;
    int64_t unit = 1;
    std::string digits = text;
    switch (text.back()) {
        case 'd':
            unit = 86400;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'm':
            unit = 60;
            break;
        case 's':
            break;
        default:
            digits.push_back('s');
    }
    digits.pop_back();
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
        return false;
    }
    seconds = std::stoll(digits) * unit;
    return seconds > 0;
}

}  // namespace

int tokenCommand(Admin& admin, const std::vector<std::string>& words) {
    const std::string verb = words.size() > 1 ? words[1] : "";
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, 2, {"user", "scope", "expires"}, {}, flags, positional); !s) {
        return fail(s.message() + "\n" + kUsage, 2);
    }
    const Caller& caller = operatorCaller();
    if (verb == "create" && positional.size() == 1) {
        Scope scope = Scope::Write;
        if (flags.count("scope") && !parseScope(flags["scope"], scope)) {
            return fail("--scope is read, write or admin", 2);
        }
        std::optional<int64_t> lifetime;
        if (flags.count("expires")) {
            int64_t seconds = 0;
            if (!parseLifetime(flags["expires"], seconds)) {
                return fail("--expires takes a lifetime such as 30d, 12h, 45m or 3600s", 2);
            }
            lifetime = seconds;
        }
        const std::string user = flags.count("user") ? flags["user"] : "admin";
        ApiTokenRecord record;
        std::string token;
        if (Status s =
                admin.createToken(caller, user, positional[0], scope, lifetime, record, token);
            !s) {
            return fail(s.message());
        }
        std::cout << token << "\n";
        std::cerr << "token #" << record.id << " " << record.name << " of " << record.accountName
                  << " (" << record.scope << ")"
                  << (record.expiresAt ? ", expires " + PackageReport::formatTime(*record.expiresAt)
                                       : ", no expiry")
                  << ": shown only this once" << std::endl;
        return 0;
    }
    if (verb == "list" && positional.empty() && !flags.count("scope") && !flags.count("expires")) {
        std::vector<ApiTokenRecord> tokens;
        if (Status s = admin.listTokens(caller, flags["user"], tokens); !s) {
            return fail(s.message());
        }
        if (tokens.empty()) std::cout << "no tokens\n";
        for (const ApiTokenRecord& t : tokens) {
            std::cout << "#" << t.id << "  " << t.name << "  " << t.accountName << "  " << t.scope
                      << "  created " << PackageReport::formatTime(t.created) << "  expires "
                      << (t.expiresAt ? PackageReport::formatTime(*t.expiresAt) : "never")
                      << "  last used "
                      << (t.lastUsed ? PackageReport::formatTime(*t.lastUsed) : "never") << "\n";
        }
        return 0;
    }
    if (verb == "revoke" && positional.size() == 1 && !flags.count("scope") &&
        !flags.count("expires")) {
        ApiTokenRecord revoked;
        const std::string user = flags.count("user") ? flags["user"] : "admin";
        if (Status s = admin.revokeToken(caller, user, positional[0], revoked); !s) {
            return fail(s.message());
        }
        std::cout << "token #" << revoked.id << " " << revoked.name << " of " << revoked.accountName
                  << " revoked\n";
        return 0;
    }
    return fail(kUsage, 2);
}

}  // namespace dad::ctl
