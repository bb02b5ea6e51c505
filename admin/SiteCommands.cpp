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

int addSite(Gateway& gateway, const std::vector<std::string>& words) {
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
    if (Status s = Sites::check(site); !s) return fail(s.message(), 2);
    if (flags.count("ca") && site.type == "sftp") {
        return fail("--ca is for TLS sites (peer, ftps); sftp sites have --host-key", 2);
    }
    SiteRecord existing;
    if (gateway.catalog().findSite(site.name, existing)) {
        return fail("a site named " + site.name + " exists (site remove it first)");
    }
    std::string secret;
    if (Status s = readSecret(secret); !s) return fail(s.message());
    if (secret.empty() && (site.type == "peer" || site.type == "sftp")) {
        return fail("a " + site.type + " site needs its " +
                    (site.type == "peer" ? "token" : "password or private key") + " on stdin");
    }
    const std::string& dataDir = gateway.options().dataDir;
    if (flags.count("ca")) {
        std::ifstream file(flags["ca"], std::ios::binary);
        if (!file) return fail("cannot read " + flags["ca"]);
        const std::string pem((std::istreambuf_iterator<char>(file)),
                              std::istreambuf_iterator<char>());
        if (Status s = Sites::saveCa(dataDir, site.name, pem, site.caFile); !s) {
            return fail(flags["ca"] + ": " + s.message());
        }
    }
    if (Status s = Sites::saveSecret(dataDir, site.name, secret); !s) {
        Sites::forget(dataDir, site.name);
        return fail(s.message());
    }
    if (Status s = gateway.catalog().addSite(site); !s) {
        Sites::forget(dataDir, site.name);
        return fail(s.message());
    }
    std::cout << "site " << site.name << " added" << std::endl;
    return 0;
}

}  // namespace

int siteCommand(Gateway& gateway, const std::vector<std::string>& words) {
    const std::string verb = words.size() > 1 ? words[1] : "";
    if (verb == "add") return addSite(gateway, words);
    if (verb == "list" && words.size() == 2) {
        std::vector<SiteRecord> sites;
        if (Status s = gateway.catalog().listSites(sites); !s) return fail(s.message());
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
        if (Status s = gateway.catalog().removeSite(words[2]); !s) return fail(s.message());
        Sites::forget(gateway.options().dataDir, words[2]);
        std::cout << "site " << words[2] << " removed" << std::endl;
        return 0;
    }
    return fail(kUsage, 2);
}

}  // namespace dad::ctl
