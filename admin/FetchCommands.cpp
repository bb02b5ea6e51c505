// dadctl fetch USER URL [--at TIME] [--into PATH] [--host-key SHA256:...]: queues a fetch job for
// USER. Checks the account, the URL's syntax and the target; asks nothing of
// the network (the job does that, with the address guard and the policy).
#include <iostream>

#include "CommandLine.h"
#include "Commands.h"
#include "Manifest.h"

namespace dad::ctl {

int fetchCommand(Admin& admin, const std::vector<std::string>& words) {
    const char* usage =
        "usage: fetch USER URL [--at 2026-12-01T10:00:00Z] [--into /files/FOLDER/|PATH] "
        "[--host-key SHA256:...]";
    std::map<std::string, std::string> flags;
    std::vector<std::string> positional;
    if (Status s = parseFlags(words, 1, {"at", "into", "host-key"}, {}, flags, positional);
        !s || positional.size() != 2) {
        return fail(s ? usage : s.message() + "\n" + usage, 2);
    }
    int64_t at = nowSeconds();
    if (flags.count("at") && !ManifestParser::parseDateTime(flags["at"], at)) {
        return fail("--at must be 2026-12-01 or 2026-12-01T10:00:00Z (UTC), not " + flags["at"], 2);
    }
    int64_t id = 0;
    if (Status s = admin.queueFetch(operatorCaller(), positional[0], positional[1], flags["into"],
                                    flags["host-key"], at, id);
        !s) {
        // A missing or misplaced host key is a usage error, as before.
        const bool usageError = s.message().find("host-key") != std::string::npos ||
                                s.message().find("host key") != std::string::npos;
        return fail(s.message(), usageError ? 2 : 1);
    }
    std::cout << id << "\n";
    return 0;
}

}  // namespace dad::ctl
