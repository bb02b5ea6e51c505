// dadctl site add|list|remove: the sites packages are forwarded to. The
// password, token or private key comes on stdin, never in argv, and is kept
// in a 0600 file under the data directory (Sites.h); `site list` never
// shows it.
#include <fstream>
#include <iostream>
#include <iterator>

#include "CommandLine.h"
#include "Commands.h"
#include "PackageReport.h"
#include "Sites.h"

namespace dad::ctl {

namespace {

const char* const kUsage =
    "usage: site add NAME --type peer|ftp|ftps|sftp --url URL [--user NAME] [--ca FILE] "
    "[--host-key SHA256:...]   (password, token or private key on stdin)\n"
    "       site list | site remove NAME";

// All of stdin (bounded); a password's line end is not part of it, a key's is.
Status readSecret(std::string& secret) {
    secret.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (secret.size() > Sites::kMaxSecretBytes) {
        return Status::invalid("the secret on stdin is longer than " +
                               std::to_string(Sites::kMaxSecretBytes) + " bytes");
    }
    if (secret.rfind("-----BEGIN", 0) != 0) {
        while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r'))
            secret.pop_back();
        if (secret.find('\n') != std::string::npos) {
            return Status::invalid("the password or token on stdin must be one line");
        }
    }
    return Status::ok();
}

int addSite(Admin& admin, const std::vector<std::string>& words) {
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s =
            parseFlags(words, 2, {"type", "url", "user", "ca", "host-key"}, {}, flags, positional);
        !s || positional.size() != 1 || !flags.count("type") || !flags.count("url")) {
        return fail(s ? kUsage : s.message() + "\n" + kUsage, 2);
    }
    SiteRecord site;
    site.name = positional[0];
    site.type = flags["type"];
    site.url = flags["url"];
    site.user = flags["user"];
    site.hostKey = flags["host-key"];
    // Usage errors before stdin is read.
    if (Status s = Sites::check(site); !s) return fail(s.message(), 2);
    if (flags.count("ca") && site.type == "sftp") {
        return fail("--ca is for TLS sites (peer, ftps); sftp sites have --host-key", 2);
    }
    std::string pem;
    if (flags.count("ca")) {
        std::ifstream file(flags["ca"], std::ios::binary);
        if (!file) return fail("cannot read " + flags["ca"]);
        pem.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
        if (pem.empty()) return fail(flags["ca"] + ": no certificate in it");
    }
    std::string secret;
    if (Status s = readSecret(secret); !s) return fail(s.message());
    if (Status s = admin.addSite(operatorCaller(), site, secret, pem); !s) {
        // A CA that is not one names the file it came from.
        if (s.code() == StatusCode::InvalidArgument && flags.count("ca") &&
            s.message().find("certificate") != std::string::npos) {
            return fail(flags["ca"] + ": " + s.message());
        }
        return fail(s.message());
    }
    std::cout << "site " << site.name << " added" << std::endl;
    return 0;
}

}  // namespace

int siteCommand(Admin& admin, const std::vector<std::string>& words) {
    const std::string verb = words.size() > 1 ? words[1] : "";
    if (verb == "add") return addSite(admin, words);
    if (verb == "list" && words.size() == 2) {
        std::vector<SiteRecord> sites;
        if (Status s = admin.listSites(operatorCaller(), sites); !s) return fail(s.message());
        for (const SiteRecord& site : sites) {
            std::cout << site.name << "  " << site.type << "  " << site.url
                      << (site.user.empty() ? "" : "  user " + site.user)
                      << (site.caFile.empty() ? "" : "  own CA")
                      << (site.hostKey.empty() ? "" : "  host key " + site.hostKey) << "  added "
                      << PackageReport::formatTime(site.createdAt) << std::endl;
        }
        return 0;
    }
    if (verb == "remove" && words.size() == 3) {
        if (Status s = admin.removeSite(operatorCaller(), words[2]); !s) return fail(s.message());
        std::cout << "site " << words[2] << " removed" << std::endl;
        return 0;
    }
    return fail(kUsage, 2);
}

}  // namespace dad::ctl
