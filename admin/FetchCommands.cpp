// dadctl fetch USER URL [--at TIME] [--into PATH] [--host-key SHA256:...]: queues a fetch job for
// USER. Checks the account, the URL's syntax and the target; asks nothing of
// the network (the job does that, with the address guard and the policy).
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "FetchRequest.h"
#include "Manifest.h"

namespace dad::ctl {

int fetchCommand(Gateway& gateway, const std::vector<std::string>& words) {
    const char* usage =
        "usage: fetch USER URL [--at 2026-12-01T10:00:00Z] [--into /files/FOLDER/|PATH] "
        "[--host-key SHA256:...]";
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, 1, {"at", "into", "host-key"}, {}, flags, positional);
        !s || positional.size() != 2) {
        return fail(s ? usage : s.message() + "\n" + usage, 2);
    }
    FetchRequest request;
    request.user = positional[0];
    request.url = positional[1];
    request.into = flags["into"];
    AccountRecord account;
    if (Status s = gateway.catalog().findAccount(request.user, account); !s) {
        return fail("no account " + request.user);
    }
    if (account.disabled) return fail("account " + request.user + " is disabled");
    if (Status s = FetchRequestCodec::checkUrl(request.url); !s) return fail(s.message());
    if (Status s = FetchRequestCodec::checkInto(request.into); !s) return fail(s.message());
    // SFTP: the server's key fingerprint is required (no trust on first use).
    request.hostKey = flags["host-key"];
    const bool sftp = request.url.rfind("sftp:", 0) == 0;
    if (sftp && request.hostKey.empty()) {
        return fail("an sftp URL needs --host-key SHA256:... (ssh-keygen -lf the server's key)", 2);
    }
    if (!sftp && !request.hostKey.empty()) return fail("--host-key is for sftp URLs only", 2);
    if (!request.hostKey.empty()) {
        if (Status s = FetchRequestCodec::checkHostKey(request.hostKey); !s) {
            return fail(s.message(), 2);
        }
    }
    int64_t at = nowSeconds();
    if (flags.count("at") && !ManifestParser::parseDateTime(flags["at"], at)) {
        return fail("--at must be 2026-12-01 or 2026-12-01T10:00:00Z (UTC), not " + flags["at"], 2);
    }
    int64_t id = 0;
    if (Status s =
            gateway.catalog().enqueueJobAt("fetch", FetchRequestCodec::toJson(request), at, id);
        !s) {
        return fail(s.message());
    }
    std::cout << id << "\n";
    return 0;
}

}  // namespace dad::ctl
